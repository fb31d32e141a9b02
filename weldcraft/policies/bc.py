"""Behaviour cloning on an SB3 `ActorCriticPolicy`.

Written for weldcraft after the loss of the `imitation` package (which pins gymnasium ~0.29): maximize the
weighted log-likelihood of the demonstrator's actions under the policy's diagonal Gaussian, with a small
entropy bonus and an L2 penalty on the actor's weight matrices:

    loss = −Σ_b w_b·log π(a*_b|s_b) / Σ_b w_b − ent_coef·mean_b H[π(·|s_b)] + l2_coef·Σ_W ‖W‖²

Minibatches are drawn without replacement from a private `torch.Generator` seeded with ``cfg.seed``, so the
same data, config and seed give the same weights bit for bit on the CPU. Only the actor learns; the critic
is left for PPO. Observation normalization is part of the network (`NormalizingExtractor`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.policies import ActorCriticPolicy
from tqdm.auto import tqdm

from weldcraft.policies.config import BCConfig
from weldcraft.policies.data import Demonstrations
from weldcraft.policies.network import ObsNormalization, actor_parameters, actor_weight_matrices, build_policy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BCMetrics:
    """Figures of the last epoch (losses are sample-weighted means over the epoch's minibatches)."""

    epochs: int
    samples: int
    loss: float
    neglogp: float
    entropy: float
    l2: float
    action_mse: float
    """Mean squared error of the deterministic (mean) action vs the demonstrations, normalized units."""
    samples_per_s: float
    """Training throughput: samples processed per second of optimization (all epochs)."""
    wall_s: float

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}


def bc_loss(
    policy: ActorCriticPolicy, obs: torch.Tensor, actions: torch.Tensor, weights: torch.Tensor, cfg: BCConfig
) -> tuple[torch.Tensor, dict[str, float]]:
    """The BC loss of one minibatch and its parts (see the module docstring)."""
    dist = policy.get_distribution(obs)
    log_prob = dist.log_prob(actions)
    entropy = dist.entropy()
    neglogp = -(weights * log_prob).sum() / weights.sum()
    ent = entropy.mean() if entropy is not None else torch.zeros(())
    l2 = torch.stack([(w**2).sum() for w in actor_weight_matrices(policy)]).sum()
    loss = neglogp - cfg.ent_coef * ent + cfg.l2_coef * l2
    return loss, {"neglogp": neglogp.item(), "entropy": ent.item(), "l2": l2.item()}


def train_bc(
    policy: ActorCriticPolicy,
    demos: Demonstrations,
    cfg: BCConfig,
    *,
    logger: Logger | None = None,
    progress: bool = False,
    log_prefix: str = "bc",
    step_offset: int = 0,
) -> BCMetrics:
    """Fit `policy`'s actor to `demos` for ``cfg.epochs`` epochs; returns the last epoch's figures.

    `logger` (SB3) receives ``<log_prefix>/loss|neglogp|entropy|l2|samples_per_s`` once per epoch at step
    ``step_offset + epoch``.
    """
    obs = torch.as_tensor(demos.observations, dtype=torch.float32)
    acts = torch.as_tensor(demos.actions, dtype=torch.float32)
    weights = torch.as_tensor(demos.weights, dtype=torch.float32)
    n = len(demos)
    generator = torch.Generator().manual_seed(cfg.seed)
    optimizer = torch.optim.Adam(actor_parameters(policy), lr=cfg.learning_rate)
    params = actor_parameters(policy)
    policy.set_training_mode(True)
    started = time.perf_counter()
    sums: dict[str, float] = {}
    for epoch in tqdm(range(cfg.epochs), desc=log_prefix, disable=not progress, leave=False):
        sums = {"loss": 0.0, "neglogp": 0.0, "entropy": 0.0, "l2": 0.0}
        perm = torch.randperm(n, generator=generator)
        for start in range(0, n, cfg.batch_size):
            idx = perm[start : start + cfg.batch_size]
            loss, parts = bc_loss(policy, obs[idx], acts[idx], weights[idx], cfg)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            if cfg.max_grad_norm > 0:
                torch.nn.utils.clip_grad_norm_(params, cfg.max_grad_norm)
            optimizer.step()
            share = len(idx) / n
            sums["loss"] += loss.item() * share
            for key, value in parts.items():
                sums[key] += value * share
        if logger is not None:
            elapsed = time.perf_counter() - started
            for key, value in sums.items():
                logger.record(f"{log_prefix}/{key}", value)
            logger.record(f"{log_prefix}/samples_per_s", (epoch + 1) * n / max(elapsed, 1e-9))
            logger.dump(step_offset + epoch)
    wall = time.perf_counter() - started
    policy.set_training_mode(False)
    metrics = BCMetrics(
        epochs=cfg.epochs,
        samples=n,
        loss=sums["loss"],
        neglogp=sums["neglogp"],
        entropy=sums["entropy"],
        l2=sums["l2"],
        action_mse=action_mse(policy, demos.observations, demos.actions),
        samples_per_s=cfg.epochs * n / max(wall, 1e-9),
        wall_s=wall,
    )
    log.info("BC: %d samples x %d epochs in %.1f s, action MSE %.4g", n, cfg.epochs, wall, metrics.action_mse)
    return metrics


@torch.no_grad()
def action_mse(
    policy: ActorCriticPolicy, observations: np.ndarray, actions: np.ndarray, chunk: int = 65536
) -> float:
    """Mean squared error between the policy's mean actions and `actions` (before clipping to the Box)."""
    policy.set_training_mode(False)
    total = 0.0
    for start in range(0, len(observations), chunk):
        obs = torch.as_tensor(observations[start : start + chunk], dtype=torch.float32)
        mean = policy.get_distribution(obs).mode()
        diff = mean - torch.as_tensor(actions[start : start + chunk], dtype=torch.float32)
        total += float((diff**2).sum())
    return total / float(np.prod(np.shape(actions)))


def fit_bc_policy(
    demos: Demonstrations,
    observation_space: spaces.Box,
    action_space: spaces.Box,
    cfg: BCConfig,
    *,
    init: ActorCriticPolicy | None = None,
    logger: Logger | None = None,
    progress: bool = False,
    log_prefix: str = "bc",
    step_offset: int = 0,
) -> tuple[ActorCriticPolicy, ObsNormalization, BCMetrics]:
    """Fit the normalization on `demos`, build a policy (seeded by ``cfg.seed``) and train it by BC.

    `observation_space` is the stacked space the policy sees. With `init`, the new policy starts from its
    weights (a warm start) except for the normalization, which is refitted to `demos`.
    """
    normalization = ObsNormalization.fit(demos.observations, clip=cfg.obs_clip, min_std=cfg.min_obs_std)
    policy = build_policy(observation_space, action_space, cfg.net, normalization, seed=cfg.seed)
    if init is not None:
        state = {k: v for k, v in init.state_dict().items() if not k.endswith(("obs_mean", "obs_std"))}
        policy.load_state_dict(state, strict=False)
    metrics = train_bc(
        policy, demos, cfg, logger=logger, progress=progress, log_prefix=log_prefix, step_offset=step_offset
    )
    return policy, normalization, metrics
