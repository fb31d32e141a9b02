"""Exact ray casting against the workpiece boxes (slab method, vectorized over rays x boxes).

Why not `pybullet.rayTestBatch`: Bullet casts rays against convex shapes (`GEOM_BOX`) with a GJK convex
cast that misplaces hits on thin plates by up to 0.2 mm (measured: an 8 mm x 200 mm plate seen from
80 mm, error growing with the ray's slant) — four times the tracker's noise spec. Triangle-mesh shapes
are exact but pybullet 3.2.7 never frees them (29 kB kept per connect/disconnect cycle for an 18-box
part, 0.9 MB per rebuilt mesh), which breaks the 500 make/close cycles the env must survive. The plates
are boxes anyway, so the tracker intersects its rays with them exactly here, in the part frame; the same
boxes are the pybullet bodies used for collision queries and rendering.
"""

from __future__ import annotations

import numpy as np

from weldcraft.seams import Box
from weldcraft.types import FloatArray, IntArray

_TINY = 1e-300


class BoxRayCaster:
    """Ray casts against a fixed set of boxes given in one frame (the part frame).

    Args:
        boxes: the plates (`weldcraft.seams.Box`: centre, orientation, half extents, in metres).
    """

    def __init__(self, boxes: list[Box]) -> None:
        if not boxes:
            raise ValueError("need at least one box")
        self.n_boxes = len(boxes)
        self._rot = np.stack([b.rotation_matrix() for b in boxes])  # (B, 3, 3) columns = box axes
        self._center = np.array([b.center_m for b in boxes])  # (B, 3)
        self._half = np.array([b.half_extents_m for b in boxes])[:, None, :]  # (B, 1, 3)
        self._pm_half = np.stack((-self._half, self._half))  # (2, B, 1, 3)
        self._radius = np.linalg.norm(self._half[:, 0, :], axis=1)  # (B,) bounding-sphere radius

    def cast_fan(
        self, origin: FloatArray, directions: FloatArray, reach_m: float | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """First hit of each ray origin + lam d_r, lam in [0, 1], of a fan sharing one origin.

        Args:
            origin: (3,) the common ray start, in the boxes' frame.
            directions: (R, 3) ray vectors from the start to each ray's end.
            reach_m: the length of the longest ray; boxes whose bounding sphere lies beyond it are
                skipped (a curved part is dozens of panels, of which the laser line meets two or three).

        Returns:
            (lam (R,), box (R,)): the hit parameter (inf for a miss) and the index of the box hit (-1).
        """
        lam, index = self._hits(origin, directions, reach_m)
        if lam is None:
            r = directions.shape[0]
            return np.full(r, np.inf), np.full(r, -1)
        box = lam.argmin(axis=0)
        best = lam.min(axis=0)
        if index is not None:
            box = index[box]
        return best, np.where(np.isfinite(best), box, -1)

    def first_hit(
        self, origin: FloatArray, directions: FloatArray, reach_m: float | None = None
    ) -> FloatArray:
        """The hit parameters (R,) of `cast_fan` without the box indices (the tracker's per-step call)."""
        lam, _ = self._hits(origin, directions, reach_m)
        if lam is None:
            return np.full(directions.shape[0], np.inf)
        return lam.min(axis=0)

    def _hits(
        self, origin: FloatArray, directions: FloatArray, reach_m: float | None
    ) -> tuple[FloatArray | None, IntArray | None]:
        """Per box and ray (B, R) the entry parameter of each hit (inf for a miss), and the boxes cast
        against (None: all; lam None: no box within reach). Slab method in each box's frame."""
        rot, center, pm_half = self._rot, self._center, self._pm_half
        index = None
        if reach_m is not None and self.n_boxes > 2:
            near = np.linalg.norm(center - origin, axis=1) <= self._radius + reach_m
            index = np.flatnonzero(near)
            if index.size == 0:
                return None, index
            rot, center, pm_half = rot[index], center[index], pm_half[:, index]
        o_l = np.einsum("bj,bjk->bk", origin - center, rot)[:, None, :]  # (B, 1, 3)
        d_l = np.matmul(directions, rot)  # (B, R, 3)
        d_l[np.abs(d_l) < _TINY] = _TINY
        inv = 1.0 / d_l
        t12 = (pm_half - o_l) * inv  # (2, B, R, 3): the -half and +half slabs
        t1, t2 = t12[0], t12[1]
        t_near = np.minimum(t1, t2).max(axis=2)  # (B, R)
        t_far = np.maximum(t1, t2).min(axis=2)
        # hit: t_near <= t_far, t_far >= 0, t_near <= 1; entry at max(t_near, 0). With tc = max(t_near, 0)
        # the three tests are tc <= min(t_far, 1) (a NaN fails either way).
        tc = np.maximum(t_near, 0.0)
        return np.where(tc <= np.minimum(t_far, 1.0), tc, np.inf), index
