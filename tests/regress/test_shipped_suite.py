"""The suite shipped in regress/ passes, and a program shifted 2 mm sideways fails it by name."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from weldcraft.export import export_program, read_program
from weldcraft.regress import load_suite, run_suite
from weldcraft.regress.replay import base_pose, make_env
from weldcraft.seams import load_job

SUITE = Path(__file__).resolve().parents[2] / "regress" / "fillet_pb.weld.yaml"


def test_shipped_suite_passes() -> None:
    result = run_suite(SUITE)
    assert result.passed and result.exit_code == 0, result.summary()
    by_name = {c.case.name: c for c in result.cases}
    assert list(by_name) == [
        "fillet_pb_nominal_rapid",
        "tiny_fillet_nominal_json",
        "tiny_fillet_misplaced_part",
    ]
    nominal = by_name["fillet_pb_nominal_rapid"]
    assert nominal.replay is not None and nominal.replay.weld["iso5817_level"] == "B"
    assert nominal.replay.weld["quality_score"] == pytest.approx(0.813, abs=0.005)
    rms = next(c for c in nominal.checks if c.name == "path_rms_max_mm")
    assert rms.message.startswith("TCP path RMS 0.000 mm vs golden")
    assert by_name["tiny_fillet_misplaced_part"].replay.weld["iso5817_level"] == "C"  # type: ignore[union-attr]


def _lateral_base(preset: str, s_m: float) -> np.ndarray:
    """The seam's b axis (CONTRACTS.md: lateral, towards side B) in the robot base frame at s."""
    env = make_env(load_job(preset), seed=None, control_hz=20.0, max_steps=10)
    try:
        rot, _ = base_pose(env)
        _, frame = env.world.programmed.point_frame(s_m)
        return np.asarray(rot.T @ frame[:, 2])
    finally:
        env.close()


@pytest.mark.parametrize(("sign", "lof_side", "undercut_side"), [(1.0, "A", "B"), (-1.0, "B", "A")])
def test_program_shifted_2mm_fails_naming_the_imperfection(
    tmp_path: Path, sign: float, lof_side: str, undercut_side: str
) -> None:
    copy = tmp_path / "regress"
    shutil.copytree(SUITE.parent, copy)
    prog_path = copy / "programs" / "fillet_pb_nominal.mod"
    program = read_program(prog_path)
    shift = sign * 0.002 * _lateral_base("fillet_pb", 0.075)
    shifted = dataclasses.replace(program, tcp_pos_m=program.tcp_pos_m + shift)
    written = export_program(shifted, "rapid", tmp_path / "out")
    shutil.copyfile(written.paths[0], prog_path)
    result = run_suite(copy / SUITE.name, select=["fillet_pb_nominal_rapid"])
    (case,) = result.cases
    assert not case.passed and result.exit_code == 1
    msg = case.message
    assert msg.startswith("case fillet_pb_nominal_rapid: expected level >= B, got none (fails D): ")
    # the worst offender is named first, with its ISO 6520 code and name, side, size, position and limit
    assert f"4011 lack of side-wall fusion (side {lof_side}) " in msg
    assert "(not permitted at level B)" in msg
    assert f"5011 continuous undercut (side {undercut_side})" in msg and "(limit 0.40 mm at level B)" in msg
    assert "TCP path RMS 2.00" in msg and "over the limit 0.1 mm" in msg
    assert {c.name for c in case.failures} == {
        "level",
        "quality_min",
        "forbid",
        "path_rms_max_mm",
        "quality_tolerance",
    }


def test_suite_file_is_valid_and_documented() -> None:
    suite = load_suite(SUITE)
    assert suite.name == "fillet_pb_regression" and len(suite.cases) == 3
    for case in suite.cases:
        assert case.golden.is_file(), case.golden
        assert case.program is not None and case.program.is_file()
