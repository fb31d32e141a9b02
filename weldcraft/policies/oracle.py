"""The oracle interface: an expert that sees the true state and says what it would do now.

DAgger labels the states the learner visits with the oracle's actions, and the evaluation runs the
demonstrator through the same code as a policy. In weldcraft the oracle is the Craftsman demonstrator,
which reads the true seam (privileged) rather than the noisy seam tracker.

Protocol (chosen so that one stateful object serves whole episodes, in the env's own process):

* ``oracle.reset(env, seed=s)`` after every ``env.reset``; `s` is derived from the episode's reset seed
  (`oracle_seed`), so the oracle's own noise (tremor, drift) is reproducible and independent of the env's.
* ``oracle.act(env) -> action`` exactly once per state, after the reset and after every non-final step: the
  action it would take in the env's current state, in the env's normalized action units. It may read
  privileged state through ``env.unwrapped``; it must not step or reset the env.
* optional: ``oracle.observe_action(env, action)`` just before each step, with the action about to be
  executed in the state of the last ``act`` (the learner's in DAgger, or its own label). An oracle whose
  answer depends on what was done before (a welder's weave phase) uses it to follow the executed motion.

`OracleLabelWrapper` calls the oracle and puts the label into ``info["expert_action"]``. Because the oracle
runs inside the wrapper, it lives in the same process as its env, including in a SubprocVecEnv worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, SupportsFloat, runtime_checkable

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from weldcraft.errors import UserError
from weldcraft.registry import Registry

EXPERT_ACTION_KEY = "expert_action"
"""The info key under which `OracleLabelWrapper` reports the oracle's action for the current state."""


@runtime_checkable
class Oracle(Protocol):
    """An expert policy with access to the env (see the module docstring for the call protocol)."""

    def reset(self, env: gym.Env[Any, Any], *, seed: int) -> None: ...

    def act(self, env: gym.Env[Any, Any]) -> np.ndarray: ...


OracleFactory = Callable[..., Oracle]
ORACLES: Registry[OracleFactory] = Registry("oracle")
"""Oracle factories by name; ``ORACLES.get(name)(**kwargs)`` makes one (the Craftsman registers here)."""


def make_oracle(name: str, **kwargs: Any) -> Oracle:
    """A new oracle from the registry; unknown names raise `UserError` listing the choices."""
    from weldcraft.policies import craftsman_oracle, toy_envs  # noqa: F401  (register their oracles)

    oracle = ORACLES.get(name)(**kwargs)
    if not isinstance(oracle, Oracle):
        raise UserError(f"oracle {name!r} does not implement reset(env, seed=...) and act(env)")
    return oracle


def oracle_seed(episode_seed: int) -> int:
    """The oracle's seed for an episode: a hash of the episode seed, so env and oracle streams differ."""
    return int(np.random.SeedSequence([int(episode_seed), 0x0AC1E]).generate_state(1)[0])


class OracleLabelWrapper(gym.Wrapper[Any, Any, Any, Any]):
    """Ask `oracle` for its action at every state and report it as ``info["expert_action"]`` (float32,
    clipped to the action Box). The episode's seed is ``info["episode_seed"]`` when a seed schedule sits
    below this wrapper, else the seed passed to `reset`, which is then required.
    """

    def __init__(self, env: gym.Env[Any, Any], oracle: Oracle) -> None:
        super().__init__(env)
        if not isinstance(env.action_space, spaces.Box):
            raise UserError(f"oracles need a Box action space, got {env.action_space}")
        self.oracle = oracle

    def _label(self) -> np.ndarray:
        space = self.env.action_space
        assert isinstance(space, spaces.Box)
        action = np.asarray(self.oracle.act(self.env), dtype=np.float32).reshape(space.shape)
        if not np.all(np.isfinite(action)):
            raise RuntimeError(f"oracle {type(self.oracle).__name__} returned a non-finite action {action}")
        return np.clip(action, space.low, space.high).astype(np.float32)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(seed=seed, options=options)
        episode_seed = info.get("episode_seed", seed)
        if episode_seed is None:
            raise UserError("an oracle episode needs an explicit reset seed (or a seed schedule)")
        self.oracle.reset(self.env, seed=oracle_seed(int(episode_seed)))
        info[EXPERT_ACTION_KEY] = self._label()
        return obs, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        observe = getattr(self.oracle, "observe_action", None)
        if observe is not None:
            observe(self.env, np.asarray(action, dtype=np.float32))
        obs, reward, terminated, truncated, info = self.env.step(action)
        if not (terminated or truncated):
            info[EXPERT_ACTION_KEY] = self._label()
        return obs, reward, terminated, truncated, info
