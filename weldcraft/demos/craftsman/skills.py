"""Skill levels of the Craftsman: motor noise and technique, as presets in a registry.

A skill is a `SkillProfile`: how much the welder's hand trembles and drifts, how late they react, how
well they hold the procedure's CTWD, angles and speed (a per-weld bias drawn once per episode, plus slow
drift), how well they adapt to the gap, and how regular their weave is. Numbers are modelling
assumptions [U] anchored where a source exists (tremor: `weldcraft.demos.craftsman.noise`); the
presets are chosen so that, in the weldcraft process model, a master welds ISO 5817 level B, a
competent welder mostly C or better, and a novice's results spread widely (measured in docs/demos.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from weldcraft.registry import Registry


@dataclass(frozen=True)
class SkillProfile:
    """Motor noise and technique of one skill level (units in the names).

    Attributes:
        tremor_mm: RMS of the hand tremor at the wire (lateral and CTWD), mm.
        tremor_deg: RMS of the tremor of the torch angles, deg.
        tremor_bandwidth_hz: width of the tremor's spectral peak around its 8-12 Hz centre.
        drift_lateral_mm, drift_ctwd_mm, drift_angle_deg, drift_speed_frac: stationary std of the slow
            Ornstein-Uhlenbeck drift of each channel (speed as a fraction of the travel speed).
        drift_tau_s: correlation time of the drift.
        reaction_delay_s: delay between the seam (position, gap) changing and the welder reacting.
        bias_lateral_mm, bias_ctwd_mm, bias_work_angle_deg, bias_travel_angle_deg, bias_speed_frac:
            std of the per-weld technique bias of each channel (drawn once per episode).
        gap_adaptation: 0 ignores the gap, 1 adapts speed and weave to it as the process needs.
        weave_jitter_frac: cycle-to-cycle variation of weave width and period (std, fraction).
        nozzle_clearance_mm: how far the welder keeps the gas nozzle off the work (they hold the torch
            back along its axis when a pose would come closer; `weldcraft.demos.craftsman.clearance`).
            An unsteady hand keeps more room, and the robot reproducing it lags its jerks by millimetres.
    """

    tremor_mm: float
    tremor_deg: float
    tremor_bandwidth_hz: float
    drift_lateral_mm: float
    drift_ctwd_mm: float
    drift_angle_deg: float
    drift_speed_frac: float
    drift_tau_s: float
    reaction_delay_s: float
    bias_lateral_mm: float
    bias_ctwd_mm: float
    bias_work_angle_deg: float
    bias_travel_angle_deg: float
    bias_speed_frac: float
    gap_adaptation: float
    weave_jitter_frac: float
    nozzle_clearance_mm: float = 1.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{f.name} must be a finite number, got {value!r}")
            if value < 0.0:
                raise ValueError(f"{f.name} must be >= 0, got {value}")
        if self.gap_adaptation > 1.0:
            raise ValueError(f"gap_adaptation must be in [0, 1], got {self.gap_adaptation}")
        if self.drift_tau_s <= 0.0 or self.tremor_bandwidth_hz <= 0.0:
            raise ValueError("drift_tau_s and tremor_bandwidth_hz must be positive")


SKILLS: Registry[SkillProfile] = Registry("skill")

SKILLS.register("master")(
    SkillProfile(
        tremor_mm=0.08,  # Becker et al. 2008: ~0.1 mm RMS at a hand-held tool tip
        tremor_deg=0.3,
        tremor_bandwidth_hz=2.0,
        drift_lateral_mm=0.08,
        drift_ctwd_mm=0.4,
        drift_angle_deg=1.0,
        drift_speed_frac=0.02,
        drift_tau_s=2.0,
        reaction_delay_s=0.1,
        bias_lateral_mm=0.05,
        bias_ctwd_mm=0.5,
        bias_work_angle_deg=1.5,
        bias_travel_angle_deg=1.5,
        bias_speed_frac=0.02,
        gap_adaptation=1.0,
        weave_jitter_frac=0.03,
        nozzle_clearance_mm=1.0,
    )
)
SKILLS.register("competent")(
    SkillProfile(
        tremor_mm=0.15,
        tremor_deg=0.4,
        tremor_bandwidth_hz=2.5,
        drift_lateral_mm=0.25,
        drift_ctwd_mm=1.2,
        drift_angle_deg=2.0,
        drift_speed_frac=0.05,
        drift_tau_s=2.5,
        reaction_delay_s=0.2,
        bias_lateral_mm=0.2,
        bias_ctwd_mm=1.5,
        bias_work_angle_deg=4.0,
        bias_travel_angle_deg=4.0,
        bias_speed_frac=0.07,
        gap_adaptation=0.6,
        weave_jitter_frac=0.08,
        nozzle_clearance_mm=2.0,
    )
)
SKILLS.register("novice")(
    SkillProfile(
        tremor_mm=0.3,
        tremor_deg=0.6,
        tremor_bandwidth_hz=3.0,
        drift_lateral_mm=0.6,
        drift_ctwd_mm=1.5,
        drift_angle_deg=3.5,
        drift_speed_frac=0.12,
        drift_tau_s=3.0,
        reaction_delay_s=0.35,
        bias_lateral_mm=0.5,
        bias_ctwd_mm=2.0,
        bias_work_angle_deg=6.0,
        bias_travel_angle_deg=5.0,
        bias_speed_frac=0.15,
        gap_adaptation=0.2,
        weave_jitter_frac=0.15,
        nozzle_clearance_mm=4.0,
    )
)
