"""The Craftsman's hand: what the welder means to do at each tick, relative to the TRUE seam.

`CraftsmanHand.command(s_mm, gap_mm)` returns a `TorchCommand`: the torch pose and travel speed the welder
produces this tick, as lateral offset, CTWD, work and travel angle relative to the true seam at the
torch's arc length, and the travel speed. It is the sum of

* intent: the procedure's nominal pose (WPS), the style's weave (lateral waveform and speed shaping),
  and the gap adaptation (slower, wider weave in a wider gap) applied to the gap the welder saw
  `reaction_delay_s` ago;
* technique: a per-weld bias on every channel (drawn once at construction);
* motor noise: physiological tremor (8-12 Hz) and slow Ornstein-Uhlenbeck drift.

Everything random comes from the generator given at construction, in a fixed order, so a seed gives the
same hand bit for bit. The env-facing part (turning a `TorchCommand` into the env's normalized action
with the privileged seam truth) is `weldcraft.demos.craftsman.policy`.
"""

from __future__ import annotations

import math

import numpy as np

from weldcraft.demos.command import TorchCommand
from weldcraft.demos.craftsman.noise import DelayLine, OrnsteinUhlenbeck, Tremor
from weldcraft.demos.craftsman.skills import SkillProfile
from weldcraft.demos.craftsman.styles import Style
from weldcraft.demos.craftsman.weave import WeavePattern, circle_modulation, lateral_unit, speed_factor
from weldcraft.seams import WPS

#: Time over which the weave grows to its full width, and the welder's bias and drift settle in, at the
#: start of a weld (s) [U].
WEAVE_RAMP_S = 1.0


class CraftsmanHand:
    """One welder's hand for one weld (one episode).

    Args:
        skill: motor noise and technique.
        style: weave and gap adaptation.
        wps: the procedure (nominal CTWD, angles, speed, wire).
        dt_s: control period.
        rng: the generator every draw comes from.
        area0_mm2: deposit per mm at the nominal speed (mass balance), for the gap speed rule.
    """

    def __init__(
        self,
        skill: SkillProfile,
        style: Style,
        wps: WPS,
        dt_s: float,
        rng: np.random.Generator,
        area0_mm2: float,
    ) -> None:
        self.skill = skill
        self.style = style
        self.wps = wps
        self.dt_s = dt_s
        self.area0_mm2 = area0_mm2
        # Draw order is part of the determinism contract: biases, tremor, drift, weave phase.
        self.bias = rng.standard_normal(5) * np.array(
            [
                skill.bias_lateral_mm,
                skill.bias_ctwd_mm,
                skill.bias_work_angle_deg,
                skill.bias_travel_angle_deg,
                skill.bias_speed_frac,
            ]
        )
        tremor_hz = float(rng.uniform(8.0, 12.0))
        self.tremor = Tremor(
            np.array([skill.tremor_mm, skill.tremor_mm, skill.tremor_deg, skill.tremor_deg]),
            tremor_hz,
            skill.tremor_bandwidth_hz,
            dt_s,
            rng,
        )
        self.drift = OrnsteinUhlenbeck(
            np.array(
                [
                    skill.drift_lateral_mm,
                    skill.drift_ctwd_mm,
                    skill.drift_angle_deg,
                    skill.drift_angle_deg,
                    skill.drift_speed_frac,
                ]
            ),
            skill.drift_tau_s,
            dt_s,
            rng,
        )
        self._rng = rng
        self.delay = DelayLine(skill.reaction_delay_s, dt_s)
        self.phase = 0.0
        self.t_s = 0.0
        self._cycle_jitter = self._draw_jitter()

    def _draw_jitter(self) -> tuple[float, float]:
        j = self.skill.weave_jitter_frac
        z = self._rng.standard_normal(2)
        return 1.0 + j * float(z[0]), 1.0 + j * float(z[1])

    @property
    def tremor_frequency_hz(self) -> float:
        """The tremor's centre frequency drawn for this weld (8-12 Hz)."""
        return self.tremor.frequency_hz

    def weave_now(self, gap_seen_mm: float) -> tuple[float, float]:
        """(width mm, frequency Hz) the welder aims for at the gap they see, before jitter."""
        adapt = self.skill.gap_adaptation
        return self.style.weave_width_mm(gap_seen_mm, adapt), self.style.weave.frequency_hz

    def command(self, gap_mm: float) -> TorchCommand:
        """Advance one tick and return the torch command (gap: true gap at the torch, mm)."""
        gap_seen = float(self.delay.push(np.array([gap_mm]))[0])
        adapt = self.skill.gap_adaptation
        shape = self.style.weave
        speed0 = self.wps.travel_speed_mm_s * self.style.speed_ratio(gap_seen, self.area0_mm2, adapt)
        weave_lat = 0.0
        speed_mult = 1.0
        if shape.pattern is not WeavePattern.NONE:
            width, freq = self.weave_now(gap_seen)
            width_j, period_j = self._cycle_jitter
            freq_eff = freq / max(period_j, 0.2)
            dwell_frac = min(shape.dwell_s * freq_eff, 0.39)
            loop = circle_modulation(width, freq_eff, speed0)
            # the weave grows over its first second, as a welder starts it: no lopsided bead at the start
            ramp = min(1.0, self.t_s / WEAVE_RAMP_S)
            weave_lat = 0.5 * width * width_j * ramp * lateral_unit(shape.pattern, self.phase, dwell_frac)
            speed_mult = speed_factor(shape.pattern, self.phase, dwell_frac, loop)
            new_phase = self.phase + freq_eff * self.dt_s
            if math.floor(new_phase) > math.floor(self.phase):
                self._cycle_jitter = self._draw_jitter()
            self.phase = new_phase
        self.t_s += self.dt_s
        tremor = self.tremor.step()
        # The arc starts at the programmed pose; the welder's own habits (bias, drift) settle in over the
        # first second, as the weave does.
        settle = min(1.0, self.t_s / WEAVE_RAMP_S)
        drift = settle * self.drift.step()
        b = settle * self.bias
        return TorchCommand(
            lateral_mm=weave_lat + b[0] + drift[0] + tremor[0],
            ctwd_mm=self.wps.ctwd_mm + b[1] + drift[1] + tremor[1],
            work_angle_deg=self.wps.work_angle_deg + b[2] + drift[2] + tremor[2],
            travel_angle_deg=self.wps.travel_angle_deg + b[3] + drift[3] + tremor[3],
            travel_speed_mm_s=speed0 * speed_mult * max(1.0 + b[4] + drift[4], 0.2),
            weave_lateral_mm=weave_lat,
        )
