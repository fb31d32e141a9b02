"""The policy network: SB3's `ActorCriticPolicy` behind a fixed observation normalizer.

Normalization lives inside the network (`NormalizingExtractor`, its mean and std are registered buffers),
so BC training, DAgger rollouts, PPO fine-tuning and evaluation apply exactly the same transform:
``clip((obs − mean) / std, −clip, clip)``. The statistics are computed once from the training data
(`ObsNormalization.fit`) and stored in the checkpoint; they never adapt during PPO.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.policies import ActorCriticPolicy
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from torch import nn

from weldcraft.errors import UserError
from weldcraft.policies.config import NetConfig

_ACTIVATIONS: dict[str, type[nn.Module]] = {"tanh": nn.Tanh, "relu": nn.ReLU, "elu": nn.ELU}


@dataclass(frozen=True)
class ObsNormalization:
    """Per-feature affine normalization of (stacked) observations, shape ``[D]`` float32 each."""

    mean: np.ndarray
    std: np.ndarray
    clip: float

    def __post_init__(self) -> None:
        if self.mean.shape != self.std.shape or self.mean.ndim != 1:
            raise UserError(
                f"normalization mean/std must be equal 1-D shapes, got {self.mean.shape}, {self.std.shape}"
            )
        if not (np.all(np.isfinite(self.mean)) and np.all(np.isfinite(self.std)) and np.all(self.std > 0)):
            raise UserError("normalization statistics must be finite with std > 0")
        if self.clip <= 0:
            raise UserError(f"normalization clip must be > 0, got {self.clip}")

    @classmethod
    def fit(cls, observations: np.ndarray, *, clip: float = 10.0, min_std: float = 1e-6) -> ObsNormalization:
        """Mean and std of `observations` ``[N, D]`` (float64 accumulation); std < min_std becomes 1.

        A feature that is constant in the demonstrations is centred but left unscaled: dividing by a tiny
        std would turn the slightest deviation at rollout time into a saturated input.
        """
        obs = np.asarray(observations, dtype=np.float64)
        if obs.ndim != 2 or obs.shape[0] < 1:
            raise UserError(f"need observations of shape [N>=1, D] to fit a normalization, got {obs.shape}")
        mean = obs.mean(axis=0)
        std = obs.std(axis=0)
        std = np.where(std < min_std, 1.0, std)
        return cls(mean.astype(np.float32), std.astype(np.float32), float(clip))

    @classmethod
    def identity(cls, dim: int, clip: float = 10.0) -> ObsNormalization:
        return cls(np.zeros(dim, np.float32), np.ones(dim, np.float32), clip)

    def apply(self, observations: np.ndarray) -> np.ndarray:
        """The normalized observations (numpy twin of the network's first layer, for tests and tools)."""
        out = (np.asarray(observations, dtype=np.float32) - self.mean) / self.std
        return np.clip(out, -self.clip, self.clip)


class NormalizingExtractor(BaseFeaturesExtractor):
    """Flatten, then ``clip((x − mean) / std, ±clip)`` with fixed buffers (saved in the state dict)."""

    def __init__(
        self, observation_space: gym.Space[Any], obs_mean: list[float], obs_std: list[float], obs_clip: float
    ) -> None:
        dim = int(np.prod(observation_space.shape))  # type: ignore[arg-type]
        super().__init__(observation_space, dim)
        if len(obs_mean) != dim or len(obs_std) != dim:
            raise UserError(f"normalization has {len(obs_mean)} features, the observation space {dim}")
        self.register_buffer("obs_mean", torch.as_tensor(np.asarray(obs_mean, np.float32)))
        self.register_buffer("obs_std", torch.as_tensor(np.asarray(obs_std, np.float32)))
        self.obs_clip = float(obs_clip)
        self.flatten = nn.Flatten()

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        x = (self.flatten(observations) - self.obs_mean) / self.obs_std
        return torch.clamp(x, -self.obs_clip, self.obs_clip)


def build_policy(
    observation_space: spaces.Box,
    action_space: spaces.Box,
    net: NetConfig,
    normalization: ObsNormalization,
    *,
    seed: int,
) -> ActorCriticPolicy:
    """A fresh `ActorCriticPolicy` (CPU) with weights initialized from `seed` (global RNG untouched)."""
    if not isinstance(observation_space, spaces.Box) or not isinstance(action_space, spaces.Box):
        raise UserError(
            "weldcraft policies need Box observation and action spaces, got "
            f"{type(observation_space).__name__} and {type(action_space).__name__}"
        )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        policy = ActorCriticPolicy(
            observation_space, action_space, lambda _: 0.0, **policy_kwargs(net, normalization)
        )
    return policy


def policy_kwargs(net: NetConfig, normalization: ObsNormalization) -> dict[str, Any]:
    """The `ActorCriticPolicy` keyword arguments of `net` (also handed to SB3's PPO as ``policy_kwargs``)."""
    return {
        "net_arch": {"pi": list(net.pi), "vf": list(net.vf)},
        "activation_fn": _ACTIVATIONS[net.activation],
        "log_std_init": net.log_std_init,
        "ortho_init": net.ortho_init,
        "features_extractor_class": NormalizingExtractor,
        "features_extractor_kwargs": {
            "obs_mean": normalization.mean.tolist(),
            "obs_std": normalization.std.tolist(),
            "obs_clip": normalization.clip,
        },
    }


def actor_parameters(policy: ActorCriticPolicy) -> list[nn.Parameter]:
    """The parameters that define π(a|s): actor MLP, action head and log_std (not the critic)."""
    params = list(policy.mlp_extractor.policy_net.parameters()) + list(policy.action_net.parameters())
    if isinstance(policy.log_std, nn.Parameter):
        params.append(policy.log_std)
    return params


def actor_weight_matrices(policy: ActorCriticPolicy) -> list[torch.Tensor]:
    """The actor's Linear weight matrices (what the BC L2 penalty acts on)."""
    mods = list(policy.mlp_extractor.policy_net.modules()) + [policy.action_net]
    return [m.weight for m in mods if isinstance(m, nn.Linear)]


def predict_actions(
    policy: ActorCriticPolicy, observations: np.ndarray, *, deterministic: bool = True
) -> np.ndarray:
    """Actions ``[n, A]`` for stacked observations ``[n, D]``, clipped to the action Box (SB3's predict)."""
    obs = np.asarray(observations, dtype=np.float32)
    actions, _ = policy.predict(obs, deterministic=deterministic)
    return np.asarray(actions, dtype=np.float32).reshape(obs.shape[0], -1)
