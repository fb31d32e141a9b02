"""Weave synthesis and detection.

Canonical weave geometry (what `WeaveData` means; the same convention the emitters map to vendor data):
the torch oscillates about the programmed *base path* in the plane spanned by

- the travel direction ``d`` (unit tangent of the base path), and
- the lateral direction ``l = unit(up x d)``, with ``up = -z_tool`` (the torch axis pointing away from the
  work), so "left" (+l) is the left of the travel direction seen from the torch.

Offsets as functions of the cycle phase (phase 0 at the first point of the weld section, as a controller
starts weaving at the arc start), A = width/2:

- zigzag: lateral triangle wave 0 → +A → 0 → -A → 0 with dwells at left, centre (twice) and right;
- triangle: the zigzag plus a longitudinal offset (A/2)(2|lat|/A - 1) (ahead at the sides, behind at the
  centre);
- circle: lateral A sin 2πφ, longitudinal A cos 2πφ.

Detection (`detect_weave`) removes the periodic oscillation from densely sampled motion: it finds the
frequency from the spectrum of the lateral deviation from a heavily smoothed path, takes the base path
as the moving average over exactly one period (which cancels any periodic signal), then estimates width,
shape and dwells, and accepts the fit only when re-synthesising the weave from the parameters with the
controller's convention reproduces the recorded motion within a tolerance (default 0.25 mm RMS).
Otherwise the section stays dense, which is always correct.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from scipy.spatial.transform import Rotation

from weldcraft.export.records import WeaveData
from weldcraft.export.rotations import canonical_quat_xyzw
from weldcraft.types import FloatArray

log = logging.getLogger(__name__)


def weave_offsets_mm(weave: WeaveData, t_rel_s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(lateral mm (N,), longitudinal mm (N,)) canonical weave offsets at times since the weld start."""
    t = np.asarray(t_rel_s, dtype=np.float64)
    if not weave.active:
        return np.zeros_like(t), np.zeros_like(t)
    amp = weave.width_mm / 2.0
    period = 1.0 / weave.frequency_hz
    tau = np.mod(t, period)
    if weave.pattern == "circle":
        ang = 2.0 * np.pi * tau / period
        return amp * np.sin(ang), amp * np.cos(ang)
    dl, dc, dr = weave.dwell_left_s, weave.dwell_centre_s, weave.dwell_right_s
    ramp = (period - dl - dr - 2.0 * dc) / 4.0
    knots = np.cumsum([0.0, ramp, dl, ramp, dc, ramp, dr, ramp, dc])
    values = np.array([0.0, 1.0, 1.0, 0.0, 0.0, -1.0, -1.0, 0.0, 0.0])
    lat = np.interp(tau, knots, values)
    lon = np.zeros_like(t) if weave.pattern == "zigzag" else 0.5 * (2.0 * np.abs(lat) - 1.0)
    return amp * lat, amp * lon


def path_frames(pos_m: FloatArray, quat_xyzw: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Unit travel (N, 3) and lateral (N, 3) directions of a base path (see the module docstring)."""
    n = pos_m.shape[0]
    d = np.gradient(pos_m, axis=0) if n > 1 else np.zeros_like(pos_m)
    norm = np.linalg.norm(d, axis=1, keepdims=True)
    fallback = pos_m[-1] - pos_m[0]
    fallback = fallback / max(float(np.linalg.norm(fallback)), 1e-12)
    d = np.where(norm > 1e-12, d / np.maximum(norm, 1e-300), fallback)
    up = -Rotation.from_quat(quat_xyzw).apply([0.0, 0.0, 1.0])
    lat = np.cross(up, d)
    lat /= np.maximum(np.linalg.norm(lat, axis=1, keepdims=True), 1e-12)
    return d, lat


def superimpose_weave(
    t_s: FloatArray, base_pos_m: FloatArray, base_quat_xyzw: FloatArray, weave: WeaveData, t0_s: float
) -> FloatArray:
    """(N, 3) torch positions (m): the base path plus the canonical weave with phase 0 at `t0_s`."""
    d, lat = path_frames(base_pos_m, base_quat_xyzw)
    lat_mm, lon_mm = weave_offsets_mm(weave, t_s - t0_s)
    return np.asarray(base_pos_m + (lat_mm[:, None] * lat + lon_mm[:, None] * d) / 1000.0, dtype=np.float64)


def _window_mean(t: FloatArray, y: FloatArray, width_s: float) -> FloatArray:
    """Mean of y over [t - w/2, t + w/2] (exact for piecewise-linear y); ends extrapolated linearly."""
    seg = 0.5 * (y[1:] + y[:-1]) * np.diff(t)[:, None]
    cum = np.vstack([np.zeros((1, y.shape[1])), np.cumsum(seg, axis=0)])
    half = width_s / 2.0
    valid = (t - half >= t[0]) & (t + half <= t[-1])
    out = np.empty_like(y)
    for k in range(y.shape[1]):
        hi = np.interp(t + half, t, cum[:, k])
        lo = np.interp(t - half, t, cum[:, k])
        out[:, k] = (hi - lo) / width_s
    idx = np.flatnonzero(valid)
    if idx.size < 2:
        return np.asarray(out, dtype=np.float64)
    for side in (idx[: max(2, idx.size // 10)], idx[-max(2, idx.size // 10) :]):
        coef = np.polyfit(t[side], out[side], 1)
        sel = (~valid) & ((t < t[idx[0]]) if side[0] == idx[0] else (t > t[idx[-1]]))
        out[sel] = np.outer(t[sel], coef[0]) + coef[1]
    return np.asarray(out, dtype=np.float64)


@dataclass(frozen=True)
class WeaveFit:
    """Result of `detect_weave`: the weave, the base path at the input times, and the fit quality."""

    weave: WeaveData
    base_pos_m: FloatArray
    base_quat_xyzw: FloatArray
    rms_mm: float


def _dominant_frequency(t: FloatArray, y: FloatArray) -> tuple[float, float]:
    """(frequency Hz, peak-to-median power ratio) of a uniformly sampled signal."""
    y = y - np.polyval(np.polyfit(t, y, 2), t)
    win = np.hanning(y.size)
    spec = np.abs(np.fft.rfft(y * win)) ** 2
    freqs = np.fft.rfftfreq(y.size, t[1] - t[0])
    lo = max(1, int(np.ceil(2.0 / max(t[-1] - t[0], 1e-9) / max(freqs[1], 1e-12))))
    if lo >= spec.size - 1:
        return 0.0, 0.0
    k = lo + int(np.argmax(spec[lo:-1]))
    ratio = float(spec[k] / max(np.median(spec[lo:]), 1e-30))
    # Refine on a fine grid of the discrete-time Fourier transform around the FFT bin: the fit must hold the
    # phase over the whole section, which needs the frequency to a small fraction of a bin.
    tt = t - t[0]
    yw = y * win
    centre, half = k * freqs[1], freqs[1]
    for _ in range(3):  # each pass narrows the search ten-fold: 1e-3 of a bin after three
        grid = np.linspace(centre - half, centre + half, 21)
        # DTFT at the grid frequencies by a running phase rotation (two complex exponentials per pass).
        z = yw * np.exp(-2j * np.pi * grid[0] * tt)
        step = np.exp(-2j * np.pi * (grid[1] - grid[0]) * tt)
        power = np.empty(grid.size)
        for i in range(grid.size):
            power[i] = abs(z.sum()) ** 2
            z *= step
        centre, half = float(grid[int(np.argmax(power))]), half / 10.0
    return centre, ratio


def _estimate_dwells(
    lat_norm: FloatArray, dt: float, period: float, n_cycles: float
) -> tuple[float, float, float]:
    """Dwell times (left, centre, right) from the time the normalised lateral signal spends near its
    extremes and near zero, solving the zigzag timing equations (see module docstring)."""
    h, hc = 0.9, 0.1
    t_left = float(np.sum(lat_norm > h)) * dt / n_cycles
    t_right = float(np.sum(lat_norm < -h)) * dt / n_cycles
    t_centre = float(np.sum(np.abs(lat_norm) < hc)) * dt / n_cycles
    # Unknowns x = (dl, dr, dc, r):  T_L = dl + 2(1-h) r;  T_R = dr + 2(1-h) r;  T_C = 2 dc + 4 hc r;
    # P = dl + dr + 2 dc + 4 r.
    a = np.array(
        [[1, 0, 0, 2 * (1 - h)], [0, 1, 0, 2 * (1 - h)], [0, 0, 2, 4 * hc], [1, 1, 2, 4]], dtype=np.float64
    )
    x = np.linalg.solve(a, np.array([t_left, t_right, t_centre, period]))
    dl, dr, dc = (max(0.0, float(v)) for v in x[:3])
    floor = max(2.0 * dt, 0.02 * period)  # shorter dwells are below what the samples resolve
    dl, dr, dc = (v if v > floor else 0.0 for v in (dl, dr, dc))
    total = dl + dr + 2 * dc
    if total >= 0.8 * period:
        scale = 0.8 * period / total
        dl, dr, dc = dl * scale, dr * scale, dc * scale
    return dl, dc, dr


def detect_weave(
    t_s: FloatArray,
    pos_m: FloatArray,
    quat_xyzw: FloatArray,
    *,
    min_width_mm: float = 0.5,
    max_rms_mm: float = 0.25,
    min_cycles: float = 2.0,
) -> WeaveFit | None:
    """Find a canonical weave in one arc-on section of dense samples, or None.

    Args:
        t_s: (N,) times (s), pos_m: (N, 3) TCP positions (m), quat_xyzw: (N, 4) orientations.
        min_width_mm: narrower oscillation is treated as noise (no weave).
        max_rms_mm: accept the fit only if base path + synthesised weave (phase 0 at t_s[0]) reproduce
            the samples within this RMS (mm, time-synchronised).
        min_cycles: the section must contain at least this many cycles.
    """
    n = t_s.shape[0]
    if n < 16 or t_s[-1] - t_s[0] <= 0:
        return None
    dt = float(np.median(np.diff(t_s)))
    tu = np.arange(t_s[0], t_s[-1] + 0.5 * dt, dt)
    pu = np.column_stack([np.interp(tu, t_s, pos_m[:, k]) for k in range(3)])
    rough = _window_mean(tu, pu, min(2.0, 0.25 * (tu[-1] - tu[0])))
    qu = Rotation.from_quat(quat_xyzw)[np.clip(np.searchsorted(t_s, tu), 0, n - 1)].as_quat()
    d, lat_dir = path_frames(rough, qu)
    lateral = np.einsum("ij,ij->i", pu - rough, lat_dir) * 1000.0
    freq, snr = _dominant_frequency(tu, lateral)
    if freq <= 0.0 or snr < 20.0 or (tu[-1] - tu[0]) * freq < min_cycles or freq > 0.25 / dt:
        return None
    period = 1.0 / freq
    base = _window_mean(tu, pu, period)
    d, lat_dir = path_frames(base, qu)
    res = pu - base
    lat = np.einsum("ij,ij->i", res, lat_dir) * 1000.0
    lon = np.einsum("ij,ij->i", res, d) * 1000.0
    cycle = np.floor((tu - tu[0]) * freq).astype(int)
    full = [c for c in np.unique(cycle) if (cycle == c).sum() >= 0.9 * period / dt]
    if not full:
        return None
    hi = np.array([lat[cycle == c].max() for c in full])
    lo = np.array([lat[cycle == c].min() for c in full])
    width = float(np.median(hi - lo))
    if width < min_width_mm:
        return None
    amp = width / 2.0
    centre = float(np.median(0.5 * (hi + lo)))
    # Shape from the longitudinal component: circle (at f, ~A), triangle (at 2f, ~A/2), zigzag (none).
    phase = 2.0 * np.pi * freq * (tu - tu[0])
    lon_f = 2.0 * np.hypot(np.mean(lon * np.cos(phase)), np.mean(lon * np.sin(phase)))
    lon_2f = 2.0 * np.hypot(np.mean(lon * np.cos(2 * phase)), np.mean(lon * np.sin(2 * phase)))
    circle = lon_f > 0.5 * amp
    pattern = "circle" if circle else ("triangle" if lon_2f > 0.2 * amp else "zigzag")
    n_cycles = (tu[-1] - tu[0]) * freq
    a_lat, c_lat, c_lon = amp, centre, 0.0
    dwells = (0.0, 0.0, 0.0)
    # Alternate: dwells from the normalised lateral signal, then least squares for the amplitude and for
    # the offset of the moving average from the programmed path (the controller weaves about the programmed
    # path; an asymmetric weave moves the average off it).
    for _ in range(1 if circle else 3):
        if not circle:
            dwells = _estimate_dwells((lat - c_lat) / a_lat, dt, period, n_cycles)
        unit = WeaveData(pattern, 2.0, freq, *dwells)  # type: ignore[arg-type]
        s_lat, s_lon = weave_offsets_mm(unit, tu - tu[0])
        (a_lat, c_lat), *_ = np.linalg.lstsq(np.column_stack([s_lat, np.ones_like(s_lat)]), lat, rcond=None)
        if a_lat * 2.0 < min_width_mm:
            return None
    if not circle:
        a_lat, c_lat, dwells = _refine_zigzag(unit, tu - tu[0], lat, float(a_lat), float(c_lat), dwells)
        unit = WeaveData(pattern, 2.0, freq, *dwells)  # type: ignore[arg-type]
        s_lat, s_lon = weave_offsets_mm(unit, tu - tu[0])
    if pattern == "zigzag":
        c_lon = float(np.mean(lon))
    else:
        (_, c_lon), *_ = np.linalg.lstsq(np.column_stack([s_lon, np.ones_like(s_lon)]), lon, rcond=None)
    if a_lat * 2.0 < min_width_mm:
        return None
    weave = WeaveData(
        unit.pattern, 2.0 * float(a_lat), freq, unit.dwell_left_s, unit.dwell_centre_s, unit.dwell_right_s
    )
    base = base + (c_lat * lat_dir + c_lon * d) / 1000.0
    base_at_t = np.column_stack([np.interp(t_s, tu, base[:, k]) for k in range(3)])
    qbase = _smooth_quat(t_s, quat_xyzw, period)
    synth = superimpose_weave(t_s, base_at_t, qbase, weave, float(t_s[0]))
    rms = float(np.sqrt(np.mean(np.sum((synth - pos_m) ** 2, axis=1))) * 1000.0)
    if rms > max_rms_mm:
        log.info(
            "weave %s %.2f mm %.2f Hz does not reproduce the samples (%.3f mm RMS)",
            weave.pattern,
            width,
            freq,
            rms,
        )
        return None
    return WeaveFit(weave, base_at_t, qbase, rms)


def _refine_zigzag(
    unit: WeaveData,
    t_rel: FloatArray,
    lat: FloatArray,
    amp: float,
    centre: float,
    dwells: tuple[float, float, float],
) -> tuple[float, float, tuple[float, float, float]]:
    """Least-squares refinement of amplitude, lateral centre and dwells (left, centre, right) of a zigzag
    lateral profile against the measured lateral offsets (mm)."""
    period = 1.0 / unit.frequency_hz

    def residual(x: FloatArray) -> FloatArray:
        dl, dc, dr = x[2:]
        scale = min(1.0, 0.9 * period / max(dl + dr + 2 * dc, 1e-12))
        w = WeaveData(unit.pattern, 2.0, unit.frequency_hz, dl * scale, dc * scale, dr * scale)
        s_lat, _ = weave_offsets_mm(w, t_rel)
        return np.asarray(x[0] * s_lat + x[1] - lat, dtype=np.float64)

    x0 = np.array([amp, centre, *dwells])
    lower = np.array([0.0, -np.inf, 0.0, 0.0, 0.0])
    upper = np.array([np.inf, np.inf, 0.45 * period, 0.2 * period, 0.45 * period])
    x0 = np.clip(x0, lower, upper - 1e-9)
    sol = least_squares(residual, x0, bounds=(lower, upper), diff_step=1e-3)
    dl, dc, dr = (float(v) for v in sol.x[2:])
    scale = min(1.0, 0.9 * period / max(dl + dr + 2 * dc, 1e-12))
    floor = 0.01 * period
    out = tuple(v * scale if v * scale > floor else 0.0 for v in (dl, dc, dr))
    return float(sol.x[0]), float(sol.x[1]), out  # type: ignore[return-value]


def _smooth_quat(t_s: FloatArray, quat_xyzw: FloatArray, period_s: float) -> FloatArray:
    """Orientations averaged over one weave period (component-wise mean of sign-aligned quaternions)."""
    q = canonical_quat_xyzw(quat_xyzw)
    flip = np.sign(np.sum(q * q[:1], axis=1))
    q = q * np.where(flip == 0, 1.0, flip)[:, None]
    if t_s[-1] - t_s[0] <= period_s or q.shape[0] < 3:
        return q
    return canonical_quat_xyzw(_window_mean(t_s, q, period_s))
