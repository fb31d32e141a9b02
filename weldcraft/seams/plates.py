"""Workpiece plates as boxes in the part frame: the joint cross-section extruded along the seam path.

Each cross-section rectangle (`weldcraft.seams.section`) is swept along the seam from -run_on to
length + run_on. A straight sweep is one box. A curved sweep is split (by bisection) into flat panels until
the swept rectangle's surface side deviates from the panel plane by at most `tol_mm` (default 0.05 mm, the
seam tracker's noise level) and its back side by at most 4 * tol_mm; a panel's plane is placed half-way
between the extreme deviations, so the true seam root lies within tol_mm of every face. A planar face (the
flange of a fillet around an arc in the flange's plane) stays one box.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

from weldcraft.seams.paths import SeamPath, Vec3, cross3
from weldcraft.seams.section import SectionRect
from weldcraft.types import BoolArray, FloatArray

_MIN_SEGMENT_M = 1e-4
_EXTENT_SAMPLES = 33  # odd: the middle sample is the segment midpoint


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


class _Sampler:
    """Path positions, frames and gap at _EXTENT_SAMPLES points of [s0, s1], cached (shared by all rects)."""

    def __init__(self, path: SeamPath, gap_mm: GapFn) -> None:
        self.path = path
        self.gap_mm = gap_mm
        self._cache: dict[tuple[float, float], tuple[FloatArray, FloatArray, FloatArray]] = {}

    def __call__(self, s0: float, s1: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        key = (s0, s1)
        if key not in self._cache:
            s = np.linspace(s0, s1, _EXTENT_SAMPLES)
            self._cache[key] = (self.path.position_m(s), self.path.frames(s), self.gap_mm(s * 1000.0))
        return self._cache[key]


def _rect_geometry(
    rect: SectionRect, samples: tuple[FloatArray, FloatArray, FloatArray]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Origin (S,3), u direction (S,3) and material direction (S,3) of the rectangle at the samples."""
    pos, frames, g = samples
    n, b = frames[:, :, 1], frames[:, :, 2]
    ob = (rect.origin_bn_mm[0] + g * rect.gap_shift_bn[0]) * 1e-3
    on = (rect.origin_bn_mm[1] + g * rect.gap_shift_bn[1]) * 1e-3
    origin = pos + ob[:, None] * b + on[:, None] * n
    u_dir = rect.dir_bn[0] * b + rect.dir_bn[1] * n
    mat = rect.mat_bn[0] * b + rect.mat_bn[1] * n
    return origin, u_dir, mat


def _panel(
    sampler: _Sampler, rect: SectionRect, s0: float, s1: float
) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    """Panel axes (3,3 columns e1, e2, N), centre (3,), half extents (3,) and the worst deviation (m) of the
    swept rectangle from the box, weighted so that it is compared with tol: the face (w = 0) side and, for a
    rectangle starting at the joint (u0 = 0, e.g. a web lifted by the gap), its joint edge count fully, the
    back side a quarter."""
    samples = sampler(s0, s1)
    origin, u_dir, mat = _rect_geometry(rect, samples)
    mid = _EXTENT_SAMPLES // 2
    e1 = origin[-1] - origin[0]
    if np.linalg.norm(e1) < 1e-9:
        e1 = samples[1][mid, :, 0]
    e1 = e1 / np.linalg.norm(e1)
    normal = -mat[mid] - np.dot(-mat[mid], e1) * e1
    normal /= np.linalg.norm(normal)
    axes = np.stack([e1, cross3(normal, e1), normal], axis=1)
    u = np.asarray(rect.u_mm) * 1e-3
    face = origin[:, None, :] + u[None, :, None] * u_dir[:, None, :]
    back = face + rect.depth_mm * 1e-3 * mat[:, None, :]
    ref = origin[mid]
    face_l = (face - ref) @ axes  # (S, 2 corners u0/u1, 3)
    back_l = (back - ref) @ axes
    depth = rect.depth_mm * 1e-3
    lo_n, hi_n = float(face_l[:, :, 2].min()), float(face_l[:, :, 2].max())
    plane = 0.5 * (lo_n + hi_n)
    dev = 0.5 * (hi_n - lo_n)
    dev = max(dev, 0.25 * float(np.max(np.abs(back_l[:, :, 2] - (plane - depth)))))
    both = np.concatenate([face_l, back_l], axis=1)
    lo = np.array([both[:, :, 0].min(), both[:, :, 1].min(), plane - depth])
    hi = np.array([both[:, :, 0].max(), both[:, :, 1].max(), plane])
    if rect.u_mm[0] == 0.0:  # the rectangle's u0 edge is at the joint: place it exactly (mid-range)
        edge = both[:, 0, 1]
        edge_mid = 0.5 * (float(edge.min()) + float(edge.max()))
        dev = max(dev, 0.5 * (float(edge.max()) - float(edge.min())))
        if edge_mid < float(both[:, 1, 1].mean()):
            lo[1] = edge_mid
        else:
            hi[1] = edge_mid
    center_local = 0.5 * (lo + hi)
    half = np.maximum(0.5 * (hi - lo), 1e-6)
    return axes, ref + axes @ center_local, half, dev


def extrude(
    path: SeamPath,
    rects: list[SectionRect],
    gap_mm: GapFn,
    run_on_mm: float,
    tol_mm: float,
    breaks_m: Sequence[float] = (),
) -> list[Box]:
    """Boxes (part frame) of the cross-section rectangles swept along path over [-run_on, length + run_on].

    breaks_m: arc lengths where the sweep may kink (seam ends, gap-profile knots); segments start split there.
    """
    tol = tol_mm * 1e-3
    s_lo, s_hi = -run_on_mm * 1e-3, path.length_m + run_on_mm * 1e-3
    cuts = sorted(
        {s_lo, s_hi, *(float(x) for x in breaks_m if s_lo + _MIN_SEGMENT_M < x < s_hi - _MIN_SEGMENT_M)}
    )
    boxes: list[Box] = []
    sampler = _Sampler(path, gap_mm)
    for rect in rects:
        stack = list(zip(cuts[:-1], cuts[1:], strict=True))[::-1]
        segments: list[tuple[float, float]] = []
        while stack:
            s0, s1 = stack.pop()
            if _panel(sampler, rect, s0, s1)[3] > tol and s1 - s0 > _MIN_SEGMENT_M:
                mid = 0.5 * (s0 + s1)
                stack.extend([(mid, s1), (s0, mid)])
            else:
                segments.append((s0, s1))
        merged = [segments[0]]  # greedy: join neighbours whose joint panel still fits (e.g. a straight seam)
        for s0, s1 in segments[1:]:
            if _panel(sampler, rect, merged[-1][0], s1)[3] <= tol:
                merged[-1] = (merged[-1][0], s1)
            else:
                merged.append((s0, s1))
        panels: list[tuple[float, Box]] = []
        for s0, s1 in merged:
            axes, center, half, _ = _panel(sampler, rect, s0, s1)
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
