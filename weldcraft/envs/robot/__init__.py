"""The robot side of the welding cell: URDF generation, kinematics, IK, joint motion, cell and collisions.

Public API (see docs/robot.md):

- `RobotConfig`, `CellConfig`, `load_cell_config(name_or_path)`: configuration records (configs/cell/).
- `RobotModel(client_id, config, base_xyz_m, base_quat_xyzw)`: `fk(q)`, `solve_ik(pos, quat, q_seed)`,
  `set_q(q)`, limits and speeds; `IKResult(q, ok, pos_err_m, ang_err_rad, reason)`.
- `JointMotionLimiter(...).step(q, qd, q_target, dt) -> (q_next, qd_next, limited)`.
- `build_cell(client_id, CellConfig) -> Cell`: `add_boxes`, `set_part_pose`, `remove_part`, `collisions()`.
"""

from __future__ import annotations

from weldcraft.envs.robot.cell import BoxLike, Cell, Collision, build_cell
from weldcraft.envs.robot.chain import KinematicChain
from weldcraft.envs.robot.config import CellConfig, KeepoutSpec, RobotConfig, load_cell_config
from weldcraft.envs.robot.ik import IKLimits, IKResult, Keepout, NumericIK, SphericalWristIK, make_ik_solver
from weldcraft.envs.robot.model import RobotModel
from weldcraft.envs.robot.motion import JointMotionLimiter

__all__ = [
    "BoxLike",
    "Cell",
    "CellConfig",
    "Collision",
    "IKLimits",
    "IKResult",
    "JointMotionLimiter",
    "Keepout",
    "KeepoutSpec",
    "KinematicChain",
    "NumericIK",
    "RobotConfig",
    "RobotModel",
    "SphericalWristIK",
    "build_cell",
    "load_cell_config",
    "make_ik_solver",
]
