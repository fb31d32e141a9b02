"""The public contract of DESIGN §4/§9: heat_input_kj_mm and iso5817_limit, every row at every level."""

from __future__ import annotations

import math

import numpy as np
import pytest

from weldcraft.errors import UserError
from weldcraft.process import heat_input_kj_mm, is_short_limited, iso5817_limit, iso6520_code


def test_heat_input_worked_example() -> None:
    # EN 1011-1: 0.8 * 25 V * 270 A / 5.5 mm/s * 1e-3 = 0.982 kJ/mm
    q = heat_input_kj_mm(25.0, 270.0, 5.5)
    assert isinstance(q, float)
    assert q == pytest.approx(0.98182, abs=1e-5)
    assert round(q, 3) == 0.982
    assert heat_input_kj_mm(25.0, 270.0, 5.5, efficiency=0.6) == pytest.approx(0.73636, abs=1e-5)


def test_heat_input_arrays() -> None:
    q = heat_input_kj_mm(np.array([25.0, 20.0]), np.array([270.0, 200.0]), np.array([5.5, 4.0]))
    np.testing.assert_allclose(q, [0.98182, 0.8], atol=1e-5)


@pytest.mark.parametrize("speed", [0.0, -1.0, float("nan")])
def test_heat_input_rejects_bad_speed(speed: float) -> None:
    with pytest.raises(UserError, match="travel_speed_mm_s"):
        heat_input_kj_mm(25.0, 270.0, speed)


def test_heat_input_rejects_bad_efficiency() -> None:
    with pytest.raises(UserError, match="efficiency"):
        heat_input_kj_mm(25.0, 270.0, 5.0, efficiency=1.5)


T, B, A = 8.0, 10.0, 5.0  # thickness, reinforcement width, throat for the table below
# (row, level, expected) for t = 8 mm, b = 10 mm, a = 5 mm (t > 3 variants); caps tested separately
ROWS_T8 = [
    ("excess_weld_metal", "D", 1 + 0.25 * B),
    ("excess_weld_metal", "C", 1 + 0.15 * B),
    ("excess_weld_metal", "B", 1 + 0.1 * B),
    ("excessive_convexity", "D", 1 + 0.25 * B),
    ("excessive_convexity", "C", 1 + 0.15 * B),
    ("excessive_convexity", "B", 1 + 0.1 * B),
    ("undercut", "D", 1.0),  # 0.2 t = 1.6, max 1
    ("undercut", "C", 0.5),  # 0.1 t = 0.8, max 0.5
    ("undercut", "B", 0.4),  # 0.05 t
    ("toe_angle_butt", "D", 90.0),
    ("toe_angle_butt", "C", 110.0),
    ("toe_angle_butt", "B", 150.0),
    ("toe_angle_fillet", "D", 90.0),
    ("toe_angle_fillet", "C", 100.0),
    ("toe_angle_fillet", "B", 110.0),
    ("fillet_asymmetry", "D", 2 + 0.2 * A),
    ("fillet_asymmetry", "C", 2 + 0.15 * A),
    ("fillet_asymmetry", "B", 1.5 + 0.15 * A),
    ("insufficient_throat", "D", 0.3 + 0.1 * A),
    ("insufficient_throat", "C", 0.3 + 0.1 * A),
    ("insufficient_throat", "B", 0.0),
    ("excessive_throat", "D", math.inf),
    ("excessive_throat", "C", 1 + 0.2 * A),
    ("excessive_throat", "B", 1 + 0.15 * A),
    ("incompletely_filled_groove", "D", 2.0),  # 0.25 t = 2, max 2
    ("incompletely_filled_groove", "C", 0.8),
    ("incompletely_filled_groove", "B", 0.4),
    ("excess_penetration", "D", 5.0),  # 1 + 1.0 b = 11, max 5
    ("excess_penetration", "C", 4.0),  # 1 + 0.6 b = 7, max 4
    ("excess_penetration", "B", 3.0),  # 1 + 0.2 b = 3, max 3
    ("incomplete_root_penetration", "D", 1.6),
    ("incomplete_root_penetration", "C", 0.0),
    ("incomplete_root_penetration", "B", 0.0),
    ("lack_of_fusion", "D", 0.0),
    ("lack_of_fusion", "C", 0.0),
    ("lack_of_fusion", "B", 0.0),
    ("burn_through", "D", 0.0),
    ("burn_through", "C", 0.0),
    ("burn_through", "B", 0.0),
    ("cracks", "D", 0.0),
    ("cracks", "C", 0.0),
    ("cracks", "B", 0.0),
    ("incorrect_root_gap_fillet", "D", 1 + 0.3 * A),
    ("incorrect_root_gap_fillet", "C", 0.5 + 0.2 * A),
    ("incorrect_root_gap_fillet", "B", 0.5 + 0.1 * A),
    ("porosity", "D", 2.5),
    ("porosity", "C", 1.5),
    ("porosity", "B", 1.0),
]


@pytest.mark.parametrize(("row", "level", "expected"), ROWS_T8)
def test_every_row_every_level(row: str, level: str, expected: float) -> None:
    got = iso5817_limit(row, level, thickness_mm=T, bead_width_mm=B, throat_mm=A)
    assert got == pytest.approx(expected, abs=1e-12)


# the caps: large b, a or t so that the linear term exceeds the maximum
CAPS = [
    ("excess_weld_metal", {"bead_width_mm": 100.0}, (10.0, 7.0, 5.0)),
    ("excessive_convexity", {"bead_width_mm": 100.0}, (5.0, 4.0, 3.0)),
    ("undercut", {"thickness_mm": 40.0}, (1.0, 0.5, 0.5)),
    ("insufficient_throat", {"throat_mm": 30.0, "thickness_mm": 10.0}, (2.0, 1.0, 0.0)),
    ("excessive_throat", {"throat_mm": 30.0}, (math.inf, 4.0, 3.0)),
    ("incompletely_filled_groove", {"thickness_mm": 40.0}, (2.0, 1.0, 0.5)),
    ("excess_penetration", {"bead_width_mm": 100.0, "thickness_mm": 10.0}, (5.0, 4.0, 3.0)),
    ("incomplete_root_penetration", {"thickness_mm": 40.0}, (2.0, 0.0, 0.0)),
    ("incorrect_root_gap_fillet", {"throat_mm": 30.0, "thickness_mm": 10.0}, (4.0, 3.0, 2.0)),
]


@pytest.mark.parametrize(("row", "dims", "expected"), CAPS)
def test_caps(row: str, dims: dict[str, float], expected: tuple[float, float, float]) -> None:
    got = tuple(iso5817_limit(row, lv, **dims) for lv in ("D", "C", "B"))
    assert got == pytest.approx(expected)


THIN = [  # 0.5 <= t <= 3 variants, t = 2 mm, b = 10, a = 3
    ("undercut", (0.4, 0.2, 0.0)),
    ("incompletely_filled_groove", (0.5, 0.2, 0.0)),
    ("excess_penetration", (1 + 0.6 * 10, 1 + 0.3 * 10, 1 + 0.1 * 10)),
    ("insufficient_throat", (0.2 + 0.1 * 3, 0.2, 0.0)),
    ("incorrect_root_gap_fillet", (0.5 + 0.1 * 3, 0.3 + 0.1 * 3, 0.2 + 0.1 * 3)),
]


@pytest.mark.parametrize(("row", "expected"), THIN)
def test_thin_plate_rows(row: str, expected: tuple[float, float, float]) -> None:
    got = tuple(iso5817_limit(row, lv, thickness_mm=2.0, bead_width_mm=10.0, throat_mm=3.0) for lv in "DCB")
    assert got == pytest.approx(expected)


def test_short_flags() -> None:
    assert is_short_limited("incompletely_filled_groove", "B", thickness_mm=8.0)
    assert is_short_limited("insufficient_throat", "C", thickness_mm=8.0)
    assert is_short_limited("incomplete_root_penetration", "D", thickness_mm=8.0)
    assert not is_short_limited("undercut", "C", thickness_mm=8.0)
    assert is_short_limited("undercut", "C", thickness_mm=2.0)
    assert iso6520_code("undercut") == "5011"
    assert iso6520_code("excessive_convexity") == "503"


def test_unknown_imperfection_lists_valid_names() -> None:
    with pytest.raises(UserError, match="choose one of: .*excess_weld_metal.*undercut"):
        iso5817_limit("undercutt", "B", thickness_mm=8.0)


@pytest.mark.parametrize("level", ["A", "b", "", "E"])
def test_bad_level(level: str) -> None:
    with pytest.raises(UserError, match="B, C, D"):
        iso5817_limit("undercut", level, thickness_mm=8.0)


@pytest.mark.parametrize(
    ("row", "missing"),
    [
        ("undercut", "thickness_mm"),
        ("excess_weld_metal", "bead_width_mm"),
        ("fillet_asymmetry", "throat_mm"),
    ],
)
def test_missing_dimension(row: str, missing: str) -> None:
    with pytest.raises(UserError, match=missing):
        iso5817_limit(row, "C")


def test_negative_dimension() -> None:
    with pytest.raises(UserError, match="bead_width_mm"):
        iso5817_limit("excess_weld_metal", "C", bead_width_mm=-1.0)
    with pytest.raises(UserError, match="0.5"):
        iso5817_limit("undercut", "C", thickness_mm=0.2)
