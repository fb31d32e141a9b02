"""Episode API of WeldCellEnv: truncation, reward terms, info keys, privileged truth, errors, rendering."""

from __future__ import annotations

import numpy as np
import pytest

from weldcraft.envs.controllers import NominalController, run_episode
from weldcraft.envs.observation import OBS_INDEX, decode_observation
from weldcraft.envs.weld_cell_env import WeldCellEnv
from weldcraft.errors import ConfigError, UserError
from weldcraft.seams import SeamRealization


@pytest.fixture(scope="module")
def tiny() -> WeldCellEnv:
    env = WeldCellEnv("tiny_fillet", reward_weights={"progress": 0.5, "action_rate": 0.1})
    yield env
    env.close()


def test_truncation_reports_the_weld_so_far() -> None:
    env = WeldCellEnv("tiny_fillet", max_episode_steps=30)
    try:
        info = run_episode(env, NominalController(), seed=1)
        assert info["termination_reason"] == "time_limit"
        assert env.bead.n == 30
        weld = info["weld"]
        assert weld["completed"] is False
        # 30 of 93 steps welded: the score counts the unwelded rest of the seam as missing
        assert 0.2 < weld["quality_score"] < 0.3
    finally:
        env.close()


def test_reward_is_the_weighted_sum_of_its_terms(tiny: WeldCellEnv) -> None:
    tiny.reset(seed=4)
    total = 0.0
    prev = np.zeros(5)
    for k in range(200):
        action = np.array([0.1 * np.sin(k), 0, 0, 0, 0], dtype=np.float32)
        _, reward, terminated, truncated, info = tiny.step(action)
        t = info["reward_terms"]
        w = tiny.reward_weights
        expected = (
            w.quality * t["quality"]
            + w.progress * t["progress"]
            + w.completion * t["completion"]
            + w.failure * t["failure"]
            + w.action_rate * t["action_rate"]
        )
        assert reward == pytest.approx(expected, abs=1e-12)
        assert t["action_rate"] == pytest.approx(-float(np.sum((action - prev) ** 2)), abs=1e-6)
        prev = action
        total += t["quality"]
        if terminated or truncated:
            break
    assert info["termination_reason"] == "seam_complete"
    assert t["completion"] == pytest.approx(info["weld"]["quality_score"])
    # the quality terms add up to the length-weighted mean segment quality of the completed weld
    quality = tiny.bead.column("quality")
    lengths = tiny.bead.length_mm[: tiny.bead.n]
    assert total == pytest.approx(float(np.sum(quality * lengths)) / tiny.job.length_mm, rel=1e-9)


def test_observation_is_what_the_robot_knows(tiny: WeldCellEnv) -> None:
    obs, info = tiny.reset(seed=2)
    assert obs.dtype == np.float32 and tiny.observation_space.contains(obs)
    assert info["q_rad"].shape == (6,)
    for _ in range(10):
        obs, *_ = tiny.step(np.zeros(5, dtype=np.float32))
    d = decode_observation(obs)
    assert d["tracker_valid"] == 1.0
    assert d["progress"] == pytest.approx(10 * 0.325 / 30.0, rel=1e-6)
    assert d["travel_speed_ratio"] == pytest.approx(1.0)
    assert 200.0 < d["current_a"] < 320.0
    # on the tracked seam: the torch is where the robot thinks the seam is, within the sensor noise
    assert abs(d["torch_lateral_offset_mm"]) < 0.2 and abs(d["torch_ctwd_error_mm"]) < 0.3
    q_norm = obs[OBS_INDEX["q0_normalized"] : OBS_INDEX["q0_normalized"] + 6]
    assert np.all(np.abs(q_norm) <= 1.0)


def test_true_seam_state_exposes_the_placement_error() -> None:
    env = WeldCellEnv("tiny_fillet", randomization={"enabled": False}, seam_tracking=False)
    try:
        job = env.job
        away = job.part_pose.rotation().inv().apply([1.0, 0.0, 0.0])
        real = SeamRealization(job, tuple(2.0 * away), (0.0, 0.0, 0.0), job.gap, (0.0, 0.0), (0.0, 0.0))
        env.reset(seed=0, options={"realization": real})
        env.step(np.zeros(5, dtype=np.float32))
        truth = env.true_seam_state()
        # the web slid 2 mm away (horizontal): in the seam frame that is 2/sqrt(2) mm along b and n
        assert truth.reference_error_lateral_mm == pytest.approx(2.0 / np.sqrt(2.0), abs=0.02)
        assert truth.reference_error_normal_mm == pytest.approx(-2.0 / np.sqrt(2.0), abs=0.02)
        assert truth.torch.lateral_offset_mm == pytest.approx(-2.0 / np.sqrt(2.0), abs=0.05)
        # a privileged controller can put the wire back on the true seam
        a0 = truth.reference_error_lateral_mm / env.action_scaling.lateral_range_mm
        for _ in range(10):
            env.step(np.array([a0, 0, 0, 0, 0], dtype=np.float32))
        assert abs(env.true_seam_state().torch.lateral_offset_mm) < 0.05
    finally:
        env.close()


def test_user_errors_name_what_went_wrong(tiny: WeldCellEnv) -> None:
    env = WeldCellEnv("tiny_fillet")
    try:
        with pytest.raises(UserError, match="before reset"):
            env.step(np.zeros(5, dtype=np.float32))
        with pytest.raises(UserError, match="SeamRealization"):
            env.reset(options={"realization": "fillet"})
    finally:
        env.close()
    with pytest.raises(ConfigError, match="unknown seam preset 'fillet'"):
        WeldCellEnv("fillet")
    with pytest.raises(ConfigError, match="render_mode"):
        WeldCellEnv("tiny_fillet", render_mode="video")


def test_rgb_array_shows_the_bead_in_iso_colours() -> None:
    env = WeldCellEnv("tiny_fillet", randomization={"enabled": False}, render_mode="rgb_array")
    try:
        env.reset(seed=0)
        before = env.render()
        for _ in range(60):
            env.step(np.zeros(5, dtype=np.float32))
        after = env.render()
        assert before.shape == after.shape == (240, 320, 3) and after.dtype == np.uint8

        def green(img: np.ndarray) -> int:  # level-B bead colour (0.15, 0.75, 0.25)
            r, g, b = (img[..., k].astype(int) for k in range(3))
            return int(np.sum((g > 120) & (g > r + 50) & (g > b + 50)))

        assert green(before) == 0 and green(after) > 50
    finally:
        env.close()


@pytest.mark.parametrize("preset", ["fillet_pb", "butt_pa", "lap_pb", "curved_fillet_pb"])
def test_tracker_finds_each_presets_seam_on_its_real_plates(preset: str) -> None:
    noiseless = {"noise_sigma_mm": 0.0, "outlier_prob": 0.0}
    env = WeldCellEnv(preset, randomization={"enabled": False}, sensor=noiseless)
    try:
        job = env.job
        env.reset(seed=0)
        for s_m in (0.0, 0.01, 0.02):  # the approach scan covered the first look-ahead length
            corr = env.buffer.query(s_m)
            assert corr.ok and abs(corr.lateral_mm) < 0.02 and abs(corr.normal_mm) < 0.02
        # the part slid 1.5 mm away from the robot: the tracker measures that shift in the seam frame
        away = job.part_pose.rotation().inv().apply([1.0, 0.0, 0.0])
        real = SeamRealization(job, tuple(1.5 * away), (0.0, 0.0, 0.0), job.gap, (0.0, 0.0), (0.0, 0.0))
        env.reset(seed=0, options={"realization": real})
        _, frame = env.world.programmed.point_frame(0.0)
        shift_world = env.cell.world_rot_work @ job.part_pose.rotation().apply(1.5 * away)
        expected = frame.T @ shift_world  # (t, n, b) components in mm
        corr = env.buffer.query(0.0)
        assert corr.lateral_mm == pytest.approx(expected[2], abs=0.03)
        assert corr.normal_mm == pytest.approx(expected[1], abs=0.03)
    finally:
        env.close()


def test_an_outer_time_limit_leaves_the_weld_outcome_available() -> None:
    import gymnasium as gym

    env = gym.make("weldcraft/TinyFillet-v0", max_episode_steps=12)
    try:
        env.reset(seed=0)
        for _ in range(12):
            _, _, terminated, truncated, info = env.step(np.zeros(5, dtype=np.float32))
        assert truncated and not terminated and "weld" not in info  # gymnasium's TimeLimit cut it
        weld = env.unwrapped.weld_outcome()
        assert weld["completed"] is False and env.unwrapped.bead.n == 12
        assert 0.0 < weld["quality_score"] < 0.15  # 12 of 93 steps of a level-B bead
    finally:
        env.close()
