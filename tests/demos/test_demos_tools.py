"""Dataset tools: info, validate, filter, split by seam, merge."""

from __future__ import annotations

import json
from pathlib import Path

import gymnasium as gym
import h5py
import minari
import numpy as np
import pytest

from tests.demos.fake_env import FAKE_ID
from tests.demos.test_demos_dataset import rollout
from weldcraft.demos import dataset as ds
from weldcraft.demos import tools
from weldcraft.errors import UserError

SKILLS = ["master", "competent", "novice"]


@pytest.fixture
def mixed(minari_root: Path) -> str:
    env = gym.make(FAKE_ID, horizon=5)
    # 6 seams (seeds 0..5), each welded by all three skills -> 18 episodes
    eps = [rollout(env, seed, skill) for seed in range(6) for skill in SKILLS]
    ds.write_dataset("wc/mixed-v0", eps, env, description="mixed")
    return "wc/mixed-v0"


def test_info_counts_metadata(mixed: str) -> None:
    out = tools.info(mixed)
    assert out["episodes"] == 18 and out["steps"] == 90
    assert out["skills"] == {"master": 6, "competent": 6, "novice": 6}
    assert out["iso_levels"] == {"B": 6, "C": 6, "D": 0, "None": 6}
    assert out["distinct_seams"] == 6 and out["env_id"] == FAKE_ID and out["env_kwargs"] == {"horizon": 5}
    assert out["quality_min"] == pytest.approx(0.3) and out["quality_max"] == pytest.approx(0.95)
    json.dumps(out)


def test_validate_passes_a_good_dataset_and_names_each_problem(mixed: str, minari_root: Path) -> None:
    assert tools.validate(mixed).ok
    h5 = minari_root / mixed / "data" / "main_data.hdf5"
    with h5py.File(h5, "a") as f:
        act = f["episode_2/actions"]
        bad = act[()]
        bad[1, 0] = np.nan
        act[...] = bad
        del f["episode_4"].attrs[ds.EPISODE_ATTR]
        f["episode_5"].attrs[ds.EPISODE_ATTR] = json.dumps({"schema_version": 99})
        obs = f["episode_7/observations"]
        obs.resize((3, 3))
    meta_path = minari_root / mixed / "data" / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["env_spec"] = meta["env_spec"].replace(
        "tests.demos.fake_env:FakePointEnv", "tests.demos.fake_env:Nope"
    )
    meta_path.write_text(json.dumps(meta))
    report = tools.validate(mixed)
    text = "\n".join(report.problems)
    assert not report.ok
    assert "episode 2: NaN or inf in actions" in text
    assert "episode 4: no 'weldcraft_episode' metadata" in text
    assert "episode 5: episode metadata schema version 99" in text
    assert "episode 7: observations has 3 rows, expected 6" in text
    assert "env cannot be recovered" in text


def test_filter_by_skill_level_and_quality(mixed: str) -> None:
    assert tools.filter_dataset(mixed, "wc/masters-v0", skills=["master"]) == 6
    assert {m.skill for m in ds.episode_metadata(minari.load_dataset("wc/masters-v0"))} == {"master"}
    assert tools.filter_dataset(mixed, "wc/atleastC-v0", min_iso_level="C") == 12
    assert tools.filter_dataset(mixed, "wc/q-v0", min_quality=0.9) == 6
    assert tools.validate("wc/q-v0").ok
    with pytest.raises(UserError, match="no episode of wc/mixed-v0 passes"):
        tools.filter_dataset(mixed, "wc/none-v0", min_quality=0.99)
    with pytest.raises(UserError, match="unknown ISO 5817 level 'A'"):
        tools.filter_dataset(mixed, "wc/none-v0", min_iso_level="A")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_split_by_seam_never_shares_a_seam_and_is_seeded(mixed: str, seed: int) -> None:
    n_train, n_test = tools.split_by_seam(
        mixed, f"wc/train{seed}-v0", f"wc/test{seed}-v0", test_fraction=0.34, seed=seed
    )
    assert (n_train, n_test) == (12, 6)  # 2 of 6 seams, 3 welders each
    train = {m.seam_key for m in ds.episode_metadata(minari.load_dataset(f"wc/train{seed}-v0"))}
    test = {m.seam_key for m in ds.episode_metadata(minari.load_dataset(f"wc/test{seed}-v0"))}
    assert train.isdisjoint(test) and len(train | test) == 6
    tools.split_by_seam(mixed, f"wc/again{seed}-v0", f"wc/againtest{seed}-v0", test_fraction=0.34, seed=seed)
    again = {m.seam_key for m in ds.episode_metadata(minari.load_dataset(f"wc/againtest{seed}-v0"))}
    assert again == test


def test_merge_concatenates_same_env_and_refuses_different_envs(mixed: str, minari_root: Path) -> None:
    env = gym.make(FAKE_ID, horizon=5)
    ds.write_dataset("wc/more-v0", [rollout(env, 10)], env, description="more")
    assert tools.merge([mixed, "wc/more-v0"], "wc/merged-v0") == 19
    merged = minari.load_dataset("wc/merged-v0")
    assert merged.total_episodes == 19 and ds.episode_metadata(merged)[-1].seed == 10
    assert tools.validate("wc/merged-v0").ok
    other = gym.make(FAKE_ID, horizon=6)
    ds.write_dataset("wc/other-v0", [rollout(other, 1)], other, description="other")
    with pytest.raises(UserError, match="different env"):
        tools.merge([mixed, "wc/other-v0"], "wc/bad-v0")
