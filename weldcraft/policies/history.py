"""Observation history by frame stacking, applied identically to env rollouts and to dataset episodes.

A Markov policy cannot reproduce a weave: at the same torch offset the torch may be moving toward either
toe, so the expert's action is not a function of the current observation alone. Stacking the last `k`
observations gives the policy the direction, speed and dwell time of the weave.

Both paths build the same layout, so that training and rollout see bit-identical inputs (a test replays
an episode through the wrapper and compares it with the dataset transform):

* `FrameStackWrapper` (a Gymnasium wrapper) keeps a ring of the last `k` raw observations;
* `stack_episode` stacks a recorded episode's observations ``[T+1, d]`` in one vectorized call.

Layout of a stacked observation (shape ``[k * d]``, float32): frames oldest first, newest last,
``[o_{t-k+1}, ..., o_{t-1}, o_t]``. Before the episode has `k` frames the first observation is repeated
(the torch "has been still"), never zeros, which would look like a jump of the seam reading.

Choice of k for the welding envs (20 Hz control): the default ``bc_history`` uses k = 10 frames = 0.5 s.
Weave frequencies of 0.5–5 Hz (robot practice; manual MIG manipulation ≈ 0.5–1 Hz, see
shared/reference/welding-process.md "Weaving") have half-periods of 2–20 steps, and edge dwells of
0.1–0.3 s (Doosan weave defaults, same file) last 2–6 steps. Ten frames cover the longest dwell plus the
4 steps of motion that reveal the stroke direction, and half a period of a 1 Hz weave, while keeping the
input small (10·d features) so that BC from 50 demos trains in minutes on two cores.
"""

from __future__ import annotations

from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from weldcraft.errors import UserError
from weldcraft.types import FloatArray


def stack_frames(frames: np.ndarray, k: int) -> np.ndarray:
    """Stack a sequence of observations ``[T, d]`` into ``[T, k*d]`` float32, repeating the first frame.

    Row t is ``concat(frames[max(t-k+1, 0)], ..., frames[t])``, oldest first. ``k = 1`` returns the frames
    unchanged (as float32).
    """
    if k < 1:
        raise UserError(f"history_frames must be >= 1, got {k}")
    arr = np.asarray(frames, dtype=np.float32)
    if arr.ndim != 2:
        raise UserError(f"expected observations of shape [T, d], got {arr.shape}")
    n = arr.shape[0]
    idx = np.arange(n)[:, None] - (k - 1) + np.arange(k)[None, :]  # [T, k]
    np.clip(idx, 0, None, out=idx)
    return arr[idx].reshape(n, k * arr.shape[1])


def stack_episode(observations: np.ndarray, k: int) -> np.ndarray:
    """Stack one recorded episode's observations ``[T+1, d]`` (Minari layout) into ``[T+1, k*d]``."""
    return stack_frames(observations, k)


def stacked_space(space: gym.Space[Any], k: int) -> spaces.Box:
    """The Box of stacked observations: `space` flattened and tiled `k` times (float32)."""
    if not isinstance(space, spaces.Box):
        raise UserError(f"frame stacking needs a Box observation space, got {type(space).__name__}")
    low = np.tile(np.asarray(space.low, dtype=np.float32).reshape(-1), k)
    high = np.tile(np.asarray(space.high, dtype=np.float32).reshape(-1), k)
    return spaces.Box(low=low, high=high, dtype=np.float32)


class FrameStackWrapper(gym.Wrapper[np.ndarray, Any, Any, Any]):
    """Present the last `k` observations, flattened and stacked oldest-first (see module docstring).

    ``k = 1`` still flattens to float32, so a policy without history sees the same dtype and layout as its
    training data.
    """

    def __init__(self, env: gym.Env[Any, Any], k: int) -> None:
        super().__init__(env)
        if k < 1:
            raise UserError(f"history_frames must be >= 1, got {k}")
        self.k = k
        self.observation_space = stacked_space(env.observation_space, k)
        self._frames: FloatArray | None = None  # [k, d] float32 ring, oldest first

    def _observe(self, obs: Any) -> np.ndarray:
        assert self._frames is not None
        return self._frames.reshape(-1).copy()

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        obs, info = self.env.reset(seed=seed, options=options)
        flat = np.asarray(obs, dtype=np.float32).reshape(1, -1)
        self._frames = np.repeat(flat, self.k, axis=0)
        return self._observe(obs), info

    def step(self, action: Any) -> tuple[np.ndarray, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        if self._frames is None:
            raise RuntimeError("FrameStackWrapper.step called before reset")
        self._frames = np.roll(self._frames, -1, axis=0)
        self._frames[-1] = np.asarray(obs, dtype=np.float32).reshape(-1)
        return self._observe(obs), reward, terminated, truncated, info
