"""The welding procedure specification (WPS): the process settings a weld is made with.

A WPS is a plain record: the physics that turns it into current, heat and a bead is
`weldcraft.process`. Defaults are a GMAW/MAG spray-arc procedure on carbon steel with 1.2 mm ER70S-6
wire in Ar/CO2 82/18 (see shared reference, section 7).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class WPS:
    """Welding procedure specification for one pass.

    Attributes:
        process: ISO 4063 process number as a string ("135" MAG, "131" MIG).
        wire_diameter_mm: solid wire diameter d (0.8-1.6 mm).
        wire_feed_m_min: wire feed speed WFS (m/min).
        voltage_v: arc voltage U (V).
        travel_speed_mm_s: nominal travel speed v (mm/s).
        ctwd_mm: nominal contact-tip-to-work distance (mm).
        travel_angle_deg: nominal travel angle, positive = push (deg).
        work_angle_deg: nominal work angle (deg): 45 for a PB fillet, 90 for a PA butt.
        arc_efficiency: thermal efficiency k of EN 1011-1 (0.8 for processes 131/135).
        deposition_efficiency: fraction of melted wire that stays in the weld (0.95-0.98 solid wire).
    """

    process: str = "135"
    wire_diameter_mm: float = 1.2
    wire_feed_m_min: float = 8.0
    voltage_v: float = 25.0
    travel_speed_mm_s: float = 6.0
    ctwd_mm: float = 15.0
    travel_angle_deg: float = 10.0
    work_angle_deg: float = 45.0
    arc_efficiency: float = 0.8
    deposition_efficiency: float = 0.97

    def __post_init__(self) -> None:
        ranges = {
            "wire_diameter_mm": (0.6, 2.4),
            "wire_feed_m_min": (1.0, 25.0),
            "voltage_v": (10.0, 45.0),
            "travel_speed_mm_s": (0.5, 40.0),
            "ctwd_mm": (5.0, 40.0),
            "travel_angle_deg": (-45.0, 45.0),
            "work_angle_deg": (0.0, 135.0),
            "arc_efficiency": (0.1, 1.0),
            "deposition_efficiency": (0.5, 1.0),
        }
        for f in fields(self):
            if f.name not in ranges:
                continue
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{f.name} must be a finite number, got {value!r}")
            lo, hi = ranges[f.name]
            if not lo <= value <= hi:
                raise ValueError(f"{f.name} must be in [{lo}, {hi}], got {value}")
