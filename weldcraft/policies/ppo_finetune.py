"""PPO fine-tuning from behaviour-cloning weights on the env's reward (the weld-quality reward).

The PPO policy has the BC policy's exact architecture (`network.policy_kwargs`): its normalizer, actor MLP,
action head and log_std are copied from the BC policy, so before the first update both act identically;
the critic is PPO's own fresh initialization. Two guards keep PPO near the demonstrations:

* critic warm-up: the first `critic_warmup_rollouts` updates train only the critic (actor frozen), so the
  first policy-gradient steps use a value baseline that has seen the task;
* interleaved BC (a DAPG-style pull, Rajeswaran et al., RSS 2018): after each PPO update, `bc_batches`
  minibatches of the demonstrations take a step on bc_coef·(−log π(a*|s)) with PPO's optimizer; bc_coef
  decays by `bc_decay` per update.

Rollout envs reset with training seeds only (``rollout_seed_start + i + k·n_envs`` for env i).
"""

from __future__ import annotations

import logging
from typing import Any

import torch
from stable_baselines3 import PPO
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.policies import ActorCriticPolicy

from weldcraft.policies.config import PPOFinetuneConfig
from weldcraft.policies.data import Demonstrations
from weldcraft.policies.network import ObsNormalization, actor_parameters, policy_kwargs
from weldcraft.policies.rollout import EnvFactory, make_vec_env
from weldcraft.policies.seeds import stream_schedule

log = logging.getLogger(__name__)

CRITIC_PREFIXES = ("value_net.", "mlp_extractor.value_net.")


class BCRegularizedPPO(PPO):
    """SB3 PPO with critic warm-up and interleaved, decaying BC steps (see the module docstring)."""

    def __init__(
        self,
        *args: Any,
        demos: Demonstrations | None = None,
        bc_coef: float = 0.0,
        bc_decay: float = 1.0,
        bc_batches: int = 0,
        bc_batch_size: int = 256,
        bc_seed: int = 0,
        critic_warmup_rollouts: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.demos = demos
        self.bc_coef = bc_coef
        self.bc_decay = bc_decay
        self.bc_batches = bc_batches
        self.bc_batch_size = bc_batch_size
        self.critic_warmup_rollouts = critic_warmup_rollouts
        self.updates_done = 0
        self._bc_generator = torch.Generator().manual_seed(bc_seed)

    def train(self) -> None:
        warmup = self.updates_done < self.critic_warmup_rollouts
        params = actor_parameters(self.policy)
        for p in params:
            p.requires_grad_(not warmup)
        try:
            super().train()
        finally:
            for p in params:
                p.requires_grad_(True)
        self.updates_done += 1
        self.logger.record("finetune/actor_frozen", float(warmup))
        if not warmup and self.demos is not None and self.bc_coef > 0 and self.bc_batches > 0:
            self.logger.record("finetune/bc_neglogp", self._bc_steps())
            self.logger.record("finetune/bc_coef", self.bc_coef)
            self.bc_coef *= self.bc_decay

    def _bc_steps(self) -> float:
        assert self.demos is not None
        n = len(self.demos)
        obs = torch.as_tensor(self.demos.observations)
        acts = torch.as_tensor(self.demos.actions)
        total = 0.0
        self.policy.set_training_mode(True)
        for _ in range(self.bc_batches):
            idx = torch.randint(0, n, (min(self.bc_batch_size, n),), generator=self._bc_generator)
            neglogp = -self.policy.get_distribution(obs[idx]).log_prob(acts[idx]).mean()
            self.policy.optimizer.zero_grad(set_to_none=True)
            (self.bc_coef * neglogp).backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(self.policy.parameters(), self.max_grad_norm)
            self.policy.optimizer.step()
            total += neglogp.item()
        self.policy.set_training_mode(False)
        return total / self.bc_batches


def make_finetuner(
    cfg: PPOFinetuneConfig,
    bc_policy: ActorCriticPolicy,
    normalization: ObsNormalization,
    env_id: str,
    env_kwargs: dict[str, Any],
    *,
    demos: Demonstrations | None = None,
    subprocess: bool | None = None,
) -> BCRegularizedPPO:
    """Build the PPO learner on `cfg.n_envs` envs and load the BC actor into it (critic left fresh)."""
    factories = [
        EnvFactory(env_id, dict(env_kwargs), cfg.bc.history_frames, schedule)
        for schedule in stream_schedule(cfg.rollout_seed_start, cfg.n_envs, "train")
    ]
    vec_env = make_vec_env(factories, subprocess=subprocess)
    model = BCRegularizedPPO(
        ActorCriticPolicy,
        vec_env,
        learning_rate=cfg.learning_rate,
        n_steps=cfg.n_steps,
        batch_size=cfg.batch_size,
        n_epochs=cfg.n_epochs,
        gamma=cfg.gamma,
        gae_lambda=cfg.gae_lambda,
        clip_range=cfg.clip_range,
        ent_coef=cfg.ent_coef,
        vf_coef=cfg.vf_coef,
        max_grad_norm=cfg.max_grad_norm,
        target_kl=cfg.target_kl,
        policy_kwargs=policy_kwargs(cfg.bc.net, normalization),
        seed=cfg.seed,
        device="cpu",
        demos=demos,
        bc_coef=cfg.bc_coef,
        bc_decay=cfg.bc_decay,
        bc_batches=cfg.bc_batches,
        bc_batch_size=cfg.bc.batch_size,
        bc_seed=cfg.seed,
        critic_warmup_rollouts=cfg.critic_warmup_rollouts,
    )
    actor_state = {k: v for k, v in bc_policy.state_dict().items() if not k.startswith(CRITIC_PREFIXES)}
    missing, unexpected = model.policy.load_state_dict(actor_state, strict=False)
    if unexpected or any(not k.startswith(CRITIC_PREFIXES) for k in missing):
        raise RuntimeError(f"BC and PPO policies differ: missing {missing}, unexpected {unexpected}")
    return model


def finetune(
    model: BCRegularizedPPO, cfg: PPOFinetuneConfig, *, logger: Logger | None = None, progress: bool = False
) -> ActorCriticPolicy:
    """Run PPO for ``cfg.total_timesteps`` env steps; returns the fine-tuned policy (envs are closed)."""
    if logger is not None:
        model.set_logger(logger)
    try:
        model.learn(total_timesteps=cfg.total_timesteps, progress_bar=progress)
    finally:
        model.env.close() if model.env is not None else None
    model.policy.set_training_mode(False)
    return model.policy
