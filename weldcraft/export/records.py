"""Small frozen records of the WeldProgram IR: poses, robot, process, weave and provenance.

All validate themselves on construction and raise `weldcraft.errors.DataError` (a `UserError`) with the
field name and the value found. Units are in the field names: metres and radians for geometry and joints
(as the simulator), mm, m/min, V, Hz and s for process and weave data (as a welding procedure is written).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from weldcraft.errors import DataError
from weldcraft.export.rotations import canonical_quat_xyzw

WeavePattern = Literal["none", "zigzag", "triangle", "circle"]
WEAVE_PATTERNS: tuple[str, ...] = ("none", "zigzag", "triangle", "circle")


def _finite(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise DataError(f"{name} must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise DataError(f"{name} must be finite, got {x}")
    return x


def _vector(name: str, values: object, size: int) -> tuple[float, ...]:
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.shape != (size,):
        raise DataError(f"{name} must have {size} elements, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise DataError(f"{name} must be finite, got {arr.tolist()}")
    return tuple(float(v) for v in arr)


@dataclass(frozen=True)
class Pose:
    """A rigid transform: position in metres and unit quaternion [x, y, z, w] (canonical sign, w >= 0).

    Used for the tool frame (TCP in the flange frame), the work frame (work object in the robot base frame)
    and the robot base (base in the cell/world frame).
    """

    position_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    quat_xyzw: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)

    def __post_init__(self) -> None:
        pos = _vector("position_m", self.position_m, 3)
        quat = np.asarray(_vector("quat_xyzw", self.quat_xyzw, 4))
        norm = float(np.linalg.norm(quat))
        if abs(norm - 1.0) > 1e-3:
            raise DataError(f"quat_xyzw must be a unit quaternion (norm 1 within 1e-3), got norm {norm:.6f}")
        object.__setattr__(self, "position_m", pos)
        object.__setattr__(self, "quat_xyzw", tuple(float(v) for v in canonical_quat_xyzw(quat)))

    @property
    def is_identity(self) -> bool:
        return bool(np.allclose(self.position_m, 0.0, atol=1e-12) and abs(self.quat_xyzw[3] - 1.0) < 1e-12)


@dataclass(frozen=True)
class RobotSpec:
    """The robot a program is for: joint names, limits (rad), max speeds (rad/s), optional accelerations.

    Attributes:
        name: robot model name (free text, e.g. "generic-arc-6axis").
        joint_names: J joint names in controller order.
        joint_lower_rad / joint_upper_rad: (J,) position limits.
        max_joint_speed_rad_s: (J,) speed limits.
        max_joint_accel_rad_s2: (J,) acceleration limits, or None when unknown (the check is skipped).
        reach_m: largest distance from the base origin to the flange the arm reaches (spec sheet).
        wrist_joints: indices of the wrist joints (J4, J5, J6) used by the wrist-flip checks.
        elbow_joint / elbow_singular_rad: the elbow joint and its stretched-arm angle; when the latter is
            known, a change of sign of (q_elbow - elbow_singular_rad) is a configuration change.
    """

    name: str
    joint_names: tuple[str, ...]
    joint_lower_rad: tuple[float, ...]
    joint_upper_rad: tuple[float, ...]
    max_joint_speed_rad_s: tuple[float, ...]
    reach_m: float
    max_joint_accel_rad_s2: tuple[float, ...] | None = None
    wrist_joints: tuple[int, int, int] = (3, 4, 5)
    elbow_joint: int = 2
    elbow_singular_rad: float | None = None

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.name, str):
            raise DataError(f"robot name must be a non-empty string, got {self.name!r}")
        names = tuple(str(n) for n in self.joint_names)
        n = len(names)
        if n == 0 or len(set(names)) != n:
            raise DataError(f"joint_names must be non-empty and unique, got {list(names)}")
        object.__setattr__(self, "joint_names", names)
        lower = _vector("joint_lower_rad", self.joint_lower_rad, n)
        upper = _vector("joint_upper_rad", self.joint_upper_rad, n)
        for i, (lo, hi) in enumerate(zip(lower, upper, strict=True)):
            if not lo < hi:
                raise DataError(f"joint {names[i]}: lower limit {lo} must be below upper limit {hi}")
        speed = _vector("max_joint_speed_rad_s", self.max_joint_speed_rad_s, n)
        if min(speed) <= 0.0:
            raise DataError(f"max_joint_speed_rad_s must be positive, got {list(speed)}")
        object.__setattr__(self, "joint_lower_rad", lower)
        object.__setattr__(self, "joint_upper_rad", upper)
        object.__setattr__(self, "max_joint_speed_rad_s", speed)
        if self.max_joint_accel_rad_s2 is not None:
            accel = _vector("max_joint_accel_rad_s2", self.max_joint_accel_rad_s2, n)
            if min(accel) <= 0.0:
                raise DataError(f"max_joint_accel_rad_s2 must be positive, got {list(accel)}")
            object.__setattr__(self, "max_joint_accel_rad_s2", accel)
        if _finite("reach_m", self.reach_m) <= 0.0:
            raise DataError(f"reach_m must be positive, got {self.reach_m}")
        wrist = tuple(int(i) for i in self.wrist_joints)
        if len(wrist) != 3 or any(not 0 <= i < n for i in wrist) or not 0 <= self.elbow_joint < n:
            raise DataError(
                f"wrist_joints {wrist} / elbow_joint {self.elbow_joint} must index the {n} joints"
            )
        object.__setattr__(self, "wrist_joints", wrist)
        if self.elbow_singular_rad is not None:
            _finite("elbow_singular_rad", self.elbow_singular_rad)

    @property
    def n_joints(self) -> int:
        return len(self.joint_names)

    @classmethod
    def generic_arc_welder(cls) -> RobotSpec:
        """The generic 6-axis arc-welding arm of DESIGN §3 (about 1.4 m reach, spherical wrist).

        Limits and speeds are those DESIGN §3 gives for the class; accelerations are not published there
        and stay unknown (None), so the acceleration check is skipped unless the cell's robot gives them.
        """
        return cls(
            name="generic-arc-6axis",
            joint_names=("joint_1", "joint_2", "joint_3", "joint_4", "joint_5", "joint_6"),
            joint_lower_rad=(-3.14, -1.57, -3.14, -3.31, -3.31, -6.28),
            joint_upper_rad=(3.14, 2.79, 4.61, 3.31, 3.31, 6.28),
            max_joint_speed_rad_s=(3.67, 3.32, 3.67, 6.98, 6.98, 10.47),
            reach_m=1.4,
        )


@dataclass(frozen=True)
class ProcessData:
    """Welding process settings of one arc-on section (GMAW/MAG).

    Attributes:
        wire_feed_m_min: wire feed speed WFS (m/min).
        voltage_v: arc voltage U (V).
        travel_speed_mm_s: intended travel speed along the seam (mm/s); the TCP speed of a weaving torch is
            higher, which the emitters compute from the points themselves.
        wire_diameter_mm: wire diameter d (mm).
    """

    wire_feed_m_min: float
    voltage_v: float
    travel_speed_mm_s: float
    wire_diameter_mm: float = 1.2

    def __post_init__(self) -> None:
        # Ranges as weldcraft.seams.WPS accepts them.
        ranges = {
            "wire_feed_m_min": (1.0, 25.0),
            "voltage_v": (10.0, 45.0),
            "travel_speed_mm_s": (0.5, 40.0),
            "wire_diameter_mm": (0.6, 2.4),
        }
        for key, (lo, hi) in ranges.items():
            value = _finite(key, getattr(self, key))
            if not lo <= value <= hi:
                raise DataError(f"process {key} must be in [{lo}, {hi}], got {value}")
            object.__setattr__(self, key, value)


@dataclass(frozen=True)
class WeaveData:
    """Weave superimposed on the base path of an arc-on section.

    Canonical shapes (phase phi in [0, 1) per cycle; "left" is +lateral, lateral = unit(up x travel) with up
    the torch axis pointing away from the work), see `weldcraft.export.weave`:
    zigzag: lateral triangle wave of peak-to-peak `width_mm` (centre, left, centre, right, centre), dwells;
    triangle: the zigzag plus a longitudinal component of amplitude width/4 at twice the frequency;
    circle: a circle of diameter `width_mm` in the plane of travel and lateral directions.

    Attributes:
        pattern: "none", "zigzag", "triangle" or "circle".
        width_mm: peak-to-peak lateral width (mm).
        frequency_hz: cycles per second (the cycle length is travel_speed / frequency mm).
        dwell_left_s / dwell_centre_s / dwell_right_s: dwell per visit (s); the centre is visited twice per
            cycle. Dwells are part of the cycle period.
    """

    pattern: WeavePattern = "none"
    width_mm: float = 0.0
    frequency_hz: float = 0.0
    dwell_left_s: float = 0.0
    dwell_centre_s: float = 0.0
    dwell_right_s: float = 0.0

    def __post_init__(self) -> None:
        if self.pattern not in WEAVE_PATTERNS:
            raise DataError(f"weave pattern must be one of {', '.join(WEAVE_PATTERNS)}, got {self.pattern!r}")
        for key in ("width_mm", "frequency_hz", "dwell_left_s", "dwell_centre_s", "dwell_right_s"):
            value = _finite(f"weave {key}", getattr(self, key))
            if value < 0.0:
                raise DataError(f"weave {key} must be >= 0, got {value}")
            object.__setattr__(self, key, value)
        if self.pattern != "none":
            if self.width_mm <= 0.0 or self.frequency_hz <= 0.0:
                raise DataError(
                    f"a {self.pattern} weave needs width_mm > 0 and frequency_hz > 0, "
                    f"got {self.width_mm} and {self.frequency_hz}"
                )
            period = 1.0 / self.frequency_hz
            dwell = self.dwell_left_s + self.dwell_right_s + 2.0 * self.dwell_centre_s
            if dwell >= period:
                raise DataError(
                    f"weave dwells ({dwell:.3f} s per cycle) must be shorter than the period {period:.3f} s"
                )

    @property
    def active(self) -> bool:
        return self.pattern != "none"

    def length_mm(self, travel_speed_mm_s: float) -> float:
        """Cycle length along the path (mm) at a travel speed (mm/s)."""
        return travel_speed_mm_s / self.frequency_hz if self.active else 0.0

    @classmethod
    def from_length(
        cls,
        pattern: WeavePattern,
        width_mm: float,
        length_mm: float,
        travel_speed_mm_s: float,
        dwell_left_mm: float = 0.0,
        dwell_centre_mm: float = 0.0,
        dwell_right_mm: float = 0.0,
    ) -> WeaveData:
        """A weave given by cycle and dwell lengths along the path (RAPID/KRL style) at a travel speed."""
        if length_mm <= 0.0 or travel_speed_mm_s <= 0.0:
            raise DataError(
                f"weave length {length_mm} mm and travel speed {travel_speed_mm_s} mm/s must be > 0"
            )
        v = travel_speed_mm_s
        return cls(
            pattern, width_mm, v / length_mm, dwell_left_mm / v, dwell_centre_mm / v, dwell_right_mm / v
        )


@dataclass(frozen=True)
class Provenance:
    """Where a program came from: package version, config hash, checkpoint or dataset hash, source.

    `source` is free text such as "rollout", "demonstration", "checkpoint", "sample", "file:prog.mod".
    `created_utc` is an ISO-8601 time, optional so that the same inputs give byte-identical outputs.
    """

    weldcraft_version: str = ""
    source: str = "unknown"
    config_hash: str = ""
    source_hash: str = ""
    created_utc: str = ""
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.weldcraft_version:
            from weldcraft import __version__

            object.__setattr__(self, "weldcraft_version", __version__)
        object.__setattr__(self, "extra", tuple((str(k), str(v)) for k, v in self.extra))
        for key in ("weldcraft_version", "source", "config_hash", "source_hash", "created_utc"):
            value = getattr(self, key)
            if not isinstance(value, str) or "\n" in value:
                raise DataError(f"provenance {key} must be a one-line string, got {value!r}")

    def lines(self) -> list[str]:
        """Human-readable header lines (no comment markers) that the emitters put at the top of files."""
        out = [f"weldcraft {self.weldcraft_version}", f"source: {self.source}"]
        if self.config_hash:
            out.append(f"config hash: {self.config_hash}")
        if self.source_hash:
            out.append(f"source hash: {self.source_hash}")
        if self.created_utc:
            out.append(f"created: {self.created_utc}")
        out.extend(f"{k}: {v}" for k, v in self.extra)
        return out
