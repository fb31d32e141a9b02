"""Replaying programs in the cell: exact on its own rollout, through the exporters, with process data."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from weldcraft.export import WeldProgram, export_program, path_rms_mm, read_program
from weldcraft.process import heat_input_kj_mm
from weldcraft.regress.replay import record_program, replay_program, run_actions
from weldcraft.seams import WeldJob, load_job


@pytest.fixture(scope="module")
def job() -> WeldJob:
    return load_job("tiny_fillet")


@pytest.fixture(scope="module")
def program(job: WeldJob) -> WeldProgram:
    return record_program(job)


def test_replay_of_own_rollout_is_exact(job: WeldJob, program: WeldProgram) -> None:
    direct, _ = run_actions(job)  # zero actions: the nominal straight weld
    replay = replay_program(program, job)
    # 30 mm at 6.5 mm/s = 4.615 s: 93 control steps of 50 ms (the last one partial) + the start pose
    assert program.n_points == 94 and program.duration_s == pytest.approx(30.0 / 6.5, abs=1e-9)
    assert replay.termination_reason == "seam_complete" and replay.clipped_steps == 0
    assert replay.tracking_rms_mm < 1e-6
    assert replay.weld["iso5817_level"] == direct.weld["iso5817_level"] == "B"
    assert replay.weld["quality_score"] == pytest.approx(direct.weld["quality_score"], abs=1e-9)
    assert path_rms_mm(direct.tcp_pos_base_m, replay.tcp_pos_base_m) < 1e-6
    again = replay_program(program, job)
    assert np.array_equal(again.tcp_pos_base_m, replay.tcp_pos_base_m)  # deterministic


@pytest.mark.parametrize(("fmt", "suffix", "points"), [("rapid", ".mod", 2), ("urscript", ".script", 94)])
def test_replay_through_an_exporter(
    job: WeldJob, program: WeldProgram, tmp_path: Path, fmt: str, suffix: str, points: int
) -> None:
    written = export_program(program, fmt, tmp_path)
    back = read_program(next(p for p in written.paths if p.suffix == suffix))
    assert back.n_points == points  # RAPID: one straight ArcL; URScript: dense servoj
    replay = replay_program(back, job)
    direct = replay_program(program, job)
    assert replay.weld["iso5817_level"] == "B"
    assert path_rms_mm(direct.tcp_pos_base_m, replay.tcp_pos_base_m) < 0.05


def test_program_process_data_is_used(job: WeldJob, program: WeldProgram) -> None:
    """A program with 27 V instead of 25 V is graded with 27 V: heat input scales with U."""
    seg = program.segments[0]
    assert seg.process is not None
    hot_seg = dataclasses.replace(seg, process=dataclasses.replace(seg.process, voltage_v=27.0))
    hot = dataclasses.replace(program, segments=(hot_seg,))
    base = replay_program(program, job).weld["heat_input_kj_mm"]
    warm = replay_program(hot, job).weld["heat_input_kj_mm"]
    # EN 1011-1: Q = k U I / v; the current at the same WFS and CTWD barely changes with U
    assert warm / base == pytest.approx(27.0 / 25.0, rel=0.02)
    assert heat_input_kj_mm(25.0, 270.0, 6.5) == pytest.approx(0.8 * 25 * 270 / 6.5 / 1000)


def test_shifted_program_loses_level(job: WeldJob, program: WeldProgram) -> None:
    """2 mm along the seam's b axis (towards the web): lack of fusion on the flange, undercut on the web."""
    b_world = np.array([np.sqrt(0.5), 0.0, np.sqrt(0.5)])  # tiny_fillet: seam along y, b = (x + z)/sqrt 2
    shifted = dataclasses.replace(program, tcp_pos_m=program.tcp_pos_m + 0.002 * b_world)
    replay = replay_program(shifted, job)
    assert replay.weld["iso5817_level"] is None
    codes = {(i["iso6520_code"], i["side"]) for i in replay.weld["imperfections"]}
    assert ("4011", "A") in codes and ("5011", "B") in codes
    assert path_rms_mm(replay_program(program, job).tcp_pos_base_m, replay.tcp_pos_base_m) == pytest.approx(
        2.0, abs=0.02
    )


def test_seeded_part_is_reproducible(job: WeldJob, program: WeldProgram) -> None:
    a = replay_program(program, job, seed=7)
    b = replay_program(program, job, seed=7)
    c = replay_program(program, job, seed=3)
    assert a.weld == b.weld
    assert a.weld["iso5817_level"] == "C" and c.weld["iso5817_level"] is None
