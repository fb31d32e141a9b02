"""Actors for `collect_episodes`: the learned policy, the oracle, and DAgger's mixture of the two."""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.policies import ActorCriticPolicy

from weldcraft.errors import UserError
from weldcraft.policies.network import predict_actions


class PolicyActor:
    """The policy's mean action (``deterministic=True``) or a sample, clipped to the action Box."""

    def __init__(self, policy: ActorCriticPolicy, *, deterministic: bool = True) -> None:
        self.policy = policy
        self.deterministic = deterministic

    def __call__(self, obs: np.ndarray, labels: list[np.ndarray | None]) -> np.ndarray:
        return predict_actions(self.policy, obs, deterministic=self.deterministic)


class OracleActor:
    """Executes the oracle's labels (``info["expert_action"]``): the demonstrator as a policy."""

    def __call__(self, obs: np.ndarray, labels: list[np.ndarray | None]) -> np.ndarray:
        if any(label is None for label in labels):
            raise UserError("OracleActor needs envs built with an oracle (EnvFactory.oracle)")
        return np.stack([np.asarray(label, dtype=np.float32) for label in labels])


class MixtureActor:
    """DAgger's π_i = β·π* + (1 − β)·π̂: per env and step, the oracle's action with probability β.

    The coin flips come from `rng`, so a seeded generator makes the rollout reproducible.
    """

    def __init__(self, policy: ActorCriticPolicy, beta: float, rng: np.random.Generator) -> None:
        if not 0.0 <= beta <= 1.0:
            raise UserError(f"beta must lie in [0, 1], got {beta}")
        self.learner = PolicyActor(policy)
        self.oracle = OracleActor()
        self.beta = beta
        self.rng = rng
        self.oracle_steps = 0
        self.steps = 0

    def __call__(self, obs: np.ndarray, labels: list[np.ndarray | None]) -> np.ndarray:
        expert = self.oracle(obs, labels)
        learner = self.learner(obs, labels)
        use_expert = self.rng.random(len(obs)) < self.beta
        self.oracle_steps += int(use_expert.sum())
        self.steps += len(obs)
        return np.where(use_expert[:, None], expert, learner).astype(np.float32)
