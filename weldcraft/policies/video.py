"""A GIF of a policy welding one seam, from the env's ``rgb_array`` renderer (imageio)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from weldcraft.fileio import atomic_path
from weldcraft.policies.checkpoint import PolicyCheckpoint
from weldcraft.policies.seeds import VALIDATION_SEED_START, SeedSchedule
from weldcraft.types import PathLikeStr

log = logging.getLogger(__name__)


def record_video(
    ckpt: PolicyCheckpoint,
    path: PathLikeStr,
    *,
    seed: int = VALIDATION_SEED_START,
    frame_stride: int = 1,
    max_frames: int = 600,
) -> Path | None:
    """Roll out `ckpt` on validation seed `seed` and write every `frame_stride`-th frame to a GIF at `path`.

    Returns the path, or None (logged) when the env cannot render ``rgb_array``. A validation seed keeps the
    video's seam out of both training and the held-out evaluation.
    """
    factory = ckpt.env_factory(SeedSchedule("validation", (seed,)), render_mode="rgb_array")
    try:
        env = factory()
    except TypeError as exc:  # the env takes no render_mode argument
        log.warning("no video: env %s cannot render rgb_array (%s)", ckpt.env_id, exc)
        return None
    try:
        if "rgb_array" not in env.metadata.get("render_modes", []):
            log.warning("no video: env %s does not list rgb_array among its render modes", ckpt.env_id)
            return None
        obs, _ = env.reset()
        frames = [env.render()]
        done, step = False, 0
        while not done and len(frames) < max_frames:
            action = ckpt.predict(np.asarray(obs)[None])[0]
            obs, _, terminated, truncated, _ = env.step(action)
            done = terminated or truncated
            step += 1
            if step % frame_stride == 0 or done:
                frames.append(env.render())
        fps = float(env.metadata.get("render_fps", 20)) / frame_stride
    finally:
        env.close()
    images = [np.asarray(f, dtype=np.uint8) for f in frames if f is not None]
    if not images:
        log.warning("no video: env %s returned no frames", ckpt.env_id)
        return None
    import imageio.v3 as iio

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        iio.imwrite(tmp, images, duration=1000.0 / fps, loop=0)
    return out
