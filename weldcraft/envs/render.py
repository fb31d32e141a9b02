"""Rendering of the welding cell: TinyRenderer images (headless) with the bead coloured by ISO level.

The bead is drawn in batches (DESIGN section 3): every `CHUNK_SEGMENTS` recorded segments become one
visual-only box body laid along the seam (bead width x reinforcement), coloured by the worst ISO 5817
level of its segments (B green, C yellow, D orange, none red). Box visual shapes are cached by quantized
size and level, so a long run reuses a few dozen shapes; chunk bodies are removed at each reset. Nothing
here runs unless the env was made with a render_mode.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pybullet as pb

from weldcraft.types import FloatArray

if TYPE_CHECKING:
    from weldcraft.envs.weld_cell_env import WeldCellEnv

CHUNK_SEGMENTS = 8
LEVEL_RGBA = {
    0: (0.15, 0.75, 0.25, 1.0),  # B
    1: (0.95, 0.85, 0.1, 1.0),  # C
    2: (0.95, 0.5, 0.1, 1.0),  # D
    3: (0.85, 0.1, 0.1, 1.0),  # below D
}
_QUANT_MM = 0.5
_CAMERA_BACK = 0.7  # the camera looks from out of the joint (n) and from behind the torch (-t)
_CAMERA_DIST_M = 0.30
_CAMERA_TARGET_BEHIND_M = 0.015  # aim a little behind the torch, where the fresh bead is


class CellRenderer:
    """Draws one env's cell; call `render()` once per frame."""

    def __init__(self, env: WeldCellEnv) -> None:
        self.env = env
        self.client_id = env.client_id
        self._shapes: dict[tuple[int, int, int, int], int] = {}
        self._bodies: list[int] = []
        self._drawn = 0
        self._episode_token: object = None
        w, h = env.render_width, env.render_height
        self._proj = pb.computeProjectionMatrixFOV(45.0, w / h, 0.02, 5.0, physicsClientId=self.client_id)
        joint = env.job.joint
        # groove depth from the seam point (single-V: the root) to the plate surface
        self._depth_mm = (
            joint.thickness_mm - joint.root_face_mm if joint.kind.value == "single_v_butt" else 0.0
        )

    def _clear(self) -> None:
        for body in self._bodies:
            pb.removeBody(body, physicsClientId=self.client_id)
        self._bodies.clear()
        self._drawn = 0

    def _shape(self, level: int, length_mm: float, height_mm: float, width_mm: float) -> int:
        key = (
            level,
            max(1, round(length_mm / _QUANT_MM)),
            max(1, round(height_mm / _QUANT_MM)),
            max(1, round(width_mm / _QUANT_MM)),
        )
        shape = self._shapes.get(key)
        if shape is None:
            half = [k * _QUANT_MM / 2000.0 for k in key[1:]]
            shape = pb.createVisualShape(
                pb.GEOM_BOX, halfExtents=half, rgbaColor=LEVEL_RGBA[level], physicsClientId=self.client_id
            )
            self._shapes[key] = shape
        return shape

    def _draw_new_chunks(self) -> None:
        bead = self.env.bead
        if bead.n < self._drawn:  # a new episode started
            self._clear()
        while bead.n - self._drawn >= CHUNK_SEGMENTS:
            self._draw_chunk(self._drawn, self._drawn + CHUNK_SEGMENTS)
            self._drawn += CHUNK_SEGMENTS

    def _draw_chunk(self, i0: int, i1: int) -> None:
        bead = self.env.bead
        levels = bead.column("level")[i0:i1]
        level = int(min(max(levels.max(), 0), 3))
        width = float(np.mean(bead.column("width_mm")[i0:i1]))
        # the visible bead: a box from the root up to the cap (throat + cap height for a fillet, groove
        # depth + reinforcement for a butt), as wide as the bead face
        throat = bead.column("throat_mm")[i0:i1]
        cap = bead.column("reinforcement_mm")[i0:i1]
        height = max(float(np.mean(throat + cap)) + self._depth_mm, 0.5)
        p0, p1 = bead.aim_world_m[i0], bead.aim_world_m[i1 - 1]
        along = p1 - p0
        length = float(np.linalg.norm(along)) * 1000.0 + float(bead.length_mm[i1 - 1])
        n = bead.frame_n_world[i1 - 1]
        t = along / max(np.linalg.norm(along), 1e-9)
        b = np.cross(t, n)
        rot = np.column_stack((t, n, b))
        centre = 0.5 * (p0 + p1) + n * (height / 2000.0)
        quat = _quat_from_matrix(rot)
        shape = self._shape(level, max(length, 0.5), height, max(width, 1.0))
        body = pb.createMultiBody(
            0.0, -1, shape, centre.tolist(), quat.tolist(), physicsClientId=self.client_id
        )
        self._bodies.append(int(body))

    def render(self) -> npt.NDArray[np.uint8]:
        """An RGB image (H, W, 3) uint8 of the cell around the torch."""
        env = self.env
        self._draw_new_chunks()
        target, frame = env.world.programmed.point_frame(env._s_cmd_m - _CAMERA_TARGET_BEHIND_M)
        view_dir = frame[:, 1] - _CAMERA_BACK * frame[:, 0]
        eye = target + view_dir / np.linalg.norm(view_dir) * _CAMERA_DIST_M
        cid = self.client_id
        view = pb.computeViewMatrix(eye.tolist(), target.tolist(), [0.0, 0.0, 1.0], physicsClientId=cid)
        w, h = env.render_width, env.render_height
        if env.render_mode == "human":
            pb.resetDebugVisualizerCamera(
                _CAMERA_DIST_M, 45.0, -40.0, target.tolist(), physicsClientId=self.client_id
            )
        _, _, rgba, _, _ = pb.getCameraImage(
            w, h, view, self._proj, renderer=pb.ER_TINY_RENDERER, physicsClientId=self.client_id
        )
        return np.asarray(rgba, dtype=np.uint8).reshape(h, w, 4)[:, :, :3].copy()


def _quat_from_matrix(m: FloatArray) -> FloatArray:
    """Quaternion (x, y, z, w) of a rotation matrix (3, 3)."""
    tr = m[0, 0] + m[1, 1] + m[2, 2]
    if tr > 0.0:
        s = math.sqrt(tr + 1.0) * 2.0
        q = ((m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s, 0.25 * s)
    elif m[0, 0] > m[1, 1] and m[0, 0] > m[2, 2]:
        s = math.sqrt(1.0 + m[0, 0] - m[1, 1] - m[2, 2]) * 2.0
        q = (0.25 * s, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s, (m[2, 1] - m[1, 2]) / s)
    elif m[1, 1] > m[2, 2]:
        s = math.sqrt(1.0 + m[1, 1] - m[0, 0] - m[2, 2]) * 2.0
        q = ((m[0, 1] + m[1, 0]) / s, 0.25 * s, (m[1, 2] + m[2, 1]) / s, (m[0, 2] - m[2, 0]) / s)
    else:
        s = math.sqrt(1.0 + m[2, 2] - m[0, 0] - m[1, 1]) * 2.0
        q = ((m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, 0.25 * s, (m[1, 0] - m[0, 1]) / s)
    out = np.array(q)
    return out / np.linalg.norm(out)


def record_weld(
    env: WeldCellEnv,
    actions: Callable[[int], npt.NDArray[np.float32]],
    seed: int | None = None,
    every: int = 5,
) -> tuple[list[npt.NDArray[np.uint8]], dict[str, Any]]:
    """Weld one episode with `actions(step)` and return every `every`-th rendered frame and the last info.

    `env` must have render_mode="rgb_array". Used for the animation in docs/img (see docs/envs.md).
    """
    if env.render_mode != "rgb_array":
        raise ValueError("record_weld needs an env made with render_mode='rgb_array'")
    env.reset(seed=seed)
    renderer = CellRenderer(env) if env._renderer is None else env._renderer
    env._renderer = renderer
    frames = [renderer.render()]
    info: dict[str, Any] = {}
    k = 0
    while True:
        _, _, terminated, truncated, info = env.step(actions(k))
        k += 1
        if k % every == 0 or terminated or truncated:
            frames.append(renderer.render())
        if terminated or truncated:
            return frames, info
