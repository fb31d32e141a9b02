"""Weave patterns: the transverse oscillation a welder superimposes on the travel path.

Patterns follow the families of robot weave data (ABB RAPID `weavedata`: zigzag, V, triangular,
circular; width, frequency or length per cycle, dwell at the edges; shared reference section 1.2):

* ``none``: a stringer bead, no oscillation.
* ``zigzag``: the wire sweeps across the joint at constant lateral speed and dwells `dwell_s` at each
  edge (dwell at the toes fills them and prevents undercut: Goodheart-Willcox GMAW handbook, fig. 7-13).
* ``triangle``: the zigzag's lateral motion, but the sweep from side A to side B moves forward faster and
  the sweep back moves slower, so the wire draws triangles on the joint.
* ``circle``: lateral sin, along-seam cos (a loop); the along-seam motion is a travel-speed modulation
  limited to +/-25 % of the travel speed (`MAX_SPEED_MODULATION`), so wide slow loops become ellipses.

`width_mm` is the peak-to-peak lateral excursion of the wire; good practice keeps it <= 3 x wire diameter
(reference section 1.2, EN practice).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

#: Largest relative travel-speed modulation a weave may use. The deposit per millimetre follows the
#: instantaneous speed (mass balance), so a stronger modulation thins the fillet on the fast strokes
#: (ISO 5817 5213 insufficient throat) [U, measured in the env].
MAX_SPEED_MODULATION = 0.25


class WeavePattern(enum.StrEnum):
    """Weave pattern families."""

    NONE = "none"
    ZIGZAG = "zigzag"
    TRIANGLE = "triangle"
    CIRCLE = "circle"


@dataclass(frozen=True)
class WeaveShape:
    """One weave setting: pattern, peak-to-peak width (mm), frequency (Hz), dwell at each edge (s)."""

    pattern: WeavePattern = WeavePattern.NONE
    width_mm: float = 0.0
    frequency_hz: float = 0.0
    dwell_s: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", WeavePattern(self.pattern))
        if self.pattern is WeavePattern.NONE:
            return
        if not 0.0 < self.width_mm <= 10.0:
            raise ValueError(f"weave width_mm must be in (0, 10], got {self.width_mm}")
        if not 0.05 <= self.frequency_hz <= 6.0:
            raise ValueError(f"weave frequency_hz must be in [0.05, 6], got {self.frequency_hz}")
        if not 0.0 <= self.dwell_s < 0.4 / self.frequency_hz:
            raise ValueError(f"dwell_s must be in [0, 0.4 / frequency_hz), got {self.dwell_s}")


def lateral_unit(pattern: WeavePattern, phase: float, dwell_fraction: float) -> float:
    """Lateral position in [-1, 1] (units of half the width) at `phase` in cycles (any real).

    Phase 0 is the joint centre moving towards side B (+b); `dwell_fraction` is the dwell time at each
    edge as a fraction of the period (< 0.4). Zigzag and triangle share this lateral waveform.
    """
    if pattern is WeavePattern.NONE:
        return 0.0
    if pattern is WeavePattern.CIRCLE:
        return math.sin(2.0 * math.pi * phase)
    d = dwell_fraction
    sweep = 0.5 - d  # duration of one edge-to-edge sweep, in periods
    # Cycle = [sweep up][dwell +1][sweep down][dwell -1]; shift so phase 0 is mid-sweep (centre, moving up).
    p = (phase + 0.5 * sweep) % 1.0
    if p < sweep:
        return -1.0 + 2.0 * p / sweep
    if p < sweep + d:
        return 1.0
    if p < 2.0 * sweep + d:
        return 1.0 - 2.0 * (p - sweep - d) / sweep
    return -1.0


def speed_factor(pattern: WeavePattern, phase: float, dwell_fraction: float, loop_modulation: float) -> float:
    """Travel-speed multiplier (mean 1 over a cycle) that shapes the along-seam part of the pattern.

    `loop_modulation` is the circle's relative speed amplitude (clipped to `MAX_SPEED_MODULATION`).
    """
    if pattern is WeavePattern.CIRCLE:
        return 1.0 + min(loop_modulation, MAX_SPEED_MODULATION) * math.cos(2.0 * math.pi * phase)
    if pattern is not WeavePattern.TRIANGLE:
        return 1.0
    d = dwell_fraction
    sweep = 0.5 - d
    p = (phase + 0.5 * sweep) % 1.0
    if p < sweep:
        return 1.0 + MAX_SPEED_MODULATION  # A -> B: forward diagonal
    if sweep + d <= p < 2.0 * sweep + d:
        return 1.0 - MAX_SPEED_MODULATION  # B -> A: slow, nearly straight across
    return 1.0


def circle_modulation(width_mm: float, frequency_hz: float, travel_speed_mm_s: float) -> float:
    """Relative speed amplitude that makes a round loop of diameter `width_mm` (before clipping).

    Along-seam offset of v(1 + k cos 2 pi f t) is v k sin(2 pi f t) / (2 pi f); equal to the lateral
    radius w/2 when k = pi f w / v.
    """
    return math.pi * frequency_hz * width_mm / max(travel_speed_mm_s, 1e-9)
