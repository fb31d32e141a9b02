"""Mass properties of links built from primitive solids (solid cylinders and boxes).

Every primitive is a homogeneous solid; a link made of several primitives shares its mass between them in
proportion to volume, and the combined inertia about the link's centre of mass follows from the parallel-axis
theorem. Formulas: solid cylinder of radius r, length h along its local z: Izz = m r²/2,
Ixx = Iyy = m (3 r² + h²)/12; solid box of full sizes (a, b, c): Ixx = m (b² + c²)/12 and cyclic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

from weldcraft.types import FloatArray


@dataclass(frozen=True)
class Primitive:
    """One solid in a link frame.

    `kind` is "cylinder" (size = (radius_m, length_m), axis = local z) or "box" (size = full extents
    (x, y, z) in m). `xyz_m` and `rpy_rad` place the solid's centre and local axes in the link frame
    (URDF convention: rpy = fixed-axis roll about x, pitch about y, yaw about z).
    """

    kind: str
    size: tuple[float, ...]
    xyz_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    rpy_rad: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        if self.kind == "cylinder" and len(self.size) != 2:
            raise ValueError(f"cylinder needs (radius_m, length_m), got {self.size}")
        if self.kind == "box" and len(self.size) != 3:
            raise ValueError(f"box needs full extents (x, y, z) in m, got {self.size}")
        if self.kind not in ("cylinder", "box"):
            raise ValueError(f"primitive kind must be 'cylinder' or 'box', got {self.kind!r}")
        if min(self.size) <= 0.0:
            raise ValueError(f"primitive sizes must be positive, got {self.size}")

    @property
    def volume_m3(self) -> float:
        if self.kind == "cylinder":
            r, h = self.size
            return float(np.pi * r * r * h)
        a, b, c = self.size
        return float(a * b * c)

    def inertia_about_center(self, mass_kg: float) -> FloatArray:
        """(3, 3) inertia tensor in kg m² about the solid's centre, expressed in the LINK frame."""
        if self.kind == "cylinder":
            r, h = self.size
            ixx = mass_kg * (3.0 * r * r + h * h) / 12.0
            local = np.diag([ixx, ixx, mass_kg * r * r / 2.0])
        else:
            a, b, c = self.size
            local = np.diag([b * b + c * c, a * a + c * c, a * a + b * b]) * (mass_kg / 12.0)
        rot = Rotation.from_euler("xyz", self.rpy_rad).as_matrix()
        return np.asarray(rot @ local @ rot.T, dtype=np.float64)


def mass_properties(primitives: list[Primitive], mass_kg: float) -> tuple[FloatArray, FloatArray]:
    """Centre of mass (3,) m and (3, 3) inertia tensor kg m² about it, both in the link frame.

    The mass is shared between the primitives in proportion to their volumes (homogeneous link).
    """
    if mass_kg <= 0.0 or not primitives:
        raise ValueError("a link needs a positive mass and at least one primitive")
    volumes = np.array([p.volume_m3 for p in primitives])
    masses = mass_kg * volumes / volumes.sum()
    centers = np.array([p.xyz_m for p in primitives], dtype=np.float64)
    com = (masses[:, None] * centers).sum(axis=0) / mass_kg
    inertia = np.zeros((3, 3))
    for prim, m, c in zip(primitives, masses, centers, strict=True):
        d = c - com
        inertia += prim.inertia_about_center(float(m)) + m * (float(d @ d) * np.eye(3) - np.outer(d, d))
    return com, inertia
