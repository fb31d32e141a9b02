"""The two welds the report shows: the policy and the Craftsman on the same held-out seam, rendered.

Each weld runs in exactly the env the evaluation uses (`EnvFactory` of the checkpoint: registered env id
and kwargs, held-out seed schedule, frame stacking for the policy, the oracle wrapper for the Craftsman),
with ``render_mode="rgb_array"``, stepped and recorded by `weldcraft.regress.replay.roll_env`: the bead,
the torch relative to the true seam at every bead segment, the TCP path, and a frame every `frame_stride`
control steps for the GIF. Rendering does not change the physics, so the shown welds are the evaluation's
episodes on that seed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np

from weldcraft.pipeline.progress import ProgressFn, report

ActFn = Callable[[np.ndarray, dict[str, Any]], np.ndarray]


class _Tap(gym.Wrapper[Any, Any, Any, Any]):
    """Outermost wrapper: keeps the last info (the oracle's label lives there) and reports each step."""

    def __init__(self, env: gym.Env[Any, Any], progress: ProgressFn | None, offset: int, total: int) -> None:
        super().__init__(env)
        self.info: dict[str, Any] = {}
        self.progress, self.offset, self.total, self.steps = progress, offset, total, 0

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        obs, self.info = self.env.reset(**kwargs)
        return obs, self.info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, self.info = self.env.step(action)
        self.steps += 1
        report(self.progress, min(self.offset + self.steps, self.total), self.total)
        return obs, reward, terminated, truncated, self.info


def weld_with(
    factory: Any,
    act: ActFn,
    *,
    frame_stride: int,
    progress: ProgressFn | None = None,
    steps_offset: int = 0,
    steps_total: int = 0,
) -> tuple[Any, Any]:
    """Weld one episode in ``factory()`` with ``act(obs, info) -> action``.

    Stepped by the export layer's `weldcraft.regress.replay.roll_env` (actions clipped to [-1, 1] as
    float32, the trace that `program_from_trace` turns into a program). Returns the `EpisodeResult` and
    its `EpisodeTrace`. `progress` receives ``steps_offset + k`` of `steps_total` after every step k.
    """
    from weldcraft.regress.replay import roll_env

    env = factory()
    try:
        tap = _Tap(env, progress, steps_offset, steps_total)
        return roll_env(
            env.unwrapped,
            lambda k, obs: act(np.asarray(obs), tap.info),
            stepper=tap,
            reset_seed=None,  # the seed schedule inside the factory's env picks the seam
            frames_every=frame_stride,
        )
    finally:
        env.close()


def policy_weld(
    ckpt: Any,
    seed: int,
    *,
    frame_stride: int,
    progress: ProgressFn | None = None,
    steps_estimate: int = 0,
) -> tuple[Any, Any]:
    """The policy's weld of held-out seam `seed` (mean action): `EpisodeResult` (with frames) and trace."""
    from weldcraft.policies.rollout import EnvFactory
    from weldcraft.policies.seeds import SeedSchedule

    factory = EnvFactory(
        ckpt.env_id,
        dict(ckpt.env_kwargs),
        ckpt.history_frames,
        SeedSchedule("held_out", (seed,)),
        render_mode="rgb_array",
    )
    return weld_with(
        factory,
        lambda obs, info: ckpt.predict(obs[None])[0],
        frame_stride=frame_stride,
        progress=progress,
        steps_total=steps_estimate,
    )


def master_weld(
    env_id: str,
    env_kwargs: dict[str, Any],
    seed: int,
    *,
    skill: str,
    style: str,
    frame_stride: int,
    progress: ProgressFn | None = None,
    steps_estimate: int = 0,
) -> tuple[Any, Any]:
    """The Craftsman's weld of held-out seam `seed`, as the evaluation runs it (the "craftsman" oracle)."""
    from weldcraft.policies.rollout import EnvFactory
    from weldcraft.policies.seeds import SeedSchedule

    factory = EnvFactory(
        env_id,
        dict(env_kwargs),
        1,
        SeedSchedule("held_out", (seed,)),
        oracle="craftsman",
        oracle_kwargs={"skill": skill, "style": style},
        render_mode="rgb_array",
    )
    return weld_with(
        factory,
        lambda obs, info: np.asarray(info["expert_action"]),
        frame_stride=frame_stride,
        progress=progress,
        steps_total=steps_estimate,
    )
