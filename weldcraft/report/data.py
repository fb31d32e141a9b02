"""The report's input records: plain data, frozen and validated on construction.

Everything the HTML page shows comes from one `ReportData`; the report package never runs an env, a
policy or an evaluation itself. `weldcraft run` (or any user script) fills these records from its stages:

- `RunInfo`: package version, resolved config and its hash, date.
- `WeldTrace` (twice: the policy's weld and the master's, on the same seam): bead geometry, ISO 5817 level
  and torch parameters per segment along the seam, indexed by arc length ``s_mm``; the weld's grade
  (``info["weld"]`` of DESIGN §9); the path of the GIF the env rendered of it.
- `Evaluation`: the held-out evaluation of both welders (`EvalStats` each) and extra metric rows.
- program paths (the exported programs) and optional `ExtraSection`s (e.g. the process-window map).

Units are in the names (mm, deg, mm/s, kJ/mm). Torch angles follow CONTRACTS.md: travel angle positive =
push; ``work_angle_deg`` is the ABSOLUTE work angle (fillet: 45 + error from side A's plate; butt: 90 +
error); lateral offset positive towards side B.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from weldcraft.errors import DataError
from weldcraft.types import FloatArray, IntArray

SCHEMA_VERSION = 1
#: Level keys of a level distribution, best first; "none" = fails level D.
LEVEL_KEYS = ("B", "C", "D", "none")
_LEVELS = ("B", "C", "D", None)

#: Per-segment fields of a `WeldTrace`: name -> (axis label with unit, required).
BEAD_SERIES = {
    "width_mm": ("bead width (mm)", True),
    "reinforcement_mm": ("reinforcement (mm)", True),
    "throat_mm": ("throat a (mm)", False),
    "penetration_mm": ("penetration (mm)", True),
}
TORCH_SERIES = {
    "ctwd_mm": ("CTWD (mm)", True),
    "work_angle_deg": ("work angle (deg)", True),
    "travel_angle_deg": ("travel angle (deg, + push)", True),
    "travel_speed_mm_s": ("travel speed (mm/s)", True),
    "lateral_offset_mm": ("lateral offset (mm, + side B)", True),
    "weave_width_mm": ("weave width (mm)", False),
}


def _array(value: Any, name: str, n: int | None, dtype: type = np.float64) -> np.ndarray:
    arr: np.ndarray = np.array(value, dtype=dtype, copy=True)
    if arr.ndim != 1 or (n is not None and arr.shape[0] != n):
        raise DataError(f"{name} must have shape ({'N' if n is None else n},), got {arr.shape}")
    if dtype is np.float64 and not np.all(np.isfinite(arr)):
        bad = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise DataError(f"{name}[{bad}] is not finite ({arr[bad]!r})")
    arr.setflags(write=False)
    return arr


def _finite(value: Any, name: str, lo: float = -math.inf, hi: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise DataError(f"{name} must be a number, got {value!r}")
    out = float(value)
    if not math.isfinite(out) or not lo <= out <= hi:
        raise DataError(f"{name} must be a finite number in [{lo:g}, {hi:g}], got {value!r}")
    return out


@dataclass(frozen=True)
class RunInfo:
    """Where the report comes from.

    Attributes:
        version: weldcraft package version.
        config: the resolved config (plain nested mapping) that produced the run; shown in the page.
        config_hash: hash of that config (the same string every artifact of the run carries).
        date: ISO 8601 date-time of the run.
        seam: name of the WeldJob the welds shown were made on.
        title: page title.
    """

    version: str
    config: Mapping[str, Any]
    config_hash: str
    date: str
    seam: str = ""
    title: str = "weldcraft run"

    def __post_init__(self) -> None:
        for name in ("version", "config_hash", "date", "title"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise DataError(f"RunInfo.{name} must be a non-empty string, got {getattr(self, name)!r}")
        if not isinstance(self.config, Mapping):
            raise DataError(f"RunInfo.config must be a mapping, got {type(self.config).__name__}")


@dataclass(frozen=True, eq=False)
class WeldTrace:
    """One weld along the seam: per-segment bead, level and torch pose, plus the weld's grade.

    Arrays are (N,) over the segment centres ``s_mm`` (mm, strictly increasing). ``level`` holds the
    per-segment ISO 5817 level index of the process model (0 B, 1 C, 2 D, 3 none, -1 arc off). Bead
    geometry: ``width_mm`` face width, ``reinforcement_mm`` cap height, ``throat_mm`` fillet throat (None
    for butt joints), ``penetration_mm``. Torch: ``ctwd_mm``, ``work_angle_deg`` (absolute),
    ``travel_angle_deg`` (+ push), ``travel_speed_mm_s``, ``lateral_offset_mm`` (+ side B),
    ``weave_width_mm`` (peak to peak, None when not weaving).

    Attributes besides the arrays:
        label: who welded ("policy", "master").
        iso5817_level / quality_score / heat_input_kj_mm / imperfections: the weld's grade, as in
            ``info["weld"]`` (DESIGN §9); imperfections are dicts with at least ``iso6520_code``, ``s_mm``
            and ``size_mm`` (``name``, ``unit``, ``side`` are shown when present).
        gif: path of the animation the env rendered of this weld, or None.
    """

    label: str
    s_mm: FloatArray
    level: IntArray
    width_mm: FloatArray
    reinforcement_mm: FloatArray
    penetration_mm: FloatArray
    ctwd_mm: FloatArray
    work_angle_deg: FloatArray
    travel_angle_deg: FloatArray
    travel_speed_mm_s: FloatArray
    lateral_offset_mm: FloatArray
    iso5817_level: str | None
    quality_score: float
    heat_input_kj_mm: float = 0.0
    throat_mm: FloatArray | None = None
    weave_width_mm: FloatArray | None = None
    imperfections: tuple[Mapping[str, Any], ...] = ()
    gif: Path | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not self.label:
            raise DataError(f"WeldTrace.label must be a non-empty string, got {self.label!r}")
        s = _array(self.s_mm, f"{self.label}.s_mm", None)
        n = s.shape[0]
        if n < 2 or np.any(np.diff(s) <= 0.0):
            raise DataError(f"{self.label}.s_mm must hold >= 2 strictly increasing values")
        object.__setattr__(self, "s_mm", s)
        level = _array(self.level, f"{self.label}.level", n, np.int64)
        if np.any((level < -1) | (level > 3)):
            raise DataError(f"{self.label}.level must hold -1 (arc off) or 0..3 (B, C, D, none)")
        object.__setattr__(self, "level", level)
        for name, (_, required) in {**BEAD_SERIES, **TORCH_SERIES}.items():
            value = getattr(self, name)
            if value is None and not required:
                continue
            object.__setattr__(self, name, _array(value, f"{self.label}.{name}", n))
        if self.iso5817_level not in _LEVELS:
            raise DataError(f"{self.label}.iso5817_level must be B, C, D or None, got {self.iso5817_level!r}")
        object.__setattr__(
            self, "quality_score", _finite(self.quality_score, f"{self.label}.quality_score", 0.0, 1.0)
        )
        object.__setattr__(
            self, "heat_input_kj_mm", _finite(self.heat_input_kj_mm, f"{self.label}.heat_input_kj_mm", 0.0)
        )
        imps = tuple(dict(i) for i in self.imperfections)
        for k, imp in enumerate(imps):
            missing = {"iso6520_code", "s_mm", "size_mm"} - set(imp)
            if missing:
                raise DataError(f"{self.label}.imperfections[{k}] lacks {', '.join(sorted(missing))}")
        object.__setattr__(self, "imperfections", imps)
        if self.gif is not None:
            object.__setattr__(self, "gif", Path(self.gif))

    @property
    def length_mm(self) -> float:
        return float(self.s_mm[-1] - self.s_mm[0])


@dataclass(frozen=True)
class EvalStats:
    """One welder's results on the held-out seams.

    Attributes:
        episodes: number of evaluated welds (> 0).
        level_counts: welds per ISO 5817 level, keys of ``LEVEL_KEYS`` ("none" = fails D); sums to episodes.
        quality_mean / quality_std: quality score over the welds (in [0, 1]).
        defect_counts: ISO 6520 code -> number of welds showing that imperfection.
        completed: welds that reached the seam end (None when not recorded).
    """

    episodes: int
    level_counts: Mapping[str, int]
    quality_mean: float
    quality_std: float = 0.0
    defect_counts: Mapping[str, int] = field(default_factory=dict)
    completed: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.episodes, bool) or not isinstance(self.episodes, int) or self.episodes <= 0:
            raise DataError(f"EvalStats.episodes must be a positive int, got {self.episodes!r}")
        unknown = set(self.level_counts) - set(LEVEL_KEYS)
        if unknown:
            raise DataError(f"level_counts keys must be {', '.join(LEVEL_KEYS)}; got {sorted(unknown)}")
        counts = {k: int(self.level_counts.get(k, 0)) for k in LEVEL_KEYS}
        if any(v < 0 for v in counts.values()) or sum(counts.values()) != self.episodes:
            raise DataError(f"level_counts {counts} must be >= 0 and sum to episodes={self.episodes}")
        object.__setattr__(self, "level_counts", counts)
        object.__setattr__(self, "quality_mean", _finite(self.quality_mean, "quality_mean", 0.0, 1.0))
        object.__setattr__(self, "quality_std", _finite(self.quality_std, "quality_std", 0.0, 1.0))
        defects = {str(k): int(v) for k, v in self.defect_counts.items()}
        if any(not 0 <= v <= self.episodes for v in defects.values()):
            raise DataError(f"defect_counts {defects} must lie in [0, episodes={self.episodes}]")
        object.__setattr__(self, "defect_counts", dict(sorted(defects.items())))
        if self.completed is not None and not 0 <= self.completed <= self.episodes:
            raise DataError(f"completed must be in [0, {self.episodes}], got {self.completed!r}")

    def pass_rate(self, level: str) -> float:
        """Share of welds at ``level`` or better (level "B", "C" or "D")."""
        if level not in ("B", "C", "D"):
            raise DataError(f"pass_rate level must be B, C or D, got {level!r}")
        keys = LEVEL_KEYS[: LEVEL_KEYS.index(level) + 1]
        return sum(self.level_counts[k] for k in keys) / self.episodes


@dataclass(frozen=True)
class Metric:
    """One row of the evaluation table: the same metric for policy and master.

    ``better`` says which direction is better: "higher", "lower" or "" (neutral, e.g. a heat input that
    should match the master's rather than be extreme).
    """

    name: str
    policy: float
    master: float
    unit: str = ""
    better: str = "higher"
    digits: int = 3

    def __post_init__(self) -> None:
        if self.better not in ("higher", "lower", ""):
            raise DataError(f"Metric.better must be 'higher', 'lower' or '', got {self.better!r}")
        object.__setattr__(self, "policy", _finite(self.policy, f"metric {self.name!r} policy"))
        object.__setattr__(self, "master", _finite(self.master, f"metric {self.name!r} master"))


@dataclass(frozen=True)
class Evaluation:
    """Held-out evaluation of the policy beside the master on the same seams.

    ``metrics`` are extra rows (path RMS, heat input, weave frequency, ...); a mapping
    ``{name: (policy, master)}`` is accepted and turned into `Metric` rows (higher is better).
    """

    policy: EvalStats
    master: EvalStats
    metrics: tuple[Metric, ...] = ()
    seeds: str = ""

    def __post_init__(self) -> None:
        metrics: Any = self.metrics
        if isinstance(metrics, Mapping):
            metrics = tuple(Metric(str(k), float(v[0]), float(v[1])) for k, v in metrics.items())
        object.__setattr__(self, "metrics", tuple(metrics))


@dataclass(frozen=True)
class Targets:
    """What the verdict checks (defaults: the learning issue's acceptance figures).

    Attributes:
        level: the ISO 5817 level the policy must reach ("B", "C" or "D").
        min_pass_rate: share of held-out welds at ``level`` or better.
        min_quality_ratio: policy mean quality / master mean quality.
    """

    level: str = "C"
    min_pass_rate: float = 0.9
    min_quality_ratio: float = 0.9

    def __post_init__(self) -> None:
        if self.level not in ("B", "C", "D"):
            raise DataError(f"Targets.level must be B, C or D, got {self.level!r}")
        object.__setattr__(self, "min_pass_rate", _finite(self.min_pass_rate, "min_pass_rate", 0.0, 1.0))
        object.__setattr__(
            self, "min_quality_ratio", _finite(self.min_quality_ratio, "min_quality_ratio", 0.0, 10.0)
        )


@dataclass(frozen=True)
class Figure:
    """An image of an extra section: file path, alt text (what it shows, for screen readers), caption."""

    path: Path
    alt: str
    caption: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))
        if not self.alt.strip():
            raise DataError(f"figure {self.path}: alt text must describe the image")


@dataclass(frozen=True)
class ExtraSection:
    """A free section (e.g. the process-window map): title, paragraphs of plain text, figures, a table.

    ``table`` is a sequence of rows, the first one the header; cells are shown as text.
    """

    title: str
    paragraphs: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise DataError("ExtraSection.title must not be empty")
        object.__setattr__(self, "paragraphs", tuple(str(p) for p in self.paragraphs))
        object.__setattr__(self, "figures", tuple(self.figures))
        rows = tuple(tuple(str(c) for c in row) for row in self.table)
        if rows and len({len(r) for r in rows}) != 1:
            raise DataError(f"ExtraSection {self.title!r}: table rows must have the same number of cells")
        object.__setattr__(self, "table", rows)


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows (see the module docstring).

    Attributes:
        run: run metadata.
        policy / master: the two welds on the same seam, shown side by side.
        evaluation: the held-out evaluation, or None when not run.
        programs: paths of the exported programs (linked relative to the report folder).
        extra_sections: appended after the standard sections.
        targets: what the summary verdict checks.
        torch_windows: good window (lo, hi) per torch series name, shaded on the torch plots
            (see `standard_torch_windows`).
    """

    run: RunInfo
    policy: WeldTrace
    master: WeldTrace
    evaluation: Evaluation | None = None
    programs: tuple[Path, ...] = ()
    extra_sections: tuple[ExtraSection, ...] = ()
    targets: Targets = field(default_factory=Targets)
    torch_windows: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        if self.schema_version != SCHEMA_VERSION:
            raise DataError(f"ReportData schema version {self.schema_version} != {SCHEMA_VERSION}")
        object.__setattr__(self, "programs", tuple(Path(p) for p in self.programs))
        object.__setattr__(self, "extra_sections", tuple(self.extra_sections))
        windows: dict[str, tuple[float, float]] = {}
        for name, (lo, hi) in dict(self.torch_windows).items():
            if name not in TORCH_SERIES:
                raise DataError(f"torch_windows key {name!r}; expected one of {', '.join(TORCH_SERIES)}")
            if not float(lo) < float(hi):
                raise DataError(f"torch_windows[{name!r}] must be (lo, hi) with lo < hi, got {(lo, hi)}")
            windows[name] = (float(lo), float(hi))
        object.__setattr__(self, "torch_windows", windows)


def standard_torch_windows(fillet: bool, wire_diameter_mm: float = 1.2) -> dict[str, tuple[float, float]]:
    """Good torch windows for GMAW on steel (DESIGN §4; reference/welding-process.md §1.2).

    CTWD 10-20 mm (spray), travel angle 5-15 deg push, work angle 45 deg (fillet) or 90 deg (butt)
    +-10 deg, lateral offset +-0.5 mm, weave width <= 3 x wire diameter.
    """
    work = 45.0 if fillet else 90.0
    return {
        "ctwd_mm": (10.0, 20.0),
        "travel_angle_deg": (5.0, 15.0),
        "work_angle_deg": (work - 10.0, work + 10.0),
        "lateral_offset_mm": (-0.5, 0.5),
        "weave_width_mm": (0.0, 3.0 * wire_diameter_mm),
    }


def level_counts_from(levels: Sequence[str | None]) -> dict[str, int]:
    """Level distribution of a sequence of weld levels ("B", "C", "D", None)."""
    counts = dict.fromkeys(LEVEL_KEYS, 0)
    for lv in levels:
        if lv not in _LEVELS:
            raise DataError(f"weld level must be B, C, D or None, got {lv!r}")
        counts["none" if lv is None else lv] += 1
    return counts
