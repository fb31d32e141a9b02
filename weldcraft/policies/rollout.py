"""Env construction and episode collection, serial or in parallel (SB3 VecEnv), with explicit seeds.

Every env built here is ``gym.make(env_id, **env_kwargs)`` wrapped, inside out, by

1. `ScheduledSeedsWrapper`: every reset uses the next seed of its `SeedSchedule` (never the env's own RNG
   stream), reported as ``info["episode_seed"]``; a seed from the wrong split is an error;
2. `OracleLabelWrapper` (optional): ``info["expert_action"]`` at every state;
3. `FrameStackWrapper`: the policy's stacked observation (k = 1 flattens only).

`collect_episodes` drives a VecEnv with an `Actor` until every env has finished its quota of seeds, and
returns one `EpisodeRollout` per seed in the order of the given seeds. SB3's VecEnv auto-resets a finished
env; the reset's info (with the next expert label) is read from ``vec_env.reset_infos``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, SupportsFloat

import gymnasium as gym
import numpy as np
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecEnv

from weldcraft.errors import UserError
from weldcraft.policies.history import FrameStackWrapper
from weldcraft.policies.oracle import EXPERT_ACTION_KEY, Oracle, OracleLabelWrapper, make_oracle
from weldcraft.policies.seeds import SeedSchedule, split_schedule

EPISODE_SEED_KEY = "episode_seed"


def ensure_registered() -> None:
    """Import what registers env ids and oracles: ``weldcraft`` (the welding envs), the toy envs and
    their oracles, and the Craftsman oracle."""
    importlib.import_module("weldcraft")
    importlib.import_module("weldcraft.policies.toy_envs")
    importlib.import_module("weldcraft.policies.craftsman_oracle")


class ScheduledSeedsWrapper(gym.Wrapper[Any, Any, Any, Any]):
    """Reset with the schedule's seeds in order, whatever seed the caller passes (see module docstring)."""

    def __init__(self, env: gym.Env[Any, Any], schedule: SeedSchedule) -> None:
        super().__init__(env)
        self.schedule = schedule
        self.episodes_started = 0

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        episode_seed = self.schedule.seed_at(self.episodes_started)
        self.episodes_started += 1
        obs, info = self.env.reset(seed=episode_seed, options=options)
        info[EPISODE_SEED_KEY] = episode_seed
        return obs, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        return self.env.step(action)


@dataclass(frozen=True)
class EnvFactory:
    """A picklable recipe for one wrapped env (sent to SubprocVecEnv workers by cloudpickle)."""

    env_id: str
    env_kwargs: dict[str, Any]
    history_frames: int
    schedule: SeedSchedule | None = None
    oracle: str | None = None
    oracle_kwargs: dict[str, Any] = field(default_factory=dict)
    render_mode: str | None = None

    def __call__(self) -> gym.Env[Any, Any]:
        ensure_registered()
        kwargs = dict(self.env_kwargs)
        if self.render_mode is not None:
            kwargs["render_mode"] = self.render_mode
        try:
            env: gym.Env[Any, Any] = gym.make(self.env_id, **kwargs)
        except gym.error.Error as exc:
            raise UserError(f"cannot make env {self.env_id!r}: {exc}") from exc
        if self.schedule is not None:
            env = ScheduledSeedsWrapper(env, self.schedule)
        if self.oracle is not None:
            oracle: Oracle = make_oracle(self.oracle, **self.oracle_kwargs)
            env = OracleLabelWrapper(env, oracle)
        return FrameStackWrapper(env, self.history_frames)


def make_vec_env(
    factories: Sequence[Callable[[], gym.Env[Any, Any]]], *, subprocess: bool | None = None
) -> VecEnv:
    """A VecEnv over `factories`: SubprocVecEnv for more than one (or `subprocess` True), else DummyVecEnv."""
    use_subprocess = len(factories) > 1 if subprocess is None else subprocess
    if use_subprocess:
        _preload_forkserver()
        return SubprocVecEnv(list(factories))
    return DummyVecEnv(list(factories))


def _preload_forkserver() -> None:
    """Have SB3's forkserver import torch, SB3 and these modules once, before it forks the env workers.

    Without it every worker imports them itself (seconds each); with it a worker starts in milliseconds
    once the server runs. Process-global, and a no-op once the forkserver has started.
    """
    import multiprocessing

    multiprocessing.set_forkserver_preload(["weldcraft.policies.rollout", "weldcraft.policies.toy_envs"])


class Actor(Protocol):
    """Chooses the actions of all envs of a VecEnv at one step.

    `obs` ``[n, D]`` are the stacked observations; `labels` holds the oracle's action per env (None when no
    oracle is attached). Returns ``[n, A]`` actions.
    """

    def __call__(self, obs: np.ndarray, labels: list[np.ndarray | None]) -> np.ndarray: ...


@dataclass
class EpisodeRollout:
    """One finished episode: what the policy saw and did, and what the env reported.

    observations ``[T, D]`` (stacked, the policy's inputs), actions ``[T, A]`` (executed, before the env's
    clipping), expert_actions ``[T, A]`` or None, rewards ``[T]``, `step_info` one array ``[T]`` per recorded
    per-step info key (after each step), `weld` the final ``info["weld"]`` (None if the env gave none).
    """

    seed: int
    observations: np.ndarray
    actions: np.ndarray
    expert_actions: np.ndarray | None
    rewards: np.ndarray
    step_info: dict[str, np.ndarray]
    weld: dict[str, Any] | None
    terminated: bool
    truncated: bool
    final_observation: np.ndarray | None = None
    """The (stacked) observation after the last step (SB3's ``terminal_observation``)."""

    @property
    def length(self) -> int:
        return int(len(self.rewards))


@dataclass
class _Recorder:
    seed: int
    obs: list[np.ndarray] = field(default_factory=list)
    actions: list[np.ndarray] = field(default_factory=list)
    labels: list[np.ndarray | None] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    infos: dict[str, list[float]] = field(default_factory=dict)


def collect_episodes(
    vec_env: VecEnv,
    actor: Actor,
    schedules: Sequence[SeedSchedule],
    *,
    info_keys: Sequence[str] = (),
    record_observations: bool = True,
) -> list[EpisodeRollout]:
    """Run `actor` on `vec_env` (whose env i uses ``schedules[i]``) until each env finished its quota.

    Returns the episodes ordered as the seeds were dealt (env-major order is undone: episode order follows
    ``split_schedule``'s round-robin, i.e. the original seed list). Per-step info values under `info_keys`
    are recorded when present (missing values become NaN).
    """
    n = vec_env.num_envs
    if len(schedules) != n or any(s.quota is None for s in schedules):
        raise UserError("collect_episodes needs one finite seed schedule per env")
    quotas = [int(s.quota or 0) for s in schedules]
    done_counts = [0] * n
    finished: dict[tuple[int, int], EpisodeRollout] = {}
    obs = np.asarray(vec_env.reset())
    reset_infos = list(vec_env.reset_infos)
    recorders = [_Recorder(int(reset_infos[i][EPISODE_SEED_KEY])) for i in range(n)]
    labels: list[np.ndarray | None] = [reset_infos[i].get(EXPERT_ACTION_KEY) for i in range(n)]
    while any(done_counts[i] < quotas[i] for i in range(n)):
        actions = np.asarray(actor(np.asarray(obs), labels), dtype=np.float32)
        next_obs, rewards, dones, infos = vec_env.step(actions)
        for i in range(n):
            if done_counts[i] >= quotas[i]:
                continue
            rec = recorders[i]
            if record_observations:
                rec.obs.append(np.asarray(obs[i], dtype=np.float32))
            rec.actions.append(actions[i])
            rec.labels.append(labels[i])
            rec.rewards.append(float(rewards[i]))
            for key in info_keys:
                rec.infos.setdefault(key, []).append(float(infos[i].get(key, np.nan)))
            if dones[i]:
                truncated = bool(infos[i].get("TimeLimit.truncated", False))
                finished[(i, done_counts[i])] = _finish(
                    rec, infos[i].get("weld"), truncated, info_keys, infos[i].get("terminal_observation")
                )
                done_counts[i] += 1
                reset_info = vec_env.reset_infos[i]
                recorders[i] = _Recorder(int(reset_info[EPISODE_SEED_KEY]))
                labels[i] = reset_info.get(EXPERT_ACTION_KEY)
            else:
                labels[i] = infos[i].get(EXPERT_ACTION_KEY)
        obs = np.asarray(next_obs)
    # round-robin order: seed j went to env j % n as its (j // n)-th episode
    total = sum(quotas)
    return [finished[(j % n, j // n)] for j in range(total)]


def _finish(
    rec: _Recorder,
    weld: dict[str, Any] | None,
    truncated: bool,
    info_keys: Sequence[str],
    final_observation: Any,
) -> EpisodeRollout:
    has_labels = all(label is not None for label in rec.labels)
    return EpisodeRollout(
        seed=rec.seed,
        observations=np.stack(rec.obs) if rec.obs else np.zeros((0, 0), np.float32),
        actions=np.stack(rec.actions),
        expert_actions=np.stack([np.asarray(lb) for lb in rec.labels]) if has_labels else None,
        rewards=np.asarray(rec.rewards),
        step_info={key: np.asarray(rec.infos.get(key, []), dtype=np.float64) for key in info_keys},
        weld=weld,
        terminated=not truncated,
        truncated=truncated,
        final_observation=None if final_observation is None else np.asarray(final_observation, np.float32),
    )


def run_episodes(
    factory: EnvFactory,
    actor: Actor,
    seeds: Sequence[int],
    *,
    n_envs: int = 1,
    info_keys: Sequence[str] = (),
    record_observations: bool = True,
) -> list[EpisodeRollout]:
    """Build `n_envs` envs from `factory` over `seeds` (split by `factory.schedule`'s split), run `actor`.

    ``n_envs = 1`` runs in this process (DummyVecEnv), more in worker processes (SubprocVecEnv).
    """
    if factory.schedule is None:
        raise UserError("run_episodes needs a factory with a seed schedule (its split is used)")
    n_envs = min(n_envs, len(seeds))
    schedules = split_schedule(list(seeds), n_envs, factory.schedule.split)
    factories = [_replace_schedule(factory, s) for s in schedules]
    vec_env = make_vec_env(factories)
    try:
        return collect_episodes(
            vec_env, actor, schedules, info_keys=info_keys, record_observations=record_observations
        )
    finally:
        vec_env.close()


def _replace_schedule(factory: EnvFactory, schedule: SeedSchedule) -> EnvFactory:
    from dataclasses import replace

    return replace(factory, schedule=schedule)
