"""Nozzle clearance: a welder never pushes the gas nozzle into the work; they back off along the torch.

A welder sees the nozzle and keeps it off the plates: when the pose they aim for would bring it within their
clearance (`SkillProfile.nozzle_clearance_mm`, default `NOZZLE_CLEARANCE_MM`) of the work (a tilted torch in
a fillet corner, a short stick-out, a steep travel angle), they hold the torch further back along its axis,
i.e. with a longer contact-tip-to-work distance, keeping the aim point. The longer stick-out costs current
and fusion in the process model (DESIGN section 4), so a clumsy welder's welds get worse but the torch does
not crash into the part.

Geometry (seam coordinates (t, n, b) in mm, origin at the seam point): the plates are the joint's cross-
section rectangles (`weldcraft.seams.section.cross_section`, nominal gap) extruded along t, so each is a
convex prism and its distance to a convex nozzle cylinder is exact in the (b, n) plane. For convex sets the
signed distance (negative: penetration depth) is the largest separation over directions m, sep(m) = min over
the cylinder of m.x - max over the plate of m.x; with m in the (b, n) plane the cylinder term is min(m.c1,
m.c2) - r sqrt(1 - (m.w)^2) (axis end centres c1, c2, wire direction w, radius r). Directions are sampled
every 5 deg (the sampled maximum underestimates the distance by less than 0.1 mm at 70 mm extents:
conservative). Moving the torch back by d along -w adds d (-m.w) to sep(m), so the smallest back-off that
restores the clearance has a closed form per direction.

The nozzle's cylinders are read from the robot's collision shapes (links named "*nozzle*") in the TCP frame;
the shipped torch has a 22 mm nozzle tapering to 15 mm over its last 20 mm, 2 mm beyond the contact tip
(docs/robot.md).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from weldcraft.seams.section import cross_section
from weldcraft.types import FloatArray

log = logging.getLogger(__name__)

#: default clearance (mm) a welder keeps between the gas nozzle and the work [U]
NOZZLE_CLEARANCE_MM = 1.0
_DIRECTIONS = 72


@dataclass(frozen=True)
class NozzleCylinder:
    """A nozzle cylinder coaxial with the wire: z (mm) along the wire from the contact tip (+ towards the
    work) of its two end faces, and its radius (mm)."""

    z0_mm: float
    z1_mm: float
    radius_mm: float


def nozzle_cylinders(env: Any) -> list[NozzleCylinder]:
    """The coaxial cylinders of the env robot's nozzle links in the TCP frame ([] when there are none).

    Shapes not coaxial with the wire (within 1 deg and 0.5 mm) are skipped: the model needs rotational
    symmetry about the wire, which a torch's roll does not change.
    """
    import pybullet as pb
    from scipy.spatial.transform import Rotation

    e = getattr(env, "unwrapped", env)
    robot = e.cell.robot
    cid = e.cell.client_id
    if robot.tcp_link_index < 0:
        return []
    tcp = pb.getLinkState(
        robot.body_id, robot.tcp_link_index, computeForwardKinematics=True, physicsClientId=cid
    )
    tcp_pos, tcp_rot = np.asarray(tcp[4]), Rotation.from_quat(tcp[5])
    out: list[NozzleCylinder] = []
    for idx, name in robot.link_names.items():
        if "nozzle" not in name:
            continue
        state = pb.getLinkState(robot.body_id, idx, computeForwardKinematics=True, physicsClientId=cid)
        com_pos, com_rot = np.asarray(state[0]), Rotation.from_quat(state[1])
        for shape in pb.getCollisionShapeData(robot.body_id, idx, physicsClientId=cid):
            if shape[2] != pb.GEOM_CYLINDER:
                continue
            length_m, radius_m = float(shape[3][0]), float(shape[3][1])
            centre = tcp_rot.inv().apply(com_pos + com_rot.apply(shape[5]) - tcp_pos) * 1000.0
            axis = (tcp_rot.inv() * com_rot * Rotation.from_quat(shape[6])).apply([0.0, 0.0, 1.0])
            if abs(axis[2]) < math.cos(math.radians(1.0)) or math.hypot(centre[0], centre[1]) > 0.5:
                log.debug("nozzle shape of link %s is not coaxial with the wire: skipped", name)
                continue
            half = 500.0 * length_m
            out.append(NozzleCylinder(centre[2] - half, centre[2] + half, 1000.0 * radius_m))
    return out


class NozzleClearance:
    """Clearance of the nozzle from the plates of a job, and the back-off that keeps it.

    Args:
        job: the weld job (its joint cross-section and nominal gap).
        cylinders: the nozzle (`nozzle_cylinders(env)`).
        clearance_mm: the clearance the welder keeps.
    """

    def __init__(
        self, job: Any, cylinders: list[NozzleCylinder], clearance_mm: float = NOZZLE_CLEARANCE_MM
    ) -> None:
        self.job = job
        self.cylinders = cylinders
        self.clearance_mm = clearance_mm
        rects = cross_section(job.joint, job.plates)[0]
        corners = []
        shifts = []
        for r in rects:
            o, d, m = np.asarray(r.origin_bn_mm), np.asarray(r.dir_bn), np.asarray(r.mat_bn)
            u0, u1 = r.u_mm
            corners.append([o + u * d + w * m for u in (u0, u1) for w in (0.0, r.depth_mm)])
            shifts.append(r.gap_shift_bn)
        self._corners = np.asarray(corners, dtype=np.float64)  # (P, 4, 2) as (b, n)
        self._shifts = np.asarray(shifts, dtype=np.float64)  # (P, 2)
        ang = np.linspace(0.0, 2.0 * math.pi, _DIRECTIONS, endpoint=False)
        self._dirs = np.column_stack((np.cos(ang), np.sin(ang)))  # (M, 2) as (b, n)
        self._dirs_t = np.ascontiguousarray(self._dirs.T)
        self._plate_max: dict[float, FloatArray] = {}
        self._z = [(c.z0_mm, c.z1_mm, c.radius_mm) for c in cylinders]

    def _plates(self, gap_mm: float) -> FloatArray:
        """max over each plate of m.x, (P, M), for the plates at root gap `gap_mm` (cached)."""
        pm = self._plate_max.get(gap_mm)
        if pm is None:
            if len(self._plate_max) > 256:
                self._plate_max.clear()
            corners = self._corners + gap_mm * self._shifts[:, None, :]
            pm = self._plate_max[gap_mm] = np.max(corners @ self._dirs_t, axis=1)
        return pm

    def _separations(
        self, aim_bn: FloatArray, w: FloatArray, ctwd_mm: float, gap_mm: float
    ) -> tuple[FloatArray, FloatArray]:
        """(sep (C, P, M), g (M,)): separation per cylinder, plate and direction, and its rate per mm back."""
        m_w = self._dirs @ np.array([w[2], w[1]])  # m . w (m has no t component)
        side = np.sqrt(np.maximum(1.0 - m_w * m_w, 0.0))
        base = self._dirs @ aim_bn - self._plates(gap_mm)  # (P, M)
        seps = []
        for z0, z1, r in self._z:
            # axis end centres at aim + (z - ctwd) w
            ends = np.minimum((z0 - ctwd_mm) * m_w, (z1 - ctwd_mm) * m_w) - r * side
            seps.append(base + ends)
        return np.asarray(seps), -m_w

    def clearance(self, aim_bn: FloatArray, w: FloatArray, ctwd_mm: float, gap_mm: float = 0.0) -> float:
        """Signed distance (mm) from the nozzle to the nearest plate (negative: they overlap).

        Args:
            aim_bn: (2,) where the wire meets the work, (b, n) mm in the seam frame.
            w: (3,) unit wire direction in seam coordinates (t, n, b).
            ctwd_mm: contact tip to the aim point along w.
            gap_mm: the plates' root gap (nominal).
        """
        if not self.cylinders:
            return math.inf
        sep, _ = self._separations(np.asarray(aim_bn, dtype=np.float64), w, ctwd_mm, gap_mm)
        return float(np.min(np.max(sep, axis=2)))

    def back_off_mm(self, aim_bn: FloatArray, w: FloatArray, ctwd_mm: float, gap_mm: float = 0.0) -> float:
        """The smallest distance (mm, >= 0) to move the torch back along -w so the clearance is kept."""
        if not self.cylinders:
            return 0.0
        sep, g = self._separations(np.asarray(aim_bn, dtype=np.float64), w, ctwd_mm, gap_mm)
        if float(np.min(np.max(sep, axis=2))) >= self.clearance_mm:
            return 0.0
        need = self.clearance_mm - sep  # (C, P, M)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_dir = np.where(need <= 0.0, 0.0, np.where(g > 1e-9, need / g, math.inf))
        return float(np.max(np.min(per_dir, axis=2)))
