"""A tiny stand-in env for dataset tests: a point that integrates its 2-D action (no pybullet)."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

FAKE_ID = "weldcraft_test/FakePoint-v0"


class FakePointEnv(gym.Env[np.ndarray, np.ndarray]):
    """Observation (x, y, step/10) in float32; action in [-1, 1]^5 (the first two move the point).

    `horizon` steps then truncation, with an `info["weld"]` outcome on the last step as the real envs give.
    """

    def __init__(self, horizon: int = 10, gain: float = 0.1) -> None:
        self.horizon = horizon
        self.gain = gain
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (3,), np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (5,), np.float32)
        self._pos = np.zeros(2)
        self._k = 0

    def _obs(self) -> np.ndarray:
        return np.array([*self._pos, self._k / 10.0], dtype=np.float32)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self._pos = self.np_random.uniform(-1, 1, 2)
        self._k = 0
        return self._obs(), {"q_rad": np.zeros(2)}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        self._pos = self._pos + self.gain * np.asarray(action, dtype=np.float64)[:2]
        self._k += 1
        reward = -float(np.linalg.norm(self._pos))
        done = self._k >= self.horizon
        info: dict[str, Any] = {"q_rad": self._pos.copy()}
        if done:
            dist = float(np.linalg.norm(self._pos))
            level = "B" if dist < 0.5 else ("C" if dist < 1.0 else None)
            info["weld"] = {
                "iso5817_level": level,
                "quality_score": float(np.exp(-dist)),
                "completed": True,
                "imperfections": [],
                "heat_input_kj_mm": 0.9,
            }
        return self._obs(), reward, False, done, info


def register() -> None:
    if FAKE_ID not in gym.registry:
        gym.register(id=FAKE_ID, entry_point="tests.demos.fake_env:FakePointEnv")
