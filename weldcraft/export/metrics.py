"""How far two TCP paths are apart (used by round-trip tests, weave decisions and replay reports).

- `path_rms_mm`: geometric — RMS over the reference points of their distance to the candidate polyline
  (the candidate is resampled every `step_mm` and searched with a k-d tree, so the distance is exact to
  step/2). Timing does not enter: this is "the torch went along the same path".
- `synchronized_rms_mm`: the candidate interpolated at the reference's times — "the torch was at the same
  place at the same time" (stricter; only meaningful when a format preserves timing).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from weldcraft.types import FloatArray


def resample_polyline(pos_m: FloatArray, step_mm: float) -> FloatArray:
    """(M, 3) points every `step_mm` along the polyline (vertices included)."""
    pts = np.asarray(pos_m, dtype=np.float64)
    if pts.shape[0] < 2:
        return pts
    seg = np.diff(pts, axis=0)
    length_mm = np.linalg.norm(seg, axis=1) * 1000.0
    n_sub = np.maximum(1, np.ceil(length_mm / step_mm).astype(int))
    pieces = [pts[i] + np.outer(np.arange(n_sub[i]) / n_sub[i], seg[i]) for i in range(seg.shape[0])]
    return np.vstack([*pieces, pts[-1:]])


def path_rms_mm(reference_m: FloatArray, candidate_m: FloatArray, step_mm: float = 0.02) -> float:
    """RMS (mm) of the distances from each reference point to the candidate polyline."""
    dense = resample_polyline(candidate_m, step_mm)
    dist, _ = cKDTree(dense).query(np.asarray(reference_m, dtype=np.float64))
    return float(np.sqrt(np.mean(np.square(dist))) * 1000.0)


def path_max_mm(reference_m: FloatArray, candidate_m: FloatArray, step_mm: float = 0.02) -> float:
    """Largest distance (mm) from a reference point to the candidate polyline."""
    dense = resample_polyline(candidate_m, step_mm)
    dist, _ = cKDTree(dense).query(np.asarray(reference_m, dtype=np.float64))
    return float(np.max(dist) * 1000.0)


def synchronized_rms_mm(
    ref_t_s: FloatArray, ref_pos_m: FloatArray, cand_t_s: FloatArray, cand_pos_m: FloatArray
) -> float:
    """RMS (mm) of |ref(t) - cand(t)| at the reference times (candidate linearly interpolated)."""
    cand = np.column_stack([np.interp(ref_t_s, cand_t_s, cand_pos_m[:, k]) for k in range(3)])
    return float(np.sqrt(np.mean(np.sum((cand - ref_pos_m) ** 2, axis=1))) * 1000.0)
