"""`weldcraft train` and `weldcraft evaluate`: imitation learning and honest side-by-side evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from weldcraft.cli.app import RunContext, command
from weldcraft.cli.jobs import job_from_config
from weldcraft.errors import ConfigError


@command("train", "train a policy on a demonstration dataset (bc, bc_history, dagger, ppo_finetune)", "train")
def train_cmd(cfg: DictConfig, ctx: RunContext) -> None:
    from weldcraft.policies.config import config_from_dict
    from weldcraft.policies.train import train

    assert ctx.out_dir is not None
    if not cfg.dataset:
        raise ConfigError(
            "missing; give the Minari dataset id, e.g. dataset=weldcraft/fillet_pb/master-v0",
            where="key 'dataset'",
        )
    raw = OmegaConf.to_container(cfg.policy, resolve=True)
    assert isinstance(raw, dict)
    algo_cfg = config_from_dict({str(k): v for k, v in raw.items()})
    result = train(
        algo_cfg,
        dataset_id=str(cfg.dataset),
        out_dir=ctx.out_dir,
        policy_name=ctx.choices.get("policy"),
        progress=True,
        video=bool(cfg.video),
    )
    print(f"checkpoint: {result.checkpoint_dir}")
    print(f"TensorBoard logs: {result.out_dir / 'logs'}  (tensorboard --logdir {result.out_dir / 'logs'})")
    if result.video is not None:
        print(f"video of the final policy: {result.video}")


@command("evaluate", "evaluate a checkpoint against the demonstrator on held-out seams", "evaluate")
def evaluate_cmd(cfg: DictConfig, ctx: RunContext) -> None:
    from weldcraft.policies.evaluate import evaluate_side_by_side

    assert ctx.out_dir is not None
    if not cfg.checkpoint:
        raise ConfigError(
            "missing; give a checkpoint directory, e.g. checkpoint=outputs/.../checkpoint",
            where="key 'checkpoint'",
        )
    checkpoint = Path(str(cfg.checkpoint))
    env_kwargs: dict[str, Any] | None = None
    if cfg.get("seam") is not None or cfg.get("seam_file"):
        env_kwargs = {"job": job_from_config(cfg)}
    episodes = 4 if cfg.debug.fast else int(cfg.episodes)
    if episodes < 1:
        raise ConfigError(f"expected a positive integer, got {episodes}", where="key 'episodes'")
    oracle = None if cfg.demonstrator.skill in (None, "none") else "craftsman"
    oracle_kwargs = {"skill": str(cfg.demonstrator.skill), "style": str(cfg.demonstrator.style)}
    evaluate_side_by_side(
        checkpoint,
        oracle=oracle,
        oracle_kwargs=oracle_kwargs if oracle else None,
        episodes=episodes,
        env_kwargs=env_kwargs,
        n_envs=int(cfg.n_envs),
        out_dir=ctx.out_dir,
    )
    print((ctx.out_dir / "eval.md").read_text(encoding="utf-8"))
    print(f"wrote {ctx.out_dir / 'eval.json'} and {ctx.out_dir / 'eval.md'}")
