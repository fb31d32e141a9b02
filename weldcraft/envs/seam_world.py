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

    def drift_at(self, t_s: float) -> FloatArray:
        """Rigid thermal drift (3,) m of the part at time `t_s` in the world (0 at t = 0)."""
        pos_work, _ = self.realization.part_pose_work(t_s)
        return self.world_rot_work @ pos_work + self.world_pos_work_m - self._part_pos0

    @property
    def part_pos_m(self) -> FloatArray:
        """Current world position (3,) of the part frame origin (placement + applied drift)."""
        return self._part_pos0 + self.drift_m

    def true_point(self, s_m: float) -> FloatArray:
        """True seam point (3,) at `s_m`, including the applied drift."""
        return self.true0.point(s_m) + self.drift_m
