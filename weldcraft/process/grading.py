"""ISO 5817 grading of a whole weld from its segments, and the continuous quality score.

``grade_weld(segments, s_mm, joint) -> WeldGrade``:

1. Per segment and imperfection row: the level index k (0 B, 1 C, 2 D, 3 none) from the ISO 5817 limits
   (``iso5817.py``), and the severity k + position inside the band (the same ``kernel.severity_array`` the
   per-step path uses, so ``BeadSegments.level`` equals the worst row here).
2. Short-imperfection rule [M]: where a level's limit holds for short imperfections only (rows 511, 5213,
   4021; undercut for t <= 3 mm), the imperfection's total length in any 100 mm of weld (25 % of a weld
   shorter than 100 mm) must be <= 25 mm, else the row fails that level.
3. The weld's level is the worst over rows and windows; ``None`` when it fails level D.
4. quality_score = welded_fraction x (1 - (k_w + clip(mean severity - k_w, 0, 0.999)) / 4): the mean
   severity of the welded segments, held inside the band of the weld's level k_w, so that any level-B
   weld scores in (0.75, 1], C in (0.5, 0.75], D in (0.25, 0.5], none in [0, 0.25].

The imperfection list holds every "defect" row (undercut, lack of fusion, porosity, burn-through, 511,
5213, 4021) wherever its size is > 0, and "shape" rows (502, 503, 504, 505, 512, 5214, 617) only where
they exceed the level-B limit (a bead always has some convexity; it is an imperfection only when too large).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from weldcraft.errors import UserError
from weldcraft.process import kernel as K
from weldcraft.process.iso5817 import ROWS, is_short_limited, linear_limits
from weldcraft.process.model import BeadSegments
from weldcraft.seams import JointKind, JointSpec
from weldcraft.types import FloatArray, IntArray

LEVEL_NAMES = ("B", "C", "D", None)
SHORT_WINDOW_MM = 100.0
SHORT_MAX_MM = 25.0


@dataclass(frozen=True)
class _Entry:
    field: str
    row: str
    code: str
    side: str | None
    defect: bool  # True: listed whenever present; False: listed only beyond level B
    unit: str = "mm"
    width_field: str | None = None  # the b of the row's limit


_FILLET_ENTRIES = (
    _Entry("undercut_a_mm", "undercut", "5011", "A", True),
    _Entry("undercut_b_mm", "undercut", "5011", "B", True),
    _Entry("convexity_mm", "excessive_convexity", "503", None, False, width_field="width_mm"),
    _Entry("toe_angle_a_deg", "toe_angle_fillet", "505", "A", False, unit="deg"),
    _Entry("toe_angle_b_deg", "toe_angle_fillet", "505", "B", False, unit="deg"),
    _Entry("asymmetry_mm", "fillet_asymmetry", "512", None, False),
    _Entry("insufficient_throat_mm", "insufficient_throat", "5213", None, True),
    _Entry("excessive_throat_mm", "excessive_throat", "5214", None, False),
    _Entry("root_gap_mm", "incorrect_root_gap_fillet", "617", None, False),
    _Entry("lack_of_fusion_a_mm", "lack_of_fusion", "4011", "A", True),
    _Entry("lack_of_fusion_b_mm", "lack_of_fusion", "4011", "B", True),
    _Entry("burn_through_mm", "burn_through", "510", None, True),
    _Entry("porosity_pct", "porosity", "2011", None, True, unit="%"),
)
_BUTT_ENTRIES = (
    _Entry("undercut_a_mm", "undercut", "5011", "A", True),
    _Entry("undercut_b_mm", "undercut", "5011", "B", True),
    _Entry("excess_weld_metal_mm", "excess_weld_metal", "502", None, False, width_field="width_mm"),
    _Entry("toe_angle_a_deg", "toe_angle_butt", "505", None, False, unit="deg"),
    _Entry("incomplete_fill_mm", "incompletely_filled_groove", "511", None, True),
    _Entry(
        "excess_penetration_mm", "excess_penetration", "504", None, False, width_field="root_bead_width_mm"
    ),
    _Entry("incomplete_root_penetration_mm", "incomplete_root_penetration", "4021", None, True),
    _Entry("lack_of_fusion_a_mm", "lack_of_fusion", "4011", "A", True),
    _Entry("lack_of_fusion_b_mm", "lack_of_fusion", "4011", "B", True),
    _Entry("burn_through_mm", "burn_through", "510", None, True),
    _Entry("porosity_pct", "porosity", "2011", None, True, unit="%"),
)


@dataclass(frozen=True)
class WeldImperfection:
    """One run of an imperfection along the seam.

    Attributes:
        iso6520_code: ISO 6520-1 reference number ("5011", "4011", ...).
        name: the ISO 5817 row (``iso5817_limit`` name).
        side: "A" or "B" for toe/side-specific imperfections, else None.
        s_mm: position along the seam of the largest size in the run.
        s_start_mm: where the run starts (lower edge of its first segment).
        length_mm: length of the run.
        size_mm: the largest size in the run, in ``unit``: mm; "deg" for the toe angle (the smallest
            toe angle in the run); "%" for porosity (projected area).
        unit: "mm", "deg" or "%".
        level: the ISO 5817 level this run alone meets ("B", "C", "D" or None), without the short rule.
    """

    iso6520_code: str
    name: str
    side: str | None
    s_mm: float
    s_start_mm: float
    length_mm: float
    size_mm: float
    unit: str
    level: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "iso6520_code": self.iso6520_code,
            "name": self.name,
            "side": self.side,
            "s_mm": self.s_mm,
            "s_start_mm": self.s_start_mm,
            "length_mm": self.length_mm,
            "size_mm": self.size_mm,
            "unit": self.unit,
            "level": self.level,
        }


@dataclass(frozen=True)
class WeldGrade:
    """ISO 5817 grade of a weld.

    Attributes:
        iso5817_level: "B", "C", "D" or None (fails D), worst over imperfections and 100 mm windows.
        quality_score: continuous score in [0, 1] (module docstring); ranks B > C > D > None.
        imperfections: runs of imperfections (``WeldImperfection``), ordered by s_mm.
        segment_levels: (N,) int64 per-segment level index without the short rule (0 B .. 3 none, -1 arc off).
        heat_input_kj_mm: mean heat input over the welded segments.
        welded_fraction: share of the seam length with the arc on.
        length_mm: seam length graded.
        dominant_code: ISO 6520 code of the row that sets the level (None for a clean level-B weld).
        row_levels: level per ISO 5817 row after the short rule.
        model_clamped_fraction: share of welded length where a Kim-law input was outside its validity box.
    """

    iso5817_level: str | None
    quality_score: float
    imperfections: tuple[WeldImperfection, ...]
    segment_levels: IntArray
    heat_input_kj_mm: float
    welded_fraction: float
    length_mm: float
    dominant_code: str | None
    row_levels: dict[str, str | None] = field(default_factory=dict)
    model_clamped_fraction: float = 0.0

    def __post_init__(self) -> None:
        if self.iso5817_level not in LEVEL_NAMES:
            raise ValueError(f"iso5817_level must be one of B, C, D, None, got {self.iso5817_level!r}")
        if not 0.0 <= self.quality_score <= 1.0:
            raise ValueError(f"quality_score must be in [0, 1], got {self.quality_score}")

    def to_dict(self) -> dict[str, Any]:
        """The ``info["weld"]`` payload of DESIGN §9 (plus extra keys)."""
        return {
            "iso5817_level": self.iso5817_level,
            "quality_score": self.quality_score,
            "imperfections": [imp.to_dict() for imp in self.imperfections],
            "heat_input_kj_mm": self.heat_input_kj_mm,
            "welded_fraction": self.welded_fraction,
            "length_mm": self.length_mm,
            "dominant_code": self.dominant_code,
        }


def segment_lengths_mm(s_mm: FloatArray) -> FloatArray:
    """Lengths of segments centred at strictly increasing s_mm (mid-point rule; end segments mirrored)."""
    n = s_mm.shape[0]
    if n == 1:
        raise UserError("one segment has no length: pass segment_length_mm to grade_weld")
    mid = 0.5 * (s_mm[1:] + s_mm[:-1])
    edges = np.concatenate(([2.0 * s_mm[0] - mid[0]], mid, [2.0 * s_mm[-1] - mid[-1]]))
    return np.diff(edges)


def max_window_length_mm(
    starts_mm: FloatArray, lengths_mm: FloatArray, present: Any, window_mm: float
) -> float:
    """Largest total length of ``present`` segments inside any window [s, s + window) of the seam."""
    seg = np.where(present, lengths_mm, 0.0)
    if not seg.any():
        return 0.0
    csum = np.concatenate(([0.0], np.cumsum(seg)))
    ends = np.searchsorted(starts_mm, starts_mm + window_mm, side="left")
    return float(np.max(csum[ends] - csum[: starts_mm.shape[0]]))


def _runs(mask: Any) -> list[tuple[int, int]]:
    idx = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return list(zip(idx[0::2].tolist(), idx[1::2].tolist(), strict=True))


def grade_weld(
    segments: BeadSegments,
    s_mm: FloatArray,
    joint: JointSpec,
    *,
    segment_length_mm: FloatArray | float | None = None,
) -> WeldGrade:
    """Grade a weld from its N segments (``ProcessModel.evaluate`` or stacked ``evaluate_one`` samples).

    Args:
        segments: the bead of N segments.
        s_mm: (N,) strictly increasing segment centres along the seam (mm).
        joint: the joint (thickness and kind select the ISO 5817 rows).
        segment_length_mm: segment lengths (scalar or (N,)); default from the spacing of s_mm.
    """
    s = np.asarray(s_mm, dtype=np.float64)
    n = len(segments)
    if s.shape != (n,) or not np.all(np.isfinite(s)):
        raise UserError(f"s_mm must be a finite array of shape ({n},), got shape {s.shape}")
    if n > 1 and np.any(np.diff(s) <= 0.0):
        raise UserError("s_mm must be strictly increasing")
    if segment_length_mm is None:
        lengths = segment_lengths_mm(s)
    else:
        lengths = np.broadcast_to(np.asarray(segment_length_mm, dtype=np.float64), (n,)).copy()
        if np.any(~(lengths > 0.0)):
            raise UserError("segment_length_mm must be > 0")
    starts = s - 0.5 * lengths
    total = float(lengths.sum())
    on = segments.arc_on
    welded_len = float(lengths[on].sum())
    if welded_len <= 0.0:
        return WeldGrade(None, 0.0, (), segments.level.copy(), 0.0, 0.0, total, None)
    t = joint.thickness_mm
    fillet = joint.kind.is_fillet_like
    throat = 0.0
    if fillet:
        throats = segments.design_throat_mm[on]
        throat = float(throats[0])
        if not np.allclose(throats, throat):
            raise UserError("segments of one weld must share one design throat")
    entries: tuple[_Entry, ...] = _FILLET_ENTRIES if fillet else _BUTT_ENTRIES
    if joint.kind is JointKind.LAP:  # unequal legs are prescribed by a lap joint's geometry [assumption]
        entries = tuple(e for e in entries if e.row != "fillet_asymmetry")
    toe_ref = 90.0 + joint.opening_angle_deg / 2.0 if fillet else 180.0
    short_allow = SHORT_MAX_MM if total >= SHORT_WINDOW_MM else 0.25 * total
    row_k: dict[str, int] = {}
    row_sev: dict[str, float] = {}
    row_code: dict[str, str] = {}
    imperfections: list[WeldImperfection] = []
    for e in entries:
        raw = getattr(segments, e.field)
        if e.unit == "deg":
            size = np.where(on, np.maximum(toe_ref - raw, 0.0), 0.0)
            mins = [ROWS[e.row].thick[lv].const for lv in ("B", "C", "D")]
            lims: K.Limits = tuple((max(toe_ref - m, 0.0), 0.0, np.inf) for m in mins)  # type: ignore[assignment]
        else:
            size = np.where(on, raw, 0.0)
            lims = linear_limits(e.row, thickness_mm=t, throat_mm=throat if fillet else None)  # type: ignore[assignment]
        width = getattr(segments, e.width_field) if e.width_field else None
        if width is None:
            sev = K.severity_array(size, K.knots(lims))
        else:
            sev = K.severity_b_array(size, lims, width)
        k = np.where(on, K.level_array(sev), 0)
        level = int(k.max())
        present = size > 0.0
        while level < 3 and is_short_limited(e.row, "BCD"[level], thickness_mm=t):
            if max_window_length_mm(starts, lengths, present & on, SHORT_WINDOW_MM) <= short_allow:
                break
            level += 1
        row_k[e.row] = max(row_k.get(e.row, 0), level)
        row_code[e.row] = e.code
        row_sev[e.row] = max(row_sev.get(e.row, 0.0), float(np.max(np.where(on, sev, 0.0))))
        listed = (present if e.defect else k > 0) & on
        for i0, i1 in _runs(listed):
            j = i0 + int(np.argmax(size[i0:i1]))
            imperfections.append(
                WeldImperfection(
                    iso6520_code=e.code,
                    name=e.row,
                    side=e.side,
                    s_mm=float(s[j]),
                    s_start_mm=float(starts[i0]),
                    length_mm=float(lengths[i0:i1].sum()),
                    size_mm=float(raw[j]) if e.unit == "deg" else float(size[j]),
                    unit=e.unit,
                    level=LEVEL_NAMES[int(k[i0:i1].max())],
                )
            )
    k_w = max(row_k.values())
    dominant = None
    if k_w > 0:
        worst = [r for r, kk in row_k.items() if kk == k_w]
        dominant = row_code[max(worst, key=lambda r: row_sev[r])]
    mean_sev = float(np.sum(segments.severity[on] * lengths[on]) / welded_len)
    band = k_w + min(max(mean_sev - k_w, 0.0), 0.999)
    fraction = welded_len / total
    quality = fraction * (1.0 - band / 4.0)
    heat = float(np.sum(segments.heat_input_kj_mm[on] * lengths[on]) / welded_len)
    clamped = float(lengths[on & (segments.model_clamped != 0)].sum() / welded_len)
    imperfections.sort(key=lambda imp: (imp.s_start_mm, imp.iso6520_code))
    return WeldGrade(
        iso5817_level=LEVEL_NAMES[k_w],
        quality_score=float(min(max(quality, 0.0), 1.0)),
        imperfections=tuple(imperfections),
        segment_levels=segments.level.copy(),
        heat_input_kj_mm=heat,
        welded_fraction=fraction,
        length_mm=total,
        dominant_code=dominant,
        row_levels={r: LEVEL_NAMES[kk] for r, kk in row_k.items()},
        model_clamped_fraction=clamped,
    )
