"""Observation layout of the welding-cell env: what the robot controller knows, scaled to about [-1, 1].

Each entry of the float32 observation is `value / scale`, clipped to [-OBS_CLIP, OBS_CLIP]; `value` is
in the unit of the field's name. Nothing privileged is in here: the seam is known only through the
tracker (raw look-ahead readings and the buffered correction at the torch), and the torch state is the
actual TCP (forward kinematics of the joint encoders) relative to that perceived seam. The true seam is
available to demonstrators through `WeldCellEnv.true_seam_state()`, never in the observation.

`OBS_LAYOUT` is the table of docs/envs.md; `decode_observation` maps a vector back to physical units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from weldcraft.types import FloatArray

OBS_CLIP = 10.0
N_JOINTS = 6
N_ACTIONS = 5


@dataclass(frozen=True)
class ObsField:
    """One observation entry: name (unit suffix), scale (obs = value / scale) and meaning."""

    name: str
    scale: float
    description: str


_TRACKER = (
    ObsField("tracker_lateral_mm", 10.0, "latest look-ahead reading: seam point along the tool y axis"),
    ObsField(
        "tracker_vertical_mm", 10.0, "latest reading: seam point height above the nominal look-ahead point"
    ),
    ObsField("tracker_gap_mm", 2.0, "latest reading: root gap"),
    ObsField("tracker_misalignment_mm", 2.0, "latest reading: plate height step (butt joints; 0 fillets)"),
    ObsField("tracker_valid", 1.0, "1 if the latest reading is valid, else 0 (its values are then 0)"),
    ObsField("seam_correction_lateral_mm", 10.0, "tracked seam minus programmed seam at the torch, along b"),
    ObsField("seam_correction_normal_mm", 10.0, "tracked seam minus programmed seam at the torch, along n"),
    ObsField("seam_gap_mm", 2.0, "gap the tracker measured where the torch is now"),
)
_TORCH = (
    ObsField("torch_lateral_offset_mm", 5.0, "wire aim relative to the tracked seam along b (+ side B)"),
    ObsField("torch_ctwd_error_mm", 10.0, "contact tip to work distance minus the WPS CTWD"),
    ObsField("torch_work_angle_error_deg", 20.0, "work angle minus the WPS work angle (+ towards side B)"),
    ObsField("torch_travel_angle_error_deg", 20.0, "travel angle minus the WPS travel angle (+ push)"),
    ObsField("travel_speed_ratio", 1.0, "travel speed along the tracked seam / WPS travel speed"),
)
_PROCESS = (
    ObsField("current_a", 300.0, "welding current of the last segment"),
    ObsField("heat_input_kj_mm", 1.0, "EN 1011-1 heat input of the last segment"),
    ObsField("bead_width_mm", 10.0, "bead face width of the last segment"),
    ObsField("bead_reinforcement_mm", 5.0, "cap height of the last segment"),
    ObsField("bead_penetration_mm", 5.0, "penetration of the last segment"),
    ObsField("weave_width_mm", 5.0, "peak-to-peak lateral motion over the weave window"),
    ObsField("segment_quality", 1.0, "per-step quality score of the last segment in [0, 1]"),
    ObsField("progress", 1.0, "programmed arc length done / seam length"),
)
_JOINTS = tuple(
    ObsField(f"q{i}_normalized", 1.0, f"joint {i + 1} position mapped from its limits to [-1, 1]")
    for i in range(N_JOINTS)
) + tuple(
    ObsField(f"qd{i}_normalized", 1.0, f"joint {i + 1} velocity / its speed limit") for i in range(N_JOINTS)
)
_ACTION = tuple(
    ObsField(f"prev_action_{i}", 1.0, f"action channel {i} of the previous step") for i in range(N_ACTIONS)
)

#: The observation vector, entry by entry.
OBS_LAYOUT: tuple[ObsField, ...] = _TRACKER + _TORCH + _PROCESS + _JOINTS + _ACTION
#: Index of each named entry.
OBS_INDEX: dict[str, int] = {f.name: i for i, f in enumerate(OBS_LAYOUT)}
OBS_SIZE = len(OBS_LAYOUT)
OBS_INV_SCALE = np.array([1.0 / f.scale for f in OBS_LAYOUT])


def decode_observation(obs: FloatArray) -> dict[str, float]:
    """Map an observation vector (OBS_SIZE,) back to physical values keyed by field name."""
    arr = np.asarray(obs, dtype=np.float64).reshape(-1)
    if arr.shape[0] != OBS_SIZE:
        raise ValueError(f"observation must have {OBS_SIZE} entries, got {arr.shape[0]}")
    return {f.name: float(arr[i] * f.scale) for i, f in enumerate(OBS_LAYOUT)}


def layout_markdown() -> str:
    """The layout as a markdown table (docs/envs.md is generated from it)."""
    lines = ["| index | name | scale | meaning |", "|---|---|---|---|"]
    for i, f in enumerate(OBS_LAYOUT):
        lines.append(f"| {i} | `{f.name}` | {f.scale:g} | {f.description} |")
    return "\n".join(lines)
