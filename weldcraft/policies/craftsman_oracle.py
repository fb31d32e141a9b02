"""The Craftsman demonstrator (weldcraft.demos) as a DAgger / evaluation oracle, registered as "craftsman".

`weldcraft.demos.craftsman.policy.Craftsman` welds whole episodes: ``begin(env)`` after a reset draws a new
hand (tremor, drift, reaction delay) from its own generator, ``act(env)`` returns the action from the true
seam. The adapter gives every episode a fresh Craftsman seeded with the episode's oracle seed, so the
demonstrator on held-out seed s behaves the same in every evaluation, whatever ran before.

Keyword arguments are the Craftsman's: ``skill`` ("novice", "competent", "master"), ``style`` ("stringer",
"zigzag", "triangle", "circle"). weldcraft.demos is imported on the first reset, so this module loads even
where the demos package is absent.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from weldcraft.errors import UserError
from weldcraft.policies.oracle import ORACLES


class CraftsmanOracle:
    """`Oracle` adapter of the Craftsman (see the module docstring)."""

    def __init__(self, skill: str = "master", style: str = "zigzag") -> None:
        self.skill = skill
        self.style = style
        self._craftsman: Any = None

    def reset(self, env: gym.Env[Any, Any], *, seed: int) -> None:
        try:
            from weldcraft.demos.craftsman.policy import Craftsman
        except ImportError as exc:
            raise UserError(f"the 'craftsman' oracle needs weldcraft.demos: {exc}") from exc
        self._craftsman = Craftsman(self.skill, self.style, seed=seed)
        self._craftsman.begin(env)

    def act(self, env: gym.Env[Any, Any]) -> np.ndarray:
        if self._craftsman is None:
            raise UserError("CraftsmanOracle.act() before reset()")
        return np.asarray(self._craftsman.act(env), dtype=np.float32)


if "craftsman" not in ORACLES:
    ORACLES.register("craftsman")(CraftsmanOracle)
