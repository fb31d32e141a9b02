"""Minari datasets: written without jax, env recoverable, metadata per episode, atomic under SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import gymnasium as gym
import minari
import numpy as np
import pytest

from tests.demos.fake_env import FAKE_ID
from weldcraft.demos import dataset as ds
from weldcraft.demos.episode import Episode, EpisodeMetadata, stack_infos
from weldcraft.errors import UserError


def rollout(
    env: gym.Env, seed: int, skill: str = "master", seam: str = "fillet_pb", gain: float = 0.5
) -> Episode:
    obs, info = env.reset(seed=seed)
    observations, actions, rewards, terms, truncs, infos = [obs], [], [], [], [], [info]
    rng = np.random.default_rng(seed)
    while True:
        a = np.clip(gain * rng.standard_normal(5), -1, 1).astype(np.float32)
        obs, r, term, trunc, info = env.step(a)
        observations.append(obs)
        actions.append(a)
        rewards.append(r)
        terms.append(term)
        truncs.append(trunc)
        infos.append(info)
        if term or trunc:
            break
    meta = EpisodeMetadata(
        welder_id=f"craftsman-{skill}",
        skill=skill,
        style="zigzag",
        seam=seam,
        seed=seed,
        iso_level="B" if skill == "master" else ("C" if skill == "competent" else None),
        quality_score={"master": 0.95, "competent": 0.8}.get(skill, 0.3),
        completed=True,
        seam_spec={"joint": "fillet", "thickness_mm": 8.0},
        extra={"weave": {"width_mm": 2.5}},
    )
    return Episode(
        observations=np.array(observations),
        actions=np.array(actions),
        rewards=np.array(rewards),
        terminations=np.array(terms),
        truncations=np.array(truncs),
        infos=stack_infos(infos),
        metadata=meta,
    )


def test_write_and_load_keeps_data_metadata_and_env(minari_root: Path) -> None:
    env = gym.make(FAKE_ID, horizon=7, gain=0.2)
    episodes = [rollout(env, s, skill) for s, skill in [(1, "master"), (2, "novice"), (3, "competent")]]
    path = ds.write_dataset("weldcraft_test/fake/master-v0", episodes, env, description="test")
    assert path == minari_root / "weldcraft_test/fake/master-v0"
    assert not (minari_root / ds.STAGING_DIR).exists() or not any((minari_root / ds.STAGING_DIR).iterdir())
    loaded = minari.load_dataset("weldcraft_test/fake/master-v0")
    assert loaded.total_episodes == 3 and loaded.total_steps == 21
    back = ds.read_episodes(loaded)
    for a, b in zip(episodes, back, strict=True):
        np.testing.assert_array_equal(a.actions, b.actions)
        np.testing.assert_array_equal(a.observations, b.observations)
        np.testing.assert_array_equal(a.rewards, b.rewards)
        np.testing.assert_array_equal(a.infos["q_rad"], b.infos["q_rad"])
        assert b.metadata == a.metadata
    assert [m.skill for m in ds.episode_metadata(loaded)] == ["master", "novice", "competent"]
    assert ds.weldcraft_metadata(loaded)["schema_version"] == ds.DATASET_SCHEMA_VERSION
    rec = loaded.recover_environment()
    assert rec.spec is not None and rec.spec.id == FAKE_ID and rec.spec.kwargs == {"horizon": 7, "gain": 0.2}
    assert minari.list_local_datasets().keys() == {"weldcraft_test/fake/master-v0"}
    with pytest.raises(UserError, match="already exists"):
        ds.write_dataset("weldcraft_test/fake/master-v0", episodes, env, description="again")


def test_overwrite_replaces_and_bad_ids_are_user_errors(minari_root: Path) -> None:
    env = gym.make(FAKE_ID, horizon=3)
    ds.write_dataset("fake-v0", [rollout(env, 1)], env, description="one")
    ds.write_dataset("fake-v0", [rollout(env, 1), rollout(env, 2)], env, description="two", overwrite=True)
    assert minari.load_dataset("fake-v0").total_episodes == 2
    with pytest.raises(UserError, match="malformed dataset id 'no version'"):
        ds.write_dataset("no version", [rollout(env, 1)], env, description="x")
    with pytest.raises(UserError, match="no dataset 'missing-v0'"):
        ds.load("missing-v0")


_CHILD = """
import sys, gymnasium as gym
sys.path.insert(0, {root!r})
from tests.demos import fake_env
from tests.demos.test_demos_dataset import rollout
from weldcraft.demos import dataset as ds
fake_env.register()
env = gym.make(fake_env.FAKE_ID, horizon=50)
eps = [rollout(env, 0)] * 3000
print("writing", flush=True)
ds.write_dataset("weldcraft_test/big-v0", eps, env, description="big")
print("done", flush=True)
"""


def test_sigkill_mid_write_leaves_no_loadable_half_dataset(minari_root: Path) -> None:
    root = str(Path(__file__).resolve().parents[2])
    env_vars = {**os.environ, "MINARI_DATASETS_PATH": str(minari_root), "PYTHONPATH": root}
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD.format(root=root)], env=env_vars, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        staging = minari_root / ds.STAGING_DIR
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            files = list(staging.glob("*/**/main_data.hdf5")) if staging.exists() else []
            if files and files[0].stat().st_size > 0:
                break
            time.sleep(0.01)
        else:
            pytest.fail("the writer never started writing the HDF5 file")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert not (minari_root / "weldcraft_test/big-v0").exists()
    with pytest.raises(FileNotFoundError):
        minari.load_dataset("weldcraft_test/big-v0")
    assert "weldcraft_test/big-v0" not in minari.list_local_datasets()
    # the next writer cleans the dead process's staging folder
    removed = ds.remove_stale_staging(minari_root)
    assert len(removed) == 1 and not any((minari_root / ds.STAGING_DIR).iterdir())
