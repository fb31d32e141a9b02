"""Evaluation metrics on an env with known outcomes, serial and in worker processes."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from gymnasium import spaces

from weldcraft.errors import UserError
from weldcraft.policies.checkpoint import PolicyCheckpoint
from weldcraft.policies.config import BCConfig, NetConfig
from weldcraft.policies.evaluate import compare, evaluate, evaluate_oracle, write_report
from weldcraft.policies.metrics import analyze_lateral, episode_outcome
from weldcraft.policies.network import ObsNormalization, build_policy
from weldcraft.policies.seeds import held_out_seeds
from weldcraft.policies.toy_envs import SCRIPTED_ENV_ID, WEAVE_ENV_ID


def _scripted_policy() -> PolicyCheckpoint:
    box = spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
    cfg = BCConfig(net=NetConfig(pi=(4,), vf=(4,)))
    policy = build_policy(box, box, cfg.net, ObsNormalization.identity(1), seed=0)
    return PolicyCheckpoint(policy, "bc", cfg, ObsNormalization.identity(1), SCRIPTED_ENV_ID, {}, None)


@pytest.fixture(scope="module")
def scripted() -> PolicyCheckpoint:
    return _scripted_policy()


def test_metrics_of_known_outcomes(scripted: PolicyCheckpoint) -> None:
    s = evaluate(scripted, episodes=8).summary  # seeds 10_000_000..7: outcomes B, C, D, none, B, C, D, none
    assert s.seeds == held_out_seeds(8)
    assert s.mean_quality == pytest.approx((0.95 + 0.8 + 0.6 + 0.2) / 4)
    assert s.level_counts == {"B": 2, "C": 2, "D": 2, "none": 2}
    assert (s.pass_rate_c, s.pass_rate_b, s.completion_rate) == (0.5, 0.25, 0.75)
    assert s.defects_per_weld == {"4011": 0.25, "5011": 0.5, "510": 0.25}
    assert s.welds_with_defect == {"4011": 0.25, "5011": 0.5, "510": 0.25}
    # offset = 0.3 mm + 1.0 mm · sin(2π · 2 Hz · t): tracking 0.3 mm, weave 2 Hz, about 2 mm wide
    assert s.tracking_rms_mm == pytest.approx(0.3, rel=0.02)
    assert s.weave_fraction == 1.0
    assert s.weave_frequency_hz == pytest.approx(2.0, rel=0.01)
    assert s.weave_width_mm == pytest.approx(2.0, rel=0.06)
    assert s.mean_heat_input_kj_mm == pytest.approx(0.8)
    assert s.mean_length == 100 and s.episodes_without_weld_info == 0


def test_worker_processes_give_the_same_per_seed_outcomes(scripted: PolicyCheckpoint) -> None:
    serial = evaluate(scripted, episodes=5, n_envs=1)
    parallel = evaluate(scripted, episodes=5, n_envs=2)  # SubprocVecEnv
    assert [o.seed for o in parallel.outcomes] == held_out_seeds(5)
    assert parallel.outcomes == serial.outcomes


def test_training_seeds_are_refused(scripted: PolicyCheckpoint) -> None:
    with pytest.raises(UserError, match="held_out seeds must lie in"):
        evaluate(scripted, seeds=[3, 10_000_000])


def test_weave_analysis_on_its_own() -> None:
    dt = 0.05
    t = np.arange(400) * dt
    zigzag = 0.1 + 1.5 * (2 / np.pi) * np.arcsin(np.sin(2 * np.pi * 0.8 * t))
    stats = analyze_lateral(zigzag, dt)
    assert stats.frequency_hz == pytest.approx(0.8, rel=0.01)
    assert stats.width_mm == pytest.approx(3.0, rel=0.06)
    still = analyze_lateral(0.4 + 0.02 * np.random.default_rng(0).normal(size=400), dt)
    assert not still.present and math.isnan(still.frequency_hz)
    assert still.tracking_rms_mm == pytest.approx(0.4, rel=0.01)


def test_an_unfinished_weld_is_no_pass_whatever_its_stub_was_graded() -> None:
    # the welding env grades the deposited part of a stopped weld: a collision 37 steps in left a "B" stub
    stub = {"iso5817_level": "B", "quality_score": 0.054, "completed": False, "imperfections": []}
    outcome = episode_outcome(7, np.zeros(37), stub, np.zeros(37), 0.05)
    assert outcome.iso5817_level == "none" and not outcome.completed
    assert outcome.quality_score == pytest.approx(0.054)
    done = episode_outcome(7, np.zeros(37), {**stub, "completed": True}, np.zeros(37), 0.05)
    assert done.iso5817_level == "B"


def test_side_by_side_report_is_strict_json_and_markdown(scripted: PolicyCheckpoint, tmp_path: Path) -> None:
    seeds = held_out_seeds(4)
    policy = evaluate(scripted, seeds=seeds, label="policy")
    demo = evaluate_oracle("toy_weave", WEAVE_ENV_ID, seeds=seeds)
    with pytest.raises(UserError, match="same seeds"):
        compare(policy.summary, evaluate(scripted, seeds=held_out_seeds(4, offset=1)).summary)
    comparison = compare(policy.summary, demo.summary)
    assert comparison["checks"]["level_c_or_better_on_90pct"] is False
    doc = write_report(tmp_path, [policy, demo])

    def refuse(token: str) -> None:
        raise AssertionError(f"non-strict JSON constant {token}")

    parsed = json.loads((tmp_path / "eval.json").read_text(), parse_constant=refuse)
    assert parsed == json.loads(json.dumps(doc))
    assert parsed["schema_version"] == 1 and len(parsed["episodes"]["policy"]) == 4
    md = (tmp_path / "eval.md").read_text()
    assert md.startswith("| metric | policy | demonstrator |")
    assert "| ISO 5817 B / C / D / none | 1 / 1 / 1 / 1 | 4 / 0 / 0 / 0 |" in md
    assert "| weave frequency (Hz) | 2.00 | 1.50 |" in md
