"""The robot in one pybullet client: joint state, forward kinematics and IK in the WORLD frame.

Each env owns its own pybullet client (DIRECT mode); every pybullet call here passes `physicsClientId`
explicitly. FK runs on the analytic chain (`KinematicChain`, verified against pybullet's own FK in the
tests); pybullet holds the joint state for collision queries and rendering.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pybullet as pb
from scipy.spatial.transform import Rotation

from weldcraft.envs.robot.chain import KinematicChain, matrix_to_quat_xyzw, quat_xyzw_to_matrix
from weldcraft.envs.robot.config import KeepoutSpec, RobotConfig
from weldcraft.envs.robot.fastfk import Rot, _mul, quat_xyzw_to_rot, rot_to_quat_xyzw
from weldcraft.envs.robot.ik import IKLimits, IKResult, IKSolver, make_ik_solver
from weldcraft.errors import ConfigError
from weldcraft.types import FloatArray

# Implicit cylinders: exact distances (the default turns URDF cylinders into meshes with a 1 mm margin).
_URDF_FLAGS = pb.URDF_USE_INERTIA_FROM_FILE | pb.URDF_USE_IMPLICIT_CYLINDER


class RobotModel:
    """A fixed-base arm (and optional separate tool body) loaded into pybullet client `client_id`.

    `base_xyz_m` / `base_quat_xyzw` place the robot's base frame in the world. Joint arrays are (n,) in
    chain order (`joint_names`), radians.
    """

    def __init__(
        self,
        client_id: int,
        config: RobotConfig,
        base_xyz_m: tuple[float, float, float] = (0.0, 0.0, 0.0),
        base_quat_xyzw: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0),
        *,
        self_collision: bool = False,
    ) -> None:
        self.client_id = client_id
        self.config = config
        urdf = config.urdf_path()
        if not urdf.is_file():
            raise ConfigError(f"robot URDF not found: {urdf}", where="robot.urdf")
        stat = urdf.stat()
        keepouts = tuple((k.joint, k.lower_rad, k.upper_rad) for k in config.keepouts)
        self.chain, self.limits, self.ik = _kinematics(
            str(urdf.resolve()),
            stat.st_mtime_ns,
            stat.st_size,
            config.tcp_link,
            config.tool_xyz_m,
            config.tool_rpy_rad,
            keepouts,
        )
        # Self-collision on only when asked: the cell then filters it down to the configured link pairs.
        flags = _URDF_FLAGS | (pb.URDF_USE_SELF_COLLISION if self_collision else 0)
        self.body_id = pb.loadURDF(
            str(urdf), base_xyz_m, base_quat_xyzw, useFixedBase=True, flags=flags, physicsClientId=client_id
        )
        n_pb = pb.getNumJoints(self.body_id, physicsClientId=client_id)
        infos = [pb.getJointInfo(self.body_id, i, physicsClientId=client_id) for i in range(n_pb)]
        joint_index = {info[1].decode(): i for i, info in enumerate(infos)}
        #: link index -> link name (-1 is the base link)
        self.link_names: dict[int, str] = body_link_names(self.body_id, client_id)
        self.joint_indices = tuple(joint_index[name] for name in self.chain.joint_names)
        self._joint_index_list = list(self.joint_indices)
        self._zero_velocities = [[0.0] for _ in self.joint_indices]
        self.tcp_link_index = next((i for i, n in self.link_names.items() if n == config.tcp_link), -1)
        self.base_xyz_m = np.asarray(base_xyz_m, dtype=np.float64)
        self.base_quat_xyzw = np.asarray(base_quat_xyzw, dtype=np.float64)
        self._base_rot: Rot = quat_xyzw_to_rot(self.base_quat_xyzw)
        self._base_rot_t: Rot = _transpose(self._base_rot)
        n = self.chain.n_joints
        self.lower_rad = self.chain.lower_rad.copy()
        self.upper_rad = self.chain.upper_rad.copy()
        self.velocity_rad_s = self.chain.velocity_rad_s.copy()
        if not np.all(np.isfinite(self.velocity_rad_s)) or np.any(self.velocity_rad_s <= 0.0):
            raise ConfigError(
                f"every joint needs a positive <limit velocity>, got {self.velocity_rad_s}", where=str(urdf)
            )
        if config.accel_rad_s2:
            if len(config.accel_rad_s2) != n:
                raise ConfigError(
                    f"expected {n} values, found {len(config.accel_rad_s2)}", where="robot.accel_rad_s2"
                )
            self.accel_rad_s2 = np.asarray(config.accel_rad_s2, dtype=np.float64)
        else:
            self.accel_rad_s2 = self.velocity_rad_s / config.accel_rise_time_s
        if config.home_q_rad:
            if len(config.home_q_rad) != n:
                raise ConfigError(
                    f"expected {n} values, found {len(config.home_q_rad)}", where="robot.home_q_rad"
                )
            self.home_q_rad = np.asarray(config.home_q_rad, dtype=np.float64)
        else:
            self.home_q_rad = np.clip(np.zeros(n), self.lower_rad, self.upper_rad)
        if not self.limits.within(self.home_q_rad):
            raise ConfigError(
                f"home pose {self.home_q_rad.tolist()} violates the joint limits", where="robot.home_q_rad"
            )
        self.tool_body_id: int | None = None
        #: tool link index -> name (-1 is the tool's root link); empty without a separate tool body
        self.tool_link_names: dict[int, str] = {}
        tool = config.tool_urdf_path()
        if tool is not None:
            if not tool.is_file():
                raise ConfigError(f"tool URDF not found: {tool}", where="robot.tool_urdf")
            self.tool_body_id = pb.loadURDF(
                str(tool), useFixedBase=True, flags=_URDF_FLAGS, physicsClientId=client_id
            )
            self.tool_link_names = body_link_names(self.tool_body_id, client_id)
        # The tool body is bolted to the frame of `tcp_link` (before the tool offset).
        self._mount = KinematicChain.from_urdf(urdf, config.tcp_link) if tool is not None else None
        self._q = np.zeros(n)
        self.set_q(self.home_q_rad)

    # -- state ---------------------------------------------------------------------------------------------
    @property
    def n_joints(self) -> int:
        return self.chain.n_joints

    @property
    def joint_names(self) -> tuple[str, ...]:
        return self.chain.joint_names

    @property
    def q(self) -> FloatArray:
        """Current joint positions (n,) rad (a copy)."""
        return self._q.copy()

    def set_q(self, q: FloatArray) -> None:
        """Put the arm (and its tool body) at joint positions q (n,) rad in pybullet; no limit check here."""
        q = np.asarray(q, dtype=np.float64)
        values = q.tolist()
        if q.shape != (self.n_joints,) or not all(map(math.isfinite, values)):
            raise ValueError(f"q must be {self.n_joints} finite angles, got {q!r}")
        cid, body = self.client_id, self.body_id
        # One call for all joints: pybullet's per-call overhead dominates, so six `resetJointState` calls
        # cost several times this one (same joint state).
        pb.resetJointStatesMultiDof(
            body, self._joint_index_list, [[v] for v in values], self._zero_velocities, physicsClientId=cid
        )
        self._q = q.copy()
        if self.tool_body_id is not None and self._mount is not None:
            pos, rot = self._to_world(*self._mount.scalar.fk(self._q.tolist()))
            pb.resetBasePositionAndOrientation(
                self.tool_body_id, pos, _rot_to_quat(rot).tolist(), physicsClientId=cid
            )

    # -- kinematics ------------------------------------------------------------------------------------------
    def fk(self, q: FloatArray | None = None) -> tuple[FloatArray, FloatArray]:
        """TCP position (3,) m and orientation quaternion (4,) x, y, z, w in the WORLD frame at q (default:
        the current q). The TCP z axis is the wire direction for the shipped torch."""
        qq = self._q if q is None else np.asarray(q, dtype=np.float64)
        pos, rot = self._to_world(*self.chain.scalar.fk(qq.tolist()))
        return np.array(pos), _rot_to_quat(rot)

    def fk_matrix(self, q: FloatArray | None = None) -> FloatArray:
        """(4, 4) TCP pose in the WORLD frame."""
        qq = self._q if q is None else np.asarray(q, dtype=np.float64)
        pos, rot = self._to_world(*self.chain.scalar.fk(qq.tolist()))
        out = np.eye(4)
        out[:3, :3] = np.array(rot).reshape(3, 3)
        out[:3, 3] = pos
        return out

    def fk_pybullet(self, q: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The same pose as `fk` from pybullet's own FK (sets the joint state): a cross-check, slower."""
        self.set_q(q)
        if self.tcp_link_index >= 0:
            state = pb.getLinkState(
                self.body_id,
                self.tcp_link_index,
                computeForwardKinematics=True,
                physicsClientId=self.client_id,
            )
            pos, quat = np.array(state[4]), np.array(state[5])
        else:
            pos_t, quat_t = pb.getBasePositionAndOrientation(self.body_id, physicsClientId=self.client_id)
            pos, quat = np.array(pos_t), np.array(quat_t)
        rot = quat_xyzw_to_matrix(quat)
        tool_rot = Rotation.from_euler("xyz", self.config.tool_rpy_rad).as_matrix()
        out_pos = pos + rot @ np.asarray(self.config.tool_xyz_m)
        return out_pos, matrix_to_quat_xyzw(rot @ tool_rot)

    def solve_ik(
        self,
        tcp_pos_m: FloatArray,
        tcp_quat_xyzw: FloatArray,
        q_seed: FloatArray | None = None,
        *,
        max_joint_step_rad: float | None = None,
    ) -> IKResult:
        """Joint positions for a WORLD-frame TCP pose, in the limits, nearest the seed (default: current q).

        Never returns a pose outside the limits or off the target: see `IKResult.reason` when `ok` is False.
        """
        seed = self._q if q_seed is None else np.asarray(q_seed, dtype=np.float64)
        p = np.asarray(tcp_pos_m, dtype=np.float64).tolist()
        bt = self._base_rot_t
        dx, dy, dz = p[0] - self.base_xyz_m[0], p[1] - self.base_xyz_m[1], p[2] - self.base_xyz_m[2]
        pos_base = np.array(
            [
                bt[0] * dx + bt[1] * dy + bt[2] * dz,
                bt[3] * dx + bt[4] * dy + bt[5] * dz,
                bt[6] * dx + bt[7] * dy + bt[8] * dz,
            ]
        )
        rot_base = _mul(bt, quat_xyzw_to_rot(np.asarray(tcp_quat_xyzw, dtype=np.float64)))
        return self.ik.solve_rot(pos_base, rot_base, seed, max_joint_step_rad)

    def within_limits(self, q: FloatArray) -> bool:
        """Whether q (n,) rad lies inside the joint limits and outside every keep-out."""
        return self.limits.within(np.asarray(q, dtype=np.float64))

    def _to_world(self, pos: tuple[float, float, float], rot: Rot) -> tuple[tuple[float, float, float], Rot]:
        b = self._base_rot
        x, y, z = pos
        bx, by, bz = self.base_xyz_m.tolist()
        world = (
            bx + b[0] * x + b[1] * y + b[2] * z,
            by + b[3] * x + b[4] * y + b[5] * z,
            bz + b[6] * x + b[7] * y + b[8] * z,
        )
        return world, _mul(b, rot)


@functools.lru_cache(maxsize=16)
def _kinematics(
    urdf: str,
    mtime_ns: int,
    size: int,
    tcp_link: str,
    tool_xyz_m: tuple[float, float, float],
    tool_rpy_rad: tuple[float, float, float],
    keepouts: tuple[tuple[str, float, float], ...],
) -> tuple[KinematicChain, IKLimits, IKSolver]:
    """Chain, limits and IK solver of a URDF (immutable, shared by every env of the process; keyed on the
    file's modification time and size so an edited URDF is re-read)."""
    del mtime_ns, size  # cache key only
    chain = KinematicChain.from_urdf(Path(urdf), tcp_link, tool_xyz_m, tool_rpy_rad)
    specs = RobotConfig(keepouts=tuple(KeepoutSpec(*k) for k in keepouts))
    limits = IKLimits(
        chain.lower_rad, chain.upper_rad, chain.velocity_rad_s, specs.ik_keepouts(chain.joint_names)
    )
    return chain, limits, make_ik_solver(chain, limits)


def body_link_names(body: int, client_id: int) -> dict[int, str]:
    """Link index -> link name of a pybullet body (-1 is its root link)."""
    names = {-1: pb.getBodyInfo(body, physicsClientId=client_id)[0].decode()}
    for i in range(pb.getNumJoints(body, physicsClientId=client_id)):
        names[i] = pb.getJointInfo(body, i, physicsClientId=client_id)[12].decode()
    return names


def _transpose(m: Rot) -> Rot:
    return (m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8])


def _rot_to_quat(rot: Rot) -> FloatArray:
    return np.array(rot_to_quat_xyzw(rot))


def angle_between_quats_rad(q_a: FloatArray, q_b: FloatArray) -> float:
    """Rotation angle (rad) between two quaternions x, y, z, w (q and -q are the same rotation)."""
    dot = abs(float(np.dot(q_a, q_b)) / (float(np.linalg.norm(q_a)) * float(np.linalg.norm(q_b))))
    return 2.0 * math.acos(min(1.0, dot))
