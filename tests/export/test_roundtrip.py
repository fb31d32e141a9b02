"""Emit → read back → re-densify: the TCP path within 0.5 mm RMS of the original, arc events kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from weldcraft.export import (
    WeldProgram,
    densify_program,
    export_program,
    path_rms_mm,
    read_program,
    synchronized_rms_mm,
)

FORMATS = ("csv", "fanuc", "json", "krl", "rapid", "ros2", "urscript")
# Formats whose files carry every sample with its time: the weld is also checked at equal times.
TIMED = ("csv", "json", "ros2", "urscript")


def _read_back(program: WeldProgram, fmt: str, out: Path) -> tuple[WeldProgram, WeldProgram]:
    result = export_program(program, fmt, out, name="fillet")
    main = out / "fillet" if fmt == "ros2" else next(p for p in result.paths if p.stem.lower() == "fillet")
    back = read_program(main)
    return result.program, back


def _arc_points(program: WeldProgram) -> np.ndarray:
    """Positions where the arc starts and ends (first and last point of every arc-on run)."""
    a = program.arc_on.astype(int)
    starts = np.flatnonzero(np.diff(np.concatenate([[0], a])) == 1)
    ends = np.flatnonzero(np.diff(np.concatenate([a, [0]])) == -1)
    return program.tcp_pos_m[np.sort(np.concatenate([starts, ends]))]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("weave", ["plain", "zigzag", "circle"])
def test_round_trip_reproduces_the_path_and_the_arc_events(
    fmt: str, weave: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    original: WeldProgram = request.getfixturevalue(f"{weave}_program")
    written, back = _read_back(original, fmt, tmp_path)
    dense = densify_program(back, 0.005)
    # Path: every original sample near the replayed path and every replayed sample near the original.
    assert path_rms_mm(original.tcp_pos_m, dense.tcp_pos_m) <= 0.5
    assert path_rms_mm(dense.tcp_pos_m, original.tcp_pos_m) <= 0.5
    weld = original.arc_on
    assert path_rms_mm(original.tcp_pos_m[weld], dense.tcp_pos_m[dense.arc_on]) <= 0.5
    # Arc events: as many, at the same places, and the weld lasts as long.
    assert len(back.arc_events()) == len(original.arc_events()) == 2
    assert np.abs(_arc_points(back) - _arc_points(original)).max() * 1000.0 <= 0.5
    weld_time = lambda p: p.t_s[p.arc_on][-1] - p.t_s[p.arc_on][0]  # noqa: E731
    assert weld_time(back) == pytest.approx(weld_time(original), abs=0.05)
    assert back.segments[1].process.wire_feed_m_min == pytest.approx(8.0)
    assert back.segments[1].process.voltage_v == pytest.approx(25.0)
    if fmt in TIMED:
        assert (
            synchronized_rms_mm(original.t_s[weld], original.tcp_pos_m[weld], dense.t_s, dense.tcp_pos_m)
            <= 0.5
        )
    if written.segments[1].native_weave:
        # The controller weaves: the file carries the base path and the weave parameters.
        assert back.segments[1].native_weave
        assert back.segments[1].weave.pattern == original.segments[1].weave.pattern
        assert back.segments[1].weave.width_mm == pytest.approx(original.segments[1].weave.width_mm, abs=0.05)
        assert back.segments[1].weave.frequency_hz == pytest.approx(
            original.segments[1].weave.frequency_hz, rel=0.01
        )


def test_native_weave_goes_to_controllers_that_weave_and_dense_points_elsewhere(
    zigzag_program: WeldProgram, circle_program: WeldProgram, tmp_path: Path
) -> None:
    from weldcraft.export import prepare_program

    native = {fmt: prepare_program(zigzag_program, fmt).segments[1].native_weave for fmt in FORMATS}
    assert native == {
        "rapid": True,
        "krl": True,
        "fanuc": True,
        "urscript": False,
        "ros2": False,
        "csv": False,
        "json": False,
    }
    rapid = prepare_program(zigzag_program, "rapid")
    assert rapid.segments[1].n_points == 2  # a straight seam: start and end of the base path
    # No controller here weaves a circle natively: dense points everywhere.
    assert not any(
        prepare_program(circle_program, f).segments[1].native_weave for f in ("rapid", "krl", "fanuc")
    )
    assert prepare_program(circle_program, "rapid").segments[1].n_points > 50


def test_a_native_weave_program_goes_to_a_dense_format_re_densified(
    zigzag_program: WeldProgram, tmp_path: Path
) -> None:
    _, from_rapid = _read_back(zigzag_program, "rapid", tmp_path / "rapid")
    assert from_rapid.segments[1].native_weave
    result = export_program(from_rapid, "csv", tmp_path / "csv", name="fillet")
    back = read_program(result.paths[0])
    assert not back.segments[1].native_weave
    weld = zigzag_program.arc_on
    assert path_rms_mm(zigzag_program.tcp_pos_m[weld], back.tcp_pos_m[back.arc_on]) <= 0.5
