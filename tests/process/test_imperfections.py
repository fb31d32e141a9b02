"""Each imperfection appears when its cause is present and not otherwise (PB fillet, V butt, lap)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from weldcraft.process import ProcessModel, SegmentInputs, grade_weld
from weldcraft.seams import WPS, JointKind, JointSpec

FILLET = JointSpec(JointKind.FILLET, 8.0)
VBUTT = JointSpec(JointKind.SINGLE_V_BUTT, 6.0, groove_angle_deg=60.0, root_face_mm=1.5)
BUTT_WPS = WPS(travel_speed_mm_s=5.0, work_angle_deg=90.0)
S_MM = np.arange(5.0, 200.0, 10.0)


def _codes(joint: JointSpec, wps: WPS, **pose: Any) -> dict[tuple[str, str | None], float]:
    model = ProcessModel(wps, joint)
    bead = model.evaluate(SegmentInputs.from_wps(wps, S_MM.size, **pose))
    grade = grade_weld(bead, S_MM, joint)
    return {(imp.iso6520_code, imp.side): imp.size_mm for imp in grade.imperfections}


def test_nominal_fillet_is_clean_level_b() -> None:
    model = ProcessModel(WPS(), FILLET)
    bead = model.evaluate(SegmentInputs.from_wps(WPS(), S_MM.size))
    grade = grade_weld(bead, S_MM, FILLET)
    assert grade.iso5817_level == "B"
    assert grade.imperfections == ()
    assert grade.dominant_code is None


def test_nominal_butt_is_clean_level_b() -> None:
    assert _codes(VBUTT, BUTT_WPS, gap_mm=1.0) == {}


# (cause, pose overrides, codes that must appear as (code, side or None))
FILLET_CAUSES = [
    ("too fast", {"travel_speed_mm_s": 10.0}, {("5011", "B"), ("5213", None)}),
    ("aim towards web", {"lateral_offset_mm": 1.0}, {("5011", "B")}),
    ("aim towards flange", {"lateral_offset_mm": -1.0}, {("5011", "A"), ("512", None)}),
    ("offset far to flange", {"lateral_offset_mm": -1.6}, {("4011", "B"), ("5011", "A")}),
    ("work angle towards web", {"work_angle_error_deg": 40.0}, {("4011", "A")}),
    ("steep push", {"travel_angle_deg": 30.0}, {("2011", None)}),
    ("long ctwd", {"ctwd_mm": 27.0}, {("2011", None)}),
    ("long ctwd and fast", {"ctwd_mm": 28.0, "travel_speed_mm_s": 9.0}, {("4011", "A"), ("4011", "B")}),
    ("too slow", {"travel_speed_mm_s": 3.0}, {("505", "A"), ("5214", None)}),
    ("wide weave without dwell", {"weave_width_mm": 7.0}, {("5011", "B")}),
    ("wide root gap", {"gap_mm": 2.8}, {("617", None)}),
]


@pytest.mark.parametrize(("cause", "pose", "codes"), FILLET_CAUSES, ids=[c[0] for c in FILLET_CAUSES])
def test_fillet_cause_produces_imperfection(cause: str, pose: dict[str, float], codes: set[Any]) -> None:
    found = _codes(FILLET, WPS(), **pose)
    assert codes <= set(found), (cause, found)


def test_offset_sides_are_mirrored() -> None:
    to_b = _codes(FILLET, WPS(), lateral_offset_mm=1.6)
    to_a = _codes(FILLET, WPS(), lateral_offset_mm=-1.6)
    assert ("4011", "A") in to_b and ("4011", "B") not in to_b  # aimed at B: the cold plate A is not fused
    assert ("4011", "B") in to_a and ("4011", "A") not in to_a


def test_edge_dwell_removes_weave_undercut() -> None:
    assert ("5011", "B") in _codes(FILLET, WPS(), weave_width_mm=3.0, travel_speed_mm_s=7.5)
    assert ("5011", "B") not in _codes(
        FILLET, WPS(), weave_width_mm=3.0, travel_speed_mm_s=7.5, edge_dwell_fraction=0.5
    )


BUTT_CAUSES = [
    ("too fast: groove not filled", {"travel_speed_mm_s": 9.0, "gap_mm": 1.0}, {("511", None)}),
    ("no gap: root not fused", {"travel_speed_mm_s": 6.0, "gap_mm": 0.0, "ctwd_mm": 22.0}, {("4021", None)}),
    ("wide gap: burn-through", {"gap_mm": 3.0, "ctwd_mm": 10.0}, {("510", None)}),
    ("slow: excess weld metal", {"travel_speed_mm_s": 2.5, "gap_mm": 1.0}, {("502", None), ("505", None)}),
    (
        "hot and slow: excess penetration",
        {"gap_mm": 1.0, "ctwd_mm": 8.0, "travel_speed_mm_s": 3.5},
        {("504", None)},
    ),
]


@pytest.mark.parametrize(("cause", "pose", "codes"), BUTT_CAUSES, ids=[c[0] for c in BUTT_CAUSES])
def test_butt_cause_produces_imperfection(cause: str, pose: dict[str, float], codes: set[Any]) -> None:
    found = _codes(VBUTT, BUTT_WPS, **pose)
    assert codes <= set(found), (cause, found)


def test_lap_upper_edge_melts_when_aimed_at() -> None:
    lap = JointSpec(JointKind.LAP, 2.0)
    wps = WPS(wire_feed_m_min=5.0, voltage_v=21.0, travel_speed_mm_s=7.0)
    model = ProcessModel(wps, lap)
    centred = model.evaluate_one(7.0, 15.0, 10.0)
    aimed = model.evaluate_one(7.0, 15.0, 10.0, lateral_offset_mm=1.0)
    assert centred.leg_b_mm <= 2.0 + 1e-12 and aimed.leg_b_mm <= 2.0 + 1e-12  # leg B is the sheet edge
    assert aimed.undercut_b_mm > centred.undercut_b_mm
    assert aimed.undercut_b_mm > 0.0
