"""A Markov policy cannot reproduce a weave; with stacked frames BC matches the demonstrator's rhythm.

The toy weave oracle weaves a 1.5 Hz sine of random phase: at a given offset the torch may be moving
either way, so its action is not a function of the current observation.
"""

from pathlib import Path

import pytest

from weldcraft.policies.evaluate import evaluate, evaluate_oracle
from weldcraft.policies.seeds import held_out_seeds
from weldcraft.policies.toy_envs import WEAVE_ENV_ID
from weldcraft.policies.train import train

TINY_NET = {"pi": [32, 32], "vf": [16]}

SEEDS = held_out_seeds(6)


@pytest.fixture(scope="module")
def oracle_summary(weave_dataset: str):  # type: ignore[no-untyped-def]
    return evaluate_oracle("toy_weave", WEAVE_ENV_ID, seeds=SEEDS).summary


def _bc(dataset: str, frames: int, out: Path):  # type: ignore[no-untyped-def]
    overrides = {
        "history_frames": frames,
        "net": TINY_NET,
        "epochs": 30,
        "batch_size": 128,
        "learning_rate": 3e-3,
    }
    result = train("bc", dataset_id=dataset, out_dir=out, overrides=overrides, log_formats=["csv"])
    return evaluate(result.checkpoint, seeds=SEEDS).summary


def test_demonstrator_weave_is_measured(oracle_summary) -> None:  # type: ignore[no-untyped-def]
    assert oracle_summary.weave_fraction == 1.0
    assert oracle_summary.weave_frequency_hz == pytest.approx(1.5, rel=0.02)
    assert oracle_summary.weave_width_mm == pytest.approx(3.0, rel=0.05)  # ±1.5 mm sine


def test_markov_bc_fails_the_weave(weave_dataset: str, oracle_summary, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    summary = _bc(weave_dataset, 1, tmp_path)
    weaving_ok = summary.weave_fraction > 0.5 and (
        abs(summary.weave_frequency_hz - oracle_summary.weave_frequency_hz)
        <= 0.15 * oracle_summary.weave_frequency_hz
    )
    assert not weaving_ok
    assert summary.mean_quality < 0.9 * oracle_summary.mean_quality


def test_bc_with_history_matches_the_weave_frequency(
    weave_dataset: str, oracle_summary, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    summary = _bc(weave_dataset, 10, tmp_path)
    assert summary.weave_fraction == 1.0
    assert summary.weave_frequency_hz == pytest.approx(oracle_summary.weave_frequency_hz, rel=0.15)
    assert summary.weave_width_mm == pytest.approx(oracle_summary.weave_width_mm, rel=0.3)
    assert summary.mean_quality >= 0.9 * oracle_summary.mean_quality
