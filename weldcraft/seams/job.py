"""WeldJob: everything that defines one weld on one part, validated on construction.

Frames: the seam and the plates live in the PART frame (m). `part_pose` places the part frame in the cell's
WORK frame, which is z-up with gravity (0, 0, -1) and whose z = 0 plane is the table top; rpy_deg are fixed-
axis roll, pitch, yaw about x, y, z (the pybullet `getQuaternionFromEuler` convention). With
`part_pose.rest_on_table` (the default) the part rests on the table: `position_m` gives x and y of the part
frame origin and z is the height of the part's LOWEST plate face above the table top (0 = lying on it); the
job computes the lift from its own plate boxes (`WeldJob.part_origin_work_m`), so a user's YAML never has
to. With `rest_on_table: false`, `position_m` is the part frame origin itself (a part held in a fixture).
The job checks that its seam geometry really is in the welding position it claims: gravity expressed in the
seam frame must lie within 20 deg of `WeldingPosition.gravity_seam()` along the whole seam (ISO 6947 test
positions allow +-5 deg slope and +-10 deg rotation; 20 deg leaves room for both at once).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial.transform import Rotation

from weldcraft.seams.joint import JointSpec, WeldingPosition
from weldcraft.seams.paths import SeamPath, Vec3, _vec3
from weldcraft.seams.plates import Box, extrude
from weldcraft.seams.section import FusionFace, PlateDims, check_dims, cross_section
from weldcraft.seams.wps import WPS
from weldcraft.types import FloatArray, PathLikeStr

if TYPE_CHECKING:
    from weldcraft.seams.realization import SeamRealization

SCHEMA_VERSION = 1
POSITION_TOLERANCE_DEG = 20.0
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def lowest_point_z_m(boxes: list[Box], rotation: FloatArray) -> float:
    """Lowest z (m) of the corners of `boxes` (part frame) after rotating them by `rotation` (3, 3)."""
    signs = np.array([[sx, sy, sz] for sx in (-1.0, 1.0) for sy in (-1.0, 1.0) for sz in (-1.0, 1.0)])
    z_row = np.asarray(rotation, dtype=np.float64)[2]
    low = math.inf
    for box in boxes:
        corners = (signs * np.asarray(box.half_extents_m)) @ box.rotation_matrix().T + np.asarray(
            box.center_m
        )
        low = min(low, float(np.min(corners @ z_row)))
    return low


def _finite(value: float, name: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in [{lo:g}, {hi:g}], got {value!r}")
    return float(value)


@dataclass(frozen=True)
class GapProfile:
    """Joint gap (root opening) along the seam, piecewise linear in s, constant beyond the end knots.

    Attributes:
        s_mm: strictly increasing arc lengths of the knots (mm).
        gap_mm: gap at each knot (mm), each in [0, 10].
    """

    s_mm: tuple[float, ...]
    gap_mm: tuple[float, ...]

    def __post_init__(self) -> None:
        s = tuple(_finite(v, "s_mm", -1e6, 1e6) for v in self.s_mm)
        g = tuple(_finite(v, "gap_mm", 0.0, 10.0) for v in self.gap_mm)
        if not s or len(s) != len(g):
            raise ValueError(f"s_mm and gap_mm need the same non-zero length, got {len(s)} and {len(g)}")
        if any(b <= a for a, b in zip(s, s[1:], strict=False)):
            raise ValueError("s_mm must be strictly increasing")
        object.__setattr__(self, "s_mm", s)
        object.__setattr__(self, "gap_mm", g)

    @classmethod
    def constant(cls, gap_mm: float) -> GapProfile:
        return cls((0.0,), (float(gap_mm),))

    def at(self, s_mm: ArrayLike) -> FloatArray:
        """Gap (mm) at arc lengths s_mm, shape like np.atleast_1d(s_mm)."""
        s = np.atleast_1d(np.asarray(s_mm, dtype=np.float64))
        return np.interp(s, np.asarray(self.s_mm), np.asarray(self.gap_mm))


@dataclass(frozen=True)
class PlacementErrorSpec:
    """How a real part deviates from its nominal placement (sampled by `WeldJob.sample_realization`).

    Attributes:
        translation_std_mm / translation_max_mm: per-axis normal std and clip of the part shift (part frame).
        rotation_std_deg / rotation_max_deg: per-axis normal std and clip of the rotation vector, applied
            about the seam midpoint (so a rotation error does not turn into a large shift).
        gap_offset_range_mm: (lo, hi) uniform offset added to the nominal gap at each knot (clipped at 0).
        gap_knot_spacing_mm: spacing of the realised gap knots along the seam.
        drift_amplitude_mm: bound of the slow thermal drift of the part, lateral (b) and normal (n) each.
        drift_period_s: period of the drift's sinusoid (slow: tens of seconds).
    """

    translation_std_mm: float = 1.0
    translation_max_mm: float = 3.0
    rotation_std_deg: float = 1.0
    rotation_max_deg: float = 2.0
    gap_offset_range_mm: tuple[float, float] = (0.0, 0.0)
    gap_knot_spacing_mm: float = 25.0
    drift_amplitude_mm: float = 0.0
    drift_period_s: float = 60.0

    def __post_init__(self) -> None:
        for name, lo, hi in (
            ("translation_std_mm", 0.0, 50.0),
            ("translation_max_mm", 0.0, 100.0),
            ("rotation_std_deg", 0.0, 10.0),
            ("rotation_max_deg", 0.0, 15.0),
            ("drift_amplitude_mm", 0.0, 10.0),
        ):
            object.__setattr__(self, name, _finite(getattr(self, name), name, lo, hi))
        for name in ("gap_knot_spacing_mm", "drift_period_s"):
            value = _finite(getattr(self, name), name, 0.0, 1e6)
            if value <= 0.0:
                raise ValueError(f"{name} must be positive, got {value!r}")
            object.__setattr__(self, name, value)
        rng = tuple(_finite(v, "gap_offset_range_mm", -10.0, 10.0) for v in self.gap_offset_range_mm)
        if len(rng) != 2 or rng[0] > rng[1]:
            raise ValueError(
                f"gap_offset_range_mm must be [lo, hi] with lo <= hi, got {self.gap_offset_range_mm!r}"
            )
        object.__setattr__(self, "gap_offset_range_mm", rng)


@dataclass(frozen=True)
class PartPose:
    """Nominal pose of the part in the work frame (z = 0 is the table top).

    Attributes:
        position_m: x, y (m) of the part frame origin; z (m) is the height of the part's lowest plate face
            above the table top when `rest_on_table`, else the z of the part frame origin.
        rpy_deg: fixed-axis roll, pitch, yaw (deg) of the part frame.
        rest_on_table: lift the part frame so that its lowest plate face lies `position_m[2]` above the
            table (see `WeldJob.part_origin_work_m`).
    """

    position_m: Vec3 = (0.0, 0.0, 0.0)
    rpy_deg: Vec3 = (0.0, 0.0, 0.0)
    rest_on_table: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "position_m", _vec3(self.position_m, "position_m"))
        object.__setattr__(self, "rpy_deg", _vec3(self.rpy_deg, "rpy_deg"))
        if not isinstance(self.rest_on_table, bool):
            raise ValueError(f"rest_on_table must be true or false, got {self.rest_on_table!r}")

    def rotation(self) -> Rotation:
        return Rotation.from_euler("xyz", self.rpy_deg, degrees=True)

    @property
    def quat_xyzw(self) -> FloatArray:
        return np.asarray(self.rotation().as_quat())


@dataclass(frozen=True)
class WeldJob:
    """One weld: seam path + joint + position + gap + WPS + placement errors + nominal part pose + plates."""

    name: str
    seam: SeamPath
    joint: JointSpec
    position: WeldingPosition
    gap: GapProfile
    wps: WPS
    placement: PlacementErrorSpec
    part_pose: PartPose
    plates: PlateDims
    description: str = ""

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name):
            raise ValueError(
                f"name must be letters, digits, '_', '.', '-' (not starting with a symbol), got {self.name!r}"
            )
        object.__setattr__(self, "position", WeldingPosition(self.position))
        check_dims(self.joint, self.plates)
        length_mm = self.seam.length_m * 1000.0
        if self.gap.s_mm[0] < -1e-6 or self.gap.s_mm[-1] > length_mm + 1e-6:
            raise ValueError(f"gap s_mm knots must lie within the seam [0, {length_mm:.3f}] mm")
        worst_s, worst_deg = self._position_error_deg()
        if worst_deg > POSITION_TOLERANCE_DEG:
            raise ValueError(
                f"position {self.position.value} does not match the seam geometry: gravity in the seam frame "
                f"is {worst_deg:.1f} deg away from {self.position.value}'s at s = {worst_s * 1000:.1f} mm "
                f"(tolerance {POSITION_TOLERANCE_DEG:g} deg); check part_pose, the joint normal and the "
                "travel direction"
            )

    # -- geometry -------------------------------------------------------------------------------------------
    @property
    def length_mm(self) -> float:
        return self.seam.length_m * 1000.0

    def gravity_seam(self, s_m: ArrayLike) -> FloatArray:
        """Gravity unit vectors (N,3) in the seam frame (t, n, b) at s, for the nominal part pose."""
        g_part = self.part_pose.rotation().inv().apply(np.array([0.0, 0.0, -1.0]))
        return np.asarray(np.einsum("nij,i->nj", self.seam.frames(s_m), g_part))

    def _position_error_deg(self) -> tuple[float, float]:
        s = np.linspace(0.0, self.seam.length_m, 33)
        cos = np.clip(self.gravity_seam(s) @ self.position.gravity_seam(), -1.0, 1.0)
        k = int(np.argmin(cos))
        return float(s[k]), math.degrees(math.acos(float(cos[k])))

    @functools.cached_property
    def part_origin_work_m(self) -> FloatArray:
        """Nominal position (3,) m of the part frame origin in the work frame (read-only array).

        With `part_pose.rest_on_table` the part is lifted so that the lowest corner of its plate boxes
        (nominal gap, `plate_boxes()`) lies `part_pose.position_m[2]` above the table top (work z = 0);
        otherwise it is `part_pose.position_m`. Computed once per job (the extrusion takes milliseconds).
        """
        pos = np.array(self.part_pose.position_m, dtype=np.float64)
        if self.part_pose.rest_on_table:
            pos[2] -= lowest_point_z_m(self.plate_boxes(), self.part_pose.rotation().as_matrix())
        pos.setflags(write=False)
        return pos

    def fusion_faces(self) -> list[FusionFace]:
        """The two fusion faces in the (b, n) cross-section (mm), side A first."""
        return cross_section(self.joint, self.plates)[1]

    def plate_boxes(self, gap: GapProfile | None = None, tol_mm: float = 0.05) -> list[Box]:
        """Boxes (part frame) modelling the plates, built with `gap` (default: the nominal gap profile).

        Curved plates are flat panels deviating from the true surface by at most tol_mm (must be in
        (0, 0.2]); see `weldcraft.seams.plates`.
        """
        if not 0.0 < tol_mm <= 0.2:
            raise ValueError(f"tol_mm must be in (0, 0.2], got {tol_mm!r}")
        profile = self.gap if gap is None else gap
        rects = cross_section(self.joint, self.plates)[0]
        breaks = [0.0, self.seam.length_m, *(1e-3 * s for s in profile.s_mm)]
        return extrude(self.seam, rects, profile.at, self.plates.run_on_mm, tol_mm, breaks)

    def sample_realization(self, rng: np.random.Generator) -> SeamRealization:
        """One real part: placement error, realised gap and thermal drift, all drawn from rng."""
        from weldcraft.seams.realization import sample_realization

        return sample_realization(self, rng)

    # -- config I/O (weldcraft.seams.config) -----------------------------------------------------------------
    @classmethod
    def from_yaml(cls, path: PathLikeStr) -> WeldJob:
        """Load and validate a job from a YAML file; errors are `ConfigError` naming file:line and key."""
        from weldcraft.seams.config import job_from_yaml

        return job_from_yaml(path)

    @classmethod
    def from_mapping(cls, data: Any, source: str = "<mapping>") -> WeldJob:
        """Build a job from plain data (the YAML structure); errors name `source` and the dotted key."""
        from weldcraft.seams.config import job_from_mapping

        return job_from_mapping(data, source)

    def to_mapping(self) -> dict[str, Any]:
        """Plain-data form (YAML/JSON-able); `from_mapping(job.to_mapping()) == job`."""
        from weldcraft.seams.config import job_to_mapping

        return job_to_mapping(self)

    def to_yaml(self, path: PathLikeStr | None = None) -> str:
        """The YAML text of `to_mapping()`; also written atomically to `path` when given."""
        from weldcraft.seams.config import job_to_yaml

        return job_to_yaml(self, None if path is None else Path(path))

    def config_hash(self) -> str:
        """sha256 hex digest of the canonical JSON of `to_mapping()` (sorted keys, no whitespace)."""
        from weldcraft.seams.config import mapping_hash

        return mapping_hash(self.to_mapping())
