"""A seam through given points: cubic spline, re-parameterised by arc length through a dense table.

The curve c(u) is scipy's C2 cubic spline (not-a-knot ends) over the chord-length parameter u. A table
of u and arc length s (Gauss-Legendre quadrature of |c'(u)| on 32 sub-intervals per span) plus two Newton
steps maps s to u to about 1e-12 m. The tangent t = c'/|c'| is C1; the reference joint normal is a C2
spline through the normals given at the points (or a constant), so the seam frame is C1 everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy.interpolate import CubicSpline
from scipy.spatial import cKDTree

from weldcraft.seams.paths import _MIN_NORMAL_SINE, SeamPath, Vec3, _vec3, frames_from_tangent_normal
from weldcraft.types import FloatArray

_SUBDIVISIONS = 32
_GL_X, _GL_W = np.polynomial.legendre.leggauss(5)


@dataclass(frozen=True)
class SplineSeam(SeamPath):
    """A smooth seam through points_m (part frame, m), at least 2 distinct consecutive points.

    joint_normals: one reference joint normal for the whole seam, or one per point (interpolated by a cubic
    spline over the same parameter); n at s is its component orthogonal to the tangent, normalised.
    """

    points_m: tuple[Vec3, ...]
    joint_normals: tuple[Vec3, ...]
    _curve: CubicSpline = field(init=False, repr=False, compare=False)
    _normal: CubicSpline | None = field(init=False, repr=False, compare=False)
    _u_table: FloatArray = field(init=False, repr=False, compare=False)
    _s_table: FloatArray = field(init=False, repr=False, compare=False)
    _p_table: FloatArray = field(init=False, repr=False, compare=False)
    _tree: cKDTree = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pts = tuple(_vec3(p, f"points_m[{i}]") for i, p in enumerate(self.points_m))
        normals = tuple(_vec3(v, f"joint_normals[{i}]") for i, v in enumerate(self.joint_normals))
        object.__setattr__(self, "points_m", pts)
        object.__setattr__(self, "joint_normals", normals)
        if len(pts) < 2:
            raise ValueError(f"points_m must hold at least 2 points, got {len(pts)}")
        if len(normals) not in (1, len(pts)):
            raise ValueError(
                f"joint_normals must be 1 direction or one per point ({len(pts)}), got {len(normals)}"
            )
        p = np.asarray(pts)
        chords = np.linalg.norm(np.diff(p, axis=0), axis=1)
        if np.any(chords < 1e-6):
            raise ValueError("points_m must be at least 1 micrometre apart (consecutive points)")
        u = np.concatenate([[0.0], np.cumsum(chords)])
        curve = CubicSpline(u, p, bc_type="not-a-knot" if len(pts) > 2 else "natural")
        n_arr = np.asarray(normals)
        if np.any(np.linalg.norm(n_arr, axis=1) < 1e-12):
            raise ValueError("joint_normals must be non-zero vectors")
        normal = None if len(normals) == 1 else CubicSpline(u, n_arr, bc_type="natural")
        object.__setattr__(self, "_curve", curve)
        object.__setattr__(self, "_normal", normal)
        frac = np.linspace(0.0, 1.0, _SUBDIVISIONS + 1)[:-1]
        u_table = np.concatenate([(u[:-1, None] + chords[:, None] * frac[None, :]).ravel(), [u[-1]]])
        ds = self._integrate_speed(u_table[:-1], u_table[1:])
        s_table = np.concatenate([[0.0], np.cumsum(ds)])
        p_table = curve(u_table)
        for arr in (u_table, s_table, p_table):
            arr.setflags(write=False)
        object.__setattr__(self, "_u_table", u_table)
        object.__setattr__(self, "_s_table", s_table)
        object.__setattr__(self, "_p_table", p_table)
        object.__setattr__(self, "_tree", cKDTree(p_table))
        t = curve(u_table, 1)
        t /= np.linalg.norm(t, axis=1, keepdims=True)
        n_ref = self._normal_ref(u_table)
        sine = np.linalg.norm(np.cross(t, n_ref), axis=1) / np.linalg.norm(n_ref, axis=1)
        if np.any(sine < _MIN_NORMAL_SINE):
            bad = float(s_table[int(np.argmin(sine))])
            raise ValueError(
                f"joint_normals must not be (nearly) parallel to the seam tangent (near s = {bad:.4f} m)"
            )

    def _speed(self, u: FloatArray) -> FloatArray:
        return np.asarray(np.linalg.norm(self._curve(u, 1), axis=-1))

    def _integrate_speed(self, a: FloatArray, b: FloatArray) -> FloatArray:
        mid = 0.5 * (a + b)
        half = 0.5 * (b - a)
        nodes = mid[:, None] + half[:, None] * _GL_X[None, :]
        return np.asarray(half * (self._speed(nodes) @ _GL_W))

    def _normal_ref(self, u: FloatArray) -> FloatArray:
        if self._normal is None:
            return np.broadcast_to(np.asarray(self.joint_normals[0]), (u.shape[0], 3)).copy()
        return np.asarray(self._normal(u))

    @property
    def length_m(self) -> float:
        return float(self._s_table[-1])

    def _s_of_u(self, u: FloatArray) -> FloatArray:
        k = np.clip(np.searchsorted(self._u_table, u, side="right") - 1, 0, len(self._u_table) - 2)
        return self._s_table[k] + self._integrate_speed(self._u_table[k], u)

    def _u_of_s(self, s_m: FloatArray) -> FloatArray:
        k = np.clip(np.searchsorted(self._s_table, s_m, side="right") - 1, 0, len(self._s_table) - 2)
        s0, s1 = self._s_table[k], self._s_table[k + 1]
        u0, u1 = self._u_table[k], self._u_table[k + 1]
        u = u0 + (s_m - s0) / (s1 - s0) * (u1 - u0)
        for _ in range(2):  # Newton on S(u) - s, with S'(u) = |c'(u)|
            u = np.clip(u - (s0 + self._integrate_speed(u0, u) - s_m) / self._speed(u), u0, u1)
        return u

    def _position_in(self, s_m: FloatArray) -> FloatArray:
        return np.asarray(self._curve(self._u_of_s(s_m)))

    def _frames_in(self, s_m: FloatArray) -> FloatArray:
        u = self._u_of_s(s_m)
        t = np.asarray(self._curve(u, 1))
        t /= np.linalg.norm(t, axis=1, keepdims=True)
        return frames_from_tangent_normal(t, self._normal_ref(u))

    def curvature_1_m(self, s_m: ArrayLike) -> FloatArray:
        s = np.atleast_1d(np.asarray(s_m, dtype=np.float64))
        inside = (s >= 0.0) & (s <= self.length_m)
        u = self._u_of_s(np.clip(s, 0.0, self.length_m))
        d1 = np.asarray(self._curve(u, 1))
        d2 = np.asarray(self._curve(u, 2))
        kappa = np.linalg.norm(np.cross(d1, d2), axis=1) / np.linalg.norm(d1, axis=1) ** 3
        return np.where(inside, kappa, 0.0)

    def _closest_in(self, points_m: FloatArray) -> FloatArray:
        # 1) exact closest point on the dense table polyline among segments next to the 8 nearest nodes;
        # 2) three safeguarded Newton steps on (c(u) - p) . c'(u) = 0 within the neighbouring table cells.
        n_nodes = len(self._u_table)
        k_near = min(8, n_nodes)
        _, idx = self._tree.query(points_m, k=k_near)
        idx = np.asarray(idx).reshape(len(points_m), k_near)
        seg = np.concatenate([np.clip(idx - 1, 0, n_nodes - 2), np.clip(idx, 0, n_nodes - 2)], axis=1)
        a = self._p_table[seg]
        d = self._p_table[seg + 1] - a
        rel = points_m[:, None, :] - a
        lam = np.clip(np.sum(rel * d, axis=2) / np.maximum(np.sum(d * d, axis=2), 1e-300), 0.0, 1.0)
        dist2 = np.sum((rel - lam[..., None] * d) ** 2, axis=2)
        best = np.argmin(dist2, axis=1)
        rows = np.arange(len(points_m))
        k = seg[rows, best]
        u_lo = self._u_table[np.maximum(k - 1, 0)]
        u_hi = self._u_table[np.minimum(k + 2, n_nodes - 1)]
        u = self._u_table[k] + lam[rows, best] * (self._u_table[k + 1] - self._u_table[k])
        best_d2 = np.sum((self._curve(u) - points_m) ** 2, axis=1)
        for _ in range(3):
            c0 = self._curve(u) - points_m
            c1 = self._curve(u, 1)
            c2 = self._curve(u, 2)
            g = np.sum(c0 * c1, axis=1)
            dg = np.sum(c1 * c1, axis=1) + np.sum(c0 * c2, axis=1)
            step = np.where(dg > 0.0, g / np.where(dg > 0.0, dg, 1.0), 0.0)
            u_new = np.clip(u - step, u_lo, u_hi)
            d2_new = np.sum((self._curve(u_new) - points_m) ** 2, axis=1)
            better = d2_new < best_d2
            u = np.where(better, u_new, u)
            best_d2 = np.where(better, d2_new, best_d2)
        return self._s_of_u(u)
