"""Validation before anything is written: clear refusals, nothing on disk, force writes the report."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from weldcraft.errors import UserError
from weldcraft.export import (
    ExportRefused,
    RobotSpec,
    WeldProgram,
    export_program,
    validate_program,
)
from weldcraft.export.sample import forward_kinematics

FORMATS = ("csv", "fanuc", "json", "krl", "rapid", "ros2", "urscript")


def _with(program: WeldProgram, **arrays: np.ndarray) -> WeldProgram:
    return replace(program, **arrays)


def _files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*"))


def test_the_sample_program_is_valid_and_consistent_with_its_kinematics(plain_program: WeldProgram) -> None:
    report = validate_program(plain_program, fk=forward_kinematics)
    assert report.ok and not report.issues


@pytest.mark.parametrize("fmt", FORMATS)
def test_nan_pose_is_refused_with_its_index_and_nothing_is_written(
    plain_program: WeldProgram, fmt: str, tmp_path: Path
) -> None:
    pos = np.array(plain_program.tcp_pos_m)
    pos[200, 1] = np.nan
    bad = _with(plain_program, tcp_pos_m=pos)
    with pytest.raises(ExportRefused) as info:
        export_program(bad, fmt, tmp_path / "out", name="fillet", force=True)  # not forceable
    issue = info.value.report.errors[0]
    assert (issue.check, issue.index) == ("non_finite", 200)
    assert "tcp_pos_m is nan or inf" in str(info.value)
    assert isinstance(info.value, UserError)
    assert _files(tmp_path) == []


def test_joint_beyond_its_limit_is_refused_naming_joint_value_limit_and_time(
    plain_program: WeldProgram, tmp_path: Path
) -> None:
    q = np.array(plain_program.q_rad)
    q[300:305, 1] = 2.9  # joint_2 upper limit 2.79 rad
    bad = _with(plain_program, q_rad=q)
    with pytest.raises(ExportRefused) as info:
        export_program(bad, "rapid", tmp_path)
    limit = [i for i in info.value.report.errors if i.check == "joint_limit"]
    assert len(limit) == 1
    assert (limit[0].index, limit[0].count) == (300, 5)
    assert limit[0].time_s == pytest.approx(plain_program.t_s[300])
    assert "joint_2 is 2.9000 rad, above its upper limit 2.7900 rad" in limit[0].message
    # The jump into and out of the bad values is also too fast for the joint.
    assert "joint_speed" in info.value.report.checks_failed()
    assert _files(tmp_path) == []


@pytest.mark.parametrize(
    ("fmt", "name", "expected"),
    [
        ("rapid", "fillet weld", "not an identifier"),
        ("rapid", "w" * 40, "has 40 characters; ABB RAPID allows 32"),
        ("krl", "w" * 25, "KUKA KRL allows 24"),
        ("fanuc", "FILLET_WELD", "FANUC TP allows 10"),
        ("urscript", "2nd_weld", "not an identifier"),
        ("rapid", "MODULE", "reserved word"),
        ("krl", "lin", "reserved word"),
    ],
)
def test_bad_names_are_refused_with_a_suggestion(
    plain_program: WeldProgram, fmt: str, name: str, expected: str, tmp_path: Path
) -> None:
    with pytest.raises(ExportRefused, match=expected) as info:
        export_program(plain_program, fmt, tmp_path, name=name, force=True)
    assert info.value.report.checks_failed() == {"name"}
    assert _files(tmp_path) == []


def test_force_writes_a_program_that_fails_motion_checks_with_the_report_beside_it(
    plain_program: WeldProgram, tmp_path: Path
) -> None:
    small = replace(plain_program.robot, reach_m=0.5)
    bad = replace(plain_program, robot=small)
    with pytest.raises(ExportRefused, match="reach"):
        export_program(bad, "krl", tmp_path)
    assert _files(tmp_path) == []
    result = export_program(bad, "krl", tmp_path, force=True)
    names = sorted(p.name for p in result.paths)
    assert names == ["fillet_pb_sample.dat", "fillet_pb_sample.src", "fillet_pb_sample.validation.txt"]
    report = (tmp_path / "fillet_pb_sample.validation.txt").read_text()
    # Tool 0.383 m + arm 0.5 m: the points around the weld (0.886 m away) are out of reach.
    assert "error: reach at point 130..416 (287 points), t=2.600 s: TCP is 0.886 m" in report
    assert "the robot reaches 0.883 m (arm 0.500 m + tool)" in report
    assert result.report.checks_failed() == {"reach"}


def test_wrist_flip_inside_a_weld_is_an_error_and_in_the_air_a_warning(plain_program: WeldProgram) -> None:
    q = np.array(plain_program.q_rad)
    j5 = 4
    weld_i = 250
    q[weld_i:, j5] = -q[weld_i:, j5]  # the wrist flips in the middle of the weld
    report = validate_program(_with(plain_program, q_rad=q))
    flips = [i for i in report.issues if i.check == "wrist_flip"]
    assert [(i.severity, i.index) for i in flips] == [("error", weld_i - 1)]
    q = np.array(plain_program.q_rad)
    q[60:, j5] = -q[60:, j5]  # ... or during the approach
    flips = [i for i in validate_program(_with(plain_program, q_rad=q)).issues if i.check == "wrist_flip"]
    assert [(i.severity, i.index) for i in flips] == [("warning", 59)]


def test_time_must_increase_and_speed_limits_hold(plain_program: WeldProgram) -> None:
    t = np.array(plain_program.t_s)
    t[100] = t[99]
    report = validate_program(_with(plain_program, t_s=t))
    assert [(i.check, i.index) for i in report.errors] == [("time", 100)]
    robot = replace(plain_program.robot, max_joint_speed_rad_s=(0.05,) * 6)
    report = validate_program(replace(plain_program, robot=robot))
    assert "joint_speed" in report.checks_failed()


def test_fk_hook_catches_joints_that_do_not_match_the_poses(plain_program: WeldProgram) -> None:
    q = np.array(plain_program.q_rad)
    q[10, 0] += 0.01  # 10 mrad on J1 moves the TCP by ~9 mm at this reach
    report = validate_program(_with(plain_program, q_rad=q), fk=forward_kinematics)
    kin = [i for i in report.errors if i.check == "kinematics"]
    assert [(i.index, i.count) for i in kin] == [(10, 1)]


def test_collision_hook_failures_refuse_the_export(plain_program: WeldProgram, tmp_path: Path) -> None:
    def torch_hits_web(program: WeldProgram) -> list[tuple[int, str]]:
        return [(int(i), "torch nozzle vs web plate, 1.2 mm penetration") for i in range(180, 183)]

    with pytest.raises(ExportRefused, match="collision at point 180") as info:
        export_program(plain_program, "urscript", tmp_path, collision_check=torch_hits_web)
    assert len(info.value.report.errors) == 3
    assert _files(tmp_path) == []


def test_a_program_without_joints_cannot_go_to_ros2(plain_program: WeldProgram, tmp_path: Path) -> None:
    with pytest.raises(ExportRefused, match="joints_missing"):
        export_program(replace(plain_program, q_rad=None), "ros2", tmp_path, force=True)


def test_an_empty_program_is_refused_before_anything_exists(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="the program is empty"):
        WeldProgram.from_samples(
            np.zeros(0), np.zeros((0, 6)), np.zeros((0, 3)), np.zeros((0, 4)), np.zeros(0, bool),
            [], RobotSpec.generic_arc_welder(),
        )  # fmt: skip


def test_a_failed_write_leaves_no_temporary_files(plain_program: WeldProgram, tmp_path: Path) -> None:
    from weldcraft.export.writer import write_files_atomic

    blocker = tmp_path / "out" / "sub"
    blocker.parent.mkdir()
    blocker.write_text("a file where a directory is needed")
    with pytest.raises(UserError, match="cannot write the program"):
        write_files_atomic(tmp_path / "out", {"a.mod": "MODULE a\n", "sub/b.mod": "x"})
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["sub"]
