"""Welding styles of the Craftsman: a weave shape and how travel speed and weave follow the gap.

A wider root gap swallows filler metal (the process model subtracts gap x penetration from the fillet's
deposited area), so a welder slows down to keep the deposit per millimetre and widens the weave to
bridge the gap. The speed rule is the mass balance: at gap g the deposit per mm must grow from A0 to
A0 + g x P (P the penetration, ~3 mm at the default WPS), so v(g) = v0 A0 / (A0 + g P) (DESIGN section 4;
A = eta pi d^2/4 WFS / v). The weave widens by `width_per_gap` mm per mm of gap, capped at 3 wire
diameters (reference section 1.2).

Weave frequencies are 1 or 2 Hz: the weld pool integrates the torch motion over about a second (the env's
weave window), and a whole number of periods in it keeps the bead centred on the joint [U].
"""

from __future__ import annotations

from dataclasses import dataclass

from weldcraft.demos.craftsman.weave import WeavePattern, WeaveShape
from weldcraft.registry import Registry


@dataclass(frozen=True)
class Style:
    """A style: the weave at zero gap and the gap adaptation rule.

    Attributes:
        weave: pattern, width (mm, peak-to-peak), frequency (Hz), dwell at each edge (s).
        width_per_gap: extra weave width per mm of root gap (mm/mm); 0 for a stringer.
        penetration_mm: the penetration the welder expects, for the mass-balance speed rule.
        max_width_mm: the widest weave the style allows (3 x 1.2 mm wire by default).
    """

    weave: WeaveShape
    width_per_gap: float = 0.0
    penetration_mm: float = 3.0
    max_width_mm: float = 3.6

    def __post_init__(self) -> None:
        if self.width_per_gap < 0.0 or self.penetration_mm < 0.0:
            raise ValueError("width_per_gap and penetration_mm must be >= 0")
        if self.weave.pattern is WeavePattern.NONE and self.width_per_gap > 0.0:
            raise ValueError("a style without weave cannot widen its weave with the gap")
        if self.weave.width_mm > self.max_width_mm:
            raise ValueError(f"weave width {self.weave.width_mm} mm exceeds max_width_mm {self.max_width_mm}")

    def speed_ratio(self, gap_mm: float, area0_mm2: float, adaptation: float) -> float:
        """Travel speed at gap `gap_mm` relative to zero gap, for a welder adapting by `adaptation` (0-1)."""
        ideal = area0_mm2 / (area0_mm2 + max(gap_mm, 0.0) * self.penetration_mm)
        return 1.0 - adaptation * (1.0 - ideal)

    def weave_width_mm(self, gap_mm: float, adaptation: float) -> float:
        """Weave width at gap `gap_mm` (mm), capped at `max_width_mm`."""
        if self.weave.pattern is WeavePattern.NONE:
            return 0.0
        return min(
            self.weave.width_mm + adaptation * self.width_per_gap * max(gap_mm, 0.0), self.max_width_mm
        )


STYLES: Registry[Style] = Registry("style")
STYLES.register("stringer")(Style(WeaveShape()))
STYLES.register("zigzag")(Style(WeaveShape(WeavePattern.ZIGZAG, 2.4, 2.0, 0.05), width_per_gap=0.8))
STYLES.register("triangle")(Style(WeaveShape(WeavePattern.TRIANGLE, 2.4, 1.0, 0.1), width_per_gap=0.8))
STYLES.register("circle")(Style(WeaveShape(WeavePattern.CIRCLE, 2.0, 2.0), width_per_gap=0.6))
