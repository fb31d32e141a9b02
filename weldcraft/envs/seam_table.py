"""A seam path sampled on a uniform arc-length grid in the world frame, with O(1) scalar lookups.

`weldcraft.seams.SeamPath` answers batched queries in the part frame; the env needs one point, one frame
and one local projection per step, fast. `SampledSeam` evaluates the path once (at reset) on a grid of
spacing <= `ds_m`, transforms it into the world, and interpolates linearly between grid points. Frames
are interpolated linearly too (the angle between neighbours is ds/R, e.g. 0.005 rad for 1 mm on a
200 mm radius, so the interpolated columns stay unit length to 3e-6). Beyond the ends the seam is
extended along its end tangents (used by the tracker's approach scan before s = 0).
"""

from __future__ import annotations

import math

import numpy as np

from weldcraft.types import FloatArray


class SampledSeam:
    """A seam in the world frame: points (M, 3) in metres and frames (M, 3, 3) with columns (t, n, b).

    Args:
        positions_m: (M, 3) seam points on a uniform arc-length grid from s = 0 to s = length_m.
        frames: (M, 3, 3) rotation matrices, columns (t, n, b) of CONTRACTS.md.
        length_m: arc length of the seam; the grid spacing is length_m / (M - 1).
    """

    def __init__(self, positions_m: FloatArray, frames: FloatArray, length_m: float) -> None:
        positions_m = np.ascontiguousarray(positions_m, dtype=np.float64)
        frames = np.ascontiguousarray(frames, dtype=np.float64)
        if positions_m.ndim != 2 or positions_m.shape[1] != 3 or positions_m.shape[0] < 2:
            raise ValueError(f"positions_m must have shape (M >= 2, 3), got {positions_m.shape}")
        if frames.shape != (positions_m.shape[0], 3, 3):
            raise ValueError(f"frames must have shape {(positions_m.shape[0], 3, 3)}, got {frames.shape}")
        if not (math.isfinite(length_m) and length_m > 0.0):
            raise ValueError(f"length_m must be positive, got {length_m}")
        self.positions_m = positions_m
        self.frames = frames
        self.length_m = float(length_m)
        self.n_samples = positions_m.shape[0]
        self.ds_m = self.length_m / (self.n_samples - 1)
        self._inv_ds = 1.0 / self.ds_m
        # Precomputed differences make the interpolation one multiply-add.
        self._dpos = np.diff(positions_m, axis=0)
        self._dframe = np.diff(frames, axis=0)

    @classmethod
    def from_samples(
        cls,
        s_m: FloatArray,
        positions_part_m: FloatArray,
        frames_part: FloatArray,
        rotation_world_part: FloatArray,
        translation_world_m: FloatArray,
    ) -> SampledSeam:
        """Build from part-frame samples on a uniform grid `s_m` and the part-to-world transform.

        Args:
            s_m: (M,) uniform arc-length grid from 0 to the seam length.
            positions_part_m: (M, 3) seam points in the part frame.
            frames_part: (M, 3, 3) seam frames in the part frame.
            rotation_world_part: (3, 3) rotation of the part frame in the world.
            translation_world_m: (3,) position of the part frame origin in the world.
        """
        rot = np.asarray(rotation_world_part, dtype=np.float64)
        pos = positions_part_m @ rot.T + np.asarray(translation_world_m, dtype=np.float64)
        frames = np.einsum("ij,mjk->mik", rot, frames_part)
        return cls(pos, frames, float(s_m[-1]))

    def _index(self, s_m: float) -> tuple[int, float]:
        x = s_m * self._inv_ds
        i = int(x)
        if i < 0:
            i = 0
        elif i > self.n_samples - 2:
            i = self.n_samples - 2
        return i, x - i

    def point(self, s_m: float) -> FloatArray:
        """Seam point (3,) in metres at arc length `s_m` (extended along the end tangents outside [0, L])."""
        if s_m < 0.0:
            return self.positions_m[0] + s_m * self.frames[0, :, 0]
        if s_m > self.length_m:
            return self.positions_m[-1] + (s_m - self.length_m) * self.frames[-1, :, 0]
        i, f = self._index(s_m)
        return self.positions_m[i] + f * self._dpos[i]

    def frame(self, s_m: float) -> FloatArray:
        """Seam frame (3, 3), columns (t, n, b), at `s_m` (constant beyond the ends)."""
        if s_m <= 0.0:
            return self.frames[0]
        if s_m >= self.length_m:
            return self.frames[-1]
        i, f = self._index(s_m)
        return self.frames[i] + f * self._dframe[i]

    def point_frame(self, s_m: float) -> tuple[FloatArray, FloatArray]:
        """(point (3,), frame (3, 3)) at `s_m`; see `point` and `frame`."""
        if 0.0 < s_m < self.length_m:
            i, f = self._index(s_m)
            return self.positions_m[i] + f * self._dpos[i], self.frames[i] + f * self._dframe[i]
        return self.point(s_m), self.frame(s_m)

    def project(self, point_m: FloatArray, s_guess_m: float, iterations: int = 2) -> float:
        """Arc length of the seam point closest to `point_m` near `s_guess_m` (local Newton steps).

        Each step moves s by the tangential component of (point - c(s)); for a straight seam one step is
        exact, for an arc of radius R and distance d from the seam the error shrinks by d/R per step.
        Not clamped: a point before the start or after the end gets s < 0 or s > L.
        """
        s = float(s_guess_m)
        for _ in range(iterations):
            c, fr = self.point_frame(s)
            d = point_m - c
            s += float(d[0] * fr[0, 0] + d[1] * fr[1, 0] + d[2] * fr[2, 0])
        return s
