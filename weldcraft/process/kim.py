"""Kim-Kwon-Siores power law for robotic GMAW bead-on-plate geometry.

I.S. Kim, W.H. Kwon, E. Siores, "An investigation of a mathematical model for predicting weld bead
geometry", Canadian Metallurgical Quarterly 35(4) (1996) 385-392 [S], as coded in the IIT Kharagpur
virtual lab ``exp-effect-of-welding-iitkgp`` (``adiwe4.js``, function ``Wldg3``) [S]::

    W = 10^-0.0905 * D^0.4294  * S^-0.4590 * I^0.3518 * V^0.7083   (bead width, mm)
    H = 10^+0.3339 * D^-0.1255 * S^-0.2395 * I^0.6387 * V^-0.7183  (reinforcement, mm)
    P = 10^-2.3098 * D^-0.5668 * S^-0.3641 * I^1.4005 * V^0.013    (penetration, mm)

with D wire diameter (mm), S travel speed in cm/min (the unit is inferred: mm/min would imply
7-20 kJ/mm [U]), I current (A), V arc voltage (V). Validity box (the lab's sweeps): V 20-30 V,
I 180-360 A, D 1.2-1.6 mm, S 25-41 cm/min (4.17-6.83 mm/s).
Spot value: 25 V, 33 cm/min, 270 A, 1.2 mm -> W 12.4, H 3.23, P 3.28 mm.

The law does not conserve mass (2/3 W H is not the deposited area): ``weldcraft.process`` uses it only
for the shape ratio H/W and for the penetration, and takes the area from the mass balance.
"""

from __future__ import annotations

import math

import numpy as np

from weldcraft.types import FloatArray

LN10 = math.log(10.0)
# (log10 constant, exponent of D, exponent of S, exponent of I, exponent of V) per output.
KIM_WIDTH = (-0.0905, 0.4294, -0.4590, 0.3518, 0.7083)
KIM_HEIGHT = (0.3339, -0.1255, -0.2395, 0.6387, -0.7183)
KIM_PENETRATION = (-2.3098, -0.5668, -0.3641, 1.4005, 0.013)

VOLTAGE_RANGE_V = (20.0, 30.0)
CURRENT_RANGE_A = (180.0, 360.0)
DIAMETER_RANGE_MM = (1.2, 1.6)
SPEED_RANGE_CM_MIN = (25.0, 41.0)

#: Bit flags recorded per segment when an input was clamped into the validity box.
CLAMP_VOLTAGE = 1
CLAMP_CURRENT = 2
CLAMP_SPEED = 4
CLAMP_DIAMETER = 8


def kim_bead_mm(
    voltage_v: FloatArray | float,
    current_a: FloatArray | float,
    travel_speed_cm_min: FloatArray | float,
    wire_diameter_mm: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The raw power law (no clamping): bead width W, reinforcement H, penetration P in mm.

    Inputs broadcast together; S in cm/min (1 mm/s = 6 cm/min). Outside the validity box stated in the
    module docstring this is an extrapolation; the process model clamps its inputs instead.
    """
    v = np.asarray(voltage_v, dtype=np.float64)
    i = np.asarray(current_a, dtype=np.float64)
    s = np.asarray(travel_speed_cm_min, dtype=np.float64)
    out = []
    for c0, ed, es, ei, ev in (KIM_WIDTH, KIM_HEIGHT, KIM_PENETRATION):
        out.append(10.0**c0 * wire_diameter_mm**ed * s**es * i**ei * v**ev)
    return out[0], out[1], out[2]
