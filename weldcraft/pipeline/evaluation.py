"""Stage 3: the policy and the Craftsman on the same held-out seams, side by side (eval.json, eval.md).

The same pieces as ``weldcraft.policies.evaluate.evaluate`` / ``evaluate_oracle`` (one `EnvFactory` per
agent on the checkpoint's env, `run_episodes` over SubprocVecEnv workers, `episode_outcome` and
`summarize`, then ``write_report`` with `compare`), with one addition: the actor counts control steps for
the progress bar. The policy acts with its mean action; the Craftsman through the oracle wrapper, seeded
per episode from the held-out seed, so the master on seam s is the same welder in every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from weldcraft.pipeline.progress import ProgressFn, report
from weldcraft.pipeline.settings import RunSettings


class _CountingActor:
    """Wraps an `Actor`; reports control steps (all envs of the VecEnv) to `progress`."""

    def __init__(self, actor: Any, progress: ProgressFn | None, offset: int, total: int) -> None:
        self.actor = actor
        self.progress = progress
        self.done = offset
        self.total = total

    def __call__(self, obs: np.ndarray, labels: list[np.ndarray | None]) -> np.ndarray:
        self.done += len(obs)
        report(self.progress, min(self.done, self.total), self.total)
        return np.asarray(self.actor(obs, labels))


@dataclass(frozen=True)
class EvalOutcome:
    """Stage 3's results: the JSON document written, and the per-agent results."""

    doc: dict[str, Any]
    policy: Any  # weldcraft.policies.evaluate.EvalResult
    master: Any
    json_path: Path
    md_path: Path


def nominal_steps(env_id: str, dt_s: float) -> int:
    """Control steps of one weld at the WPS travel speed (the progress bar's estimate per episode)."""
    from weldcraft._registration import ENV_IDS
    from weldcraft.seams import load_job

    job = load_job(ENV_IDS[env_id][0])
    return int(np.ceil(job.length_mm / job.wps.travel_speed_mm_s / dt_s))


def evaluate_run(
    settings: RunSettings, checkpoint_dir: Path, out_dir: Path, progress: ProgressFn | None = None
) -> EvalOutcome:
    """Evaluate the checkpoint and the Craftsman on held-out seeds 10,000,000 .. + eval.episodes − 1."""
    from weldcraft.policies.actors import OracleActor, PolicyActor
    from weldcraft.policies.checkpoint import load_checkpoint
    from weldcraft.policies.evaluate import DEFAULT_KEYS, EvalResult, control_dt_s, write_report
    from weldcraft.policies.metrics import episode_outcome, summarize
    from weldcraft.policies.rollout import EnvFactory, run_episodes
    from weldcraft.policies.seeds import SeedSchedule, held_out_seeds

    ckpt = load_checkpoint(checkpoint_dir)
    seeds = held_out_seeds(settings.eval.episodes)
    kwargs = dict(ckpt.env_kwargs)
    dt = control_dt_s(ckpt.env_id, kwargs)
    schedule = SeedSchedule("held_out", (seeds[0],))
    oracle_kwargs = {"skill": settings.demos.skill, "style": settings.demos.style}
    per_agent = len(seeds) * nominal_steps(ckpt.env_id, dt)
    total = 2 * per_agent
    agents = [
        ("policy", EnvFactory(ckpt.env_id, kwargs, ckpt.history_frames, schedule), PolicyActor(ckpt.policy)),
        (
            settings.demos.skill,
            EnvFactory(ckpt.env_id, kwargs, 1, schedule, oracle="craftsman", oracle_kwargs=oracle_kwargs),
            OracleActor(),
        ),
    ]
    results = []
    for i, (label, factory, actor) in enumerate(agents):
        counting = _CountingActor(actor, progress, i * per_agent, total)
        rollouts = run_episodes(
            factory,
            counting,
            seeds,
            n_envs=settings.eval.n_envs,
            info_keys=[DEFAULT_KEYS.lateral_offset_mm],
            record_observations=False,
        )
        report(progress, (i + 1) * per_agent, total)
        outcomes = [
            episode_outcome(r.seed, r.rewards, r.weld, r.step_info[DEFAULT_KEYS.lateral_offset_mm], dt)
            for r in rollouts
        ]
        results.append(EvalResult(summarize(label, outcomes), outcomes, ckpt.env_id, kwargs))
    meta = {
        "checkpoint": str(checkpoint_dir),
        "policy_name": ckpt.policy_name,
        "dataset": None
        if ckpt.dataset is None
        else {"id": ckpt.dataset.dataset_id, "sha256": ckpt.dataset.sha256},
        "oracle": "craftsman",
        "oracle_kwargs": oracle_kwargs,
        "held_out_seeds": [seeds[0], seeds[-1]],
    }
    doc = write_report(out_dir, results, meta=meta)
    return EvalOutcome(doc, results[0], results[1], out_dir / "eval.json", out_dir / "eval.md")
