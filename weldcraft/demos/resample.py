"""Resample a recording onto the env's control clock.

Positions and process signals are interpolated linearly, orientations by spherical linear interpolation
(scipy's `Slerp`), and the arc state is held from the last sample at or before each tick (an arc switch
happens at a sample, never between). The control clock starts at the recording's first sample and ticks
every `dt_s` up to and including the last tick not after the final sample.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from scipy.spatial.transform import Rotation, Slerp

from weldcraft.demos.recording import Recording
from weldcraft.types import FloatArray


def control_times(t_start_s: float, t_end_s: float, dt_s: float) -> FloatArray:
    """Ticks t_start, t_start + dt, ... <= t_end (s), shape (K,), K >= 1.

    A tick within 1e-9 s of `t_end_s` counts as inside (time stamps written as decimals round).
    """
    if not dt_s > 0.0:
        raise ValueError(f"dt_s must be positive, got {dt_s}")
    k = int(np.floor((t_end_s - t_start_s) / dt_s + 1e-9)) + 1
    return np.asarray(t_start_s + dt_s * np.arange(max(k, 1)), dtype=np.float64)


def resample(rec: Recording, dt_s: float) -> Recording:
    """`rec` resampled on the control clock with period `dt_s` (s); frame, header and source are kept.

    Raises ValueError when the recording is shorter than two control periods.
    """
    t = control_times(float(rec.t_s[0]), float(rec.t_s[-1]), dt_s)
    if t.shape[0] < 2:
        raise ValueError(
            f"{rec.source}: recording lasts {rec.duration_s:.4f} s, shorter than 2 ticks of {dt_s} s"
        )
    pos = np.stack([np.interp(t, rec.t_s, rec.pos_m[:, k]) for k in range(3)], axis=1)
    t_clip = np.clip(t, rec.t_s[0], rec.t_s[-1])
    quat = Slerp(rec.t_s, Rotation.from_quat(rec.quat_xyzw))(t_clip).as_quat()
    # Slerp may flip the quaternion sign; keep the hemisphere continuous for readable files.
    flip = np.sum(quat[1:] * quat[:-1], axis=1) < 0.0
    signs = np.concatenate([[1.0], np.where(np.cumsum(flip) % 2 == 1, -1.0, 1.0)])
    quat = quat * signs[:, None]
    idx = np.searchsorted(rec.t_s, t + 1e-9, side="right") - 1
    arc = rec.arc_on[np.clip(idx, 0, rec.n_samples - 1)]
    signals: dict[str, Any] = {k: np.interp(t, rec.t_s, v) for k, v in rec.signals().items()}
    return dataclasses.replace(rec, t_s=t, pos_m=pos, quat_xyzw=quat, arc_on=arc, **signals)
