"""Weld grading: short-imperfection rule, level aggregation, quality score, sweep map."""

from __future__ import annotations

import numpy as np
import pytest

from weldcraft.errors import UserError
from weldcraft.process import ProcessModel, SegmentInputs, grade_weld
from weldcraft.process.grading import max_window_length_mm, segment_lengths_mm
from weldcraft.process.sweep import iso_level_map, plot_iso_level_map
from weldcraft.seams import WPS, JointKind, JointSpec

FILLET = JointSpec(JointKind.FILLET, 8.0)


def _weld(n: int, seg_mm: float, wfs: np.ndarray | float = 8.0) -> tuple[object, np.ndarray]:
    model = ProcessModel(WPS(), FILLET)
    bead = model.evaluate(SegmentInputs.from_wps(WPS(), n, wire_feed_m_min=wfs))
    return bead, (np.arange(n) + 0.5) * seg_mm


def test_window_helpers() -> None:
    s = np.arange(0.0, 300.0, 10.0) + 5.0
    lengths = segment_lengths_mm(s)
    np.testing.assert_allclose(lengths, 10.0)
    present = np.zeros(30, dtype=bool)
    present[[0, 1, 12, 13, 14]] = True  # 20 mm, then 30 mm in one 100 mm window
    assert max_window_length_mm(s - 5.0, lengths, present, 100.0) == pytest.approx(30.0)
    present[14] = False
    assert max_window_length_mm(s - 5.0, lengths, present, 100.0) == pytest.approx(20.0)


@pytest.mark.parametrize(
    ("bad_segments", "level"),
    [(0, "B"), (2, "C"), (3, "None")],  # 5213 is "short" at C/D, not permitted at B: 20 mm ok, 30 mm not
)
def test_short_imperfection_rule(bad_segments: int, level: str) -> None:
    wfs = np.full(20, 8.0)
    wfs[5 : 5 + bad_segments] = 4.8  # undersized throat over 10 mm per segment
    bead, s = _weld(20, 10.0, wfs)
    grade = grade_weld(bead, s, FILLET)  # type: ignore[arg-type]
    assert str(grade.iso5817_level) == level
    if bad_segments:
        (imp,) = [i for i in grade.imperfections if i.iso6520_code == "5213"]
        assert imp.length_mm == pytest.approx(10.0 * bad_segments)
        assert imp.s_start_mm == pytest.approx(50.0)
        assert 0.0 < imp.size_mm <= 0.3 + 0.1 * bead.design_throat_mm[0]  # type: ignore[attr-defined]
        assert imp.level == "C"
        assert set(bead.level.tolist()) == {0, 1}  # type: ignore[attr-defined]  # per segment: no short rule


def test_short_rule_on_a_weld_shorter_than_100mm() -> None:
    wfs = np.full(8, 8.0)
    wfs[2:4] = 4.8  # 20 mm of 80 mm = 25 %: still short
    bead, s = _weld(8, 10.0, wfs)
    assert grade_weld(bead, s, FILLET).iso5817_level == "C"  # type: ignore[arg-type]
    wfs[4] = 4.8  # 30 mm > 25 % of 80 mm
    bead, s = _weld(8, 10.0, wfs)
    assert grade_weld(bead, s, FILLET).iso5817_level is None  # type: ignore[arg-type]


def test_quality_ranks_levels_and_matches_bands() -> None:
    wps = WPS()
    model = ProcessModel(wps, FILLET)
    s = np.arange(5.0, 200.0, 10.0)
    grades = {}
    for speed, ctwd in [(6.0, 15.0), (3.5, 15.0), (3.0, 15.0), (10.0, 15.0), (6.0, 26.0), (6.0, 28.0)]:
        bead = model.evaluate(SegmentInputs.from_wps(wps, s.size, travel_speed_mm_s=speed, ctwd_mm=ctwd))
        g = grade_weld(bead, s, FILLET)
        grades[(speed, ctwd)] = g
        band = {"B": (0.75, 1.0), "C": (0.5, 0.75), "D": (0.25, 0.5), None: (0.0, 0.25)}[g.iso5817_level]
        assert band[0] < g.quality_score <= band[1] or (g.iso5817_level is None and g.quality_score >= 0.0)
    levels = {g.iso5817_level for g in grades.values()}
    assert levels == {"B", "C", "D", None}
    order = {"B": 0, "C": 1, "D": 2, None: 3}
    ranked = sorted(grades.values(), key=lambda g: -g.quality_score)
    assert [order[g.iso5817_level] for g in ranked] == sorted(order[g.iso5817_level] for g in ranked)


def test_quality_is_continuous_inside_level_b() -> None:
    model = ProcessModel(WPS(), FILLET)
    speeds = np.linspace(5.0, 7.0, 41)
    q = model.evaluate(SegmentInputs.from_wps(WPS(), 41, travel_speed_mm_s=speeds)).quality
    assert np.all(q > 0.75) and np.max(np.abs(np.diff(q))) < 0.01


def test_arc_off_lowers_welded_fraction_and_score() -> None:
    model = ProcessModel(WPS(), FILLET)
    arc = np.ones(20, dtype=bool)
    arc[:5] = False
    s = np.arange(5.0, 200.0, 10.0)
    full = grade_weld(model.evaluate(SegmentInputs.from_wps(WPS(), 20)), s, FILLET)
    part = grade_weld(model.evaluate(SegmentInputs.from_wps(WPS(), 20, arc_on=arc)), s, FILLET)
    assert part.welded_fraction == pytest.approx(0.75)
    assert part.quality_score == pytest.approx(0.75 * full.quality_score)
    assert part.heat_input_kj_mm == pytest.approx(full.heat_input_kj_mm)


def test_grade_to_dict_payload() -> None:
    model = ProcessModel(WPS(), FILLET)
    s = np.arange(5.0, 200.0, 10.0)
    g = grade_weld(model.evaluate(SegmentInputs.from_wps(WPS(), 20, travel_speed_mm_s=10.0)), s, FILLET)
    d = g.to_dict()
    assert d["iso5817_level"] is None and 0.0 <= d["quality_score"] <= 0.25
    assert {"iso6520_code", "s_mm", "size_mm"} <= set(d["imperfections"][0])
    assert d["heat_input_kj_mm"] == pytest.approx(0.8 * 25.0 * 282.175 / 10.0e3, rel=1e-4)


def test_grade_rejects_bad_positions() -> None:
    model = ProcessModel(WPS(), FILLET)
    bead = model.evaluate(SegmentInputs.from_wps(WPS(), 3))
    with pytest.raises(UserError, match="strictly increasing"):
        grade_weld(bead, np.array([0.0, 2.0, 1.0]), FILLET)
    with pytest.raises(UserError, match="shape"):
        grade_weld(bead, np.array([0.0, 1.0]), FILLET)


def test_level_map_has_b_window_in_the_middle(tmp_path: object) -> None:
    data = iso_level_map(
        travel_speeds_mm_s=np.array([3.0, 4.5, 6.0, 7.5, 10.0]), ctwds_mm=np.array([15.0, 28.0])
    )
    assert data.level[0].tolist() == [2, 0, 0, 0, 3]
    window = data.b_window_mm_s(15.0)
    assert window is not None and window[0] < 6.0 < window[1]
    codes = data.dominant_code[0]
    assert codes[0] in {"505", "5214", "503"}  # slow: convex, oversized
    assert codes[-1] in {"5213", "5011", "4011"}  # fast: undersized, undercut, lack of fusion
    assert data.dominant_code[1][-1] == "4011"  # fast with a long CTWD: lack of side-wall fusion
    out = plot_iso_level_map(data, tmp_path / "map.png")  # type: ignore[operator]
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
