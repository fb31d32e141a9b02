"""Arc and wire: heat input, deposited area (mass balance) and welding current from WFS and CTWD.

Sources (tags as in ``shared/reference/welding-process.md``):

* Heat input, EN 1011-1 / ISO/TR 17671-1 [S]: ``Q = k * U * I / v * 1e-3`` kJ/mm with U in V, I in A,
  v in mm/s; k = 0.8 for MIG/MAG (ISO 4063 processes 131/135), MMA and cored wires, 1.0 for SAW,
  0.6 for TIG. Typical carbon steel 0.5-2.5 kJ/mm.
* Mass balance [S] (weldx ``compute_welding_speed``; Rios et al. 2018):
  ``A = eta * (pi d^2 / 4) * WFS / v``; eta = 0.95-0.98 for solid wire.
  Check: d 1.2 mm, WFS 8 m/min, v 8 mm/s -> A = 18.3 mm^2 before eta.
* Current at constant WFS and constant voltage: the wire melting rate of Lesnewich [M],
  ``WFS * a_w = alpha * I + beta * L * I^2 / a_w`` (a_w wire cross-section mm^2, L electrical stick-out
  mm), solved for I. Its two coefficients are calibrated here on two anchors:

  1. Fronius TPS/i manual p.39 [S]: at WFS 7 m/min the current falls by 23 % when the stick-out goes
     from 10 to 25 mm (the wire is taken as 1.2 mm [assumption]);
  2. 1.14 mm (0.045") ER70S-6 at 400 in/min draws about 280 A [S-low] (amarineblog), taken at the
     3/4 in (19.05 mm) CTWD usual for spray with that wire [assumption].

  Result: alpha = 0.3130 mm^3/(A s), beta = 5.916e-5 mm^3/(A^2 s) (order of magnitude of published
  Lesnewich values for steel [M]). For 1.2 mm wire at CTWD 15 mm this gives 200 A at 5 m/min, 282 A at
  8 m/min and 330 A at 10 m/min, inside Miller's 1.2 mm spray window 200-315 A [S] for 5-9 m/min.
  The CTWD stands in for the electrical stick-out (the arc length of a few mm is folded into the
  calibration) [assumption]; the arc voltage does not change the current at constant WFS [assumption].
"""

from __future__ import annotations

import math

import numpy as np

from weldcraft.errors import UserError
from weldcraft.types import FloatArray

#: Lesnewich melting-rate coefficients calibrated on the anchors in the module docstring.
MELT_ALPHA_MM3_PER_AS = 0.3130160381222344
MELT_BETA_MM3_PER_A2S = 5.9156464736705906e-05

#: EN 1011-1 thermal efficiency k for MIG/MAG (ISO 4063 processes 131/135).
ARC_EFFICIENCY_MAG = 0.8


def heat_input_kj_mm(
    voltage_v: FloatArray | float,
    current_a: FloatArray | float,
    travel_speed_mm_s: FloatArray | float,
    efficiency: float = 0.8,
) -> FloatArray | float:
    """Arc heat input per unit length, EN 1011-1 / ISO/TR 17671-1: ``Q = k U I / v * 1e-3`` (kJ/mm).

    Args:
        voltage_v: arc voltage U (V), scalar or array.
        current_a: welding current I (A), scalar or array.
        travel_speed_mm_s: travel speed v (mm/s), > 0, scalar or array.
        efficiency: thermal efficiency k (EN 1011-1 Table 1): 0.8 MIG/MAG (131/135), MMA, cored
            wires; 1.0 SAW; 0.6 TIG.

    Returns:
        Q in kJ/mm: a float when all arguments are scalars, else an array of the broadcast shape.
        Example: 0.8 * 25 V * 270 A / 5.5 mm/s -> 0.982 kJ/mm.
    """
    if not 0.0 < efficiency <= 1.0:
        raise UserError(f"efficiency must be in (0, 1] (EN 1011-1: 0.8 for MIG/MAG), got {efficiency!r}")
    if np.isscalar(voltage_v) and np.isscalar(current_a) and np.isscalar(travel_speed_mm_s):
        v = float(travel_speed_mm_s)  # type: ignore[arg-type]
        if not v > 0.0:
            raise UserError(f"travel_speed_mm_s must be > 0, got {travel_speed_mm_s!r}")
        return efficiency * float(voltage_v) * float(current_a) / v * 1e-3  # type: ignore[arg-type]
    speed = np.asarray(travel_speed_mm_s, dtype=np.float64)
    if np.any(~(speed > 0.0)):
        raise UserError("travel_speed_mm_s must be > 0 everywhere")
    return np.asarray(
        efficiency * np.asarray(voltage_v, dtype=np.float64) * np.asarray(current_a) / speed * 1e-3
    )


def deposited_area_mm2(
    wire_diameter_mm: float,
    wire_feed_m_min: FloatArray | float,
    travel_speed_mm_s: FloatArray | float,
    deposition_efficiency: float = 1.0,
) -> FloatArray | float:
    """Deposited cross-section from the mass balance ``A = eta * (pi d^2/4) * WFS / v`` (mm^2).

    WFS in m/min is converted to mm/s (x 1000/60). Source: weldx ``compute_welding_speed`` [S].
    ``deposition_efficiency`` eta = 1.0 gives the value "before eta" (0.95-0.98 for solid wire).
    """
    wire_area = math.pi * wire_diameter_mm**2 / 4.0
    return deposition_efficiency * wire_area * np.multiply(wire_feed_m_min, 1000.0 / 60.0) / travel_speed_mm_s


def current_from_wfs_a(
    wire_feed_m_min: FloatArray | float, ctwd_mm: FloatArray | float, wire_diameter_mm: float
) -> FloatArray | float:
    """Welding current (A) at constant voltage from wire feed speed and CTWD (Lesnewich, calibrated).

    Solves ``w a = alpha I + beta L I^2 / a`` for I > 0 with w = WFS in mm/s, a = pi d^2/4, L = CTWD.
    Validity: 1.0-1.6 mm solid steel wire, WFS 3-15 m/min, CTWD 8-30 mm (the anchors lie inside).
    """
    wire_area = math.pi * wire_diameter_mm**2 / 4.0
    w = np.multiply(wire_feed_m_min, 1000.0 / 60.0)
    quad = MELT_BETA_MM3_PER_A2S * np.asarray(ctwd_mm) / wire_area
    disc = MELT_ALPHA_MM3_PER_AS**2 + 4.0 * quad * w * wire_area
    result = (np.sqrt(disc) - MELT_ALPHA_MM3_PER_AS) / (2.0 * quad)
    return float(result) if np.ndim(result) == 0 else np.asarray(result)
