"""Every registered weldcraft env passes Gymnasium's and SB3's env checkers and is deterministic."""

from __future__ import annotations

import subprocess
import sys
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import weldcraft
from weldcraft._registration import ENV_IDS
from weldcraft.envs.weld_cell_env import default_max_episode_steps
from weldcraft.seams import load_job

IDS = sorted(ENV_IDS)


def test_import_registers_ids_without_pybullet() -> None:
    public = {
        "weldcraft/FilletPB-v0",
        "weldcraft/ButtPA-v0",
        "weldcraft/LapPB-v0",
        "weldcraft/CurvedFilletPB-v0",
    }
    assert weldcraft.__version__ and public <= set(gym.registry)
    code = "import sys, weldcraft; assert 'pybullet' not in sys.modules, 'pybullet imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("env_id", IDS)
def test_time_limit_is_seam_length_over_speed_with_margin(env_id: str) -> None:
    preset, steps = ENV_IDS[env_id]
    assert gym.spec(env_id).max_episode_steps == steps == default_max_episode_steps(load_job(preset))


@pytest.mark.parametrize("env_id", IDS)
def test_gymnasium_and_sb3_checkers_pass(env_id: str) -> None:
    env = gym.make(env_id)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a checker warning is a failure
            gym_check_env(env.unwrapped, skip_render_check=True)
            sb3_check_env(env.unwrapped, warn=True, skip_render_check=True)
    finally:
        env.close()


def _rollout(env_id: str, seed: int, n: int) -> tuple[np.ndarray, list[float], dict]:
    env = gym.make(env_id)
    try:
        obs, _ = env.reset(seed=seed)
        rng = np.random.default_rng(seed)
        all_obs, rewards, info = [obs], [], {}
        for _ in range(n):
            # a smooth small policy: stays on the seam, so the rollout is long enough to compare
            action = np.clip(0.05 * rng.standard_normal(5), -1, 1).astype(np.float32)
            obs, reward, terminated, truncated, info = env.step(action)
            all_obs.append(obs)
            rewards.append(reward)
            if terminated or truncated:
                break
        return np.stack(all_obs), rewards, info
    finally:
        env.close()


@pytest.mark.parametrize("env_id", IDS)
def test_same_seed_same_rollout(env_id: str) -> None:
    obs_a, rew_a, info_a = _rollout(env_id, 7, 40)
    obs_b, rew_b, info_b = _rollout(env_id, 7, 40)
    obs_c, _, _ = _rollout(env_id, 8, 40)
    np.testing.assert_array_equal(obs_a, obs_b)
    assert rew_a == rew_b
    np.testing.assert_array_equal(info_a["q_rad"], info_b["q_rad"])
    # another seed is another part: the tracker sees it elsewhere
    assert not np.array_equal(obs_a[:5], obs_c[: len(obs_a)][:5])


def test_same_seed_same_weld_outcome() -> None:
    from weldcraft.envs.controllers import NominalController, run_episode

    outcomes = []
    for seed in (11, 11, 12):
        env = gym.make("weldcraft/TinyFillet-v0")
        try:
            info = run_episode(env.unwrapped, NominalController(weave_amplitude_mm=1.5), seed=seed)
            bead = env.unwrapped.bead
            outcomes.append((info["weld"], bead.values[: bead.n].copy(), env.unwrapped.realization))
        finally:
            env.close()
    (weld_a, bead_a, part_a), (weld_b, bead_b, part_b), (_, bead_c, part_c) = outcomes
    assert weld_a == weld_b and part_a == part_b
    np.testing.assert_array_equal(bead_a, bead_b)
    # another seed welds another part, and the bead shows it
    assert part_c != part_a
    n = min(len(bead_a), len(bead_c))
    assert not np.array_equal(bead_a[:n], bead_c[:n])
