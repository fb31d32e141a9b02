"""Stage 1: record Craftsman demonstrations on the run's seam into a Minari dataset.

The same recipe as ``weldcraft demos record`` (the env made by its registered id, so that
``recover_environment()`` works; episode k on training seed ``demos.seed + k``; one Craftsman whose own
generator is seeded with ``demos.craftsman_seed``), with a progress callback per episode. The dataset goes
under ``$MINARI_DATASETS_PATH``, which the runner points at the run's output folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from weldcraft.pipeline.progress import ProgressFn, report
from weldcraft.pipeline.settings import RunSettings


@dataclass(frozen=True)
class DemosResult:
    """What stage 1 wrote: the dataset and the demonstrations' grades."""

    dataset_id: str
    path: Path
    episodes: int
    steps: int
    seeds: tuple[int, int]
    level_counts: dict[str, int]
    quality_mean: float
    completed: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset_id": self.dataset_id,
            "path": str(self.path),
            "episodes": self.episodes,
            "steps": self.steps,
            "seeds": list(self.seeds),
            "level_counts": self.level_counts,
            "quality_mean": self.quality_mean,
            "completed": self.completed,
        }


def record_demos(
    settings: RunSettings, provenance: dict[str, Any], progress: ProgressFn | None = None
) -> DemosResult:
    """Weld ``settings.demos.episodes`` seams with the Craftsman and write the dataset (overwriting a
    dataset of the same id in the current Minari root)."""
    import gymnasium as gym

    import weldcraft  # noqa: F401  (registers the env ids)
    from weldcraft.demos import dataset as ds
    from weldcraft.demos.craftsman.policy import Craftsman
    from weldcraft.demos.rollout import craftsman_episode

    d = settings.demos
    craftsman = Craftsman(
        d.skill, d.style, seed=d.craftsman_seed, welder_id=f"craftsman-{d.skill}-{d.craftsman_seed}"
    )
    env = gym.make(settings.env_id)
    try:
        episodes = []
        report(progress, 0, d.episodes)
        for k in range(d.episodes):
            demo = craftsman_episode(env, craftsman, d.seed + k, seam_name=settings.seam)
            episodes.append(demo.episode)
            report(progress, k + 1, d.episodes)
        path = ds.write_dataset(
            settings.dataset_id,
            episodes,
            env,
            description=f"Craftsman {d.skill}/{d.style} on {settings.seam}, seeds {d.seed}+ (weldcraft run)",
            provenance=provenance,
            overwrite=True,
        )
    finally:
        env.close()
    levels = [ep.metadata.iso_level or "none" for ep in episodes]
    return DemosResult(
        dataset_id=settings.dataset_id,
        path=path,
        episodes=len(episodes),
        steps=int(sum(len(ep.actions) for ep in episodes)),
        seeds=(d.seed, d.seed + d.episodes - 1),
        level_counts={lv: levels.count(lv) for lv in ("B", "C", "D", "none")},
        quality_mean=float(np.mean([ep.metadata.quality_score for ep in episodes])),
        completed=sum(bool(ep.metadata.completed) for ep in episodes),
    )
