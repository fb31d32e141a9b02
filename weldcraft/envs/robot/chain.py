"""Serial kinematic chain read from a URDF, with an analytic forward kinematics and geometric Jacobian.

The chain runs from the URDF's root link to a chosen link (the TCP link) through revolute joints; fixed
joints on the way are folded into the constant transforms. A tool offset (xyz m, rpy rad) in the TCP link's
frame is appended. All poses are in the robot's BASE frame (the URDF root link frame), in metres.
Product of exponentials (Lynch & Park, Modern Robotics, ch. 4): FK(q) = T_0 Rot(a_0, q_0) T_1 ... T_n.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from weldcraft.envs.robot.fastfk import ScalarChain, as_rot, rot_to_quat_xyzw
from weldcraft.errors import ConfigError
from weldcraft.types import FloatArray


@dataclass(frozen=True)
class UrdfJoint:
    """A URDF joint: origin in the parent link frame, axis in the joint frame, limits (rad, rad/s)."""

    name: str
    kind: str
    parent: str
    child: str
    xyz_m: tuple[float, float, float]
    rpy_rad: tuple[float, float, float]
    axis: tuple[float, float, float]
    lower_rad: float
    upper_rad: float
    velocity_rad_s: float


def _floats(text: str | None, default: tuple[float, ...], where: str) -> tuple[float, ...]:
    if text is None:
        return default
    try:
        values = tuple(float(v) for v in text.split())
    except ValueError as exc:
        raise ConfigError(f"expected numbers, found {text!r}", where=where) from exc
    if len(values) != len(default):
        raise ConfigError(f"expected {len(default)} numbers, found {text!r}", where=where)
    return values


def parse_urdf_joints(path: Path) -> tuple[str, list[UrdfJoint]]:
    """Root link name and all joints of a URDF file (no mesh loading; kinematics only)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise ConfigError(f"cannot read URDF: {exc}", where=str(path)) from exc
    joints = []
    for j in root.iter("joint"):
        name = j.get("name", "?")
        where = f"{path} joint '{name}'"
        origin = j.find("origin")
        axis = j.find("axis")
        limit = j.find("limit")
        parent, child = j.find("parent"), j.find("child")
        if parent is None or child is None:
            raise ConfigError("joint without parent or child link", where=where)
        kind = j.get("type", "")
        lower, upper, vel = -math.inf, math.inf, math.inf
        if kind == "revolute":
            if limit is None:
                raise ConfigError("revolute joint without <limit>", where=where)
            lower = float(limit.get("lower", "0"))
            upper = float(limit.get("upper", "0"))
            vel = float(limit.get("velocity", "inf"))
        joints.append(
            UrdfJoint(
                name=name,
                kind=kind,
                parent=parent.get("link", ""),
                child=child.get("link", ""),
                xyz_m=_floats(origin.get("xyz") if origin is not None else None, (0.0, 0.0, 0.0), where),  # type: ignore[arg-type]
                rpy_rad=_floats(origin.get("rpy") if origin is not None else None, (0.0, 0.0, 0.0), where),  # type: ignore[arg-type]
                axis=_floats(axis.get("xyz") if axis is not None else None, (1.0, 0.0, 0.0), where),  # type: ignore[arg-type]
                lower_rad=lower,
                upper_rad=upper,
                velocity_rad_s=vel,
            )
        )
    children = {j.child for j in joints}
    roots = [link.get("name", "") for link in root.iter("link") if link.get("name") not in children]
    if len(roots) != 1:
        raise ConfigError(f"URDF must have exactly one root link, found {roots}", where=str(path))
    return roots[0], joints


def _transform(xyz: tuple[float, ...], rpy: tuple[float, ...]) -> FloatArray:
    t = np.eye(4)
    t[:3, :3] = Rotation.from_euler("xyz", rpy).as_matrix()
    t[:3, 3] = xyz
    return t


@dataclass(frozen=True, eq=False)
class KinematicChain:
    """Revolute chain from the base (root link) to the TCP.

    `fixed` (n+1, 4, 4): fixed[i] is the transform from joint i-1's moving frame (the base for i = 0) to
    joint i's frame at q_i = 0; fixed[n] goes from the last joint's frame to the TCP (fixed joints and the
    tool offset included). `axes` (n, 3): unit joint axes in their joint frames.
    """

    base_link: str
    tcp_link: str
    joint_names: tuple[str, ...]
    fixed: FloatArray
    axes: FloatArray
    lower_rad: FloatArray
    upper_rad: FloatArray
    velocity_rad_s: FloatArray

    @property
    def n_joints(self) -> int:
        return len(self.joint_names)

    @classmethod
    def from_urdf(
        cls,
        path: Path,
        tcp_link: str,
        tool_xyz_m: tuple[float, float, float] = (0.0, 0.0, 0.0),
        tool_rpy_rad: tuple[float, float, float] = (0.0, 0.0, 0.0),
    ) -> KinematicChain:
        """Chain from the URDF's root link to `tcp_link`, then the tool offset (in `tcp_link`'s frame)."""
        base, joints = parse_urdf_joints(path)
        by_child = {j.child: j for j in joints}
        if tcp_link != base and tcp_link not in by_child:
            links = sorted({base} | set(by_child))
            raise ConfigError(
                f"unknown TCP link {tcp_link!r}; links are: {', '.join(links)}", where=str(path)
            )
        path_joints: list[UrdfJoint] = []
        link = tcp_link
        while link != base:
            joint = by_child[link]
            path_joints.append(joint)
            link = joint.parent
        path_joints.reverse()
        fixed: list[FloatArray] = []
        axes, names, lower, upper, vel = [], [], [], [], []
        pending = np.eye(4)
        for j in path_joints:
            pending = pending @ _transform(j.xyz_m, j.rpy_rad)
            if j.kind == "fixed":
                continue
            if j.kind != "revolute":
                raise ConfigError(
                    f"joint '{j.name}' has type {j.kind!r}; only revolute and fixed joints are supported",
                    where=str(path),
                )
            axis = np.asarray(j.axis, dtype=np.float64)
            norm = float(np.linalg.norm(axis))
            if norm < 1e-12:
                raise ConfigError(f"joint '{j.name}' has a zero axis", where=str(path))
            fixed.append(pending)
            pending = np.eye(4)
            axes.append(axis / norm)
            names.append(j.name)
            lower.append(j.lower_rad)
            upper.append(j.upper_rad)
            vel.append(j.velocity_rad_s)
        if not names:
            raise ConfigError(f"no revolute joint between {base!r} and {tcp_link!r}", where=str(path))
        fixed.append(pending @ _transform(tool_xyz_m, tool_rpy_rad))
        arrays = [np.stack(fixed), np.stack(axes), np.asarray(lower), np.asarray(upper), np.asarray(vel)]
        for a in arrays:
            a.setflags(write=False)  # chains are shared between envs
        return cls(
            base_link=base,
            tcp_link=tcp_link,
            joint_names=tuple(names),
            fixed=arrays[0],
            axes=arrays[1],
            lower_rad=arrays[2],
            upper_rad=arrays[3],
            velocity_rad_s=arrays[4],
        )

    @cached_property
    def scalar(self) -> ScalarChain:
        """The plain-float evaluator of this chain (fast single-pose FK and Jacobian)."""
        return ScalarChain(self)

    def joint_frames(self, q: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Joint origins (n, 3) m and unit axes (n, 3) in the base frame at q (n,) rad."""
        _, _, origins, axes = self.scalar.walk(np.asarray(q, dtype=np.float64).tolist(), want_axes=True)
        return np.array(origins), np.array(axes)

    def fk(self, q: FloatArray) -> tuple[FloatArray, FloatArray]:
        """TCP position (3,) m and rotation matrix (3, 3) in the base frame for q (n,) rad."""
        pos, rot = self.scalar.fk(np.asarray(q, dtype=np.float64).tolist())
        return np.array(pos), np.array(rot).reshape(3, 3)

    def fk_batch(self, q: FloatArray) -> tuple[FloatArray, FloatArray]:
        """TCP positions (N, 3) m and rotation matrices (N, 3, 3) in the base frame for q (N, n) rad."""
        q = np.atleast_2d(np.asarray(q, dtype=np.float64))
        n_poses = q.shape[0]
        rot = np.broadcast_to(np.eye(3), (n_poses, 3, 3)).copy()
        pos = np.zeros((n_poses, 3))
        for i in range(self.n_joints):
            f = self.fixed[i]
            pos = pos + rot @ f[:3, 3]
            rot = rot @ f[:3, :3] @ _axis_rotation_batch(self.axes[i], q[:, i])
        f = self.fixed[-1]
        return pos + rot @ f[:3, 3], rot @ f[:3, :3]

    def jacobian(self, q: FloatArray) -> FloatArray:
        """Geometric Jacobian (6, n) in the base frame: rows linear (m/rad), then angular (rad/rad)."""
        jac, _, _ = self.scalar.jacobian(np.asarray(q, dtype=np.float64).tolist())
        return jac


def _axis_rotation_batch(axis: FloatArray, angles: FloatArray) -> FloatArray:
    """Rodrigues rotation matrices (N, 3, 3) about one unit axis for angles (N,)."""
    k = np.array([[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]], [-axis[1], axis[0], 0.0]])
    s = np.sin(angles)[:, None, None]
    v = (1.0 - np.cos(angles))[:, None, None]
    return np.eye(3) + s * k + v * (k @ k)


def matrix_to_quat_xyzw(rot: FloatArray) -> FloatArray:
    """Unit quaternion (4,) x, y, z, w of a rotation matrix (3, 3), with w >= 0 (Shepperd's method)."""
    return np.array(rot_to_quat_xyzw(as_rot(rot)))


def quat_xyzw_to_matrix(quat: FloatArray) -> FloatArray:
    """Rotation matrix (3, 3) of a quaternion (4,) x, y, z, w (normalized here)."""
    x, y, z, w = np.asarray(quat, dtype=np.float64) / float(np.linalg.norm(quat))
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


def rotation_angle_rad(r_a: FloatArray, r_b: FloatArray) -> float:
    """Angle (rad) of the relative rotation r_aᵀ r_b, robust near 0 (via the chord length)."""
    d = r_a.T @ r_b
    # |R - I|_F = 2 sqrt(2) sin(theta / 2): accurate for small angles, unlike acos of the trace.
    chord = float(np.linalg.norm(d - np.eye(3))) / (2.0 * math.sqrt(2.0))
    return 2.0 * math.asin(min(1.0, chord))
