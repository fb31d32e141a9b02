"""Issue 5 acceptance on the welding env (slow; skipped until FilletPB and the Craftsman are available).

BC with history from 50 master demonstrations on FilletPB, evaluated on 100 held-out seams beside the
master on the same seams: mean quality ≥ 0.9 × the master's, level C or better on ≥ 90 %, weave
frequency within 15 % of the master's; DAgger at least the master's pass rate at level C. The training
time is measured by scripts/bench_train.py.
"""

from pathlib import Path
from typing import Any

import gymnasium as gym
import pytest

from weldcraft.policies.evaluate import evaluate_side_by_side
from weldcraft.policies.rollout import ensure_registered
from weldcraft.policies.seeds import held_out_seeds
from weldcraft.policies.toy_data import record_oracle_dataset
from weldcraft.policies.train import train

ENV_ID = "weldcraft/FilletPB-v0"
MASTER = {"skill": "master", "style": "zigzag"}


def _available() -> bool:
    ensure_registered()
    try:
        import weldcraft.demos.craftsman.policy  # noqa: F401
    except ImportError:
        return False
    return ENV_ID in gym.registry


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not _available(), reason="needs weldcraft/FilletPB-v0 and the Craftsman (weldcraft.demos)"
    ),
]


@pytest.fixture(scope="module")
def master_dataset(minari_root: Path) -> str:
    dataset = "weldcraft/fillet_pb/master-acceptance-v0"
    record_oracle_dataset(dataset, ENV_ID, "craftsman", range(50), oracle_kwargs=MASTER, n_envs=2)
    return dataset


def _side_by_side(result: Any, out: Path) -> dict[str, Any]:
    return evaluate_side_by_side(
        result.checkpoint,
        oracle="craftsman",
        oracle_kwargs=MASTER,
        seeds=held_out_seeds(100),
        n_envs=2,
        out_dir=out,
    )


def test_bc_history_from_50_master_demos_matches_the_master(master_dataset: str, tmp_path: Path) -> None:
    result = train("bc_history", dataset_id=master_dataset, out_dir=tmp_path, log_formats=["csv"])
    doc = _side_by_side(result, tmp_path / "eval")
    checks = doc["comparison"]["checks"]
    assert checks["quality_at_least_0.9x_reference"], doc["comparison"]
    assert checks["level_c_or_better_on_90pct"], doc["summaries"][0]
    assert checks["weave_frequency_within_15pct"], doc["comparison"]


def test_dagger_reaches_the_masters_pass_rate_at_level_c(master_dataset: str, tmp_path: Path) -> None:
    result = train(
        "dagger", dataset_id=master_dataset, out_dir=tmp_path, log_formats=["csv"], oracle_kwargs=MASTER
    )
    doc = _side_by_side(result, tmp_path / "eval")
    assert doc["comparison"]["checks"]["pass_rate_c_at_least_reference"], doc["summaries"]
