"""Evaluation metrics from rollouts: weld outcome (``info["weld"]``), seam tracking and weave (numpy only).

Seam tracking and weave come from one per-step signal, the torch's true lateral offset from the seam
(mm; env info key ``lateral_offset_true_mm`` by default). A weave is an oscillation of that offset; the
seam-tracking error is the offset of the weave's centre line. Per episode:

1. the dominant frequency f* of the detrended offset in [`min_frequency_hz`, 0.95·Nyquist] is the peak of
   its Hann-windowed, 8×-zero-padded spectrum, refined by parabolic interpolation (FFT resolution alone
   is 1/duration, 0.1 Hz for a 10 s seam);
2. the centre line is the offset's moving average over one period 1/f* (which cancels a periodic weave
   exactly), the weave is offset − centre;
3. weave width = 2nd-to-98th percentile spread of the weave (peak-to-peak: 0.998·2A for a sine of
   amplitude A, 0.96·2A for a zigzag), and tracking RMS = RMS of the centre line (mm), both away from the
   first and last half period, where the average is one-sided;
4. if the width is below `min_weave_width_mm` the torch did not weave: no frequency, width 0, and the
   tracking error is the RMS of the raw offset.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.ndimage import uniform_filter1d

LEVELS = ("B", "C", "D", "none")


@dataclass(frozen=True)
class MetricKeys:
    """Names of the per-step info keys evaluation reads (the env's contract; configurable)."""

    lateral_offset_mm: str = "lateral_offset_true_mm"
    """Torch minus true seam, lateral, in the seam frame (mm), after every step."""
    weld: str = "weld"
    """The final step's weld outcome (DESIGN §9)."""


@dataclass(frozen=True)
class WeaveStats:
    """Weave and tracking figures of one lateral-offset signal (see the module docstring)."""

    present: bool
    frequency_hz: float
    """Dominant weave frequency (Hz); NaN when no weave."""
    width_mm: float
    """Peak-to-peak weave width (mm); 0 when no weave."""
    tracking_rms_mm: float
    """RMS of the weave centre line's offset from the seam (mm)."""


def analyze_lateral(
    offset_mm: np.ndarray, dt_s: float, *, min_frequency_hz: float = 0.3, min_weave_width_mm: float = 0.3
) -> WeaveStats:
    """Weave frequency, width and tracking RMS of a lateral offset series ``[T]`` sampled every `dt_s`."""
    x = np.asarray(offset_mm, dtype=np.float64)
    x = x[np.isfinite(x)]
    if len(x) < 8:
        rms = float(np.sqrt(np.mean(x**2))) if len(x) else math.nan
        return WeaveStats(False, math.nan, 0.0, rms)
    freq = dominant_frequency_hz(x, dt_s, min_frequency_hz=min_frequency_hz)
    if not math.isfinite(freq):
        return WeaveStats(False, math.nan, 0.0, float(np.sqrt(np.mean(x**2))))
    window = max(2, int(round(1.0 / (freq * dt_s))))
    centre = uniform_filter1d(x, size=window, mode="nearest")
    inner = slice(window // 2, len(x) - window // 2) if len(x) > 2 * window else slice(0, len(x))
    weave = (x - centre)[inner]
    width = float(np.percentile(weave, 98) - np.percentile(weave, 2))
    if width < min_weave_width_mm:
        return WeaveStats(False, math.nan, 0.0, float(np.sqrt(np.mean(x**2))))
    return WeaveStats(True, freq, width, float(np.sqrt(np.mean(centre[inner] ** 2))))


def dominant_frequency_hz(x: np.ndarray, dt_s: float, *, min_frequency_hz: float = 0.3) -> float:
    """Peak frequency (Hz) of the detrended series in [min_frequency_hz, 0.95·Nyquist]; NaN if none."""
    n = len(x)
    t = np.arange(n)
    detrended = x - np.polyval(np.polyfit(t, x, 1), t)
    if not np.any(np.abs(detrended) > 1e-12):
        return math.nan
    n_fft = 1 << int(math.ceil(math.log2(8 * n)))
    spectrum = np.abs(np.fft.rfft(detrended * np.hanning(n), n=n_fft))
    freqs = np.fft.rfftfreq(n_fft, d=dt_s)
    band = np.flatnonzero((freqs >= min_frequency_hz) & (freqs <= 0.95 * 0.5 / dt_s))
    if len(band) < 3:
        return math.nan
    k = int(band[np.argmax(spectrum[band])])
    if k in (band[0], band[-1]):
        return float(freqs[k]) if k != band[0] else math.nan  # a peak at the band's low edge is a trend
    a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-300)
    shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) != 0 else 0.0
    return float((k + shift) * (freqs[1] - freqs[0]))


@dataclass(frozen=True)
class EpisodeOutcome:
    """One evaluated episode (a held-out seed)."""

    seed: int
    length: int
    episode_return: float
    quality_score: float
    iso5817_level: str
    """"B", "C", "D" or "none" (no level reached, or the weld is not complete)."""
    completed: bool
    imperfection_codes: tuple[str, ...]
    heat_input_kj_mm: float
    tracking_rms_mm: float
    weave_present: bool
    weave_frequency_hz: float
    weave_width_mm: float
    has_weld_info: bool


def episode_outcome(
    seed: int,
    rewards: np.ndarray,
    weld: dict[str, Any] | None,
    lateral_offset_mm: np.ndarray,
    dt_s: float,
    *,
    min_weave_width_mm: float = 0.3,
) -> EpisodeOutcome:
    """Combine the final weld info with the tracking/weave analysis. An episode whose env reported no
    ``info["weld"]`` counts as not completed, level none, quality 0 (and is flagged).

    An unfinished weld (``completed`` false: collision, lost seam, time limit) is level "none" whatever
    level its welded part reached: the welding env grades the deposited part of a stopped weld (a nozzle
    that hits the table 37 steps in leaves a level-B stub), but a seam that was not welded to its end is
    no pass at any level. Its quality score is kept (the env already scales it by the welded length).
    """
    weave = analyze_lateral(lateral_offset_mm, dt_s, min_weave_width_mm=min_weave_width_mm)
    w = weld or {}
    completed = bool(w.get("completed", False))
    level = w.get("iso5817_level") if completed else None
    return EpisodeOutcome(
        seed=int(seed),
        length=int(len(rewards)),
        episode_return=float(np.sum(rewards)),
        quality_score=float(w.get("quality_score", 0.0)),
        iso5817_level=str(level) if level in ("B", "C", "D") else "none",
        completed=completed,
        imperfection_codes=tuple(str(imp["iso6520_code"]) for imp in w.get("imperfections", [])),
        heat_input_kj_mm=float(w.get("heat_input_kj_mm", math.nan)),
        tracking_rms_mm=weave.tracking_rms_mm,
        weave_present=weave.present,
        weave_frequency_hz=weave.frequency_hz,
        weave_width_mm=weave.width_mm,
        has_weld_info=weld is not None,
    )


@dataclass(frozen=True)
class EvalSummary:
    """Aggregate over the evaluated seeds (means over episodes unless stated)."""

    label: str
    episodes: int
    mean_quality: float
    std_quality: float
    level_counts: dict[str, int]
    pass_rate_c: float
    """Fraction of welds at level C or better."""
    pass_rate_b: float
    completion_rate: float
    tracking_rms_mm: float
    """Mean over episodes of the per-episode tracking RMS."""
    defects_per_weld: dict[str, float]
    """ISO 6520 code → occurrences per weld."""
    welds_with_defect: dict[str, float]
    """ISO 6520 code → fraction of welds with at least one."""
    weave_fraction: float
    """Fraction of episodes in which the torch wove."""
    weave_frequency_hz: float
    """Mean over weaving episodes (NaN if none)."""
    weave_width_mm: float
    """Mean over weaving episodes (0 if none)."""
    mean_heat_input_kj_mm: float
    mean_return: float
    mean_length: float
    episodes_without_weld_info: int
    seeds: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return json_safe(asdict(self))


def summarize(label: str, outcomes: Sequence[EpisodeOutcome]) -> EvalSummary:
    """Aggregate `outcomes` (one per seed) into an `EvalSummary`."""
    n = len(outcomes)
    if n == 0:
        raise ValueError("no episodes to summarize")
    quality = np.array([o.quality_score for o in outcomes])
    levels = Counter(o.iso5817_level for o in outcomes)
    occurrences: Counter[str] = Counter()
    welds_with: Counter[str] = Counter()
    for o in outcomes:
        occurrences.update(o.imperfection_codes)
        welds_with.update(set(o.imperfection_codes))
    weaving = [o for o in outcomes if o.weave_present]
    heat = np.array([o.heat_input_kj_mm for o in outcomes])
    return EvalSummary(
        label=label,
        episodes=n,
        mean_quality=float(quality.mean()),
        std_quality=float(quality.std()),
        level_counts={lv: int(levels.get(lv, 0)) for lv in LEVELS},
        pass_rate_c=(levels["B"] + levels["C"]) / n,
        pass_rate_b=levels["B"] / n,
        completion_rate=sum(o.completed for o in outcomes) / n,
        tracking_rms_mm=float(np.mean([o.tracking_rms_mm for o in outcomes])),
        defects_per_weld={c: occurrences[c] / n for c in sorted(occurrences)},
        welds_with_defect={c: welds_with[c] / n for c in sorted(welds_with)},
        weave_fraction=len(weaving) / n,
        weave_frequency_hz=float(np.mean([o.weave_frequency_hz for o in weaving])) if weaving else math.nan,
        weave_width_mm=float(np.mean([o.weave_width_mm for o in weaving])) if weaving else 0.0,
        mean_heat_input_kj_mm=float(np.nanmean(heat)) if np.any(np.isfinite(heat)) else math.nan,
        mean_return=float(np.mean([o.episode_return for o in outcomes])),
        mean_length=float(np.mean([o.length for o in outcomes])),
        episodes_without_weld_info=sum(not o.has_weld_info for o in outcomes),
        seeds=[o.seed for o in outcomes],
    )


def json_safe(value: Any) -> Any:
    """NaN and infinities become None (strict JSON); tuples become lists."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value
