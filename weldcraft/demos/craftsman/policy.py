"""The Craftsman as an env policy: its hand's command on the true seam -> the env's normalized action.

The Craftsman sees the true seam through the env's privileged `true_seam_state()` (DESIGN section 3: the
demonstrator may use privileged truth; the observation never holds it). Each episode gets a new
`CraftsmanHand` drawn from the Craftsman's own generator, so `Craftsman(skill, style, seed=k)` welds the
same way every time it meets the same sequence of episodes.

Before a command goes to the robot the welder keeps the gas nozzle off the work
(`weldcraft.demos.craftsman.clearance`): where the pose they aim for would bring the nozzle within their
skill's `nozzle_clearance_mm` of a plate, they hold the torch further back along its axis (longer stick-out,
the same aim point), as any welder who sees the nozzle about to touch does.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from weldcraft.demos.actions import action_to_command, command_to_action
from weldcraft.demos.command import TorchCommand, surface_n_mm, wire_seam
from weldcraft.demos.craftsman.clearance import NozzleClearance, nozzle_cylinders
from weldcraft.demos.craftsman.hand import CraftsmanHand
from weldcraft.demos.craftsman.skills import SKILLS, SkillProfile
from weldcraft.demos.craftsman.styles import STYLES, Style
from weldcraft.demos.craftsman.weave import WeaveShape
from weldcraft.errors import UserError

#: how fast (deg/s) a welder brings a tilted torch back towards the procedure's angles when the nozzle
#: needs room the stick-out cannot give [U]
STRAIGHTEN_DEG_PER_S = 20.0
#: largest work-angle deviation (deg) from the procedure's that any welder lets through [U] (the good
#: window is +-10-15 deg, DESIGN section 4)
MAX_WORK_ANGLE_DEV_DEG = 12.0
#: CTWD (mm) kept in reserve below the env's largest stick-out before the welder straightens the torch
_CTWD_RESERVE_MM = 2.0


def deposit_area_mm2(wps: Any) -> float:
    """Mass-balance deposited area (mm^2) at the WPS's speed: eta pi d^2/4 WFS / v (DESIGN section 4)."""
    wire_area = np.pi * wps.wire_diameter_mm**2 / 4.0
    return float(
        wps.deposition_efficiency * wire_area * wps.wire_feed_m_min * 1000.0 / 60.0 / wps.travel_speed_mm_s
    )


def resolve_style(
    style: str | Style,
    width_mm: float | None = None,
    frequency_hz: float | None = None,
    dwell_s: float | None = None,
) -> Style:
    """A registered style by name (or a Style), with optional weave overrides."""
    base = STYLES.get(style) if isinstance(style, str) else style
    if width_mm is None and frequency_hz is None and dwell_s is None:
        return base
    w = base.weave
    try:
        shape = WeaveShape(
            w.pattern,
            w.width_mm if width_mm is None else width_mm,
            w.frequency_hz if frequency_hz is None else frequency_hz,
            w.dwell_s if dwell_s is None else dwell_s,
        )
        return Style(shape, base.width_per_gap, base.penetration_mm, max(base.max_width_mm, shape.width_mm))
    except ValueError as exc:
        raise UserError(str(exc), where="demo") from None


class Craftsman:
    """A scripted welder with a skill level and a style that sees the true seam.

    Args:
        skill: "novice", "competent", "master" or a `SkillProfile`.
        style: "stringer", "zigzag", "triangle", "circle" or a `Style`.
        seed: seeds the Craftsman's own generator (hands of successive episodes are drawn from it).
        welder_id: stored in the episode metadata (default "craftsman-<skill>-<seed>").
    """

    def __init__(
        self,
        skill: str | SkillProfile = "master",
        style: str | Style = "zigzag",
        *,
        seed: int = 0,
        welder_id: str | None = None,
    ) -> None:
        self.skill_name = skill if isinstance(skill, str) else "custom"
        self.style_name = style if isinstance(style, str) else "custom"
        self.skill = SKILLS.get(skill) if isinstance(skill, str) else skill
        self.style = STYLES.get(style) if isinstance(style, str) else style
        self.seed = seed
        self.welder_id = welder_id or f"craftsman-{self.skill_name}-{seed}"
        self._rng = np.random.default_rng(seed)
        self.hand: CraftsmanHand | None = None
        self.last_command: TorchCommand | None = None
        self.last_intent: TorchCommand | None = None
        self._clearance: NozzleClearance | None = None
        self._clearance_key: tuple[int, Any] | None = None
        self._nominal_gap_mm: float | None = None
        self._straighten = 0.0

    def _nozzle(self, e: Any) -> NozzleClearance:
        """The nozzle-clearance model of env `e` (built once per env and job)."""
        key = (id(e), e.job)
        if self._clearance is None or self._clearance_key != key:
            self._clearance = NozzleClearance(e.job, nozzle_cylinders(e), self.skill.nozzle_clearance_mm)
            self._clearance_key = key
            gaps = set(e.job.gap.gap_mm)
            self._nominal_gap_mm = gaps.pop() if len(gaps) == 1 else None
        return self._clearance

    def within_reach(self, cmd: TorchCommand, env: Any) -> TorchCommand:
        """`cmd` with the work angle held within `MAX_WORK_ANGLE_DEV_DEG` of the procedure's.

        Beyond that a welder sees the torch is off and corrects it, whatever their skill; a robot
        reproducing a sideways tilt of 14-17 deg in the PA butt cell hits its own arm with the torch body.
        """
        wps = getattr(env, "unwrapped", env).wps
        lo, hi = wps.work_angle_deg - MAX_WORK_ANGLE_DEV_DEG, wps.work_angle_deg + MAX_WORK_ANGLE_DEV_DEG
        if lo <= cmd.work_angle_deg <= hi:
            return cmd
        return dataclasses.replace(cmd, work_angle_deg=min(max(cmd.work_angle_deg, lo), hi))

    def keep_nozzle_clear(self, cmd: TorchCommand, truth: Any, env: Any) -> TorchCommand:
        """`cmd` with the nozzle kept `skill.nozzle_clearance_mm` off the plates.

        The welder holds the torch further back along its axis (longer CTWD, same aim point). Where that
        would need nearly all the stick-out the env's CTWD range allows, they also bring the work and
        travel angles back towards the procedure's, gradually (`STRAIGHTEN_DEG_PER_S`, so the torch does
        not jerk), and let the correction go again as gradually once there is room.
        """
        e = getattr(env, "unwrapped", env)
        nozzle = self._nozzle(e)
        gap = self._nominal_gap_mm
        if gap is None:  # the plates carry the job's nominal gap profile
            gap = float(e.job.gap.at(truth.s_cmd_mm)[0])
        wps = e.wps
        room = wps.ctwd_mm + e.action_scaling.ctwd_range_mm - _CTWD_RESERVE_MM
        aim = np.array([cmd.lateral_mm, surface_n_mm(e.section, cmd.lateral_mm)])
        step = STRAIGHTEN_DEG_PER_S * e.dt
        # the angle correction as a fraction of the way back to the procedure's angles
        frac = self._straighten
        dev_work = cmd.work_angle_deg - wps.work_angle_deg
        dev_travel = cmd.travel_angle_deg - wps.travel_angle_deg
        dev = max(abs(dev_work), abs(dev_travel), 1e-9)

        def back_at(f: float) -> float:
            w = wire_seam(
                cmd.work_angle_deg - f * dev_work,
                cmd.travel_angle_deg - f * dev_travel,
                e.work_angle_base_deg,
            )
            return nozzle.back_off_mm(aim, w, cmd.ctwd_mm, gap)

        back = back_at(frac)
        if cmd.ctwd_mm + back > room:
            frac = min(1.0, frac + step / dev)
            back = back_at(frac)
        elif frac > 0.0:
            relaxed = max(0.0, frac - 0.5 * step / dev)
            back_relaxed = back_at(relaxed)
            if cmd.ctwd_mm + back_relaxed <= room:
                frac, back = relaxed, back_relaxed
        self._straighten = frac
        if back <= 0.0 and frac == 0.0:
            return cmd
        return dataclasses.replace(
            cmd,
            ctwd_mm=cmd.ctwd_mm + back,
            work_angle_deg=cmd.work_angle_deg - frac * dev_work,
            travel_angle_deg=cmd.travel_angle_deg - frac * dev_travel,
        )

    def begin(self, env: Any) -> None:
        """Start an episode in `env` (after its reset): a new hand for this weld."""
        e = getattr(env, "unwrapped", env)
        self.hand = CraftsmanHand(self.skill, self.style, e.wps, e.dt, self._rng, deposit_area_mm2(e.wps))
        self.last_command = None
        self._straighten = 0.0

    def act(self, env: Any, truth: Any = None) -> np.ndarray:
        """The action (5,) float32 for the next step; reads the env's privileged seam truth.

        `truth` may pass `env.unwrapped.true_seam_state()` when the caller already has it for this step.
        """
        if self.hand is None:
            raise UserError("Craftsman.act() before begin(env)")
        if truth is None:
            truth = env.unwrapped.true_seam_state()
        intent = self.keep_nozzle_clear(self.within_reach(self.hand.command(truth.gap_mm), env), truth, env)
        action = command_to_action(intent, truth, env)
        self.last_intent = intent
        # what the clipped action really commands on the true seam (what a recording of the hand holds)
        self.last_command = action_to_command(action, truth, env)
        return action

    def metadata(self) -> dict[str, Any]:
        """Skill, style and weave settings for the episode metadata (JSON values)."""
        w = self.style.weave
        return {
            "craftsman_seed": self.seed,
            "weave": {
                "pattern": w.pattern.value,
                "width_mm": w.width_mm,
                "frequency_hz": w.frequency_hz,
                "dwell_s": w.dwell_s,
            },
            "tremor_hz": None if self.hand is None else round(self.hand.tremor_frequency_hz, 4),
        }
