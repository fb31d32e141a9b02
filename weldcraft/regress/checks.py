"""A case's expectations checked against its weld, with messages that name the imperfection.

``check_case(case, replay, golden, golden_path) -> tuple[Check, ...]``: one `Check` per expectation.
Messages say what was expected, what came out and why, e.g.

    expected level >= B, got D: 5011 undercut (side B) 0.62 mm at s=41.0 mm (limit 0.40 mm at level B)

The ISO 5817 limit of an imperfection comes from ``weldcraft.process.iso5817_limit`` with the joint's
thickness, the design throat and the bead width at that point of the seam.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weldcraft.errors import UserError
from weldcraft.export import path_max_mm, path_rms_mm
from weldcraft.process import iso5817_limit
from weldcraft.regress.episode import EpisodeResult
from weldcraft.regress.golden import Golden
from weldcraft.regress.iso6520 import iso6520_name
from weldcraft.regress.suite import CaseSpec

_RANK = {"B": 0, "C": 1, "D": 2, None: 3}
#: Rows whose ISO 5817 limit grows with a width b, and the bead field that gives b.
_WIDTH_FIELD = {
    "excess_weld_metal": "width_mm",
    "excessive_convexity": "width_mm",
    "excess_penetration": "root_bead_width_mm",
}


@dataclass(frozen=True)
class Check:
    """One expectation's outcome: its key in ``expect``, whether it passed, and a readable message."""

    name: str
    passed: bool
    message: str


def level_text(level: str | None) -> str:
    return "none (fails D)" if level is None else level


def _limit(imp: dict[str, Any], level: str, replay: EpisodeResult) -> float | None:
    """The ISO 5817 limit of an imperfection at `level` (mm, %, or the minimum toe angle), None if unknown."""
    row = str(imp.get("name", ""))
    width_field = _WIDTH_FIELD.get(row, "width_mm")
    width = replay.bead_value(width_field, float(imp["s_mm"]))
    try:
        lim = iso5817_limit(
            row,
            level,
            thickness_mm=replay.thickness_mm,
            bead_width_mm=width if width > 0.0 else None,
            throat_mm=replay.design_throat_mm if replay.design_throat_mm > 0.0 else None,
        )
    except UserError:
        return None
    return lim


def _excess(imp: dict[str, Any], level: str, replay: EpisodeResult) -> float:
    """How far an imperfection is beyond its limit at `level`: size / limit (inf when not permitted)."""
    lim = _limit(imp, level, replay)
    size = float(imp["size_mm"])
    if lim is None:
        return 1.0
    if str(imp.get("name", "")).startswith("toe_angle"):
        return lim / max(size, 1e-9)
    return math.inf if lim == 0.0 else size / lim


def limit_text(imp: dict[str, Any], level: str, replay: EpisodeResult) -> str:
    """The ISO 5817 limit of an imperfection at `level`, as text ("" when the row has no table limit)."""
    lim = _limit(imp, level, replay)
    row = str(imp.get("name", ""))
    if lim is None:
        return ""
    if row.startswith("toe_angle"):
        return f" (minimum {lim:.0f} deg at level {level})"
    if lim == 0.0:
        return f" (not permitted at level {level})"
    if math.isinf(lim):
        return ""
    unit = imp.get("unit", "mm")
    return f" (limit {lim:.2f} {unit} at level {level})"


def describe(imp: dict[str, Any], level: str | None, replay: EpisodeResult) -> str:
    """E.g. "5011 continuous undercut (side B) 0.62 mm at s=41.0 mm over 12 mm (limit 0.40 mm at level B)"."""
    code = str(imp["iso6520_code"])
    name = iso6520_name(code, str(imp.get("name", "")).replace("_", " "))
    side = f" (side {imp['side']})" if imp.get("side") else ""
    unit = imp.get("unit", "mm")
    size = float(imp["size_mm"])
    size_text = f"{size:.1f} deg" if unit == "deg" else f"{size:.2f} {unit}"
    length = f" over {float(imp['length_mm']):.0f} mm" if imp.get("length_mm") else ""
    limit = limit_text(imp, level, replay) if level is not None else ""
    return f"{code} {name}{side} {size_text} at s={float(imp['s_mm']):.1f} mm{length}{limit}"


def _culprits(weld: dict[str, Any], required: str, replay: EpisodeResult) -> list[dict[str, Any]]:
    """Imperfections that alone miss `required`, worst first (level, then how far beyond the limit);
    else the runs of the dominant code (too long in total under the short-imperfection rule)."""
    imps = list(weld.get("imperfections", []))
    bad = [i for i in imps if _RANK[i.get("level")] > _RANK[required]]
    if bad:
        return sorted(
            bad, key=lambda i: (-_RANK[i.get("level")], -_excess(i, required, replay), float(i["s_mm"]))
        )
    dominant = weld.get("dominant_code")
    return [i for i in imps if str(i["iso6520_code"]) == dominant]


def _level_check(required: str, replay: EpisodeResult) -> Check:
    weld = replay.weld
    got = weld["iso5817_level"]
    if _RANK[got] <= _RANK[required]:
        return Check("level", True, f"level {level_text(got)} >= {required}")
    culprits = _culprits(weld, required, replay)
    if culprits:
        shown = "; ".join(describe(i, required, replay) for i in culprits[:3])
        more = f"; and {len(culprits) - 3} more" if len(culprits) > 3 else ""
        why = f": {shown}{more}"
        if all(_RANK[i.get("level")] <= _RANK[required] for i in culprits):
            why += " (too long in total: ISO 5817 allows such imperfections over <= 25 mm in any 100 mm)"
    elif not weld.get("completed", True):
        why = f": the weld stopped at s={replay.s_mm[-1]:.1f} mm ({replay.termination_reason})"
    else:
        why = ""
    return Check("level", False, f"expected level >= {required}, got {level_text(got)}{why}")


def check_case(
    case: CaseSpec, replay: EpisodeResult, golden: Golden | None, golden_path: Path | None = None
) -> tuple[Check, ...]:
    """Every expectation of `case` checked against `replay` (and `golden` where one is needed)."""
    exp = case.expect
    weld = replay.weld
    checks: list[Check] = []
    if exp.completed:
        done = bool(weld.get("completed", False))
        checks.append(
            Check(
                "completed",
                done,
                "weld completed"
                if done
                else f"expected the weld to reach the seam end, it stopped at s={replay.s_mm[-1]:.1f} mm "
                f"({replay.termination_reason})",
            )
        )
    if exp.level is not None:
        checks.append(_level_check(exp.level, replay))
    quality = float(weld["quality_score"])
    if exp.quality_min is not None:
        ok = quality >= exp.quality_min
        checks.append(
            Check("quality_min", ok, f"quality {quality:.3f} {'>=' if ok else '<'} {exp.quality_min:.3f}")
        )
    if exp.forbid:
        found = [i for i in weld.get("imperfections", []) if str(i["iso6520_code"]) in exp.forbid]
        if found:
            shown = "; ".join(describe(i, exp.level or "B", replay) for i in found[:3])
            more = f"; and {len(found) - 3} more" if len(found) > 3 else ""
            checks.append(Check("forbid", False, f"forbidden imperfection found: {shown}{more}"))
        else:
            checks.append(Check("forbid", True, f"none of {', '.join(exp.forbid)}"))
    if exp.heat_input_kj_mm is not None:
        lo, hi = exp.heat_input_kj_mm
        heat = float(weld["heat_input_kj_mm"])
        ok = lo <= heat <= hi
        text = "within" if ok else "outside"
        checks.append(
            Check("heat_input_kj_mm", ok, f"heat input {heat:.3f} kJ/mm {text} [{lo:g}, {hi:g}] kJ/mm")
        )
    if exp.needs_golden:
        checks.extend(_golden_checks(case, replay, golden, golden_path))
    return tuple(checks)


def _golden_checks(
    case: CaseSpec, replay: EpisodeResult, golden: Golden | None, golden_path: Path | None
) -> list[Check]:
    exp = case.expect
    if golden is None:
        msg = (
            f"no golden file {golden_path or case.golden}: create it with "
            f"`weldcraft regress suite=<this suite> update=true` (or pytest --weld-update-goldens)"
        )
        return [Check("golden", False, msg)]
    out: list[Check] = []
    if exp.path_rms_max_mm is not None:
        rms = path_rms_mm(golden.tcp_pos_base_m, replay.tcp_pos_base_m)
        worst = path_max_mm(golden.tcp_pos_base_m, replay.tcp_pos_base_m)
        ok = rms <= exp.path_rms_max_mm
        out.append(
            Check(
                "path_rms_max_mm",
                ok,
                f"TCP path RMS {rms:.3f} mm vs golden ({'within' if ok else 'over'} the limit "
                f"{exp.path_rms_max_mm:g} mm; largest deviation {worst:.3f} mm)",
            )
        )
    if exp.quality_tolerance is not None:
        quality = float(replay.weld["quality_score"])
        delta = quality - golden.quality_score
        ok = abs(delta) <= exp.quality_tolerance
        out.append(
            Check(
                "quality_tolerance",
                ok,
                f"quality {quality:.3f} vs golden {golden.quality_score:.3f} (difference {delta:+.3f}, "
                f"tolerance {exp.quality_tolerance:g})",
            )
        )
    return out
