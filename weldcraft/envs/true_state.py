"""Privileged truth about the seam for demonstrators and tests (never part of the observation)."""

from __future__ import annotations

from dataclasses import dataclass

from weldcraft.envs.torch_geometry import TorchState
from weldcraft.types import FloatArray


@dataclass(frozen=True)
class TrueSeamState:
    """Where the real seam is, returned by `WeldCellEnv.true_seam_state()`.

    Attributes:
        torch: the actual torch relative to the TRUE seam (what the process model sees): lateral offset,
            CTWD, travel and work angles (CONTRACTS.md conventions), at the aimed arc length.
        s_cmd_mm: the robot's programmed progress along the seam.
        seam_point_world_m: (3,) the true seam point nearest the reference at `s_cmd_mm`, world frame.
        seam_frame_world: (3, 3) the true seam frame there, columns (t, n, b).
        gap_mm: the realised gap there.
        reference_error_lateral_mm / reference_error_normal_mm: true seam minus the reference the
            action is relative to (the tracked seam, or the programmed one without tracking), along the
            reference's b and n. A privileged controller puts the wire on the true seam with the lateral
            action a0 = (reference_error_lateral_mm + desired offset) / lateral_range_mm.
    """

    torch: TorchState
    s_cmd_mm: float
    seam_point_world_m: FloatArray
    seam_frame_world: FloatArray
    gap_mm: float
    reference_error_lateral_mm: float
    reference_error_normal_mm: float
