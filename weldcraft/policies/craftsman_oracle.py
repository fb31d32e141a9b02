"""The Craftsman demonstrator (weldcraft.demos) as a DAgger / evaluation oracle.

Two registered oracles:

* ``craftsman``: `weldcraft.demos.craftsman.policy.Craftsman` exactly as it records demonstrations.
  ``begin(env)`` after a reset draws a new hand (tremor, drift, reaction delay) from its own generator,
  ``act(env)`` returns the action from the true seam. Every episode gets a fresh Craftsman seeded with the
  episode's oracle seed, so the demonstrator on held-out seed s behaves the same in every evaluation.
* ``craftsman_takeover``: the same welder taking over a torch that someone else is moving (DAgger's
  labels). The Craftsman's weave is a waveform of its own clock (``hand.phase``), not of the torch's
  state: asked what to do in a state the learner reached, it answers with a stroke in *its* phase, which
  has no relation to where the learner's weave is (measured on FilletPB with a BC learner: correlation of
  the labels' lateral channel with the executed weave 0.14–0.76 at lag 0, peaking 1–2 steps later; the
  labels' lateral error 0.03–0.045 in action units² against 0.0004 on the demonstrations). BC on such
  labels learns a weave that disagrees with its own history, and DAgger's rounds made the policy worse.
  A welder who takes over a weaving torch continues the stroke it is in: after every step the learner
  moved the torch, this oracle fits the phase of the Craftsman's own weave waveform to the lateral
  commands executed over the last `window_periods` weave periods (maximum correlation over
  `phase_candidates` phases) and sets the hand's phase to it before answering. Steps where the executed
  action was its own label leave the hand alone, so in a rollout the oracle drives alone it acts exactly
  as ``craftsman`` (tested bit for bit).

Keyword arguments are the Craftsman's: ``skill`` ("novice", "competent", "master"), ``style`` ("stringer",
"zigzag", "triangle", "circle"). weldcraft.demos is imported on the first reset, so this module loads even
where the demos package is absent.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import gymnasium as gym
import numpy as np

from weldcraft.errors import UserError
from weldcraft.policies.oracle import ORACLES


class CraftsmanOracle:
    """`Oracle` adapter of the Craftsman (see the module docstring).

    Args:
        skill, style: the Craftsman's.
        follow_weave: continue the weave in the phase of the executed torch motion after a step that was
            not the Craftsman's own (``craftsman_takeover``).
        window_periods: length of the executed history the phase is fitted to, in weave periods.
        phase_candidates: phases tried per fit (resolution 1/phase_candidates of a period).
        min_weave_fraction: fit only when the executed lateral motion's std is at least this fraction of
            the Craftsman's weave half-width (a learner that does not weave has no phase to follow).
    """

    def __init__(
        self,
        skill: str = "master",
        style: str = "zigzag",
        *,
        follow_weave: bool = False,
        window_periods: float = 1.5,
        phase_candidates: int = 40,
        min_weave_fraction: float = 0.25,
    ) -> None:
        if window_periods <= 0 or phase_candidates < 4 or min_weave_fraction < 0:
            raise UserError(
                "craftsman oracle: need window_periods > 0, phase_candidates >= 4, min_weave_fraction >= 0"
            )
        self.skill = skill
        self.style = style
        self.follow_weave = follow_weave
        self.window_periods = window_periods
        self.phase_candidates = phase_candidates
        self.min_weave_fraction = min_weave_fraction
        self._craftsman: Any = None
        self._last_label: np.ndarray | None = None
        self._lateral_mm: deque[float] = deque()
        self._foreign_steps = 0
        """Steps in the history window whose executed action was not this oracle's label."""
        self._foreign_flags: deque[bool] = deque()

    def reset(self, env: gym.Env[Any, Any], *, seed: int) -> None:
        try:
            from weldcraft.demos.craftsman.policy import Craftsman
        except ImportError as exc:
            raise UserError(f"the 'craftsman' oracle needs weldcraft.demos: {exc}") from exc
        self._craftsman = Craftsman(self.skill, self.style, seed=seed)
        self._craftsman.begin(env)
        self._last_label = None
        self._lateral_mm.clear()
        self._foreign_flags.clear()
        self._foreign_steps = 0

    def act(self, env: gym.Env[Any, Any]) -> np.ndarray:
        if self._craftsman is None:
            raise UserError("CraftsmanOracle.act() before reset()")
        if self.follow_weave and self._foreign_steps > 0:
            self._follow_executed_weave(env)
        action = np.asarray(self._craftsman.act(env), dtype=np.float32)
        self._last_label = action
        return action

    def observe_action(self, env: gym.Env[Any, Any], action: np.ndarray) -> None:
        """The action about to be executed in the state of the last `act` (OracleLabelWrapper's hook)."""
        if not self.follow_weave:
            return
        executed = np.asarray(action, dtype=np.float32).reshape(-1)
        foreign = self._last_label is None or not np.array_equal(executed, self._last_label)
        window = self._window_steps(env)
        lateral_range_mm = float(env.unwrapped.action_scaling.lateral_range_mm)  # type: ignore[attr-defined]
        self._lateral_mm.append(float(np.clip(executed[0], -1.0, 1.0)) * lateral_range_mm)
        self._foreign_flags.append(foreign)
        self._foreign_steps += int(foreign)
        while len(self._lateral_mm) > window:
            self._lateral_mm.popleft()
            self._foreign_steps -= int(self._foreign_flags.popleft())

    def _window_steps(self, env: gym.Env[Any, Any]) -> int:
        freq = self._craftsman.style.weave.frequency_hz if self._craftsman is not None else 0.0
        if freq <= 0:
            return 1
        dt = float(env.unwrapped.dt)  # type: ignore[attr-defined]
        return max(4, int(round(self.window_periods / (freq * dt))))

    def _follow_executed_weave(self, env: gym.Env[Any, Any]) -> None:
        """Set the hand's weave phase to the one that best explains the executed lateral commands."""
        from weldcraft.demos.craftsman.weave import WeavePattern, lateral_unit

        hand = self._craftsman.hand
        shape = self._craftsman.style.weave
        x = np.asarray(self._lateral_mm, dtype=np.float64)
        if shape.pattern is WeavePattern.NONE or len(x) < self._window_steps(env):
            return
        x = x - x.mean()
        half_width_mm = 0.5 * shape.width_mm
        if x.std() < self.min_weave_fraction * half_width_mm:
            return
        dt = float(env.unwrapped.dt)  # type: ignore[attr-defined]
        freq = shape.frequency_hz
        dwell = min(shape.dwell_s * freq, 0.39)
        lags = np.arange(len(x), 0, -1) * freq * dt  # x[j] was commanded at phase (next − lags[j])
        best, best_score = hand.phase, -math.inf
        for c in range(self.phase_candidates):
            phase = c / self.phase_candidates
            u = np.array([lateral_unit(shape.pattern, phase - lag, dwell) for lag in lags])
            score = float(np.dot(x, u - u.mean()))
            if score > best_score:
                best, best_score = phase, score
        hand.phase = math.floor(hand.phase) + best


def craftsman_takeover(skill: str = "master", style: str = "zigzag", **kwargs: Any) -> CraftsmanOracle:
    """The Craftsman continuing the weave of a torch someone else moved (DAgger's oracle)."""
    return CraftsmanOracle(skill, style, follow_weave=True, **kwargs)


if "craftsman" not in ORACLES:
    ORACLES.register("craftsman")(CraftsmanOracle)
if "craftsman_takeover" not in ORACLES:
    ORACLES.register("craftsman_takeover")(craftsman_takeover)
