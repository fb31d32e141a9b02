"""One real part drawn from a WeldJob's placement-error spec: where the seam actually is.

Model (all draws from the passed `np.random.Generator`, in this order, so a seed fixes everything):

1. Placement error, in the part frame about the seam midpoint c: p -> c + R_e (p - c) + delta, delta per axis
   ~ N(0, translation_std_mm) clipped to +-translation_max_mm; R_e = rotation vector with components
   ~ N(0, rotation_std_deg) clipped to +-rotation_max_deg.
2. Gap: knots every gap_knot_spacing_mm over [0, L]; gap = nominal + U(gap_offset_range_mm), clipped at 0.
3. Thermal drift: a rigid, slow shift of the part d(t) = lat(t) b_c + nor(t) n_c ((b_c, n_c) the seam frame
   at the midpoint), lat(t) = a_l (sin(2 pi t / T + phi_l) - sin phi_l) / 2 with a_l ~ U(-A, A),
   phi_l ~ U(0, 2 pi),
   the same for nor. It is 0 at t = 0 (the part is where it was fixtured) and |lat|, |nor| <= A. Because it is
   rigid, an env realises it by moving the part body, and a laser tracker that ray-casts the plates sees it.

Actual part-to-work map at time t: X_t(p) = R_nom (c + R_e (p + d(t) - c) + delta) + pos_nom, with pos_nom
= `WeldJob.part_origin_work_m` (the part resting on the table unless the job says otherwise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial.transform import Rotation

from weldcraft.seams.job import GapProfile, WeldJob
from weldcraft.seams.paths import Vec3
from weldcraft.seams.plates import Box
from weldcraft.types import FloatArray


@dataclass(frozen=True)
class SeamRealization:
    """A sampled real part for `job` (see the module docstring for the model).

    The transforms are computed once at construction, so the per-step queries an env makes cost tens of
    microseconds.
    """

    job: WeldJob
    translation_error_mm: Vec3
    rotation_error_deg: Vec3  # rotation vector, degrees
    gap: GapProfile
    drift_amplitude_mm: tuple[float, float]  # (lateral along b, normal along n), signed
    drift_phase_rad: tuple[float, float]
    _rot: FloatArray = field(init=False, repr=False, compare=False)  # part -> work rotation matrix
    _quat: FloatArray = field(init=False, repr=False, compare=False)
    _pos0: FloatArray = field(init=False, repr=False, compare=False)  # part origin in work frame at t = 0
    _drift_axes: FloatArray = field(init=False, repr=False, compare=False)  # rows b_c, n_c (part frame)

    def __post_init__(self) -> None:
        seam = self.job.seam
        pivot = seam.position_m(0.5 * seam.length_m)[0]
        r_nom = self.job.part_pose.rotation()
        r_e = Rotation.from_rotvec(np.radians(self.rotation_error_deg))
        shift = pivot - r_e.apply(pivot) + np.asarray(self.translation_error_mm) * 1e-3
        rot = r_nom * r_e
        frame = seam.frames(0.5 * seam.length_m)[0]
        values = {
            "_rot": rot.as_matrix(),
            "_quat": np.asarray(rot.as_quat()),
            "_pos0": self.job.part_origin_work_m + r_nom.apply(shift),
            "_drift_axes": np.stack([frame[:, 2], frame[:, 1]]),
        }
        for name, value in values.items():
            value.setflags(write=False)
            object.__setattr__(self, name, value)

    # -- placement ------------------------------------------------------------------------------------------
    def rotation(self) -> Rotation:
        """Actual orientation of the part frame in the work frame."""
        return Rotation.from_matrix(self._rot)

    def part_pose_work(self, t_s: float = 0.0) -> tuple[FloatArray, FloatArray]:
        """Actual part pose at time t_s: (position (3,) m, quaternion (4,) x y z w) in the work frame."""
        return self._pos0 + self._rot @ self.drift_part_m(t_s)[0], self._quat.copy()

    def to_work_m(self, points_part_m: ArrayLike, t_s: float = 0.0) -> FloatArray:
        """Map points (N,3) from the part frame to the work frame for the actual pose at time t_s."""
        p = np.asarray(points_part_m, dtype=np.float64).reshape(-1, 3)
        return np.asarray((p + self.drift_part_m(t_s)) @ self._rot.T + self._pos0)

    def to_part_m(self, points_work_m: ArrayLike, t_s: float = 0.0) -> FloatArray:
        """Inverse of `to_work_m`."""
        p = np.asarray(points_work_m, dtype=np.float64).reshape(-1, 3)
        return np.asarray((p - self._pos0) @ self._rot - self.drift_part_m(t_s))

    # -- drift ---------------------------------------------------------------------------------------------
    def drift_mm(self, t_s: ArrayLike) -> FloatArray:
        """Thermal drift (N,2) mm: (lateral along b, normal along n of the mid-seam frame) at times t_s."""
        t = np.atleast_1d(np.asarray(t_s, dtype=np.float64))
        w = 2.0 * math.pi / self.job.placement.drift_period_s
        a = np.asarray(self.drift_amplitude_mm)
        phi = np.asarray(self.drift_phase_rad)
        return np.asarray(0.5 * a * (np.sin(w * t[:, None] + phi) - np.sin(phi)))

    def drift_part_m(self, t_s: ArrayLike) -> FloatArray:
        """Thermal drift (N,3) as a displacement of the part, in the part frame (m)."""
        return np.asarray(self.drift_mm(t_s) * 1e-3 @ self._drift_axes)

    # -- seam truth ----------------------------------------------------------------------------------------
    def nominal_time_s(self, s_m: ArrayLike) -> FloatArray:
        """Time (s) at which a torch at the WPS travel speed reaches s: the default clock for seam truth."""
        s = np.atleast_1d(np.asarray(s_m, dtype=np.float64))
        return s * 1000.0 / self.job.wps.travel_speed_mm_s

    def true_position_work_m(self, s_m: ArrayLike, t_s: ArrayLike | None = None) -> FloatArray:
        """Actual seam points (N,3), work frame, at arc lengths s_m and times t_s (default: nominal clock)."""
        s = np.atleast_1d(np.asarray(s_m, dtype=np.float64))
        t = (
            self.nominal_time_s(s)
            if t_s is None
            else np.broadcast_to(np.asarray(t_s, dtype=np.float64), s.shape)
        )
        p_part = self.job.seam.position_m(s) + self.drift_part_m(t)
        return np.asarray(p_part @ self._rot.T + self._pos0)

    def true_frames_work(self, s_m: ArrayLike) -> FloatArray:
        """Actual seam frames (N,3,3), columns (t, n, b), in the work frame (the drift does not rotate)."""
        return np.asarray(np.matmul(self._rot, self.job.seam.frames(s_m)))

    def nominal_position_work_m(self, s_m: ArrayLike) -> FloatArray:
        """Seam points (N,3) in the work frame for the nominal part pose (what a programmer assumes)."""
        rot = self.job.part_pose.rotation()
        return np.asarray(rot.apply(self.job.seam.position_m(s_m)) + self.job.part_origin_work_m)

    def nominal_frames_work(self, s_m: ArrayLike) -> FloatArray:
        """Seam frames (N,3,3) in the work frame for the nominal part pose."""
        return np.asarray(np.matmul(self.job.part_pose.rotation().as_matrix(), self.job.seam.frames(s_m)))

    def closest_work(self, points_work_m: ArrayLike, t_s: float = 0.0) -> tuple[FloatArray, FloatArray]:
        """Nearest actual seam point to work-frame points at time t_s: (s_m (N,), dist_m (N,))."""
        return self.job.seam.closest(self.to_part_m(points_work_m, t_s))

    def gap_mm(self, s_mm: ArrayLike) -> FloatArray:
        """Realised gap (mm) at arc lengths s_mm."""
        return self.gap.at(s_mm)

    def plate_boxes(self, tol_mm: float = 0.05) -> list[Box]:
        """Plate boxes in the part frame with the realised gap (place them at `part_pose_work(t)`)."""
        return self.job.plate_boxes(self.gap, tol_mm)


def sample_realization(job: WeldJob, rng: np.random.Generator) -> SeamRealization:
    """Draw one real part for `job` from rng (order and distributions in the module docstring)."""
    spec = job.placement
    trans = np.clip(
        rng.normal(0.0, 1.0, 3) * spec.translation_std_mm, -spec.translation_max_mm, spec.translation_max_mm
    )
    rot = np.clip(
        rng.normal(0.0, 1.0, 3) * spec.rotation_std_deg, -spec.rotation_max_deg, spec.rotation_max_deg
    )
    length_mm = job.length_mm
    n_knots = max(2, math.ceil(length_mm / spec.gap_knot_spacing_mm - 1e-9) + 1)
    s_knots = np.linspace(0.0, length_mm, n_knots)
    lo, hi = spec.gap_offset_range_mm
    offsets = rng.uniform(lo, hi, n_knots)
    gaps = np.clip(job.gap.at(s_knots) + offsets, 0.0, 10.0)
    amp = rng.uniform(-spec.drift_amplitude_mm, spec.drift_amplitude_mm, 2)
    phase = rng.uniform(0.0, 2.0 * math.pi, 2)
    return SeamRealization(
        job=job,
        translation_error_mm=(float(trans[0]), float(trans[1]), float(trans[2])),
        rotation_error_deg=(float(rot[0]), float(rot[1]), float(rot[2])),
        gap=GapProfile(tuple(float(s) for s in s_knots), tuple(float(g) for g in gaps)),
        drift_amplitude_mm=(float(amp[0]), float(amp[1])),
        drift_phase_rad=(float(phase[0]), float(phase[1])),
    )
