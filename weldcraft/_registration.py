"""Gymnasium registrations of the weldcraft env ids (string entry points: nothing heavy is imported).

Every id is `WeldCellEnv` on one seam preset (`weldcraft.seams.load_job`); `max_episode_steps` is the
seam length / WPS travel speed at 20 Hz, times 1.5, plus 10 (`default_max_episode_steps`; a test checks
these numbers against that function). Any change of meaning gets a new `-vN`.
"""

from __future__ import annotations

from gymnasium.envs.registration import register, registry

ENTRY_POINT = "weldcraft.envs.weld_cell_env:WeldCellEnv"

#: env id -> (seam preset, max_episode_steps)
ENV_IDS: dict[str, tuple[str, int]] = {
    "weldcraft/FilletPB-v0": ("fillet_pb", 703),
    "weldcraft/ButtPA-v0": ("butt_pa", 1082),
    "weldcraft/LapPB-v0": ("lap_pb", 511),
    "weldcraft/CurvedFilletPB-v0": ("curved_fillet_pb", 1098),
    "weldcraft/TinyFillet-v0": ("tiny_fillet", 149),
}

for _env_id, (_job, _steps) in ENV_IDS.items():
    if _env_id not in registry:
        register(id=_env_id, entry_point=ENTRY_POINT, kwargs={"job": _job}, max_episode_steps=_steps)
