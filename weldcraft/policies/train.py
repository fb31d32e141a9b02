"""The training entry point behind ``weldcraft train policy=NAME dataset=ID out=DIR``.

`train` reads the Minari dataset, builds the demonstrations (frame stacking, quality weights), runs the
algorithm of the chosen preset (BC, DAgger or PPO fine-tuning), and writes into `out_dir`:

    logs/            TensorBoard event files and progress.csv (SB3 logger)
    checkpoint/      the self-describing checkpoint (weldcraft.policies.checkpoint)
    policy.gif       the final policy welding one validation seam (when asked and the env renders)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stable_baselines3.common.logger import Logger, configure
from stable_baselines3.common.policies import ActorCriticPolicy

from weldcraft.errors import UserError
from weldcraft.policies.bc import fit_bc_policy
from weldcraft.policies.checkpoint import PolicyCheckpoint, load_checkpoint, save_checkpoint
from weldcraft.policies.config import (
    AlgoConfig,
    BCConfig,
    DAggerConfig,
    PPOFinetuneConfig,
    bc_config_of,
    load_policy_config,
)
from weldcraft.policies.dagger import run_dagger
from weldcraft.policies.data import build_demonstrations, load_minari, select_episodes
from weldcraft.policies.history import stacked_space
from weldcraft.policies.network import ObsNormalization
from weldcraft.policies.ppo_finetune import finetune, make_finetuner
from weldcraft.types import PathLikeStr

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainResult:
    """What a training run produced."""

    checkpoint: PolicyCheckpoint
    checkpoint_dir: Path
    out_dir: Path
    video: Path | None


def train(
    policy: str | AlgoConfig,
    *,
    dataset_id: str,
    out_dir: PathLikeStr,
    overrides: Mapping[str, Any] | None = None,
    policy_name: str | None = None,
    env_id: str | None = None,
    env_kwargs: dict[str, Any] | None = None,
    oracle_kwargs: dict[str, Any] | None = None,
    progress: bool = False,
    video: bool = False,
    video_frame_stride: int = 1,
    log_formats: Sequence[str] = ("tensorboard", "csv"),
) -> TrainResult:
    """Train preset `policy` (a name under configs/policy/, or a config object) on Minari `dataset_id`.

    `overrides` are merged into a named preset (nested dict). `env_id`/`env_kwargs` default to the dataset's
    env spec; DAgger and PPO roll out in that env, and the checkpoint records it.
    """
    if isinstance(policy, str):
        cfg = load_policy_config(policy, overrides)
        name = policy_name or policy
    else:
        if overrides:
            raise UserError("overrides apply to a preset name, not to a config object")
        cfg = policy
        name = policy_name or cfg.algo
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    logger = configure(str(out / "logs"), list(log_formats))
    try:
        episodes, ref, obs_space, act_space = load_minari(dataset_id)
        env = env_id or ref.env_id
        if env is None:
            raise UserError(f"dataset {dataset_id!r} records no env spec; pass env_id")
        kwargs = dict(ref.env_kwargs if env_kwargs is None else env_kwargs)
        init = None
        if isinstance(cfg, PPOFinetuneConfig) and cfg.init_checkpoint:
            # the actor comes from the checkpoint: its network, history and data settings win
            init = load_checkpoint(cfg.init_checkpoint)
            cfg = replace(cfg, bc=bc_config_of(init.config))
        bc_cfg = bc_config_of(cfg)
        demos = build_demonstrations(select_episodes(episodes, bc_cfg), bc_cfg)
        observation_space = stacked_space(obs_space, bc_cfg.history_frames)
        log.info(
            "training %s (%s) on %s: %d samples from %d episodes",
            name,
            cfg.algo,
            dataset_id,
            len(demos),
            int(demos.episode.max()) + 1,
        )
        trained: ActorCriticPolicy
        normalization: ObsNormalization
        metrics: dict[str, Any]
        if isinstance(cfg, BCConfig):
            trained, normalization, bc_metrics = fit_bc_policy(
                demos, observation_space, act_space, cfg, logger=logger, progress=progress
            )
            metrics = {"bc": bc_metrics.as_dict()}
        elif isinstance(cfg, DAggerConfig):
            result = run_dagger(
                cfg,
                demos,
                observation_space,
                act_space,
                env,
                kwargs,
                oracle_kwargs=oracle_kwargs,
                logger=logger,
                progress=progress,
            )
            trained, normalization, metrics = (
                result.policy,
                result.normalization,
                {"dagger": result.metrics()},
            )
        else:
            trained, normalization, metrics = _ppo(
                cfg, init, demos, observation_space, act_space, env, kwargs, logger, progress
            )
        metrics["samples"] = len(demos)
        ckpt = PolicyCheckpoint(trained, name, cfg, normalization, env, kwargs, ref, metrics)
        ckpt_dir = save_checkpoint(ckpt, out)
        ckpt = PolicyCheckpoint(trained, name, cfg, normalization, env, kwargs, ref, metrics, path=ckpt_dir)
        gif = None
        if video:
            from weldcraft.policies.video import record_video

            gif = record_video(ckpt, out / "policy.gif", frame_stride=video_frame_stride)
    finally:
        logger.close()
    return TrainResult(ckpt, ckpt_dir, out, gif)


def _ppo(
    cfg: PPOFinetuneConfig,
    init: PolicyCheckpoint | None,
    demos: Any,
    observation_space: Any,
    action_space: Any,
    env_id: str,
    env_kwargs: dict[str, Any],
    logger: Logger,
    progress: bool,
) -> tuple[ActorCriticPolicy, ObsNormalization, dict[str, Any]]:
    metrics: dict[str, Any] = {}
    if init is not None:
        bc_policy, normalization = init.policy, init.normalization
        metrics["init_checkpoint"] = str(init.path)
    else:
        bc_policy, normalization, bc_metrics = fit_bc_policy(
            demos,
            observation_space,
            action_space,
            cfg.bc,
            logger=logger,
            progress=progress,
            log_prefix="pretrain",
        )
        metrics["bc"] = bc_metrics.as_dict()
    model = make_finetuner(cfg, bc_policy, normalization, env_id, env_kwargs, demos=demos)
    policy = finetune(model, cfg, logger=logger, progress=progress)
    metrics["ppo"] = {"timesteps": int(model.num_timesteps), "updates": int(model.updates_done)}
    return policy, normalization, metrics
