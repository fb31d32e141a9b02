"""The programmed and the true seam of one episode in the WORLD frame, and the part's pose over time.

The robot program knows the seam as the CAD path at the nominal part pose (`programmed`); the real part
sits where its `SeamRealization` puts it (placement error, realised gap) and drifts slowly while welded
(a rigid shift, `weldcraft.seams.realization`). `SeamWorld` samples both on a 0.5 mm grid once per
reset (`SampledSeam`) and answers the per-step queries in O(1).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy.spatial.transform import Rotation

from weldcraft.envs.seam_table import SampledSeam
from weldcraft.seams import SeamRealization, WeldJob
from weldcraft.types import FloatArray

GRID_MM = 0.5


def nominal_realization(job: WeldJob) -> SeamRealization:
    """The part exactly as programmed: no placement error, the job's nominal gap, no drift."""
    return SeamRealization(
        job=job,
        translation_error_mm=(0.0, 0.0, 0.0),
        rotation_error_deg=(0.0, 0.0, 0.0),
        gap=job.gap,
        drift_amplitude_mm=(0.0, 0.0),
        drift_phase_rad=(0.0, 0.0),
    )


def scaled_job(job: WeldJob, scale: float) -> WeldJob:
    """`job` with its placement-error magnitudes (translation, rotation, drift) multiplied by `scale`."""
    p = job.placement
    placement = dataclasses.replace(
        p,
        translation_std_mm=p.translation_std_mm * scale,
        translation_max_mm=p.translation_max_mm * scale,
        rotation_std_deg=p.rotation_std_deg * scale,
        rotation_max_deg=p.rotation_max_deg * scale,
        drift_amplitude_mm=p.drift_amplitude_mm * scale,
    )
    return dataclasses.replace(job, placement=placement)


class SeamWorld:
    """Programmed and true seam of one part in the world.

    Args:
        job: the weld job.
        world_rot_work: (3, 3) orientation of the cell's WORK frame in the world.
        world_pos_work_m: (3,) origin of the WORK frame in the world.
    """

    def __init__(self, job: WeldJob, world_rot_work: FloatArray, world_pos_work_m: FloatArray) -> None:
        self.job = job
        self.world_rot_work = np.asarray(world_rot_work, dtype=np.float64)
        self.world_pos_work_m = np.asarray(world_pos_work_m, dtype=np.float64)
        length = job.seam.length_m
        n = max(2, int(math.ceil(length * 1000.0 / GRID_MM)) + 1)
        self.s_grid_m = np.linspace(0.0, length, n)
        ref = nominal_realization(job)
        self.programmed = self._sample(
            ref.nominal_position_work_m(self.s_grid_m), ref.nominal_frames_work(self.s_grid_m)
        )
        self.length_m = length
        self.realization = ref
        self.true0 = self.programmed
        self._part_pos0 = np.zeros(3)
        self.part_quat_xyzw = np.array([0.0, 0.0, 0.0, 1.0])
        self.part_rot = np.eye(3)
        self.drift_m = np.zeros(3)
        self._drift_axes = np.zeros((3, 2))
        self._drift_params = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        self.drifts = False
        s_mm = self.s_grid_m * 1000.0
        self._inv_grid_mm = 1.0 / (s_mm[1] - s_mm[0])
        self._gap_nominal = job.gap.at(s_mm)
        self._gap_true = self._gap_nominal.copy()

    def _sample(self, pos_work: FloatArray, frames_work: FloatArray) -> SampledSeam:
        pos = pos_work @ self.world_rot_work.T + self.world_pos_work_m
        frames = np.einsum("ij,njk->nik", self.world_rot_work, frames_work)
        return SampledSeam(pos, frames, float(self.s_grid_m[-1]))

    def set_realization(self, realization: SeamRealization) -> None:
        """Use `realization` for the true seam (at t = 0, before any drift)."""
        self.realization = realization
        self.true0 = self._sample(
            realization.true_position_work_m(self.s_grid_m, 0.0), realization.true_frames_work(self.s_grid_m)
        )
        pos_work, quat_work = realization.part_pose_work(0.0)
        self._part_pos0 = self.world_rot_work @ pos_work + self.world_pos_work_m
        self.part_rot = self.world_rot_work @ Rotation.from_quat(quat_work).as_matrix()
        self.part_quat_xyzw = Rotation.from_matrix(self.part_rot).as_quat()
        self.drift_m = np.zeros(3)
        # drift d(t) = lat(t) b_c + nor(t) n_c in the part frame (weldcraft.seams.realization), so in the
        # world it is part_rot @ [b_c, n_c] @ (lat, nor): precompute the axes, evaluate the sines per step
        frame_c = self.job.seam.frames(0.5 * self.length_m)[0]
        self._drift_axes = self.part_rot @ np.column_stack((frame_c[:, 2], frame_c[:, 1])) * 1e-3
        a_l, a_n = realization.drift_amplitude_mm
        p_l, p_n = realization.drift_phase_rad
        omega = 2.0 * math.pi / self.job.placement.drift_period_s
        self._drift_params = (omega, 0.5 * a_l, p_l, math.sin(p_l), 0.5 * a_n, p_n, math.sin(p_n))
        self.drifts = a_l != 0.0 or a_n != 0.0
        self._gap_true = realization.gap_mm(self.s_grid_m * 1000.0)

    def drift_at(self, t_s: float) -> FloatArray:
        """Rigid thermal drift (3,) m of the part at time `t_s` in the world (0 at t = 0).

        Equals `realization.part_pose_work(t_s)` minus its t = 0 position, mapped to the world (tested).
        """
        omega, h_l, p_l, s_l, h_n, p_n, s_n = self._drift_params
        lat = h_l * (math.sin(omega * t_s + p_l) - s_l)
        nor = h_n * (math.sin(omega * t_s + p_n) - s_n)
        return self._drift_axes[:, 0] * lat + self._drift_axes[:, 1] * nor

    def _grid(self, values: FloatArray, s_m: float) -> float:
        x = min(max(s_m * 1000.0 * self._inv_grid_mm, 0.0), len(values) - 1.000001)
        i = int(x)
        return float(values[i] + (x - i) * (values[i + 1] - values[i]))

    def gap_mm(self, s_m: float) -> float:
        """Realised gap (mm) at arc length `s_m` (held beyond the ends)."""
        return self._grid(self._gap_true, s_m)

    def gap_deviation_mm(self, s_m: float) -> float:
        """Realised minus nominal gap (mm) at `s_m`: what the nominal-gap plates do not show."""
        return self._grid(self._gap_true, s_m) - self._grid(self._gap_nominal, s_m)

    @property
    def part_pos_m(self) -> FloatArray:
        """Current world position (3,) of the part frame origin (placement + applied drift)."""
        return self._part_pos0 + self.drift_m

    def true_point(self, s_m: float) -> FloatArray:
        """True seam point (3,) at `s_m`, including the applied drift."""
        return self.true0.point(s_m) + self.drift_m
