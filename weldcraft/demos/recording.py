"""A recording of a welder's torch motion: time-stamped torch poses with arc state and process signals.

The on-disk format (CSV or Parquet) is specified in ``demos/README.md``; reading and writing live in
`weldcraft.demos.recording_io`. In memory a recording is always in SI units (metres, seconds) and carries
the frame its poses are expressed in:

* ``world``: the contact-tip position in the cell's world frame (pybullet world, z up), and the torch
  orientation as a quaternion of the torch frame in the world frame.
* ``seam``: curvilinear seam coordinates. ``pos_m[:, 0]`` is the arc length s along the seam from its
  start, ``pos_m[:, 1]`` the contact tip's offset along the seam normal n (out of the joint, towards the
  torch), ``pos_m[:, 2]`` its offset along the binormal b = t x n (towards side B). The quaternion is the
  torch frame relative to the local seam frame (t, n, b) at s (CONTRACTS.md, "Units and frames").

In both frames the torch frame's +z axis is the wire direction w (from the contact tip towards the work);
rotation about w (the torch roll) does not enter the weld and is ignored on import.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from weldcraft.types import BoolArray, FloatArray

RECORDING_FORMAT_VERSION = 1

#: Columns every recording has, in this order on disk.
REQUIRED_COLUMNS: tuple[str, ...] = ("t_s", "x", "y", "z", "qx", "qy", "qz", "qw", "arc_on")
#: Process-signal columns a recording may have (all or any subset).
OPTIONAL_COLUMNS: tuple[str, ...] = ("voltage_v", "current_a", "wire_feed_m_min")


class PoseFrame(enum.StrEnum):
    """The frame a recording's poses are expressed in (see module docstring)."""

    WORLD = "world"
    SEAM = "seam"


class LengthUnit(enum.StrEnum):
    """The unit of the position columns on disk."""

    M = "m"
    MM = "mm"

    @property
    def to_m(self) -> float:
        """Factor that converts a value in this unit to metres."""
        return 1.0 if self is LengthUnit.M else 1e-3


@dataclass(frozen=True)
class Recording:
    """Time-stamped torch poses of one weld, in SI units.

    Attributes:
        t_s: (N,) time stamps in seconds, strictly increasing, N >= 2.
        pos_m: (N, 3) contact-tip position in metres, in `frame` (see module docstring).
        quat_xyzw: (N, 4) unit quaternions (scipy order x, y, z, w) of the torch frame in `frame`.
        arc_on: (N,) True while the arc burns.
        frame: the frame of `pos_m` and `quat_xyzw`.
        voltage_v, current_a, wire_feed_m_min: optional (N,) process signals (V, A, m/min).
        header: free metadata from the file header (seam, welder_id, skill, style, seed, notes, ...),
            JSON-compatible values only.
        source: where the recording came from (a file path), for messages.
    """

    t_s: FloatArray
    pos_m: FloatArray
    quat_xyzw: FloatArray
    arc_on: BoolArray
    frame: PoseFrame = PoseFrame.WORLD
    voltage_v: FloatArray | None = None
    current_a: FloatArray | None = None
    wire_feed_m_min: FloatArray | None = None
    header: dict[str, Any] = field(default_factory=dict)
    source: str = "<memory>"

    def __post_init__(self) -> None:
        object.__setattr__(self, "frame", PoseFrame(self.frame))
        t = np.asarray(self.t_s, dtype=np.float64)
        n = t.shape[0] if t.ndim == 1 else -1
        if n < 2:
            raise ValueError(f"{self.source}: a recording needs at least 2 samples with a (N,) time axis")
        arrays: dict[str, tuple[object, tuple[int, ...]]] = {
            "t_s": (t, (n,)),
            "pos_m": (self.pos_m, (n, 3)),
            "quat_xyzw": (self.quat_xyzw, (n, 4)),
        }
        for name, sig in (
            ("voltage_v", self.voltage_v),
            ("current_a", self.current_a),
            ("wire_feed_m_min", self.wire_feed_m_min),
        ):
            if sig is not None:
                arrays[name] = (sig, (n,))
        for name, (value, shape) in arrays.items():
            arr = np.asarray(value, dtype=np.float64)
            if arr.shape != shape:
                raise ValueError(f"{self.source}: {name} must have shape {shape}, got {arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{self.source}: {name} contains non-finite values")
            object.__setattr__(self, name, arr)
        arc = np.asarray(self.arc_on, dtype=np.bool_)
        if arc.shape != (n,):
            raise ValueError(f"{self.source}: arc_on must have shape {(n,)}, got {arc.shape}")
        object.__setattr__(self, "arc_on", arc)
        if not np.all(np.diff(t) > 0.0):
            raise ValueError(f"{self.source}: t_s must be strictly increasing")
        norms = np.linalg.norm(self.quat_xyzw, axis=1)
        if not np.allclose(norms, 1.0, atol=1e-6):
            raise ValueError(f"{self.source}: quat_xyzw must be unit quaternions (normalize on import)")

    @property
    def n_samples(self) -> int:
        """Number of samples N."""
        return int(self.t_s.shape[0])

    @property
    def duration_s(self) -> float:
        """Time from the first to the last sample, in seconds."""
        return float(self.t_s[-1] - self.t_s[0])

    def wire_direction(self) -> FloatArray:
        """Wire direction w (unit, torch +z axis) of every sample in `frame`, shape (N, 3)."""
        from scipy.spatial.transform import Rotation

        return np.asarray(
            Rotation.from_quat(self.quat_xyzw).apply(np.array([0.0, 0.0, 1.0])), dtype=np.float64
        )

    def signals(self) -> dict[str, FloatArray]:
        """The optional process signals that are present, by column name."""
        out: dict[str, FloatArray] = {}
        for name in OPTIONAL_COLUMNS:
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


def header_value_is_json(value: object) -> bool:
    """True when `value` can be stored in a recording header (JSON scalars, lists, dicts)."""
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(header_value_is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and header_value_is_json(v) for k, v in value.items())
    return False
