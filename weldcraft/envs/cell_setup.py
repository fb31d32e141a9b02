"""The env's view of the welding cell: robot, motion limiter, workpiece, torch roll, fast TCP/IK calls.

Wraps `weldcraft.envs.robot` (the robot helper's `Cell`, `RobotModel`, `JointMotionLimiter`) with what
one env step needs, in world coordinates and without per-call conversions:

* `solve_ik(tip, rot, seed)`: world TCP pose -> `IKResult`, via the robot's closed-form solver in its
  base frame (rotation matrices, no quaternions on the hot path).
* `tcp_pose()`: the TCP (contact tip) position (3,) and tool axes (3, 3) from the analytic FK of the
  current joints.
* `collisions()`: the cell's collision query (robot and torch links vs table, pedestal, part; self pairs).
* the workpiece: the job's plate boxes with the nominal gap, added once per env and then only moved
  (a realised gap is not rebuilt into the plates: pybullet never frees collision shapes, so a new plate
  geometry per episode would grow the process without bound; see docs/envs.md).
* `body_dir_tcp`: where the torch body goes from the contact tip (for `weldcraft.envs.torch_roll`).
"""

from __future__ import annotations

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

_BOXES: dict[WeldJob, list[Box]] = {}


def _plate_boxes(job: WeldJob) -> list[Box]:
    """`job.plate_boxes()` (nominal gap), cached per job (the extrusion takes 15 ms; envs are made often)."""
    boxes = _BOXES.get(job)
    if boxes is None:
        if len(_BOXES) > 64:
            _BOXES.clear()
        boxes = _BOXES[job] = job.plate_boxes()
    return boxes


def resolve_cell_config(cell: Any) -> CellConfig:
    """A `CellConfig` from a name/path, a `CellConfig`, or a mapping of CellConfig fields."""
    if isinstance(cell, CellConfig):
        return cell
    if isinstance(cell, Mapping):
        return CellConfig.from_mapping(dict(cell), "cell")
    if isinstance(cell, str):
        return load_cell_config(cell)
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
        self.part_boxes: list[Box] = _plate_boxes(job)
        del with_visuals  # the cell always carries visual shapes (created once per env)
        self.part_body_id = self.cell.add_boxes(
            self.part_boxes, self.world_pos_work_m.tolist(), self.cell.work_quat_xyzw.tolist()
        )
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

        The robot's closed-form IK (`weldcraft.envs.robot.ik`) in its base frame; `max_joint_step_rad`: a
        solution farther than this from the seed in any joint (another IK branch) is refused with reason
        "discontinuous". (A Newton fast path from the seed was measured slower: 340 vs 170 us per call.)
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
    def set_part_pose(self, position_m: FloatArray, quat_xyzw: FloatArray) -> None:
        """Place the workpiece (part frame) in the world."""
        self.cell.set_part_pose(position_m.tolist(), quat_xyzw.tolist())

    def collisions(self) -> list[Collision]:
        """Robot/torch contacts with the table, pedestal, part, or itself (configured pairs)."""
        return self.cell.collisions()


def make_cell(client_id: int, cell: Any, job: WeldJob, with_visuals: bool) -> CellHandle:
    """Build the cell described by `cell` (see `resolve_cell_config`) with `job`'s workpiece."""
    return CellHandle(client_id, resolve_cell_config(cell), job, with_visuals)
