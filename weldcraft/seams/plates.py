"""Workpiece plates as boxes in the part frame: the joint cross-section extruded along the seam path.

Each cross-section rectangle (`weldcraft.seams.section`) is swept along the seam from -run_on to
length + run_on. A straight sweep is one box. A curved sweep is split (by bisection) into flat panels until
the swept rectangle's surface side deviates from the panel plane by at most `tol_mm` (default 0.05 mm, the
seam tracker's noise level) and its back side by at most 4 * tol_mm; a panel's plane is placed half-way
between the extreme deviations, so the true seam root lies within tol_mm of every face. A planar face (the
flange of a fillet around an arc in the flange's plane) stays one box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

from weldcraft.seams.paths import SeamPath, Vec3
from weldcraft.seams.section import SectionRect
from weldcraft.types import BoolArray, FloatArray

_MIN_SEGMENT_M = 1e-4
_FIT_SAMPLES = 17
_EXTENT_SAMPLES = 65


@dataclass(frozen=True)
class Box:
    """A solid box: centre (m) and orientation (quaternion x, y, z, w) of its axes in the part frame,
    half sizes (m) along its own axes, and a name such as "web[3]"."""

    center_m: Vec3
    quat_xyzw: tuple[float, float, float, float]
    half_extents_m: Vec3
    name: str

    def __post_init__(self) -> None:
        if min(self.half_extents_m) <= 0.0:
            raise ValueError(f"box {self.name!r} needs positive half extents, got {self.half_extents_m}")

    def rotation_matrix(self) -> FloatArray:
        """3x3 matrix whose columns are the box axes in the part frame."""
        return np.asarray(Rotation.from_quat(self.quat_xyzw).as_matrix())

    def contains(self, points_m: FloatArray, tol_m: float = 0.0) -> BoolArray:
        """Whether each of points_m (N,3), part frame, lies inside the box grown by tol_m."""
        local = (np.asarray(points_m).reshape(-1, 3) - np.asarray(self.center_m)) @ self.rotation_matrix()
        return np.asarray(np.all(np.abs(local) <= np.asarray(self.half_extents_m) + tol_m, axis=1))


GapFn = Callable[[FloatArray], FloatArray]


def _rect_geometry(
    path: SeamPath, rect: SectionRect, gap_mm: GapFn, s_m: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Origin (S,3), u direction (S,3) and material direction (S,3) of the rectangle at arc lengths s_m."""
    frames = path.frames(s_m)
    n, b = frames[:, :, 1], frames[:, :, 2]
    g = gap_mm(s_m * 1000.0)
    ob = (rect.origin_bn_mm[0] + g * rect.gap_shift_bn[0]) * 1e-3
    on = (rect.origin_bn_mm[1] + g * rect.gap_shift_bn[1]) * 1e-3
    origin = path.position_m(s_m) + ob[:, None] * b + on[:, None] * n
    u_dir = rect.dir_bn[0] * b + rect.dir_bn[1] * n
    mat = rect.mat_bn[0] * b + rect.mat_bn[1] * n
    return origin, u_dir, mat


def _corners(
    path: SeamPath, rect: SectionRect, gap_mm: GapFn, s_m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Face corners (S,2,3) at w = 0 and back corners (S,2,3) at w = depth."""
    origin, u_dir, mat = _rect_geometry(path, rect, gap_mm, s_m)
    u = np.asarray(rect.u_mm) * 1e-3
    face = origin[:, None, :] + u[None, :, None] * u_dir[:, None, :]
    back = face + rect.depth_mm * 1e-3 * mat[:, None, :]
    return face, back


def _panel(
    path: SeamPath, rect: SectionRect, gap_mm: GapFn, s0: float, s1: float
) -> tuple[FloatArray, FloatArray, FloatArray, float, float]:
    """Panel axes (3,3 columns e1, e2, N), centre (3,), half extents (3,), face and back deviations (m)."""
    s_mid = 0.5 * (s0 + s1)
    origin, _, mat = _rect_geometry(path, rect, gap_mm, np.array([s0, s_mid, s1]))
    e1 = origin[2] - origin[0]
    if np.linalg.norm(e1) < 1e-9:
        e1 = path.frames(s_mid)[0, :, 0]
    e1 = e1 / np.linalg.norm(e1)
    normal = -mat[1] - np.dot(-mat[1], e1) * e1
    normal /= np.linalg.norm(normal)
    axes = np.stack([e1, np.cross(normal, e1), normal], axis=1)
    face, back = _corners(path, rect, gap_mm, np.linspace(s0, s1, _EXTENT_SAMPLES))
    ref = origin[1]
    face_l = (face.reshape(-1, 3) - ref) @ axes
    back_l = (back.reshape(-1, 3) - ref) @ axes
    depth = rect.depth_mm * 1e-3
    lo_n, hi_n = float(face_l[:, 2].min()), float(face_l[:, 2].max())
    plane = 0.5 * (lo_n + hi_n)
    dev_face = 0.5 * (hi_n - lo_n)
    dev_back = float(np.max(np.abs(back_l[:, 2] - (plane - depth))))
    both = np.concatenate([face_l, back_l])
    lo = np.array([both[:, 0].min(), both[:, 1].min(), plane - depth])
    hi = np.array([both[:, 0].max(), both[:, 1].max(), plane])
    center_local = 0.5 * (lo + hi)
    half = np.maximum(0.5 * (hi - lo), 1e-6)
    return axes, ref + axes @ center_local, half, dev_face, dev_back


def extrude(
    path: SeamPath, rects: list[SectionRect], gap_mm: GapFn, run_on_mm: float, tol_mm: float
) -> list[Box]:
    """Boxes (part frame) of the cross-section rectangles swept along path over [-run_on, length + run_on]."""
    tol = tol_mm * 1e-3
    s_lo, s_hi = -run_on_mm * 1e-3, path.length_m + run_on_mm * 1e-3
    boxes: list[Box] = []
    for rect in rects:
        stack = [(s_lo, s_hi)]
        panels: list[tuple[float, Box]] = []
        while stack:
            s0, s1 = stack.pop()
            axes, center, half, dev_face, dev_back = _panel(path, rect, gap_mm, s0, s1)
            if (dev_face > tol or dev_back > 4.0 * tol) and s1 - s0 > _MIN_SEGMENT_M:
                mid = 0.5 * (s0 + s1)
                stack.extend([(mid, s1), (s0, mid)])
                continue
            quat = Rotation.from_matrix(axes).as_quat()
            box = Box(
                tuple(float(x) for x in center),  # type: ignore[arg-type]
                tuple(float(x) for x in quat),  # type: ignore[arg-type]
                tuple(float(x) for x in half),  # type: ignore[arg-type]
                rect.name,
            )
            panels.append((s0, box))
        panels.sort(key=lambda item: item[0])
        single = len(panels) == 1
        for i, (_, box) in enumerate(panels):
            name = rect.name if single else f"{rect.name}[{i}]"
            boxes.append(Box(box.center_m, box.quat_xyzw, box.half_extents_m, name))
    return boxes
