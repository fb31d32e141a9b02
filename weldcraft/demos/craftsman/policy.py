"""The Craftsman as an env policy: its hand's command on the true seam -> the env's normalized action.

The Craftsman sees the true seam through the env's privileged `true_seam_state()` (DESIGN section 3:
the demonstrator may use privileged truth; the observation never holds it). Each episode gets a new
`CraftsmanHand` drawn from the Craftsman's own generator, so `Craftsman(skill, style, seed=k)` welds
the same way every time it meets the same sequence of episodes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from weldcraft.demos.actions import action_to_command, command_to_action
from weldcraft.demos.command import TorchCommand
from weldcraft.demos.craftsman.hand import CraftsmanHand
from weldcraft.demos.craftsman.skills import SKILLS, SkillProfile
from weldcraft.demos.craftsman.styles import STYLES, Style
from weldcraft.demos.craftsman.weave import WeaveShape
from weldcraft.errors import UserError


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

    def begin(self, env: Any) -> None:
        """Start an episode in `env` (after its reset): a new hand for this weld."""
        e = getattr(env, "unwrapped", env)
        self.hand = CraftsmanHand(self.skill, self.style, e.wps, e.dt, self._rng, deposit_area_mm2(e.wps))
        self.last_command = None

    def act(self, env: Any, truth: Any = None) -> np.ndarray:
        """The action (5,) float32 for the next step; reads the env's privileged seam truth.

        `truth` may pass `env.unwrapped.true_seam_state()` when the caller already has it for this step.
        """
        if self.hand is None:
            raise UserError("Craftsman.act() before begin(env)")
        if truth is None:
            truth = env.unwrapped.true_seam_state()
        intent = self.hand.command(truth.gap_mm)
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
