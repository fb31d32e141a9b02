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


@pytest.mark.parametrize("fmt", ["rapid", "krl", "urscript", "fanuc", "json"])
def test_targets_relative_to_a_work_frame_come_back_in_the_base_frame(
    plain_program: WeldProgram, fmt: str, tmp_path: Path
) -> None:
    from dataclasses import replace

    from scipy.spatial.transform import Rotation

    from weldcraft.export import Pose

    work = Pose((0.1, -0.2, 0.05), tuple(Rotation.from_euler("z", 30.0, degrees=True).as_quat()))
    program = replace(plain_program, work_frame=work)
    written, back = _read_back(program, fmt, tmp_path)
    assert np.abs(back.tcp_pos_m - written.tcp_pos_m).max() * 1000.0 < 0.002
    if fmt in ("rapid", "krl", "urscript"):
        # The file itself holds work-frame coordinates: different numbers, same place.
        text = "".join(p.read_text() for p in tmp_path.iterdir() if p.is_file())
        assert "0.100" in text or "100.000" in text
        assert back.work_frame.position_m == pytest.approx(work.position_m, abs=1e-6)


def test_vendor_joint_mapping_from_the_template(plain_program: WeldProgram, tmp_path: Path) -> None:
    import re
    from dataclasses import replace

    from weldcraft.export.formats.rapid import RapidTemplate
    from weldcraft.export.templates import load_template

    mirrored = replace(
        load_template(RapidTemplate, "rapid"),
        joint_sign=(-1, 1, 1, -1, 1, -1),
        joint_offset_deg=(0, 0, -90, 0, 0, 0),
    )
    result = export_program(plain_program, "rapid", tmp_path, name="weld", template=mirrored)
    j0 = [
        float(x)
        for x in re.search(r"jointtarget j0 := \[\[([^\]]*)\]", result.paths[0].read_text())
        .group(1)
        .split(",")
    ]
    expected = np.degrees(plain_program.q_rad[0]) * [-1, 1, 1, -1, 1, -1] + [0, 0, -90, 0, 0, 0]
    assert np.allclose(j0, expected, atol=1e-4)


def test_centre_dwell_is_native_only_where_the_controller_has_it() -> None:
    from weldcraft.export import WeaveData, get_exporter

    w = WeaveData("zigzag", 3.0, 1.0, 0.1, 0.05, 0.1)
    assert get_exporter("rapid").supports_weave(w)
    assert not get_exporter("krl").supports_weave(w) and not get_exporter("fanuc").supports_weave(w)
    assert not get_exporter("urscript").supports_weave(WeaveData("zigzag", 3.0, 1.0))


def test_json_keeps_native_weave_parameters(zigzag_program: WeldProgram, tmp_path: Path) -> None:
    _, from_rapid = _read_back(zigzag_program, "rapid", tmp_path / "rapid")
    result = export_program(from_rapid, "json", tmp_path / "json", name="fillet")
    back = read_program(result.paths[0])
    assert back.n_points == from_rapid.n_points and back.segments[1].native_weave
    assert back.segments[1].weave == from_rapid.segments[1].weave


def test_a_trembling_weave_still_goes_native_within_the_round_trip_tolerance(tmp_path: Path) -> None:
    from weldcraft.export.sample import sample_program

    from .conftest import ZIGZAG

    noisy = sample_program(weave=ZIGZAG, rng=np.random.default_rng(11), noise_mm=0.08)
    written, back = _read_back(noisy, "rapid", tmp_path)
    assert written.segments[1].native_weave and written.segments[1].n_points == 2
    dense = densify_program(back, 0.005)
    weld = noisy.arc_on
    assert path_rms_mm(noisy.tcp_pos_m[weld], dense.tcp_pos_m[dense.arc_on]) <= 0.5
    assert synchronized_rms_mm(noisy.t_s[weld], noisy.tcp_pos_m[weld], dense.t_s, dense.tcp_pos_m) <= 0.5
