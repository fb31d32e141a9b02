"""A scripted nominal welding controller and an episode runner (tests, benchmarks, the docs' GIF).

`NominalController` holds the torch at the WPS pose on the tracked seam (all-zero action) with optional
constant offsets per action channel and an optional sine weave of the lateral channel. It uses no
observation: with the env's seam tracking on, the robot follows the seam the tracker sees. The full
Craftsman demonstrator (skills, styles, privileged truth) lives in `weldcraft.demos`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from weldcraft.envs.weld_cell_env import Float32Array, WeldCellEnv


@dataclass
class NominalController:
    """Constant normalized actions, plus a lateral sine weave.

    Attributes (normalized action units, see `ActionScaling`, except the weave):
        lateral, ctwd, work_angle, travel_angle, speed: the constant value of each channel.
        weave_amplitude_mm: half the peak-to-peak lateral weave, mm (0 = straight run).
        weave_hz: weave frequency.
    """

    lateral: float = 0.0
    ctwd: float = 0.0
    work_angle: float = 0.0
    travel_angle: float = 0.0
    speed: float = 0.0
    weave_amplitude_mm: float = 0.0
    weave_hz: float = 2.0
    _step: int = 0

    def reset(self) -> None:
        """Start a new episode (the weave phase restarts)."""
        self._step = 0

    def __call__(self, env: WeldCellEnv, obs: Float32Array) -> Float32Array:
        """The action for this step of `env` (the observation is not needed)."""
        del obs
        lat = self.lateral
        if self.weave_amplitude_mm:
            t = self._step * env.dt
            lat += (
                self.weave_amplitude_mm
                / env.action_scaling.lateral_range_mm
                * math.sin(2.0 * math.pi * self.weave_hz * t)
            )
        self._step += 1
        return np.clip(
            np.array([lat, self.ctwd, self.work_angle, self.travel_angle, self.speed], dtype=np.float32),
            -1.0,
            1.0,
        )


def run_episode(
    env: WeldCellEnv,
    controller: NominalController,
    seed: int | None = None,
    options: dict[str, Any] | None = None,
    max_steps: int | None = None,
) -> dict[str, Any]:
    """Reset `env` and step it with `controller` until the episode ends (or `max_steps`); the last info.

    The returned info of an ended episode carries "weld" and "termination_reason" ("time_limit" when
    truncated).
    """
    obs, info = env.reset(seed=seed, options=options)
    controller.reset()
    steps = 0
    while max_steps is None or steps < max_steps:
        obs, _, terminated, truncated, info = env.step(controller(env, obs))
        steps += 1
        if terminated or truncated:
            break
    return info
