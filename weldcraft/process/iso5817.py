"""ISO 5817 quality levels B / C / D for the imperfections a geometric weld model can compute.

Values of ISO 5817:2014 Table 1 (same as 2003/2007 for these rows), cross-checked across public excerpts
(sources S1-S7 of ``shared/reference/welding-process.md`` section 3 [S]); the porosity row is recalled
[M]. Consult the standard itself before claiming conformance. Notation: t plate thickness, b width of
the reinforcement (of the root bead for excess penetration), a nominal (design) fillet throat, h the
size of the imperfection. "Not permitted" is a limit of 0.0; "unlimited" is ``math.inf``.

| row | ISO 6520 | D | C | B |
|---|---|---|---|---|
| excess_weld_metal (butt) | 502 | 1+0.25b, max 10 | 1+0.15b, max 7 | 1+0.1b, max 5 |
| excessive_convexity (fillet) | 503 | 1+0.25b, max 5 | 1+0.15b, max 4 | 1+0.1b, max 3 |
| undercut, t > 3 | 5011 | 0.2t, max 1 | 0.1t, max 0.5 | 0.05t, max 0.5 |
| undercut, 0.5 <= t <= 3 | 5011 | short 0.2t | short 0.1t | not permitted |
| toe_angle_butt (minimum, deg) | 505 | 90 | 110 | 150 |
| toe_angle_fillet (minimum, deg) | 505 | 90 | 100 | 110 |
| fillet_asymmetry | 512 | 2+0.2a | 2+0.15a | 1.5+0.15a |
| insufficient_throat, t > 3 | 5213 | short 0.3+0.1a, max 2 | short 0.3+0.1a, max 1 | not permitted |
| insufficient_throat, t <= 3 | 5213 | short 0.2+0.1a | short 0.2 | not permitted |
| excessive_throat | 5214 | unlimited | 1+0.2a, max 4 | 1+0.15a, max 3 |
| incompletely_filled_groove, t > 3 | 511 | short 0.25t, max 2 | short 0.1t, max 1 | short 0.05t, max 0.5 |
| incompletely_filled_groove, t <= 3 | 511 | short 0.25t | short 0.1t | not permitted |
| excess_penetration, t > 3 | 504 | 1+1.0b, max 5 | 1+0.6b, max 4 | 1+0.2b, max 3 |
| excess_penetration, t <= 3 | 504 | 1+0.6b | 1+0.3b | 1+0.1b |
| incomplete_root_penetration | 4021 | short 0.2t, max 2 | not permitted | not permitted |
| incorrect_root_gap_fillet, t > 3 | 617 | 1+0.3a, max 4 | 0.5+0.2a, max 3 | 0.5+0.1a, max 2 |
| incorrect_root_gap_fillet, t <= 3 | 617 | 0.5+0.1a | 0.3+0.1a | 0.2+0.1a |
| porosity (area %, single layer) [M] | 2011/2012 | 2.5 | 1.5 | 1.0 |
| lack_of_fusion, burn_through, cracks | 401/510/100 | not permitted | not permitted | not permitted |

"Short" limits hold only for short imperfections: total length <= 25 mm in any 100 mm of weld (or
<= 25 % of a weld shorter than 100 mm) [M]; ``weldcraft.process.grading`` applies that rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from weldcraft.errors import UserError

LEVELS = ("B", "C", "D")
_INF = math.inf


@dataclass(frozen=True)
class _Rule:
    """One cell of the table: h <= min(const + coef * var, cap); ``short`` marks short-only limits."""

    const: float
    coef: float = 0.0
    cap: float = _INF
    short: bool = False


_NP = _Rule(0.0)  # not permitted
_UNLIMITED = _Rule(_INF)


@dataclass(frozen=True)
class _Row:
    code: str
    var: str | None  # "t", "b", "a" or None: the dimension the coefficient multiplies
    thick: dict[str, _Rule]  # level -> rule for t > 3 (or any t when thin is None)
    thin: dict[str, _Rule] | None = None  # level -> rule for 0.5 <= t <= 3
    minimum: bool = False  # True for the toe angle: the limit is a minimum angle in degrees


def _r(d: _Rule, c: _Rule, b: _Rule) -> dict[str, _Rule]:
    return {"D": d, "C": c, "B": b}


ROWS: dict[str, _Row] = {
    "excess_weld_metal": _Row("502", "b", _r(_Rule(1, 0.25, 10), _Rule(1, 0.15, 7), _Rule(1, 0.1, 5))),
    "excessive_convexity": _Row("503", "b", _r(_Rule(1, 0.25, 5), _Rule(1, 0.15, 4), _Rule(1, 0.1, 3))),
    "undercut": _Row(
        "5011",
        "t",
        _r(_Rule(0, 0.2, 1), _Rule(0, 0.1, 0.5), _Rule(0, 0.05, 0.5)),
        _r(_Rule(0, 0.2, short=True), _Rule(0, 0.1, short=True), _NP),
    ),
    "toe_angle_butt": _Row("505", None, _r(_Rule(90), _Rule(110), _Rule(150)), minimum=True),
    "toe_angle_fillet": _Row("505", None, _r(_Rule(90), _Rule(100), _Rule(110)), minimum=True),
    "fillet_asymmetry": _Row("512", "a", _r(_Rule(2, 0.2), _Rule(2, 0.15), _Rule(1.5, 0.15))),
    "insufficient_throat": _Row(
        "5213",
        "a",
        _r(_Rule(0.3, 0.1, 2, True), _Rule(0.3, 0.1, 1, True), _NP),
        _r(_Rule(0.2, 0.1, short=True), _Rule(0.2, short=True), _NP),
    ),
    "excessive_throat": _Row("5214", "a", _r(_UNLIMITED, _Rule(1, 0.2, 4), _Rule(1, 0.15, 3))),
    "incompletely_filled_groove": _Row(
        "511",
        "t",
        _r(_Rule(0, 0.25, 2, True), _Rule(0, 0.1, 1, True), _Rule(0, 0.05, 0.5, True)),
        _r(_Rule(0, 0.25, short=True), _Rule(0, 0.1, short=True), _NP),
    ),
    "excess_penetration": _Row(
        "504",
        "b",
        _r(_Rule(1, 1.0, 5), _Rule(1, 0.6, 4), _Rule(1, 0.2, 3)),
        _r(_Rule(1, 0.6), _Rule(1, 0.3), _Rule(1, 0.1)),
    ),
    "incomplete_root_penetration": _Row("4021", "t", _r(_Rule(0, 0.2, 2, True), _NP, _NP)),
    "incorrect_root_gap_fillet": _Row(
        "617",
        "a",
        _r(_Rule(1, 0.3, 4), _Rule(0.5, 0.2, 3), _Rule(0.5, 0.1, 2)),
        _r(_Rule(0.5, 0.1), _Rule(0.3, 0.1), _Rule(0.2, 0.1)),
    ),
    "porosity": _Row("2011", None, _r(_Rule(2.5), _Rule(1.5), _Rule(1.0))),
    "lack_of_fusion": _Row("401", None, _r(_NP, _NP, _NP)),
    "burn_through": _Row("510", None, _r(_NP, _NP, _NP)),
    "cracks": _Row("100", None, _r(_NP, _NP, _NP)),
}

_ARG_OF_VAR = {"t": "thickness_mm", "b": "bead_width_mm", "a": "throat_mm"}


def _row(imperfection: str) -> _Row:
    try:
        return ROWS[imperfection]
    except KeyError:
        raise UserError(
            f"unknown ISO 5817 imperfection {imperfection!r}; choose one of: {', '.join(sorted(ROWS))}"
        ) from None


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise UserError(f"unknown ISO 5817 quality level {level!r}; choose one of: B, C, D")
    return level


def _rule(row: _Row, level: str, thickness_mm: float | None, name: str) -> _Rule:
    if row.thin is None:
        return row.thick[level]
    if thickness_mm is None:
        raise UserError(f"iso5817_limit({name!r}) depends on the plate thickness: pass thickness_mm")
    if not thickness_mm >= 0.5:
        raise UserError(f"ISO 5817 covers thickness_mm >= 0.5, got {thickness_mm!r}")
    return (row.thick if thickness_mm > 3.0 else row.thin)[level]


def iso5817_limit(
    imperfection: str,
    level: str,
    *,
    thickness_mm: float | None = None,
    bead_width_mm: float | None = None,
    throat_mm: float | None = None,
) -> float:
    """The largest permitted size of an imperfection at an ISO 5817 quality level.

    Args:
        imperfection: snake_case row name (see the module table), e.g. ``"undercut"``.
        level: ``"B"`` (stringent), ``"C"`` (intermediate) or ``"D"`` (moderate).
        thickness_mm: plate thickness t; required by rows that depend on t.
        bead_width_mm: reinforcement width b (root-bead width for ``excess_penetration``).
        throat_mm: nominal fillet throat a.

    Returns:
        The limit in mm (porosity: projected area %); for ``toe_angle_*`` the MINIMUM permitted toe angle in
        degrees. "Not permitted" is 0.0 and "unlimited" is ``math.inf``. Whether the limit holds only for
        short imperfections is given by ``is_short_limited``.

    Raises:
        UserError: unknown imperfection or level, or a dimension the row needs is missing or not positive.
    """
    row = _row(imperfection)
    rule = _rule(row, _check_level(level), thickness_mm, imperfection)
    if rule.coef == 0.0:
        return float(min(rule.const, rule.cap))
    assert row.var is not None
    arg = _ARG_OF_VAR[row.var]
    value = {"thickness_mm": thickness_mm, "bead_width_mm": bead_width_mm, "throat_mm": throat_mm}[arg]
    if value is None:
        raise UserError(f"iso5817_limit({imperfection!r}, {level!r}) needs {arg}")
    if not (math.isfinite(value) and value > 0.0):
        raise UserError(f"{arg} must be a positive number of millimetres, got {value!r}")
    return float(min(rule.const + rule.coef * value, rule.cap))


def is_short_limited(imperfection: str, level: str, *, thickness_mm: float | None = None) -> bool:
    """True when the level's limit applies only to short imperfections (<= 25 mm in any 100 mm)."""
    row = _row(imperfection)
    return _rule(row, _check_level(level), thickness_mm, imperfection).short


def iso6520_code(imperfection: str) -> str:
    """The ISO 6520-1 reference number of a row (e.g. ``"5011"`` for undercut)."""
    return _row(imperfection).code


def linear_limits(
    imperfection: str, *, thickness_mm: float, throat_mm: float | None = None
) -> tuple[tuple[float, float, float], ...]:
    """Per level B, C, D: (const, coef_b, cap) with t and a folded in: limit = min(const + coef_b * b, cap).

    Used by the vectorized grading, where only the bead width b varies from segment to segment.
    """
    row = _row(imperfection)
    out = []
    for level in LEVELS:
        rule = _rule(row, level, thickness_mm, imperfection)
        if row.var == "b":
            out.append((rule.const, rule.coef, rule.cap))
        elif row.var is None or rule.coef == 0.0:
            out.append((min(rule.const, rule.cap), 0.0, _INF))
        else:
            x = thickness_mm if row.var == "t" else throat_mm
            if x is None:
                raise UserError(f"limits of {imperfection!r} need the throat")
            out.append((min(rule.const + rule.coef * x, rule.cap), 0.0, _INF))
    return tuple(out)
