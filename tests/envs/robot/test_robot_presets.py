"""The default cell fits the shipped seam presets: every seam point reachable at the nominal torch pose."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from weldcraft.envs.robot import Cell
from weldcraft.seams import load_job


@pytest.mark.parametrize("preset", ["fillet_pb", "butt_pa", "lap_pb", "curved_fillet_pb", "tiny_fillet"])
def test_whole_seam_reachable_collision_free_at_nominal_pose(cell: Cell, preset: str) -> None:
    job = load_job(preset)
    work = Rotation.from_quat(cell.work_quat_xyzw)
    part_pos = cell.world_from_work(np.asarray(job.part_pose.position_m))
    part_rot = work * job.part_pose.rotation()
    cell.add_boxes(job.plate_boxes(), part_pos, part_rot.as_quat())
    robot = cell.robot
    s = np.linspace(0.0, job.seam.length_m, 8)
    points, frames = job.seam.position_m(s), job.seam.frames(s)
    q = robot.home_q_rad
    push = math.radians(10.0)  # 10 degree push, wire along -n otherwise; CTWD 15 mm
    for p, f in zip(points, frames, strict=True):
        w = part_rot.apply(-f[:, 1] * math.cos(push) + f[:, 0] * math.sin(push))
        tip = part_pos + part_rot.apply(p) - 0.015 * w
        x0 = part_rot.apply(f[:, 0])
        x0 = (x0 - w * (x0 @ w)) / np.linalg.norm(x0 - w * (x0 @ w))
        found = None
        for roll in np.radians(np.arange(0.0, 360.0, 30.0)):
            x = math.cos(roll) * x0 + math.sin(roll) * np.cross(w, x0)
            quat = Rotation.from_matrix(np.column_stack([x, np.cross(w, x), w])).as_quat()
            res = robot.solve_ik(tip, quat, q)
            if res.ok:
                robot.set_q(res.q)
                if not cell.collisions() and (
                    found is None or np.abs(res.q - q).max() < np.abs(found - q).max()
                ):
                    found = res.q
        assert found is not None, f"{preset}: no collision-free torch pose at s = {p}"
        q = found
