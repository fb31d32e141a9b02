"""Configuration records of the welding-cell env: sensor, randomization, action scaling, reward weights.

All records are frozen dataclasses that validate themselves; each can be built from a plain mapping
(`from_mapping`), so `gymnasium.make(id, sensor={"lookahead_mm": 40})` and Hydra configs work. Units are
in the field names (mm, deg, s, Hz). Typical ranges and their sources are in
`/work/shared/reference/welding-process.md` section 6 (seam-tracking sensors) and DESIGN section 3.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from weldcraft.errors import ConfigError

_R = TypeVar("_R", bound="_Record")


class _Record:
    """Mixin: construction from a mapping with unknown keys reported as a ConfigError."""

    @classmethod
    def from_mapping(cls: type[_R], data: Mapping[str, Any] | _R | None, where: str) -> _R:
        """Build the record from `data` (a mapping, an instance, or None for the defaults).

        Raises:
            ConfigError: on an unknown key or an invalid value, naming `where` and the key.
        """
        if data is None:
            return cls()
        if isinstance(data, cls):
            return data
        if not isinstance(data, Mapping):
            raise ConfigError(
                f"expected a mapping of {cls.__name__} fields, got {type(data).__name__}", where=where
            )
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(
                f"unknown key(s) {unknown} for {cls.__name__}; valid keys: {sorted(names)}", where=where
            )
        try:
            return cls(**dict(data))
        except (TypeError, ValueError) as exc:
            raise ConfigError(str(exc), where=where) from None


def _check_range(name: str, value: float, lo: float, hi: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value}")


@dataclass(frozen=True)
class SensorConfig(_Record):
    """Laser-line seam tracker mounted on the torch (DESIGN section 3; reference section 6).

    Attributes:
        lookahead_mm: forerun d_f of the laser line ahead of the wire along the travel direction
            (commercial trackers 20-60 mm [U], reference section 6).
        standoff_mm: height of the laser-fan origin above the aimed work point, along the wire axis.
        fov_mm: width of the laser line across the seam at the work.
        n_rays_flank: rays spread uniformly over the whole field of view (define the plate surfaces).
        n_rays_center: extra rays concentrated around the last detected joint (define the root and gap).
        center_width_mm: width of the concentrated ray window (its spacing is the gap resolution).
        noise_sigma_mm: Gaussian noise of the reported seam point and gap, as a vendor precision spec
            (0.02-0.1 mm, reference section 6: SkyBlue SBSx series).
        outlier_prob: probability that a reading is an outlier (spatter, reflections; 1-5 %).
        outlier_scale_mm: scale of the heavy-tailed (Student t, 2 dof) outlier displacement.
        grazing_dropout_deg: profile points whose incidence angle from the surface normal exceeds this
            are lost (dropouts beyond ~70-75 deg, reference section 6).
        latency_s: time from the scan to the reading being available (10-50 ms [U]).
        scan_every_steps: scan once every k control steps (the sensor's profile rate / control rate).
        gate_mm: the robot's tracking filter rejects a reading whose correction differs by more than this
            from the median of the last accepted readings (outlier gate).
        max_blind_mm: with tracking on, the seam counts as lost when the torch is this far past the last
            accepted reading.
    """

    lookahead_mm: float = 30.0
    standoff_mm: float = 80.0
    fov_mm: float = 24.0
    n_rays_flank: int = 8
    n_rays_center: int = 8
    center_width_mm: float = 4.0
    noise_sigma_mm: float = 0.05
    outlier_prob: float = 0.02
    outlier_scale_mm: float = 1.0
    grazing_dropout_deg: float = 75.0
    latency_s: float = 0.03
    scan_every_steps: int = 1
    gate_mm: float = 0.5
    max_blind_mm: float = 15.0

    def __post_init__(self) -> None:
        _check_range("lookahead_mm", self.lookahead_mm, 5.0, 100.0)
        _check_range("standoff_mm", self.standoff_mm, 20.0, 300.0)
        _check_range("fov_mm", self.fov_mm, 4.0, 100.0)
        _check_range("n_rays_flank", self.n_rays_flank, 4, 256)
        _check_range("n_rays_center", self.n_rays_center, 0, 256)
        _check_range("center_width_mm", self.center_width_mm, 0.5, self.fov_mm)
        _check_range("noise_sigma_mm", self.noise_sigma_mm, 0.0, 2.0)
        _check_range("outlier_prob", self.outlier_prob, 0.0, 0.5)
        _check_range("outlier_scale_mm", self.outlier_scale_mm, 0.0, 20.0)
        _check_range("grazing_dropout_deg", self.grazing_dropout_deg, 10.0, 90.0)
        _check_range("latency_s", self.latency_s, 0.0, 1.0)
        _check_range("scan_every_steps", self.scan_every_steps, 1, 100)
        _check_range("gate_mm", self.gate_mm, 0.05, 50.0)
        _check_range("max_blind_mm", self.max_blind_mm, 1.0, 1000.0)
        for name in ("n_rays_flank", "n_rays_center", "scan_every_steps"):
            if not isinstance(getattr(self, name), int):
                raise ValueError(f"{name} must be an integer, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class RandomizationConfig(_Record):
    """Cell imperfections drawn at every reset from the env's `np_random` (DESIGN section 3).

    Attributes:
        enabled: False places the part exactly as programmed, with the job's nominal gap and no drift.
        scale: multiplies the job's placement-error spec (translation, rotation, thermal drift); 1 = the
            job's own magnitudes (mm-level translation, about 1 deg rotation).
        gap: draw the gap profile along the seam from the job's gap spec (0-2 mm typical).
    """

    enabled: bool = True
    scale: float = 1.0
    gap: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool) or not isinstance(self.gap, bool):
            raise ValueError("enabled and gap must be booleans")
        _check_range("scale", self.scale, 0.0, 10.0)


@dataclass(frozen=True)
class ActionScaling(_Record):
    """Maps the normalized action in [-1, 1]^5 to the torch command in the seam frame.

    Every channel is an absolute setting around the nominal (the WPS pose on the tracked seam), so the
    zero action is the nominal straight weld. Channel i = a[i]:

    * 0 lateral: offset along b from the tracked seam = a0 * lateral_range_mm. Absolute (not a rate):
      a weave is the policy's own waveform of a0, e.g. +/-3 mm at 3 Hz is a0 = 0.75 sin(2 pi 3 t), which at
      20 Hz control is sampled 6.7 times per period and needs a peak lateral speed of 57 mm/s (well inside
      the arm's speed limits). A rate design would need a rate range of about 60 mm/s to do the same and
      would make every tracking error integrate.
    * 1 CTWD: ctwd_mm = wps.ctwd_mm + a1 * ctwd_range_mm.
    * 2 work angle: work_angle_deg = wps.work_angle_deg + a2 * work_angle_range_deg.
    * 3 travel angle: travel_angle_deg = wps.travel_angle_deg + a3 * travel_angle_range_deg.
    * 4 travel speed: v = wps.travel_speed_mm_s * speed_ratio_max ** a4 (log scale, 0 = nominal).
    """

    lateral_range_mm: float = 4.0
    ctwd_range_mm: float = 8.0
    work_angle_range_deg: float = 20.0
    travel_angle_range_deg: float = 20.0
    speed_ratio_max: float = 2.0

    def __post_init__(self) -> None:
        _check_range("lateral_range_mm", self.lateral_range_mm, 0.1, 20.0)
        _check_range("ctwd_range_mm", self.ctwd_range_mm, 0.1, 20.0)
        _check_range("work_angle_range_deg", self.work_angle_range_deg, 0.1, 40.0)
        _check_range("travel_angle_range_deg", self.travel_angle_range_deg, 0.1, 40.0)
        _check_range("speed_ratio_max", self.speed_ratio_max, 1.01, 5.0)


@dataclass(frozen=True)
class RewardWeights(_Record):
    """Weights of the reward terms (each term is reported unweighted in info["reward_terms"]).

    Attributes:
        quality: per-step quality score of the deposited segment times its length / seam length, so the
            sum over a completed weld is the length-weighted mean segment quality (slowing down earns no
            extra reward).
        progress: travelled length of the step / seam length.
        completion: on the step that completes the seam, the graded weld's quality score.
        failure: penalty (subtracted) when the episode terminates on collision, lost seam or an
            unreachable pose.
        action_rate: penalty on the squared change of the normalized action (0 by default: weaving
            changes the action every step on purpose).
    """

    quality: float = 1.0
    progress: float = 0.0
    completion: float = 1.0
    failure: float = 1.0
    action_rate: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            _check_range(f.name, getattr(self, f.name), 0.0, 1000.0)
