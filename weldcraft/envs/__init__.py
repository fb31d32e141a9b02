"""Welding cells on pybullet as Gymnasium environments (see docs/envs.md).

Public API (imported lazily, so `import weldcraft.envs` alone does not load pybullet):

- `WeldCellEnv(job, *, control_hz, sensor, randomization, action_scaling, reward_weights, seam_tracking,
  cell, max_episode_steps, ..., render_mode)`; env ids `weldcraft/FilletPB-v0`, `ButtPA-v0`, `LapPB-v0`,
  `CurvedFilletPB-v0`, `TinyFillet-v0` (registered by `import weldcraft`).
- Config records: `SensorConfig`, `RandomizationConfig`, `ActionScaling`, `RewardWeights`.
- Observation layout: `OBS_LAYOUT`, `OBS_INDEX`, `decode_observation`.
- Privileged truth: `WeldCellEnv.true_seam_state() -> TrueSeamState`.
- Scripted baseline: `NominalController`, `run_episode`.
- The robot side (URDF, kinematics, IK, limiter, cell) is `weldcraft.envs.robot`.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "WeldCellEnv": "weldcraft.envs.weld_cell_env",
    "default_max_episode_steps": "weldcraft.envs.weld_cell_env",
    "TERMINATION_REASONS": "weldcraft.envs.weld_cell_env",
    "SensorConfig": "weldcraft.envs.config",
    "RandomizationConfig": "weldcraft.envs.config",
    "ActionScaling": "weldcraft.envs.config",
    "RewardWeights": "weldcraft.envs.config",
    "OBS_LAYOUT": "weldcraft.envs.observation",
    "OBS_INDEX": "weldcraft.envs.observation",
    "OBS_SIZE": "weldcraft.envs.observation",
    "decode_observation": "weldcraft.envs.observation",
    "TrueSeamState": "weldcraft.envs.true_state",
    "TorchState": "weldcraft.envs.torch_geometry",
    "NominalController": "weldcraft.envs.controllers",
    "run_episode": "weldcraft.envs.controllers",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'weldcraft.envs' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
