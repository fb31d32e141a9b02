"""DAgger fixes BC's compounding error on the toy drift env.

The oracle tracks the bending seam from privileged truth, so its demonstrations never show an offset and
BC never learns to correct one; the learner drifts off the seam. DAgger labels the learner's own
(off-seam) states with the oracle's corrections.
"""

from pathlib import Path

import numpy as np

from weldcraft.policies.evaluate import evaluate, evaluate_oracle
from weldcraft.policies.seeds import held_out_seeds
from weldcraft.policies.toy_envs import DRIFT_ENV_ID
from weldcraft.policies.train import train

SEEDS = held_out_seeds(6)
BC = {
    "net": {"pi": [32, 32], "vf": [16]},
    "epochs": 10,
    "batch_size": 128,
    "learning_rate": 5e-3,
    "history_frames": 1,
}


def test_dagger_improves_over_bc_under_compounding_error(drift_dataset: str, tmp_path: Path) -> None:
    bc = train("bc", dataset_id=drift_dataset, out_dir=tmp_path / "bc", overrides=BC, log_formats=["csv"])
    dagger = train(
        "dagger",
        dataset_id=drift_dataset,
        out_dir=tmp_path / "dagger",
        overrides={"oracle": "toy_drift", "rounds": 2, "episodes_per_round": 4, "n_envs": 1, "bc": BC},
        log_formats=["csv"],
    )
    s_bc = evaluate(bc.checkpoint, seeds=SEEDS).summary
    s_dagger = evaluate(dagger.checkpoint, seeds=SEEDS).summary
    s_oracle = evaluate_oracle("toy_drift", DRIFT_ENV_ID, seeds=SEEDS).summary
    assert s_oracle.tracking_rms_mm < 0.01
    assert s_bc.tracking_rms_mm > 1.0  # the seam bends by 2–4 mm and BC does not follow
    assert s_dagger.tracking_rms_mm < 0.4 * s_bc.tracking_rms_mm
    assert s_dagger.mean_quality > s_bc.mean_quality + 0.2
    assert s_dagger.pass_rate_c >= s_oracle.pass_rate_c

    rounds = dagger.checkpoint.metrics["dagger"]["rounds"]
    assert [r["beta"] for r in rounds] == [0.5, 0.25]
    # the aggregate grew by the labelled rollouts: 4 episodes x 160 steps per round
    assert [r["samples"] for r in rounds] == [8 * 160 + 640, 8 * 160 + 1280]
    assert 0.35 < rounds[0]["oracle_step_fraction"] < 0.65


def test_dagger_is_reproducible(drift_dataset: str, tmp_path: Path) -> None:
    cfg = {
        "oracle": "toy_drift",
        "rounds": 1,
        "episodes_per_round": 2,
        "n_envs": 1,
        "bc": {**BC, "epochs": 2},
    }
    runs = [
        train(
            "dagger", dataset_id=drift_dataset, out_dir=tmp_path / str(i), overrides=cfg, log_formats=["csv"]
        )
        for i in range(2)
    ]
    a, b = (r.checkpoint.policy.state_dict() for r in runs)
    assert all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)
