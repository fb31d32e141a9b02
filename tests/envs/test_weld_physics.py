"""The welding physics shows through the env: grades, placement errors, torch angles, reach."""

from __future__ import annotations

import math

import numpy as np
import pytest

from weldcraft.envs.controllers import NominalController, run_episode
from weldcraft.envs.seam_world import nominal_realization
from weldcraft.envs.weld_cell_env import WeldCellEnv
from weldcraft.process import ProcessModel
from weldcraft.seams import SeamRealization, WeldJob, load_job


@pytest.fixture(scope="module")
def fillet_env() -> WeldCellEnv:
    env = WeldCellEnv("fillet_pb", randomization={"enabled": False})
    yield env
    env.close()


def _slid_away(job: WeldJob, shift_mm: float) -> SeamRealization:
    """The nominal part slid on the table by shift_mm away from the robot (work +x), no other error.

    For the PB fillet the web (vertical) retreats from the torch and the flange stays in its plane, so
    the wire lands on the flange before the root; a slide towards the robot would drive the web into
    the nozzle (2.5 mm clearance at CTWD 15) and end the weld with a collision instead.
    """
    away_part = job.part_pose.rotation().inv().apply([1.0, 0.0, 0.0])
    shift = tuple(float(v) for v in shift_mm * away_part)
    return SeamRealization(job, shift, (0.0, 0.0, 0.0), job.gap, (0.0, 0.0), (0.0, 0.0))


def test_nominal_run_on_a_perfect_fillet_is_level_b(fillet_env: WeldCellEnv) -> None:
    info = run_episode(fillet_env, NominalController(), seed=0)
    weld = info["weld"]
    assert info["termination_reason"] == "seam_complete"
    assert weld["completed"] is True
    assert weld["iso5817_level"] == "B"
    assert weld["quality_score"] > 0.75
    assert weld["imperfections"] == []
    # heat input of the WPS: 0.8 * 25 V * I / 6.5 mm/s with I about 280 A (process model)
    assert 0.8 < weld["heat_input_kj_mm"] < 0.95
    assert fillet_env.bead.n >= 460  # one segment per step along 150 mm at 0.325 mm per step


def test_misplaced_part_loses_level_without_tracking_and_keeps_it_with(fillet_env: WeldCellEnv) -> None:
    job = fillet_env.job
    shifted = _slid_away(job, 3.0)
    fillet_env.seam_tracking = False
    try:
        blind = run_episode(fillet_env, NominalController(), seed=0, options={"realization": shifted})
    finally:
        fillet_env.seam_tracking = True
    tracked = run_episode(fillet_env, NominalController(), seed=0, options={"realization": shifted})
    assert blind["weld"]["iso5817_level"] not in ("B", "C")
    assert {imp["iso6520_code"] for imp in blind["weld"]["imperfections"]} & {"4011", "512", "5011"}
    assert tracked["weld"]["iso5817_level"] == "B"
    assert tracked["weld"]["quality_score"] > blind["weld"]["quality_score"] + 0.3


def test_work_angle_15_deg_off_gives_the_models_leg_asymmetry() -> None:
    env = WeldCellEnv(
        "tiny_fillet", randomization={"enabled": False}, sensor={"noise_sigma_mm": 0.0, "outlier_prob": 0.0}
    )
    try:
        # At CTWD 15 the nozzle (8.5 mm tip radius, 12 mm from the root) tilted 15 deg towards a plate
        # of a 90 deg corner hits it; at 22 mm it clears by about 2 mm.
        a2 = 15.0 / env.action_scaling.work_angle_range_deg
        ctwd = 22.0
        a1 = (ctwd - env.job.wps.ctwd_mm) / env.action_scaling.ctwd_range_mm
        info = run_episode(
            env,
            NominalController(ctwd=a1, work_angle=a2),
            seed=0,
            options={"realization": nominal_realization(env.job)},
        )
        assert info["termination_reason"] == "seam_complete"
        n = env.bead.n
        mid = slice(n // 3, 2 * n // 3)
        legs_a = env.bead.column("leg_a_mm")[mid]
        legs_b = env.bead.column("leg_b_mm")[mid]
        wps = env.job.wps
        model = ProcessModel(wps, env.job.joint, env.job.position)
        tilted = model.evaluate_one(wps.travel_speed_mm_s, ctwd, wps.travel_angle_deg, 15.0)
        square = model.evaluate_one(wps.travel_speed_mm_s, ctwd, wps.travel_angle_deg, 0.0)
        # tilting towards side B (the web) moves metal onto the web leg: a real change to compare
        assert (tilted.leg_b_mm - tilted.leg_a_mm) - (square.leg_b_mm - square.leg_a_mm) > 0.5
        np.testing.assert_allclose(legs_a, tilted.leg_a_mm, atol=0.03)
        np.testing.assert_allclose(legs_b, tilted.leg_b_mm, atol=0.03)
        np.testing.assert_allclose(env.bead.column("asymmetry_mm")[mid], tilted.asymmetry_mm, atol=0.05)
    finally:
        env.close()


def test_unreachable_target_terminates_with_the_reason() -> None:
    data = load_job("tiny_fillet").to_mapping()
    data["name"] = "out_of_reach"
    data["seam"]["start_m"], data["seam"]["end_m"] = [1.45, 0.0, 0.0], [1.65, 0.0, 0.0]
    data["gap"] = {"s_mm": [0.0, 200.0], "gap_mm": [0.0, 0.0]}
    env = WeldCellEnv(WeldJob.from_mapping(data), randomization={"enabled": False})
    try:
        info = run_episode(env, NominalController(speed=1.0), seed=0)
        assert info["termination_reason"] == "unreachable"
        assert info["ik_reason"] in ("unreachable", "joint_limits", "discontinuous")
        assert info["weld"]["completed"] is False
        assert 50.0 < info["s_mm"] < 200.0
        assert env.cell.robot.within_limits(info["q_rad"])
        assert info["reward_terms"]["failure"] == -1.0
    finally:
        env.close()


def test_weaving_flattens_the_cap_and_wets_the_toes() -> None:
    env = WeldCellEnv("tiny_fillet", randomization={"enabled": False})
    try:
        straight = run_episode(env, NominalController(), seed=0)
        mid = slice(env.bead.n // 3, 2 * env.bead.n // 3)
        cap_straight = float(np.median(env.bead.column("reinforcement_mm")[mid]))
        toe_straight = float(np.median(env.bead.column("toe_angle_b_deg")[mid]))
        q_straight = float(np.mean(env.bead.column("quality")[mid]))
        woven = run_episode(env, NominalController(weave_amplitude_mm=2.0, weave_hz=2.0), seed=0)
        cap_woven = float(np.median(env.bead.column("reinforcement_mm")[mid]))
        toe_woven = float(np.median(env.bead.column("toe_angle_b_deg")[mid]))
        q_woven = float(np.mean(env.bead.column("quality")[mid]))
        assert straight["termination_reason"] == woven["termination_reason"] == "seam_complete"
        # +-2 mm at 2 Hz sampled at 20 Hz is 3.8 mm peak to peak; the arm follows it
        assert env._weave_width_mm == pytest.approx(3.8, abs=0.3)
        assert cap_woven < cap_straight - 0.1
        assert toe_woven > toe_straight + 3.0
        assert q_woven > q_straight + 0.02  # per-step quality along the steady part of the weld
    finally:
        env.close()


def test_info_weld_has_the_public_contract_keys(fillet_env: WeldCellEnv) -> None:
    fillet_env.reset(seed=3)
    fillet_env.unwrapped.reset(seed=3)
    info = run_episode(fillet_env, NominalController(), seed=3, max_steps=5)
    # a truncated (here: stopped early by the caller) episode has no weld yet
    assert "weld" not in info and info["q_rad"].shape == (6,)
    info = run_episode(fillet_env, NominalController(), seed=3)
    weld = info["weld"]
    assert set(weld) >= {"iso5817_level", "quality_score", "completed", "imperfections", "heat_input_kj_mm"}
    assert weld["iso5817_level"] in ("B", "C", "D", None)
    assert 0.0 <= weld["quality_score"] <= 1.0
    for imp in weld["imperfections"]:
        assert {"iso6520_code", "s_mm", "size_mm"} <= set(imp)
        assert 0.0 <= imp["s_mm"] <= 150.5 and math.isfinite(imp["size_mm"])
