"""Expectation checks and their messages: numbers, ISO 6520 codes and names, ISO 5817 limits."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from weldcraft.regress.checks import check_case, describe
from weldcraft.regress.episode import EpisodeResult
from weldcraft.regress.golden import Golden
from weldcraft.regress.runner import CaseResult
from weldcraft.regress.suite import CaseSpec, Expectations


def weld_dict(
    level: str | None, quality: float, imperfections: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    out = {
        "iso5817_level": level,
        "quality_score": quality,
        "completed": True,
        "imperfections": imperfections,
        "heat_input_kj_mm": 0.868,
        "dominant_code": imperfections[0]["iso6520_code"] if imperfections else None,
    }
    out.update(extra)
    return out


def imp(code: str, name: str, size: float, s: float, level: str | None, **extra: Any) -> dict[str, Any]:
    out = {"iso6520_code": code, "name": name, "size_mm": size, "s_mm": s, "unit": "mm", "level": level}
    out.update(extra)
    return out


def _case(**expect: object) -> CaseSpec:
    return CaseSpec(
        name="fillet_pb_master",
        job="tiny_fillet",
        program=Path("p.json"),
        checkpoint=None,
        golden=Path("golden/fillet_pb_master.golden.json"),
        expect=Expectations(**expect),  # type: ignore[arg-type]
    )


def _golden(replay: EpisodeResult, quality: float = 0.813) -> Golden:
    return Golden(
        "fillet_pb_master", "B", quality, 0.868, (), replay.s_mm, replay.tcp_pos_base_m * 1000, "x", "h", None
    )


def test_level_failure_names_imperfection_with_limit(replay_factory: Callable[..., EpisodeResult]) -> None:
    undercut = imp("5011", "undercut", 0.62, 41.0, "D", side="B", length_mm=12.0)
    replay = replay_factory(weld_dict("D", 0.4, [undercut]))
    case = _case(level="B")
    result = CaseResult(case, check_case(case, replay, None), replay)
    # ISO 5817 undercut limit at level B for t = 8 mm: 0.05 t = 0.40 mm
    assert result.message == (
        "case fillet_pb_master: expected level >= B, got D: 5011 continuous undercut (side B) 0.62 mm "
        "at s=41.0 mm over 12 mm (limit 0.40 mm at level B)"
    )
    assert not result.passed and [c.name for c in result.failures] == ["level"]


def test_worst_offender_first_and_limits_per_row(nominal_replay: EpisodeResult) -> None:
    throat = nominal_replay.design_throat_mm
    imps = [
        imp("512", "fillet_asymmetry", 2.5, 3.0, "C"),
        imp("4011", "lack_of_fusion", 0.3, 10.0, None, side="A"),
        imp("505", "toe_angle_fillet", 104.0, 20.0, "C", side="A", unit="deg"),
    ]
    replay = dataclasses.replace(nominal_replay, weld=weld_dict(None, 0.1, imps))
    msg = check_case(_case(level="B"), replay, None)[1].message
    assert msg.startswith(
        "expected level >= B, got none (fails D): 4011 lack of side-wall fusion (side A) 0.30 mm"
    )
    assert "(not permitted at level B)" in msg
    asym_limit = 1.5 + 0.15 * throat  # ISO 5817 row 512, level B
    assert (
        f"512 excessive asymmetry of fillet weld 2.50 mm at s=3.0 mm (limit {asym_limit:.2f} mm at level B)"
        in msg
    )
    assert "505 incorrect weld toe (side A) 104.0 deg at s=20.0 mm (minimum 110 deg at level B)" in msg


def test_short_imperfection_rule_is_explained(nominal_replay: EpisodeResult) -> None:
    # every run alone meets C, but the weld is D: the dominant code's runs are too long in total
    runs = [imp("5213", "insufficient_throat", 0.2, s, "C") for s in (5.0, 15.0)]
    replay = dataclasses.replace(nominal_replay, weld=weld_dict("D", 0.4, runs))
    msg = check_case(_case(level="C"), replay, None)[1].message
    assert "5213 insufficient throat thickness 0.20 mm at s=5.0 mm" in msg
    assert "ISO 5817 allows such imperfections over <= 25 mm in any 100 mm" in msg


def test_quality_forbid_heat_completed(nominal_replay: EpisodeResult) -> None:
    undercut = imp("5011", "undercut", 0.2, 7.5, "B", side="A")
    weld = weld_dict("B", 0.78, [undercut], completed=False, heat_input_kj_mm=1.31)
    replay = dataclasses.replace(nominal_replay, weld=weld, termination_reason="lost_seam")
    checks = {
        c.name: c
        for c in check_case(
            _case(quality_min=0.8, forbid=("5011",), heat_input_kj_mm=(0.6, 1.2), level="B"), replay, None
        )
    }
    assert checks["completed"].message == (
        "expected the weld to reach the seam end, it stopped at s=29.9 mm (lost_seam)"
    )
    assert checks["quality_min"].message == "quality 0.780 < 0.800" and not checks["quality_min"].passed
    assert checks["forbid"].message.startswith(
        "forbidden imperfection found: 5011 continuous undercut (side A)"
    )
    assert checks["heat_input_kj_mm"].message == "heat input 1.310 kJ/mm outside [0.6, 1.2] kJ/mm"
    assert checks["level"].passed


def test_path_rms_against_golden(
    nominal_replay: EpisodeResult, replay_factory: Callable[..., EpisodeResult]
) -> None:
    golden = _golden(nominal_replay)
    shifted = replay_factory(weld_dict("B", 0.813, []), shift_mm=0.5)
    case = _case(path_rms_max_mm=0.3, quality_tolerance=0.01)
    same = check_case(case, nominal_replay, golden)
    assert all(c.passed for c in same)
    checks = {c.name: c for c in check_case(case, shifted, golden)}
    assert not checks["path_rms_max_mm"].passed
    assert checks["path_rms_max_mm"].message.startswith(
        "TCP path RMS 0.500 mm vs golden (over the limit 0.3 mm"
    )
    assert checks["quality_tolerance"].passed
    worse = dataclasses.replace(nominal_replay, weld=weld_dict("B", 0.79, []))
    q = {c.name: c for c in check_case(case, worse, golden)}["quality_tolerance"]
    assert not q.passed and q.message == "quality 0.790 vs golden 0.813 (difference -0.023, tolerance 0.01)"


def test_missing_golden_says_how_to_create_it(nominal_replay: EpisodeResult) -> None:
    (check,) = check_case(_case(path_rms_max_mm=0.1, completed=False), nominal_replay, None)
    assert not check.passed
    assert "no golden file golden/fillet_pb_master.golden.json" in check.message
    assert "weldcraft regress suite=<this suite> update=true" in check.message


@pytest.mark.parametrize(("size", "expected"), [(0.35, "0.35 mm"), (1.234, "1.23 mm")])
def test_describe_formats_sizes(nominal_replay: EpisodeResult, size: float, expected: str) -> None:
    text = describe(imp("5011", "undercut", size, 1.0, "B"), "C", nominal_replay)
    # level C undercut limit for t = 8 mm: 0.1 t = 0.8, capped at 0.5 mm
    assert text == f"5011 continuous undercut {expected} at s=1.0 mm (limit 0.50 mm at level C)"
    assert np.isfinite(nominal_replay.bead_value("width_mm", 1.0))
