"""The welding cell in one pybullet client: pedestal, robot with torch, welding table, workpiece plates.

`build_cell(client_id, config)` loads everything into the env's own client (DIRECT mode; every call passes
`physicsClientId`). Workpieces come and go with `add_boxes` / `remove_part`; collision and visual shapes of
the table and of every distinct plate set are created once per cell and reused, so an env that resets
thousands of times does not grow pybullet's shape tables.

Collisions: every robot and tool link against the table, the pedestal and the part, plus the configured
self-collision link pairs, with pybullet's `getClosestPoints` (exact distances; negative = penetration).
The wire and the contact tip have no collision geometry: the TCP sits at the contact tip and the wire
stick-out (CTWD) reaches the work by design, while the nozzle touching the work is a real collision.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pybullet as pb

from weldcraft.envs.robot.config import CellConfig
from weldcraft.envs.robot.model import RobotModel
from weldcraft.errors import ConfigError
from weldcraft.types import FloatArray

Vec3 = tuple[float, float, float]
Quat = tuple[float, float, float, float]

TABLE_RGBA = (0.35, 0.37, 0.4, 1.0)
PART_RGBA = (0.62, 0.64, 0.66, 1.0)
PEDESTAL_RGBA = (0.2, 0.22, 0.25, 1.0)
_LEG_SIDE_M = 0.06
_MAX_COMPOUND = 16  # pybullet's MAX_COMPOUND_COLLISION_SHAPES


class BoxLike(Protocol):
    """A box in the part frame: centre (m), axes as quaternion x, y, z, w, half sizes (m)
    (e.g. `weldcraft.seams.plates.Box`)."""

    @property
    def center_m(self) -> Sequence[float]: ...

    @property
    def quat_xyzw(self) -> Sequence[float]: ...

    @property
    def half_extents_m(self) -> Sequence[float]: ...


@dataclass(frozen=True)
class Collision:
    """A robot or tool link closer than the margin to another body (or robot link).

    `body_name`: "table", "pedestal", "part" or "robot" (self-collision; then `other_link` names the link).
    `distance_m`: signed distance, negative when penetrating.
    """

    link_name: str
    body_name: str
    distance_m: float
    other_link: str = ""


def _pose_tuple(xyz: Sequence[float], quat: Sequence[float]) -> tuple[Vec3, Quat]:
    return (float(xyz[0]), float(xyz[1]), float(xyz[2])), (
        float(quat[0]),
        float(quat[1]),
        float(quat[2]),
        float(quat[3]),
    )


class Cell:
    """A built cell. Attributes: `robot` (RobotModel), `body_ids` (name -> pybullet body id),
    `work_xyz_m` / `work_quat_xyzw` (the work frame in the world)."""

    def __init__(self, client_id: int, config: CellConfig) -> None:
        self.client_id = client_id
        self.config = config
        cid = client_id
        base_quat = pb.getQuaternionFromEuler(config.robot_base_rpy_rad, physicsClientId=cid)
        pairs = config.robot.self_collision_pairs
        self.robot = RobotModel(
            cid, config.robot, config.robot_base_xyz_m, base_quat, self_collision=bool(pairs)
        )
        robot = self.robot
        self.body_ids: dict[str, int] = {}
        if config.pedestal_size_m:
            sx, sy, sz = config.pedestal_size_m
            bx, by, bz = config.robot_base_xyz_m
            half = (sx / 2.0, sy / 2.0, sz / 2.0)
            col = pb.createCollisionShape(pb.GEOM_BOX, halfExtents=half, physicsClientId=cid)
            vis = pb.createVisualShape(
                pb.GEOM_BOX, halfExtents=half, rgbaColor=PEDESTAL_RGBA, physicsClientId=cid
            )
            self.body_ids["pedestal"] = pb.createMultiBody(
                0.0, col, vis, (bx, by, bz - sz / 2.0), physicsClientId=cid
            )
        self.body_ids["table"] = self._create_table()
        self.work_xyz_m = np.asarray(config.work_xyz_m, dtype=np.float64)
        self.work_quat_xyzw = np.asarray(pb.getQuaternionFromEuler(config.work_rpy_rad, physicsClientId=cid))
        self._part_shapes: dict[tuple[float, ...], list[tuple[int, int]]] = {}
        self._allowed = set(config.allowed_contacts)
        # Self-collision: only the configured link pairs are live in pybullet's collision world.
        arm = {n: i for i, n in robot.link_names.items()}
        tool = {n: i for i, n in robot.tool_link_names.items()}
        self._self_pairs: list[tuple[int, int, int, int, str, str]] = []  # bodyA, linkA, bodyB, linkB, names
        for a, b in pairs:
            ends = []
            for name in (a, b):
                if name in arm:
                    ends.append((robot.body_id, arm[name]))
                elif name in tool and robot.tool_body_id is not None:
                    ends.append((robot.tool_body_id, tool[name]))
                else:
                    raise ConfigError(
                        f"self-collision link {name!r} is not a link of the robot or its tool",
                        where="robot.self_collision_pairs",
                    )
            self._self_pairs.append((ends[0][0], ends[0][1], ends[1][0], ends[1][1], a, b))
        self._self_pair_names = {(p[4], p[5]) for p in self._self_pairs}
        if pairs:
            live = {frozenset((p[1], p[3])) for p in self._self_pairs if p[0] == p[2] == robot.body_id}
            indices = sorted(robot.link_names)
            for i_pos, i in enumerate(indices):
                for j in indices[i_pos + 1 :]:
                    enable = int(frozenset((i, j)) in live)
                    pb.setCollisionFilterPair(robot.body_id, robot.body_id, i, j, enable, physicsClientId=cid)
        for link, body in config.allowed_contacts:
            if link in arm and body in self.body_ids:
                pb.setCollisionFilterPair(
                    robot.body_id, self.body_ids[body], arm[link], -1, 0, physicsClientId=cid
                )

    # -- workpiece ----------------------------------------------------------------------------------------
    def add_boxes(
        self, boxes: Sequence[BoxLike], part_xyz_m: Sequence[float], part_quat_xyzw: Sequence[float]
    ) -> int:
        """Create the workpiece from boxes in the part frame, the part frame placed at the given WORLD pose.

        Replaces any previous part. Returns the part's body id (also `body_ids["part"]`).
        """
        if not boxes:
            raise ValueError("a part needs at least one box")
        self.remove_part()
        key = tuple(
            round(float(v), 9) for box in boxes for v in (*box.center_m, *box.quat_xyzw, *box.half_extents_m)
        )
        shapes = self._part_shapes.get(key)
        cid = self.client_id
        if shapes is None:
            shapes = []
            # pybullet's compound shapes hold at most 16 children (MAX_COMPOUND_COLLISION_SHAPES; more
            # crashes the server), so a part is one body with one compound per 16 boxes: the base and
            # fixed links, all static.
            for start in range(0, len(boxes), _MAX_COMPOUND):
                chunk = boxes[start : start + _MAX_COMPOUND]
                n = len(chunk)
                half = [[float(v) for v in b.half_extents_m] for b in chunk]
                pos = [[float(v) for v in b.center_m] for b in chunk]
                orn = [[float(v) for v in b.quat_xyzw] for b in chunk]
                col = pb.createCollisionShapeArray(
                    [pb.GEOM_BOX] * n,
                    halfExtents=half,
                    collisionFramePositions=pos,
                    collisionFrameOrientations=orn,
                    physicsClientId=cid,
                )
                vis = pb.createVisualShapeArray(
                    [pb.GEOM_BOX] * n,
                    halfExtents=half,
                    visualFramePositions=pos,
                    visualFrameOrientations=orn,
                    rgbaColors=[PART_RGBA] * n,
                    physicsClientId=cid,
                )
                shapes.append((col, vis))
            self._part_shapes[key] = shapes
        xyz, quat = _pose_tuple(part_xyz_m, part_quat_xyzw)
        links = shapes[1:]
        k = len(links)
        body = pb.createMultiBody(
            0.0,
            shapes[0][0],
            shapes[0][1],
            xyz,
            quat,
            linkMasses=[0.0] * k,
            linkCollisionShapeIndices=[c for c, _ in links],
            linkVisualShapeIndices=[v for _, v in links],
            linkPositions=[(0.0, 0.0, 0.0)] * k,
            linkOrientations=[(0.0, 0.0, 0.0, 1.0)] * k,
            linkInertialFramePositions=[(0.0, 0.0, 0.0)] * k,
            linkInertialFrameOrientations=[(0.0, 0.0, 0.0, 1.0)] * k,
            linkParentIndices=[0] * k,
            linkJointTypes=[pb.JOINT_FIXED] * k,
            linkJointAxis=[(0.0, 0.0, 1.0)] * k,
            physicsClientId=cid,
        )
        self.body_ids["part"] = body
        return body

    def set_part_pose(self, part_xyz_m: Sequence[float], part_quat_xyzw: Sequence[float]) -> None:
        """Move the existing part (e.g. thermal drift) to a new WORLD pose."""
        xyz, quat = _pose_tuple(part_xyz_m, part_quat_xyzw)
        pb.resetBasePositionAndOrientation(self.body_ids["part"], xyz, quat, physicsClientId=self.client_id)

    def remove_part(self) -> None:
        """Remove the workpiece body, if any (its shapes stay cached for the next `add_boxes`)."""
        body = self.body_ids.pop("part", None)
        if body is not None:
            pb.removeBody(body, physicsClientId=self.client_id)

    # -- collisions ---------------------------------------------------------------------------------------
    def collisions(self, margin_m: float | None = None) -> list[Collision]:
        """Robot/tool links within `margin_m` (default: the config's margin) of the table, pedestal or part,
        and configured self-collision pairs closer than the margin; one entry per link pair (the closest
        distance, exact), allowed contacts removed, sorted by distance.

        With a zero margin (the default) pybullet's collision pipeline screens all pairs in one pass
        (`performCollisionDetection`) and only the pairs it finds touching are measured exactly; with a
        positive margin every pair is measured with `getClosestPoints`.
        """
        margin = self.config.collision_margin_m if margin_m is None else margin_m
        if margin < 0.0:
            raise ValueError(f"margin_m must be >= 0, got {margin}")
        cid = self.client_id
        robot = self.robot
        body_names = {b: n for n, b in self.body_ids.items()}
        # (bodyA, linkA, bodyB, linkB) pairs to measure exactly.
        candidates: set[tuple[int, int, int, int]] = set()
        if margin == 0.0:
            pb.performCollisionDetection(physicsClientId=cid)
            for mover in (robot.body_id, robot.tool_body_id):
                if mover is None:
                    continue
                for pt in pb.getContactPoints(bodyA=mover, physicsClientId=cid):
                    a, b, la, lb = pt[1], pt[2], pt[3], pt[4]
                    if a != mover:  # reported the other way round
                        a, b, la, lb = b, a, lb, la
                    candidates.add((a, la, b, lb))
            for ba, la, bb, lb, _, _ in self._self_pairs:
                if ba != bb:  # tool-vs-arm pairs are not in pybullet's filter; screen them here
                    candidates.add((ba, la, bb, lb))
        else:
            for mover, _ in self._movers():
                for body in self.body_ids.values():
                    for pt in pb.getClosestPoints(mover, body, margin, physicsClientId=cid):
                        candidates.add((mover, pt[3], body, pt[4]))
            candidates.update((ba, la, bb, lb) for ba, la, bb, lb, _, _ in self._self_pairs)
        found: dict[tuple[str, str, str], float] = {}
        for a, la, b, lb in candidates:
            link = self._link_name(a, la)
            if b in body_names:
                key = (link, body_names[b], "")  # one entry per body; lb: the body's link in contact
            else:
                other = self._link_name(b, lb)
                if (link, other) not in self._self_pair_names:
                    if (other, link) not in self._self_pair_names:
                        continue
                    a, la, b, lb, link, other = b, lb, a, la, other, link  # the configured order
                key = (link, "robot", other)
            if (key[0], key[1]) in self._allowed:
                continue
            pts = pb.getClosestPoints(a, b, margin, linkIndexA=la, linkIndexB=lb, physicsClientId=cid)
            if pts:
                dist = min(float(p[8]) for p in pts)
                found[key] = min(found.get(key, math.inf), dist)
        out = [Collision(link, body, dist, other) for (link, body, other), dist in found.items()]
        out.sort(key=lambda c: (c.distance_m, c.link_name, c.body_name, c.other_link))
        return out

    def link_distance_m(self, link_name: str, body_name: str, max_distance_m: float = 0.5) -> float:
        """Closest distance (m) of one robot/tool link to a body ("table", "pedestal", "part"); inf beyond
        `max_distance_m`. Useful for clearance shaping and tests."""
        for body, names in self._movers():
            index = next((i for i, n in names.items() if n == link_name), None)
            if index is not None:
                pts = pb.getClosestPoints(
                    body,
                    self.body_ids[body_name],
                    max_distance_m,
                    linkIndexA=index,
                    physicsClientId=self.client_id,
                )
                return min((float(p[8]) for p in pts), default=math.inf)
        raise ValueError(f"unknown link {link_name!r}")

    def _movers(self) -> list[tuple[int, dict[int, str]]]:
        robot = self.robot
        out = [(robot.body_id, robot.link_names)]
        if robot.tool_body_id is not None:
            out.append((robot.tool_body_id, robot.tool_link_names))
        return out

    def _link_name(self, body: int, link: int) -> str:
        robot = self.robot
        return robot.link_names[link] if body == robot.body_id else robot.tool_link_names[link]

    # -- helpers ------------------------------------------------------------------------------------------
    def _create_table(self) -> int:
        """Table top plus four legs as one static body (compound shape)."""
        cfg = self.config
        cid = self.client_id
        lx, ly, tz = cfg.table_size_m
        cx, cy, top_z = cfg.table_top_center_m
        leg_len = max(top_z - tz, 1e-3)
        half = [[lx / 2, ly / 2, tz / 2]]
        pos = [[0.0, 0.0, -tz / 2]]
        for sx in (-1.0, 1.0):
            for sy in (-1.0, 1.0):
                half.append([_LEG_SIDE_M / 2, _LEG_SIDE_M / 2, leg_len / 2])
                pos.append([sx * (lx / 2 - _LEG_SIDE_M), sy * (ly / 2 - _LEG_SIDE_M), -tz - leg_len / 2])
        n = len(half)
        col = pb.createCollisionShapeArray(
            [pb.GEOM_BOX] * n, halfExtents=half, collisionFramePositions=pos, physicsClientId=cid
        )
        vis = pb.createVisualShapeArray(
            [pb.GEOM_BOX] * n,
            halfExtents=half,
            visualFramePositions=pos,
            rgbaColors=[TABLE_RGBA] * n,
            physicsClientId=cid,
        )
        quat = pb.getQuaternionFromEuler((0.0, 0.0, cfg.table_yaw_rad), physicsClientId=cid)
        return int(pb.createMultiBody(0.0, col, vis, (cx, cy, top_z), quat, physicsClientId=cid))

    def world_from_work(self, xyz_work_m: FloatArray) -> FloatArray:
        """Points (N, 3) or (3,) from the WORK frame to the WORLD frame."""
        rot = np.array(
            pb.getMatrixFromQuaternion(self.work_quat_xyzw.tolist(), physicsClientId=self.client_id)
        )
        return np.asarray(xyz_work_m) @ rot.reshape(3, 3).T + self.work_xyz_m


def build_cell(client_id: int, config: CellConfig) -> Cell:
    """Load pedestal, robot (with torch), and table into pybullet client `client_id` (see `Cell`)."""
    return Cell(client_id, config)
