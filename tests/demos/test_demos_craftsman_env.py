"""The Craftsman in the welding cell: weave measurable, master level B, novices worse (50 seams: slow)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import weldcraft  # noqa: F401  (registers the env ids)
from weldcraft.demos.craftsman.policy import Craftsman
from weldcraft.demos.craftsman.styles import STYLES
from weldcraft.demos.rollout import craftsman_episode
from weldcraft.demos.skill_stats import run, summarize
from weldcraft.demos.weave_analysis import estimate_weave


@pytest.fixture(scope="module")
def tiny() -> gym.Env:
    env = gym.make("weldcraft/TinyFillet-v0", randomization={"enabled": False})  # no gap: the style's width
    yield env
    env.close()


@pytest.mark.parametrize("style", ["zigzag", "triangle", "circle"])
def test_master_weave_measured_from_the_torch_matches_the_style(tiny: gym.Env, style: str) -> None:
    demo = craftsman_episode(tiny, Craftsman("master", style, seed=3), seed=0)
    est = estimate_weave(demo.trajectory.lateral_true_mm, demo.trajectory.dt_s)
    shape = STYLES.get(style).weave
    assert est.frequency_hz == pytest.approx(shape.frequency_hz, rel=0.1)
    assert est.width_mm == pytest.approx(shape.width_mm, rel=0.1)
    assert demo.episode.metadata.extra["weave"]["width_mm"] == shape.width_mm


def test_master_welds_level_b_and_a_novice_is_worse(tiny: gym.Env) -> None:
    masters = [
        craftsman_episode(tiny, Craftsman("master", "zigzag", seed=s), seed=s).episode for s in range(4)
    ]
    novices = [
        craftsman_episode(tiny, Craftsman("novice", "zigzag", seed=s), seed=s).episode for s in range(4)
    ]
    assert all(ep.metadata.iso_level == "B" and ep.metadata.completed for ep in masters)
    q_master = np.mean([ep.metadata.quality_score for ep in masters])
    q_novice = np.mean([ep.metadata.quality_score for ep in novices])
    # on a 30 mm seam a novice's drift has little time to grow; FilletPB separates them further (slow test)
    assert q_master > 0.8 and q_novice < q_master - 0.2
    assert sum(ep.metadata.iso_level == "B" for ep in novices) <= 2


@pytest.mark.slow
def test_fifty_random_fillet_pb_seams() -> None:
    """Issue 4 acceptance on FilletPB with default randomization, env seeds 0-49 (docs/demos.md figures).

    The job's fit-up (realised root gap 0-0.8 mm) stays within ISO 5817's 617 limit for level B, so the
    master must reach B on >= 90 % of all seams; no weld of any skill may end in a collision.
    """
    summary = summarize(run("weldcraft/FilletPB-v0", 50, "zigzag"))
    master, novice = summary["master"], summary["novice"]
    assert master["b_possible_seams"] == 50
    assert master["b_rate"] >= 0.9
    assert novice["quality_mean"] < master["quality_mean"] - 0.3
    assert novice["c_or_better_rate"] < 0.5 * master["c_or_better_rate"]
    for skill, entry in summary.items():
        assert "collision" not in entry["terminations"], (skill, entry["terminations"])
