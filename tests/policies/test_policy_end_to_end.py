"""The fast CI path: tiny dataset → train → evaluate beside the demonstrator → reload → same actions."""

from pathlib import Path

import imageio.v3 as iio
import numpy as np

from weldcraft.policies.checkpoint import load_checkpoint
from weldcraft.policies.evaluate import evaluate, evaluate_oracle, evaluate_side_by_side, write_report
from weldcraft.policies.seeds import held_out_seeds
from weldcraft.policies.train import train


def test_train_evaluate_reload(weave_dataset: str, tmp_path: Path) -> None:
    overrides = {"net": {"pi": [16], "vf": [16]}, "epochs": 3, "history_frames": 4}
    result = train(
        "bc_history",
        dataset_id=weave_dataset,
        out_dir=tmp_path,
        overrides=overrides,
        video=True,
        video_frame_stride=10,
    )
    # artifacts: checkpoint, TensorBoard events, CSV log with one row per epoch, and the GIF
    assert (tmp_path / "checkpoint" / "checkpoint.json").is_file()
    assert list((tmp_path / "logs").glob("events.out.tfevents.*"))
    rows = (tmp_path / "logs" / "progress.csv").read_text().strip().splitlines()
    assert "bc/neglogp" in rows[0] and len(rows) == 1 + 3
    frames = iio.imread(tmp_path / "policy.gif", index=None)
    assert frames.shape[0] == 1 + 200 // 10 and frames.shape[-1] == 3
    ckpt = result.checkpoint
    assert ckpt.policy_name == "bc_history" and ckpt.dataset is not None
    assert ckpt.dataset.dataset_id == weave_dataset and len(ckpt.dataset.sha256) == 64
    assert ckpt.dataset.n_episodes == 12 and ckpt.metrics["samples"] == 12 * 200

    seeds = held_out_seeds(3)
    policy_eval = evaluate(tmp_path, seeds=seeds)  # loads the checkpoint from disk
    demo_eval = evaluate_oracle("toy_weave", ckpt.env_id, seeds=seeds)
    doc = write_report(tmp_path / "eval", [policy_eval, demo_eval])
    assert [s["label"] for s in doc["summaries"]] == ["policy", "demonstrator"]
    assert doc["summaries"][1]["pass_rate_b"] == 1.0

    side = evaluate_side_by_side(tmp_path, oracle="toy_weave", seeds=seeds, out_dir=tmp_path / "eval2")
    assert side["summaries"] == doc["summaries"] and side["meta"]["policy_name"] == "bc_history"
    assert (tmp_path / "eval2" / "eval.md").read_text() == (tmp_path / "eval" / "eval.md").read_text()

    reloaded = load_checkpoint(result.checkpoint_dir)
    obs = np.random.default_rng(1).normal(size=(50, 12)).astype(np.float32)
    np.testing.assert_array_equal(reloaded.predict(obs), ckpt.predict(obs))
    assert evaluate(reloaded, seeds=seeds).outcomes == policy_eval.outcomes


def test_same_dataset_same_hash_and_same_weights(weave_dataset: str, tmp_path: Path) -> None:
    overrides = {"net": {"pi": [16], "vf": [16]}, "epochs": 2, "history_frames": 2}
    a, b = (
        train("bc", dataset_id=weave_dataset, out_dir=tmp_path / n, overrides=overrides, log_formats=["csv"])
        for n in "ab"
    )
    assert a.checkpoint.dataset == b.checkpoint.dataset
    assert (a.checkpoint_dir / "weights.npz").read_bytes() == (b.checkpoint_dir / "weights.npz").read_bytes()
