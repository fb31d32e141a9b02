"""Joint types, groove preparation and welding positions.

Units: millimetres and degrees. Joint preparations follow ISO 9692-1 (single-V: groove angle 40-60 deg,
root face <= 2 mm, gap <= 4 mm for 3 < t <= 10 mm) and welding positions ISO 6947 (PA flat, PB
horizontal-vertical, PF vertical-up, PG vertical-down, PE overhead).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np

from weldcraft.types import FloatArray


class JointKind(enum.StrEnum):
    """The joint types weldcraft models."""

    FILLET = "fillet"  # T-joint, fillet weld in the corner
    LAP = "lap"  # fillet on the edge of the upper sheet
    SQUARE_BUTT = "square_butt"  # I-groove butt
    SINGLE_V_BUTT = "single_v_butt"  # V-groove butt (ISO 9692-1 ref. 1.3)
    CORNER = "corner"  # outside corner, welded like a fillet into the V the plate edges form

    @property
    def is_fillet_like(self) -> bool:
        """True where the weld is graded as a fillet (legs, throat, convexity) rather than a butt."""
        return self in (JointKind.FILLET, JointKind.LAP, JointKind.CORNER)


class WeldingPosition(enum.StrEnum):
    """ISO 6947 welding positions, each a gravity direction in the seam frame.

    The seam frame at arc length s has columns (t, n, b): t the travel tangent, n the unit vector that
    bisects the joint and points out of it (towards the torch), b = t x n.
    """

    PA = "PA"  # flat: the joint opens upwards
    PB = "PB"  # horizontal-vertical: horizontal seam, bisector 45 deg above horizontal
    PF = "PF"  # vertical up: travel against gravity
    PG = "PG"  # vertical down: travel with gravity
    PE = "PE"  # overhead: the joint opens downwards

    def gravity_seam(self) -> FloatArray:
        """Gravity as a unit vector in the seam frame (t, n, b), shape (3,)."""
        c = math.sqrt(0.5)
        table = {
            WeldingPosition.PA: (0.0, -1.0, 0.0),
            WeldingPosition.PB: (0.0, -c, -c),
            WeldingPosition.PF: (-1.0, 0.0, 0.0),
            WeldingPosition.PG: (1.0, 0.0, 0.0),
            WeldingPosition.PE: (0.0, 1.0, 0.0),
        }
        return np.array(table[self], dtype=np.float64)


@dataclass(frozen=True)
class JointSpec:
    """Geometry of the joint cross-section.

    Attributes:
        kind: the joint type.
        thickness_mm: plate thickness t (for a fillet, of the thinner member), > 0.
        groove_angle_deg: included groove angle of a single-V butt (ISO 9692-1: 40-60 deg); 0 otherwise.
        root_face_mm: root face c of a single-V butt (ISO 9692-1: <= 2 mm).
        opening_angle_deg: angle between the two fusion faces of a fillet/lap/corner (90 for a T-joint).
    """

    kind: JointKind
    thickness_mm: float
    groove_angle_deg: float = 0.0
    root_face_mm: float = 0.0
    opening_angle_deg: float = 90.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", JointKind(self.kind))
        if not (math.isfinite(self.thickness_mm) and self.thickness_mm > 0.0):
            raise ValueError(
                f"thickness_mm must be a positive number of millimetres, got {self.thickness_mm!r}"
            )
        if self.kind is JointKind.SINGLE_V_BUTT:
            if not 20.0 <= self.groove_angle_deg <= 90.0:
                raise ValueError(
                    f"groove_angle_deg of a single-V butt must be in [20, 90], got {self.groove_angle_deg}"
                )
            if not 0.0 <= self.root_face_mm < self.thickness_mm:
                raise ValueError(
                    f"root_face_mm must be in [0, thickness_mm={self.thickness_mm}), got {self.root_face_mm}"
                )
        if not 30.0 <= self.opening_angle_deg <= 150.0:
            raise ValueError(f"opening_angle_deg must be in [30, 150], got {self.opening_angle_deg}")
