"""The env's view of the welding cell: robot, motion limiter, workpiece, torch roll, fast TCP/IK calls.

Wraps `weldcraft.envs.robot` (the robot helper's `Cell`, `RobotModel`, `JointMotionLimiter`) with what
one env step needs, in world coordinates and without per-call conversions:

* `solve_ik(tip, rot, seed)`: world TCP pose -> `IKResult`, via the robot's closed-form solver in its
  base frame (rotation matrices, no quaternions on the hot path).
* `tcp_pose()`: the TCP (contact tip) position (3,) and tool axes (3, 3) from the analytic FK of the
  current joints.
* `collisions()`: the cell's collision query (robot and torch links vs table, pedestal, part; self pairs).
* the workpiece: the job's plate boxes added once (nominal gap geometry), then only moved
  (`_add_part` says why it is not `Cell.add_boxes`).
* `body_dir_tcp`: where the torch body goes from the contact tip (for `weldcraft.envs.torch_roll`).

Work frame: a WeldJob's `part_pose` is relative to the cell's WORK frame. The seam presets place parts
0.8-1.0 m in front of the robot with the work origin below the robot on the table-top plane; the robot
helper's default cell puts the work origin 1.0 m further out. `make_cell` uses the default cell with the
work origin at (0, 0, table height) until the two agree (see docs/envs.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pybullet as pb

from weldcraft.envs.robot import (
    Cell,
    CellConfig,
    Collision,
    IKResult,
    JointMotionLimiter,
    RobotModel,
    build_cell,
    load_cell_config,
)
from weldcraft.envs.robot.fastfk import Rot
from weldcraft.errors import ConfigError
from weldcraft.seams import Box, WeldJob
from weldcraft.types import FloatArray

#: the work-frame origin used with the "default" cell (see the module docstring)
DEFAULT_WORK_XYZ_M = (0.0, 0.0, 0.8)
_MAX_COMPOUND = 16
PART_RGBA = (0.62, 0.64, 0.66, 1.0)


def resolve_cell_config(cell: Any) -> CellConfig:
    """A `CellConfig` from a name/path, a `CellConfig`, or a mapping of CellConfig fields."""
    if isinstance(cell, CellConfig):
        return cell
    if isinstance(cell, Mapping):
        return CellConfig.from_mapping(dict(cell), "cell")
    if isinstance(cell, str):
        cfg = load_cell_config(cell)
        if cell == "default":
            cfg = dataclasses.replace(
                cfg, work_xyz_m=(DEFAULT_WORK_XYZ_M[0], DEFAULT_WORK_XYZ_M[1], cfg.work_xyz_m[2])
            )
        return cfg
    raise ConfigError(
        f"cell must be a name, a path, a CellConfig or a mapping, got {type(cell).__name__}", where="cell"
    )


class CellHandle:
    """A built cell plus the cached transforms one env step needs (see the module docstring)."""

    def __init__(self, client_id: int, config: CellConfig, job: WeldJob, with_visuals: bool) -> None:
        self.client_id = client_id
        self.cell: Cell = build_cell(client_id, config)
        self.robot: RobotModel = self.cell.robot
        robot = self.robot
        self.limiter = JointMotionLimiter(
            robot.velocity_rad_s, robot.accel_rad_s2, robot.lower_rad, robot.upper_rad
        )
        self.world_pos_work_m = np.asarray(self.cell.work_xyz_m, dtype=np.float64)
        self.world_rot_work = np.array(
            pb.getMatrixFromQuaternion(self.cell.work_quat_xyzw.tolist(), physicsClientId=client_id)
        ).reshape(3, 3)
        self._base_pos = robot.base_xyz_m.copy()
        self._base_rot = np.array(
            pb.getMatrixFromQuaternion(robot.base_quat_xyzw.tolist(), physicsClientId=client_id)
        ).reshape(3, 3)
        self._scalar = robot.chain.scalar
        self.part_boxes: list[Box] = job.plate_boxes()
        del with_visuals  # the cell always carries visual shapes (created once per env)
        self.part_body_ids = self._add_part(self.part_boxes)
        self.body_dir_tcp = self._torch_body_direction()

    # -- kinematics ---------------------------------------------------------------------------------------
    def tcp_pose(self, q: FloatArray | None = None) -> tuple[FloatArray, FloatArray]:
        """TCP position (3,) m and axes (3, 3) (columns x, y, z = wire) in the world at q (default: now)."""
        qq = self.robot.q if q is None else q
        pos, rot = self._scalar.fk(qq.tolist())
        r = np.array(rot).reshape(3, 3)
        return self._base_rot @ np.asarray(pos) + self._base_pos, self._base_rot @ r

    def solve_ik(
        self, tip_m: FloatArray, rot: FloatArray, q_seed: FloatArray, max_joint_step_rad: float | None = None
    ) -> IKResult:
        """Joints for a world TCP pose (`tip_m` (3,), axes `rot` (3, 3)), within the limits, near `q_seed`.

        `max_joint_step_rad`: a solution farther than this from the seed in any joint (another IK
        branch) is refused with reason "discontinuous".
        """
        bt = self._base_rot.T
        pos_base = bt @ (tip_m - self._base_pos)
        r = bt @ rot
        rot_base: Rot = tuple(r.reshape(-1).tolist())  # type: ignore[assignment]
        return self.robot.ik.solve_rot(pos_base, rot_base, q_seed, max_joint_step_rad)

    def _torch_body_direction(self) -> FloatArray:
        """Unit vector (3,) in the TCP frame from the contact tip back towards the flange (torch body)."""
        link = {name: i for i, name in self.robot.link_names.items()}
        flange = link.get("flange", link.get("link_6"))
        if flange is None:
            return np.array([0.0, 0.0, -1.0])
        state = pb.getLinkState(
            self.robot.body_id, flange, computeForwardKinematics=True, physicsClientId=self.client_id
        )
        tip, rot = self.tcp_pose()
        d = rot.T @ (np.asarray(state[4]) - tip)
        return d / np.linalg.norm(d)

    # -- cell ---------------------------------------------------------------------------------------------
    def _add_part(self, boxes: list[Box]) -> list[int]:
        """The workpiece as static compound bodies of at most `_MAX_COMPOUND` boxes each.

        `Cell.add_boxes` makes one compound of all boxes, and pybullet 3.2.7's `createVisualShapeArray`
        crashes the process for more than 16 shapes (a bevelled butt has 18 boxes, the curved fillet 31),
        so the part is split here and every chunk registered with the cell's collision query as
        "part", "part:1", ... The shapes are created once per env and only moved afterwards.
        """
        cid = self.client_id
        ids: list[int] = []
        for k in range(0, len(boxes), _MAX_COMPOUND):
            chunk = boxes[k : k + _MAX_COMPOUND]
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
            body = int(pb.createMultiBody(0.0, col, vis, self.world_pos_work_m.tolist(), physicsClientId=cid))
            self.cell.body_ids["part" if not ids else f"part:{len(ids)}"] = body
            ids.append(body)
        return ids

    def set_part_pose(self, position_m: FloatArray, quat_xyzw: FloatArray) -> None:
        """Place the workpiece (part frame) in the world."""
        pos, quat = position_m.tolist(), quat_xyzw.tolist()
        for body in self.part_body_ids:
            pb.resetBasePositionAndOrientation(body, pos, quat, physicsClientId=self.client_id)

    def collisions(self) -> list[Collision]:
        """Robot/torch contacts with the table, pedestal, part, or itself (configured pairs)."""
        return self.cell.collisions()


def make_cell(client_id: int, cell: Any, job: WeldJob, with_visuals: bool) -> CellHandle:
    """Build the cell described by `cell` (see `resolve_cell_config`) with `job`'s workpiece."""
    return CellHandle(client_id, resolve_cell_config(cell), job, with_visuals)
