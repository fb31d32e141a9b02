"""The two welds the report shows: the policy and the Craftsman on the same held-out seam, rendered.

Each weld runs in exactly the env the evaluation uses (`EnvFactory` of the checkpoint: registered env id
and kwargs, held-out seed schedule, frame stacking for the policy, the oracle wrapper for the Craftsman),
with ``render_mode="rgb_array"``, and is recorded by `weldcraft.regress.episode.EpisodeTrace`: the bead,
the torch relative to the true seam at every bead segment, the TCP path, and a frame every `frame_stride`
control steps for the GIF. Rendering does not change the physics, so the shown welds are the evaluation's
episodes on that seed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from weldcraft.pipeline.progress import ProgressFn, report

ActFn = Callable[[np.ndarray, dict[str, Any]], np.ndarray]


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

    Returns the `EpisodeResult` and its `EpisodeTrace` (joints and TCP poses per step, for the program).
    `progress` receives ``steps_offset + k`` of `steps_total` after every step k.
    """
    from weldcraft.regress.episode import EpisodeTrace

    env = factory()
    try:
        obs, info = env.reset()
        cell = env.unwrapped
        trace = EpisodeTrace(cell, frame_stride)
        trace.add(0.0, 0.0, info["q_rad"], None)
        k = 0
        while True:
            action = np.asarray(act(np.asarray(obs), info), dtype=np.float32)
            obs, _, terminated, truncated, info = env.step(action)
            k += 1
            trace.add(k * cell.dt, float(info["s_mm"]), info["q_rad"], None)
            report(progress, min(steps_offset + k, steps_total), steps_total)
            if terminated or truncated:
                return trace.result(info, 0, float(info["s_mm"])), trace
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
