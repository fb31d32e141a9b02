"""DAgger: Dataset Aggregation (Ross, Gordon & Bagnell, "A Reduction of Imitation Learning and Structured
Prediction to No-Regret Online Learning", AISTATS 2011).

    D ← demonstrations;  π̂ ← BC(D)
    for i = 1..rounds:
        roll out π_i = β_i·π* + (1 − β_i)·π̂ on fresh training seeds (per step, per env: the oracle's
            action with probability β_i, else the learner's);
        label every visited state with the oracle's action π*(s);  D ← D ∪ labelled states;
        π̂ ← BC(D)   (from scratch by default, as in the paper; or warm-started)

The oracle runs inside each env (`OracleLabelWrapper`), so rollouts can use a SubprocVecEnv. Rollout seeds
are consecutive training seeds from ``rollout_seed_start``; the coin flips come from a generator seeded
with ``bc.seed``, so a run is reproducible.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from gymnasium import spaces
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.policies import ActorCriticPolicy

from weldcraft.policies.actors import MixtureActor
from weldcraft.policies.bc import BCMetrics, fit_bc_policy
from weldcraft.policies.config import DAggerConfig
from weldcraft.policies.data import Demonstrations
from weldcraft.policies.network import ObsNormalization
from weldcraft.policies.rollout import EnvFactory, run_episodes
from weldcraft.policies.seeds import SeedSchedule, check_seeds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DAggerRound:
    """What one round did: β, the share of oracle steps, the rollouts' mean return, the aggregate size."""

    round: int
    beta: float
    oracle_step_fraction: float
    mean_return: float
    mean_quality: float
    samples: int
    bc: BCMetrics


@dataclass(frozen=True)
class DAggerResult:
    policy: ActorCriticPolicy
    normalization: ObsNormalization
    demos: Demonstrations
    initial_bc: BCMetrics
    rounds: list[DAggerRound] = field(default_factory=list)

    def metrics(self) -> dict[str, Any]:
        return {
            "initial_bc": self.initial_bc.as_dict(),
            "rounds": [
                {**{k: v for k, v in r.__dict__.items() if k != "bc"}, "bc": r.bc.as_dict()}
                for r in self.rounds
            ],
            "samples": len(self.demos),
        }


def run_dagger(
    cfg: DAggerConfig,
    demos: Demonstrations,
    observation_space: spaces.Box,
    action_space: spaces.Box,
    env_id: str,
    env_kwargs: dict[str, Any],
    *,
    oracle_kwargs: dict[str, Any] | None = None,
    logger: Logger | None = None,
    progress: bool = False,
) -> DAggerResult:
    """Run DAgger from `demos` (already stacked with ``cfg.bc.history_frames``); see the module docstring.

    `observation_space` is the stacked space the policy sees.
    """
    bc_cfg = cfg.bc
    step = 0
    policy, normalization, metrics = fit_bc_policy(
        demos,
        observation_space,
        action_space,
        bc_cfg,
        logger=logger,
        progress=progress,
        log_prefix="dagger/bc",
    )
    step += bc_cfg.epochs
    initial = metrics
    rng = np.random.default_rng(bc_cfg.seed)
    rounds: list[DAggerRound] = []
    next_seed = cfg.rollout_seed_start
    for i in range(1, cfg.rounds + 1):
        beta = cfg.beta(i)
        seeds = check_seeds(
            range(next_seed, next_seed + cfg.episodes_per_round), "train", where="dagger rollouts"
        )
        next_seed += cfg.episodes_per_round
        factory = EnvFactory(
            env_id,
            dict(env_kwargs),
            bc_cfg.history_frames,
            SeedSchedule("train", (seeds[0],)),
            oracle=cfg.oracle,
            oracle_kwargs=dict(oracle_kwargs or {}),
        )
        actor = MixtureActor(policy, beta, rng)
        rollouts = run_episodes(factory, actor, seeds, n_envs=cfg.n_envs)
        new = _labelled(rollouts, demos.history_frames)
        demos = demos.concat(new)
        init = policy if cfg.warm_start else None
        policy, normalization, metrics = fit_bc_policy(
            demos,
            observation_space,
            action_space,
            bc_cfg,
            init=init,
            logger=logger,
            progress=progress,
            log_prefix="dagger/bc",
            step_offset=step,
        )
        step += bc_cfg.epochs
        qualities = [float(r.weld.get("quality_score", 0.0)) if r.weld else 0.0 for r in rollouts]
        record = DAggerRound(
            round=i,
            beta=beta,
            oracle_step_fraction=actor.oracle_steps / max(actor.steps, 1),
            mean_return=float(np.mean([r.rewards.sum() for r in rollouts])),
            mean_quality=float(np.mean(qualities)),
            samples=len(demos),
            bc=metrics,
        )
        rounds.append(record)
        log.info(
            "DAgger round %d: beta %.3f, rollout quality %.3f, %d samples",
            i,
            beta,
            record.mean_quality,
            len(demos),
        )
        if logger is not None:
            logger.record("dagger/beta", beta)
            logger.record("dagger/rollout_mean_quality", record.mean_quality)
            logger.record("dagger/rollout_mean_return", record.mean_return)
            logger.record("dagger/samples", len(demos))
            logger.dump(step)
    return DAggerResult(policy, normalization, demos, initial, rounds)


def _labelled(rollouts: list[Any], history_frames: int) -> Demonstrations:
    """The visited (stacked) states of `rollouts` paired with the oracle's labels, weight 1 each."""
    obs = np.concatenate([r.observations for r in rollouts]).astype(np.float32)
    labels = np.concatenate([r.expert_actions for r in rollouts]).astype(np.float32)
    episode = np.concatenate([np.full(r.length, j, dtype=np.int64) for j, r in enumerate(rollouts)])
    return Demonstrations(obs, labels, np.ones(len(obs), np.float32), episode, history_frames)
