"""Seam paths in the part frame: arc-length parameterised curves carrying a continuous seam frame.

Units: metres (positions, arc length s_m) and radians internally; degrees only in constructor arguments
whose names say so. Every query is vectorised over s or over points.

Seam frame (CONTRACTS.md): at arc length s the 3x3 rotation matrix has columns (t, n, b): t the unit travel
tangent, n the unit "joint normal" that bisects the joint and points out of it (towards the torch), b = t x n.
Side A of the joint is the -b side, side B the +b side. Each path carries a reference joint-normal field from
which n is obtained by removing its tangential part (Gram-Schmidt), so n is exactly orthogonal to t.

Beyond the ends (s < 0 or s > length_m) positions continue straight along the end tangent with the end
frame (the run-on/run-off plates of `weldcraft.seams.plates` are built the same way), so look-ahead sensors
can query past the seam. `closest` only ever returns s in [0, length_m].
"""

from __future__ import annotations

import abc
import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from weldcraft.types import FloatArray

Vec3 = tuple[float, float, float]

_MIN_NORMAL_SINE = math.sin(math.radians(1.0))  # reference normal must be >= 1 deg away from the tangent


def _vec3(value: ArrayLike, name: str) -> Vec3:
    arr = np.asarray(value, dtype=np.float64).reshape(-1)
    if arr.shape != (3,) or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be 3 finite numbers, got {value!r}")
    return (float(arr[0]), float(arr[1]), float(arr[2]))


def _unit(value: ArrayLike, name: str) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    norm = float(np.linalg.norm(arr))
    if not math.isfinite(norm) or norm < 1e-12:
        raise ValueError(f"{name} must be a non-zero finite vector, got {value!r}")
    return arr / norm


def cross3(a: FloatArray, b: FloatArray) -> FloatArray:
    """Row-wise cross product of (N,3) arrays (np.cross costs ~10x more on small arrays)."""
    out = np.empty(np.broadcast_shapes(a.shape, b.shape))
    out[..., 0] = a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1]
    out[..., 1] = a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2]
    out[..., 2] = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    return out


def frames_from_tangent_normal(t: FloatArray, n_ref: FloatArray) -> FloatArray:
    """Seam frames (N,3,3), columns (t, n, b), from unit tangents t (N,3) and reference normals (N,3).

    n is n_ref minus its component along t, normalised; b = t x n.
    """
    n = n_ref - np.sum(n_ref * t, axis=1, keepdims=True) * t
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    return np.stack([t, n, cross3(t, n)], axis=2)


@dataclass(frozen=True)
class SeamPath(abc.ABC):
    """An arc-length parameterised seam in the part frame (metres)."""

    @property
    @abc.abstractmethod
    def length_m(self) -> float:
        """Arc length of the seam (m)."""

    @abc.abstractmethod
    def _position_in(self, s_m: FloatArray) -> FloatArray:
        """Positions (N,3) for s already clipped to [0, length_m]."""

    @abc.abstractmethod
    def _frames_in(self, s_m: FloatArray) -> FloatArray:
        """Frames (N,3,3) for s already clipped to [0, length_m]."""

    @abc.abstractmethod
    def _closest_in(self, points_m: FloatArray) -> FloatArray:
        """Arc length (N,) in [0, length_m] of the seam point nearest to each of points_m (N,3)."""

    def curvature_1_m(self, s_m: ArrayLike) -> FloatArray:
        """Curvature (1/m) of the seam at s, shape (N,); zero on the straight run-on/run-off."""
        s = np.atleast_1d(np.asarray(s_m, dtype=np.float64))
        return np.zeros_like(s)

    def position_m(self, s_m: ArrayLike) -> FloatArray:
        """Seam points (N,3) in the part frame (m) at arc lengths s_m (scalar or (N,))."""
        s = np.atleast_1d(np.asarray(s_m, dtype=np.float64))
        length = self.length_m
        clipped = np.clip(s, 0.0, length)
        pos = self._position_in(clipped)
        over = s - clipped
        if np.any(over != 0.0):
            tangent = self._frames_in(clipped)[:, :, 0]
            pos = pos + over[:, None] * tangent
        return pos

    def frames(self, s_m: ArrayLike) -> FloatArray:
        """Seam frames (N,3,3) in the part frame, columns (t, n, b), at arc lengths s_m (scalar or (N,))."""
        s = np.atleast_1d(np.asarray(s_m, dtype=np.float64))
        return self._frames_in(np.clip(s, 0.0, self.length_m))

    def closest(self, points_m: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Nearest seam point to each query point.

        Args:
            points_m: (N,3) or (3,) points in the part frame (m).
        Returns:
            (s_m, dist_m): arc length in [0, length_m] of the nearest seam point and the distance to it,
            (N,) each.
        """
        p = np.asarray(points_m, dtype=np.float64).reshape(-1, 3)
        s = np.clip(self._closest_in(p), 0.0, self.length_m)
        dist = np.linalg.norm(self._position_in(s) - p, axis=1)
        return s, dist


@dataclass(frozen=True)
class StraightSeam(SeamPath):
    """A straight seam from start_m to end_m; joint_normal is the reference n (projected normal to t)."""

    start_m: Vec3
    end_m: Vec3
    joint_normal: Vec3
    _frame: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start_m", _vec3(self.start_m, "start_m"))
        object.__setattr__(self, "end_m", _vec3(self.end_m, "end_m"))
        object.__setattr__(self, "joint_normal", _vec3(self.joint_normal, "joint_normal"))
        delta = np.subtract(self.end_m, self.start_m)
        if float(np.linalg.norm(delta)) < 1e-6:
            raise ValueError("end_m must be at least 1 micrometre away from start_m")
        t = delta / np.linalg.norm(delta)
        n_ref = _unit(self.joint_normal, "joint_normal")
        if np.linalg.norm(np.cross(t, n_ref)) < _MIN_NORMAL_SINE:
            raise ValueError("joint_normal must not be parallel to the seam direction")
        frame = frames_from_tangent_normal(t[None], n_ref[None])[0]
        frame.setflags(write=False)
        object.__setattr__(self, "_frame", frame)

    @property
    def length_m(self) -> float:
        return float(np.linalg.norm(np.subtract(self.end_m, self.start_m)))

    def _position_in(self, s_m: FloatArray) -> FloatArray:
        return np.asarray(self.start_m) + s_m[:, None] * self._frame[:, 0]

    def _frames_in(self, s_m: FloatArray) -> FloatArray:
        return np.broadcast_to(self._frame, (s_m.shape[0], 3, 3)).copy()

    def _closest_in(self, points_m: FloatArray) -> FloatArray:
        return (points_m - np.asarray(self.start_m)) @ self._frame[:, 0]


@dataclass(frozen=True)
class ArcSeam(SeamPath):
    """A circular-arc seam.

    Attributes:
        center_m: centre of the circle (part frame, m).
        radius_m: radius (m), > 0.
        axis: normal of the arc's plane; positive sweep turns counter-clockwise about it (right-hand rule).
        start_dir: direction from the centre to the start point (its component along axis is removed).
        sweep_deg: signed swept angle, 0 < |sweep_deg| <= 360.
        normal_tilt_deg: joint normal n = cos(tilt) * axis + sin(tilt) * r_out, r_out the outward radial unit
            vector; so the bisector rotates with the arc (e.g. 45 for a PB fillet welded on the outside of a
            cylindrical web standing on a horizontal flange, -45 for one welded on the inside).
    """

    center_m: Vec3
    radius_m: float
    axis: Vec3
    start_dir: Vec3
    sweep_deg: float
    normal_tilt_deg: float = 0.0
    _basis: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "center_m", _vec3(self.center_m, "center_m"))
        object.__setattr__(self, "axis", _vec3(self.axis, "axis"))
        object.__setattr__(self, "start_dir", _vec3(self.start_dir, "start_dir"))
        for name in ("radius_m", "sweep_deg", "normal_tilt_deg"):
            object.__setattr__(self, name, float(getattr(self, name)))
        if not (math.isfinite(self.radius_m) and self.radius_m > 0.0):
            raise ValueError(f"radius_m must be a positive number of metres, got {self.radius_m!r}")
        if not (math.isfinite(self.sweep_deg) and 0.0 < abs(self.sweep_deg) <= 360.0):
            raise ValueError(f"sweep_deg must satisfy 0 < |sweep_deg| <= 360, got {self.sweep_deg!r}")
        if not -180.0 <= self.normal_tilt_deg <= 180.0:
            raise ValueError(f"normal_tilt_deg must be in [-180, 180], got {self.normal_tilt_deg!r}")
        a = _unit(self.axis, "axis")
        e1 = np.asarray(self.start_dir) - float(np.dot(self.start_dir, a)) * a
        if np.linalg.norm(e1) < 1e-9 * max(1.0, float(np.linalg.norm(self.start_dir))):
            raise ValueError("start_dir must not be parallel to axis")
        e1 = e1 / np.linalg.norm(e1)
        basis = np.stack([e1, np.cross(a, e1), a])  # rows e1, e2, a
        basis.setflags(write=False)
        object.__setattr__(self, "_basis", basis)

    @property
    def length_m(self) -> float:
        return self.radius_m * math.radians(abs(self.sweep_deg))

    @property
    def _sign(self) -> float:
        return 1.0 if self.sweep_deg > 0 else -1.0

    def _radial(self, s_m: FloatArray) -> tuple[FloatArray, FloatArray]:
        theta = self._sign * s_m / self.radius_m
        e1, e2, _ = self._basis
        r_out = np.cos(theta)[:, None] * e1 + np.sin(theta)[:, None] * e2
        d_theta = -np.sin(theta)[:, None] * e1 + np.cos(theta)[:, None] * e2
        return r_out, d_theta

    def _position_in(self, s_m: FloatArray) -> FloatArray:
        r_out, _ = self._radial(s_m)
        return np.asarray(self.center_m) + self.radius_m * r_out

    def _frames_in(self, s_m: FloatArray) -> FloatArray:
        r_out, d_theta = self._radial(s_m)
        t = self._sign * d_theta
        tilt = math.radians(self.normal_tilt_deg)
        axis = self._basis[2]
        # n = cos(tilt) a + sin(tilt) r_out is already a unit vector normal to t; with (e1, e2, a)
        # right-handed, d_theta x a = r_out and d_theta x r_out = -a, so
        # b = t x n = sign (cos(tilt) r_out - sin(tilt) a).
        n = math.cos(tilt) * axis + math.sin(tilt) * r_out
        b = self._sign * (math.cos(tilt) * r_out - math.sin(tilt) * axis)
        return np.stack([t, n, b], axis=2)

    def curvature_1_m(self, s_m: ArrayLike) -> FloatArray:
        s = np.atleast_1d(np.asarray(s_m, dtype=np.float64))
        inside = (s >= 0.0) & (s <= self.length_m)
        return np.where(inside, 1.0 / self.radius_m, 0.0)

    def _closest_in(self, points_m: FloatArray) -> FloatArray:
        # Distance to a circle point depends only on the angular difference to the query's azimuth and grows
        # with it, so the nearest arc point is the azimuth itself when inside the sweep, else the nearer end.
        e1, e2, _ = self._basis
        rel = points_m - np.asarray(self.center_m)
        psi = np.arctan2(rel @ e2, rel @ e1)
        theta = np.mod(self._sign * psi, 2.0 * math.pi)
        sweep = math.radians(abs(self.sweep_deg))
        dist_to_end = theta - sweep
        dist_to_start = 2.0 * math.pi - theta
        clamped = np.where(theta <= sweep, theta, np.where(dist_to_end < dist_to_start, sweep, 0.0))
        return clamped * self.radius_m
