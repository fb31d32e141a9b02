"""Stage 2: train the policy preset on the run's demonstrations (``weldcraft.policies.train.train``).

Writes ``train/checkpoint/`` (the self-describing checkpoint) and ``train/logs/`` (TensorBoard, CSV). No
training video: the report renders the policy's weld itself, on a held-out seam.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weldcraft.pipeline.settings import RunSettings


@dataclass(frozen=True)
class TrainSummary:
    """What stage 2 produced: the checkpoint directory and the training figures."""

    checkpoint_dir: Path
    logs_dir: Path
    samples: int
    epochs: int
    history_frames: int
    metrics: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "checkpoint": str(self.checkpoint_dir),
            "logs": str(self.logs_dir),
            "samples": self.samples,
            "epochs": self.epochs,
            "history_frames": self.history_frames,
            "metrics": self.metrics,
        }


def train_policy(settings: RunSettings, out_dir: Path, *, progress_bar: bool = False) -> TrainSummary:
    """Train ``settings.policy`` on ``settings.dataset_id`` into `out_dir` (BC shows its epoch bar on
    stderr when `progress_bar`)."""
    from weldcraft.policies.config import bc_config_of
    from weldcraft.policies.train import train

    result = train(
        settings.policy,
        dataset_id=settings.dataset_id,
        out_dir=out_dir,
        policy_name=settings.policy_name,
        progress=progress_bar,
        video=False,
    )
    bc = bc_config_of(settings.policy)
    metrics = dict(result.checkpoint.metrics)
    return TrainSummary(
        checkpoint_dir=result.checkpoint_dir,
        logs_dir=out_dir / "logs",
        samples=int(metrics.get("samples", 0)),
        epochs=int(bc.epochs),
        history_frames=int(bc.history_frames),
        metrics=metrics,
    )
