"""The WeldProgram IR: construction from samples, self-validation, JSON round trip."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from weldcraft.errors import DataError, UserError
from weldcraft.export import (
    SCHEMA_VERSION,
    Pose,
    ProcessData,
    RobotSpec,
    WeaveData,
    WeldProgram,
    program_from_json,
    program_to_json,
)

PROC = ProcessData(wire_feed_m_min=8.0, voltage_v=25.0, travel_speed_mm_s=6.0)


def _line(n: int = 10, arc: list[bool] | None = None) -> dict:
    t = np.linspace(0.0, 1.0, n)
    pos = np.column_stack([0.8 + 0.01 * t, np.zeros(n), np.full(n, 0.3)])
    quat = np.tile([1.0, 0.0, 0.0, 0.0], (n, 1))
    arc_on = np.array(arc if arc is not None else [False] * 3 + [True] * (n - 6) + [False] * 3)
    return dict(t_s=t, q_rad=np.zeros((n, 6)), tcp_pos_m=pos, tcp_quat_xyzw=quat, arc_on=arc_on)


def test_from_samples_groups_points_into_air_and_weld_segments() -> None:
    prog = WeldProgram.from_samples(**_line(), process=PROC, robot=RobotSpec.generic_arc_welder())
    assert [(s.kind, s.start, s.stop) for s in prog.segments] == [
        ("air", 0, 3),
        ("weld", 3, 7),
        ("air", 7, 10),
    ]
    assert prog.segments[1].process == PROC
    assert prog.arc_events() == [(3, True), (7, False)]
    assert not prog.t_s.flags.writeable and not prog.tcp_pos_m.flags.writeable


def test_process_change_without_arc_off_starts_a_new_weld_segment() -> None:
    other = ProcessData(wire_feed_m_min=10.0, voltage_v=27.0, travel_speed_mm_s=5.0)
    idx = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    prog = WeldProgram.from_samples(
        **_line(), process=[PROC, other], robot=RobotSpec.generic_arc_welder(), process_index=idx
    )
    kinds = [(s.kind, s.start, s.stop, s.process) for s in prog.segments]
    assert kinds == [("air", 0, 3, None), ("weld", 3, 5, PROC), ("weld", 5, 7, other), ("air", 7, 10, None)]


def test_quaternions_are_normalised_to_a_fixed_sign() -> None:
    data = _line()
    data["tcp_quat_xyzw"] = np.tile([0.0, 0.0, 0.0, -1.0], (10, 1))
    prog = WeldProgram.from_samples(**data, process=PROC, robot=RobotSpec.generic_arc_welder())
    assert np.allclose(prog.tcp_quat_xyzw, [0.0, 0.0, 0.0, 1.0])
    assert Pose((0, 0, 0), (0.0, -1.0, 0.0, 0.0)).quat_xyzw == (0.0, 1.0, 0.0, 0.0)


def test_bad_inputs_raise_user_errors_naming_the_problem() -> None:
    robot = RobotSpec.generic_arc_welder()
    with pytest.raises(UserError, match="empty"):
        WeldProgram.from_samples(**_line(0, []), process=PROC, robot=robot)
    data = _line()
    data["tcp_quat_xyzw"] = np.tile([0.5, 0.0, 0.0, 0.5], (10, 1))
    with pytest.raises(DataError, match=r"tcp_quat_xyzw\[0\] is not a unit quaternion"):
        WeldProgram.from_samples(**data, process=PROC, robot=robot)
    data = _line()
    data["q_rad"] = np.zeros((10, 5))
    with pytest.raises(DataError, match="q_rad has shape"):
        WeldProgram.from_samples(**data, process=PROC, robot=robot)
    with pytest.raises(DataError, match="voltage_v must be in"):
        ProcessData(wire_feed_m_min=8.0, voltage_v=80.0, travel_speed_mm_s=6.0)
    with pytest.raises(DataError, match="dwells"):
        WeaveData("zigzag", 3.0, 2.0, 0.2, 0.1, 0.2)


def test_json_round_trip_keeps_everything_within_its_precision(zigzag_program: WeldProgram) -> None:
    text = program_to_json(zigzag_program)
    assert not re.search(r"\d[eE][-+]?\d|\bnan\b|\binf", text)
    back = program_from_json(text)
    assert back.schema_version == SCHEMA_VERSION
    assert np.abs(back.tcp_pos_m - zigzag_program.tcp_pos_m).max() <= 5e-7
    assert np.abs(back.q_rad - zigzag_program.q_rad).max() <= 5e-10
    assert [(s.kind, s.start, s.stop, s.process, s.weave) for s in back.segments] == [
        (s.kind, s.start, s.stop, s.process, s.weave) for s in zigzag_program.segments
    ]
    assert back.robot == zigzag_program.robot and back.tool == zigzag_program.tool


def test_json_with_an_unknown_schema_version_is_refused(plain_program: WeldProgram) -> None:
    doc = json.loads(program_to_json(plain_program))
    doc["schema_version"] = 99
    with pytest.raises(DataError, match="schema_version 99 is not supported"):
        program_from_json(json.dumps(doc), where="prog.json")
