"""Build report records from weldcraft's process outputs (so callers do not repeat the field mapping).

``trace_from_process(label, s_mm, inputs, segments, grade, joint, gif=None) -> WeldTrace`` takes the
per-segment torch inputs (``SegmentInputs``), the bead (``BeadSegments``) and the grade (``WeldGrade``) of
one weld; ``stats_from_welds(info_weld_dicts)`` / ``stats_from_grades(grades) -> EvalStats`` summarize
many welds;
``trace_from_episode(label, episode, joint, gif)`` takes a weld made in the cell
(``weldcraft.regress.run_actions`` or ``replay_program``).

The absolute work angle follows CONTRACTS.md: fillet-like joints 45 deg + work-angle error (measured from
side A's plate), butt joints 90 deg + error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from weldcraft.errors import DataError
from weldcraft.process import BeadSegments, SegmentInputs, WeldGrade
from weldcraft.report.data import EvalStats, WeldTrace, level_counts_from
from weldcraft.seams import JointSpec
from weldcraft.types import FloatArray

if TYPE_CHECKING:
    from weldcraft.regress.episode import EpisodeResult


def nominal_work_angle_deg(joint: JointSpec) -> float:
    """45 deg for fillet-like joints, 90 deg for butt joints (CONTRACTS.md)."""
    return 45.0 if joint.kind.is_fillet_like else 90.0


def trace_from_process(
    label: str,
    s_mm: FloatArray,
    inputs: SegmentInputs,
    segments: BeadSegments,
    grade: WeldGrade,
    joint: JointSpec,
    gif: Path | None = None,
) -> WeldTrace:
    """A `WeldTrace` of one weld from its (N,) segment inputs, bead and grade (module docstring)."""
    n = len(segments)
    if len(inputs) != n or np.asarray(s_mm).shape != (n,):
        raise DataError(f"inputs ({len(inputs)}), segments ({n}) and s_mm {np.shape(s_mm)} must agree")
    weave = inputs.weave_width_mm if np.any(inputs.weave_width_mm > 0.0) else None
    return WeldTrace(
        label=label,
        s_mm=np.asarray(s_mm, dtype=np.float64),
        level=segments.level,
        width_mm=segments.width_mm,
        reinforcement_mm=segments.reinforcement_mm,
        throat_mm=segments.throat_mm if joint.kind.is_fillet_like else None,
        penetration_mm=segments.penetration_mm,
        ctwd_mm=inputs.ctwd_mm,
        work_angle_deg=nominal_work_angle_deg(joint) + inputs.work_angle_error_deg,
        travel_angle_deg=inputs.travel_angle_deg,
        travel_speed_mm_s=inputs.travel_speed_mm_s,
        lateral_offset_mm=inputs.lateral_offset_mm,
        weave_width_mm=weave,
        iso5817_level=grade.iso5817_level,
        quality_score=grade.quality_score,
        heat_input_kj_mm=grade.heat_input_kj_mm,
        imperfections=tuple(imp.to_dict() for imp in grade.imperfections),
        gif=gif,
    )


def stats_from_welds(welds: Sequence[Mapping[str, Any]]) -> EvalStats:
    """`EvalStats` of many welds given as ``info["weld"]`` dicts (DESIGN §9): levels, quality, ISO 6520
    codes per weld, completion."""
    if not welds:
        raise DataError("stats_from_welds needs at least one weld")
    quality = np.array([float(w["quality_score"]) for w in welds], dtype=np.float64)
    defects: dict[str, int] = {}
    for w in welds:
        for code in {str(i["iso6520_code"]) for i in w.get("imperfections", ())}:
            defects[code] = defects.get(code, 0) + 1
    return EvalStats(
        episodes=len(welds),
        level_counts=level_counts_from([w["iso5817_level"] for w in welds]),
        quality_mean=float(quality.mean()),
        quality_std=float(quality.std()),
        defect_counts=defects,
        completed=sum(bool(w.get("completed", False)) for w in welds),
    )


def stats_from_grades(grades: Sequence[WeldGrade], completed: Sequence[bool] | None = None) -> EvalStats:
    """`EvalStats` of many welds: level distribution, quality mean/std, welds per ISO 6520 code."""
    if not grades:
        raise DataError("stats_from_grades needs at least one weld")
    quality = np.array([g.quality_score for g in grades], dtype=np.float64)
    defects: dict[str, int] = {}
    for g in grades:
        for code in {imp.iso6520_code for imp in g.imperfections}:
            defects[code] = defects.get(code, 0) + 1
    return EvalStats(
        episodes=len(grades),
        level_counts=level_counts_from([g.iso5817_level for g in grades]),
        quality_mean=float(quality.mean()),
        quality_std=float(quality.std()),
        defect_counts=defects,
        completed=None if completed is None else int(sum(bool(c) for c in completed)),
    )


def trace_from_episode(
    label: str, episode: EpisodeResult, joint: JointSpec, gif: Path | None = None
) -> WeldTrace:
    """A `WeldTrace` of a weld made in the cell (``weldcraft.regress.run_actions`` / ``replay_program``).

    Bead geometry and per-segment ISO 5817 level from the recorded bead; torch parameters from the torch
    state relative to the true seam at each bead segment; travel speed from the segment spacing.
    """
    s = np.asarray(episode.bead_s_mm, dtype=np.float64)
    if s.size < 2:
        raise DataError(f"{label}: the weld laid {s.size} bead segment(s); the report needs at least 2")
    keep = np.concatenate(([True], s[1:] > np.maximum.accumulate(s)[:-1]))  # strictly increasing s only
    bead, torch = episode.bead, episode.torch
    speed = episode.travel_speed_mm_s
    fillet = joint.kind.is_fillet_like
    return WeldTrace(
        label=label,
        s_mm=s[keep],
        level=bead.level[keep],
        width_mm=bead.width_mm[keep],
        reinforcement_mm=bead.reinforcement_mm[keep],
        throat_mm=bead.throat_mm[keep] if fillet else None,
        penetration_mm=bead.penetration_mm[keep],
        ctwd_mm=np.nan_to_num(torch["ctwd_mm"][keep], posinf=0.0),
        work_angle_deg=episode.work_angle_base_deg + torch["work_angle_error_deg"][keep],
        travel_angle_deg=torch["travel_angle_deg"][keep],
        travel_speed_mm_s=speed[keep],
        lateral_offset_mm=torch["lateral_offset_mm"][keep],
        iso5817_level=episode.weld["iso5817_level"],
        quality_score=float(episode.weld["quality_score"]),
        heat_input_kj_mm=float(episode.weld["heat_input_kj_mm"]),
        imperfections=tuple(episode.weld.get("imperfections", ())),
        gif=gif,
    )
