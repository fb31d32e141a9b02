"""Torch pose relative to a seam: wire direction, tool orientation, and the joint cross-section.

Conventions (CONTRACTS.md): the seam frame has columns (t, n, b); the wire direction w points from the
contact tip to the work; travel_angle_deg = atan2(w.t, -w.n) (positive = push);
work_angle_error_deg = atan2(w.b, -w.n) (positive = wire tilted towards side B);
lateral_offset_mm = signed distance along b from the seam point to where the wire axis meets the joint;
ctwd_mm = distance along w from the contact tip to the work.

"The work" is the joint's cross-section (`JointSection`, a polyline in the (b, n) plane, extruded along
t), so a torch moved sideways in a fillet sees its CTWD change the way a real one does (the principle
of through-arc sensing): at a 45 deg face, 1 mm towards a plate shortens the stick-out by 1 mm.

The tool frame in the world has columns (x, y, z) with z = w; at zero roll x is the travel direction
made perpendicular to w and y = z cross x (close to +b); the torch's roll turns x, y about z.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from weldcraft.seams import JointKind, JointSpec
from weldcraft.types import FloatArray

_FAR_MM = 200.0  # extent of the plate faces in the section; far beyond any torch offset


def wire_direction_seam(travel_angle_deg: float, work_angle_error_deg: float) -> FloatArray:
    """Unit wire direction (3,) in seam coordinates (t, n, b) for the given torch angles (degrees).

    Inverse of `torch_angles_deg`: w is proportional to (tan(travel), -1, tan(work error)).
    """
    w = np.array(
        [math.tan(math.radians(travel_angle_deg)), -1.0, math.tan(math.radians(work_angle_error_deg))]
    )
    return w / math.sqrt(float(w @ w))


def torch_angles_deg(w_seam: FloatArray) -> tuple[float, float]:
    """(travel_angle_deg, work_angle_error_deg) of a wire direction given in seam coordinates (t, n, b)."""
    return (
        math.degrees(math.atan2(float(w_seam[0]), -float(w_seam[1]))),
        math.degrees(math.atan2(float(w_seam[2]), -float(w_seam[1]))),
    )


def tool_rotation(seam_frame: FloatArray, w_seam: FloatArray, roll_rad: float = 0.0) -> FloatArray:
    """Tool orientation (3, 3) in the world, columns (x, y, z), z = wire.

    At zero roll x is the travel direction made normal to z and y = z cross x (close to +b); `roll_rad`
    turns x and y about the wire by that angle (the torch's roll, a free degree of freedom of the
    welding pose, chosen per job so that the torch body leans back towards the robot).

    Args:
        seam_frame: (3, 3) world seam frame, columns (t, n, b).
        w_seam: (3,) unit wire direction in seam coordinates.
        roll_rad: rotation of the x/y axes about z.
    """
    f = seam_frame.tolist()
    w0, w1, w2 = w_seam.tolist() if isinstance(w_seam, np.ndarray) else (float(v) for v in w_seam)
    zx = f[0][0] * w0 + f[0][1] * w1 + f[0][2] * w2
    zy = f[1][0] * w0 + f[1][1] * w1 + f[1][2] * w2
    zz = f[2][0] * w0 + f[2][1] * w1 + f[2][2] * w2
    tx, ty, tz = f[0][0], f[1][0], f[2][0]
    d = tx * zx + ty * zy + tz * zz
    xx, xy, xz = tx - d * zx, ty - d * zy, tz - d * zz
    norm = math.sqrt(xx * xx + xy * xy + xz * xz)
    xx, xy, xz = xx / norm, xy / norm, xz / norm
    yx, yy, yz = zy * xz - zz * xy, zz * xx - zx * xz, zx * xy - zy * xx
    if roll_rad:
        c, s = math.cos(roll_rad), math.sin(roll_rad)
        xx, xy, xz, yx, yy, yz = (
            c * xx + s * yx,
            c * xy + s * yy,
            c * xz + s * yz,
            c * yx - s * xx,
            c * yy - s * xy,
            c * yz - s * xz,
        )
    return np.array([[xx, yx, zx], [xy, yy, zy], [xz, yz, zz]])


def roll_matrix(roll_rad: float) -> FloatArray:
    """R_z(roll) (3, 3): `tool_rotation(f, w, roll) == tool_rotation(f, w) @ roll_matrix(roll)`."""
    c, s = math.cos(roll_rad), math.sin(roll_rad)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


@dataclass(frozen=True)
class JointSection:
    """The joint cross-section as a polyline in the (b, n) plane of the seam frame, millimetres.

    The origin is the seam point; +n points out of the joint (towards the torch); side A is at -b.
    `segments` has shape (K, 2, 2): K segments, each [start, end] as (b, n).
    """

    segments: FloatArray

    @classmethod
    def for_joint(cls, joint: JointSpec) -> JointSection:
        """The cross-section of `joint` without gap (the arc bridges a root gap).

        Seam-point conventions of `weldcraft.seams.section`: fillet and corner: the root, two faces at
        +/- opening/2 about n. Lap: the root; side A is the lower sheet, side B the upper sheet's edge
        (height = thickness) and then its top surface. Square butt: the top surface at the middle of
        the gap. Single-V butt: the groove root at the top of the root faces; bevel walls rise at
        groove_angle/2 to the top surface at n = t - c (ISO 9692-1 preparation).
        """
        half = math.radians(joint.opening_angle_deg) / 2.0
        a_dir = np.array([-math.sin(half), math.cos(half)])
        b_dir = np.array([math.sin(half), math.cos(half)])
        o = np.zeros(2)
        if joint.kind in (JointKind.FILLET, JointKind.CORNER):
            segs = [(o, _FAR_MM * a_dir), (o, _FAR_MM * b_dir)]
        elif joint.kind is JointKind.LAP:
            edge_top = joint.thickness_mm * b_dir
            # the upper sheet's top surface is perpendicular to its edge face, running away from side A
            top_dir = np.array([b_dir[1], -b_dir[0]])
            segs = [(o, _FAR_MM * a_dir), (o, edge_top), (edge_top, edge_top + _FAR_MM * top_dir)]
        elif joint.kind is JointKind.SINGLE_V_BUTT:
            # seam point at the groove root (top of the root faces); top surface at n = t - c
            depth = joint.thickness_mm - joint.root_face_mm
            half_top = depth * math.tan(math.radians(joint.groove_angle_deg) / 2.0)
            top_a = np.array([-half_top, depth])
            top_b = np.array([half_top, depth])
            segs = [
                (np.array([-_FAR_MM, depth]), top_a),
                (top_a, o),
                (o, top_b),
                (top_b, np.array([_FAR_MM, depth])),
            ]
        else:
            # square butt: seam point on the top surface in the middle of the gap
            segs = [(np.array([-_FAR_MM, 0.0]), np.array([_FAR_MM, 0.0]))]
        return cls(np.array([[s, e] for s, e in segs], dtype=np.float64))

    def __post_init__(self) -> None:
        segs = tuple(
            (float(a[0]), float(a[1]), float(b[0] - a[0]), float(b[1] - a[1]))
            for a, b in np.asarray(self.segments)
        )
        object.__setattr__(self, "_segs", segs)

    def hit(self, o_b: float, o_n: float, d_b: float, d_n: float) -> float:
        """Smallest ray parameter lam >= 0 where o + lam d meets the section; inf when it misses.

        Args: the ray origin (o_b, o_n) and direction (d_b, d_n) in the (b, n) plane, in mm.
        """
        best = math.inf
        segs: tuple[tuple[float, float, float, float], ...] = self._segs  # type: ignore[attr-defined]
        for sb, sn, ub, un in segs:
            den = d_b * un - d_n * ub
            if abs(den) < 1e-12:
                continue
            rb, rn = sb - o_b, sn - o_n
            lam = (rb * un - rn * ub) / den
            mu = (rb * d_n - rn * d_b) / den
            if lam >= 0.0 and -1e-9 <= mu <= 1.0 + 1e-9 and lam < best:
                best = lam
        return best


@dataclass(frozen=True)
class TorchState:
    """The torch relative to a seam at one instant (CONTRACTS.md conventions).

    Attributes:
        s_m: arc length of the seam point the wire axis is aimed at.
        lateral_offset_mm: along b, positive towards side B.
        ctwd_mm: contact tip to the work along the wire (inf when the wire misses the joint).
        travel_angle_deg: positive = push.
        work_angle_error_deg: positive = tilted towards side B.
    """

    s_m: float
    lateral_offset_mm: float
    ctwd_mm: float
    travel_angle_deg: float
    work_angle_error_deg: float


def torch_state(
    tip_m: FloatArray,
    w_world: FloatArray,
    seam_point_m: FloatArray,
    seam_frame: FloatArray,
    s_m: float,
    section: JointSection,
) -> TorchState:
    """Torch state of a contact tip at `tip_m` with wire direction `w_world` relative to a seam sample.

    Args:
        tip_m: (3,) contact-tip position in the world, metres.
        w_world: (3,) unit wire direction in the world.
        seam_point_m, seam_frame: the seam point (3,) and frame (3, 3) at arc length `s_m`.
        section: the joint cross-section.

    The returned `s_m` is `s_m` corrected by the tangential offset of the wire's hit point, so a caller
    that re-evaluates the seam there converges to the aimed seam point.
    """
    f = seam_frame.tolist()
    tx, ty, tz = tip_m.tolist() if isinstance(tip_m, np.ndarray) else (float(v) for v in tip_m)
    cx, cy, cz = (
        seam_point_m.tolist() if isinstance(seam_point_m, np.ndarray) else (float(v) for v in seam_point_m)
    )
    dx = (tx - cx) * 1000.0
    dy = (ty - cy) * 1000.0
    dz = (tz - cz) * 1000.0
    wx, wy, wz = w_world.tolist() if isinstance(w_world, np.ndarray) else (float(v) for v in w_world)
    o_t = dx * f[0][0] + dy * f[1][0] + dz * f[2][0]
    o_n = dx * f[0][1] + dy * f[1][1] + dz * f[2][1]
    o_b = dx * f[0][2] + dy * f[1][2] + dz * f[2][2]
    w_t = wx * f[0][0] + wy * f[1][0] + wz * f[2][0]
    w_n = wx * f[0][1] + wy * f[1][1] + wz * f[2][1]
    w_b = wx * f[0][2] + wy * f[1][2] + wz * f[2][2]
    lam = section.hit(o_b, o_n, w_b, w_n)
    if math.isinf(lam):
        # missed the work: report the aim at the n = 0 plane (or straight below) for the offsets
        lam_aim = -o_n / w_n if w_n < -1e-9 else 0.0
    else:
        lam_aim = lam
    return TorchState(
        s_m=s_m + (o_t + lam_aim * w_t) / 1000.0,
        lateral_offset_mm=o_b + lam_aim * w_b,
        ctwd_mm=lam,
        travel_angle_deg=math.degrees(math.atan2(w_t, -w_n)),
        work_angle_error_deg=math.degrees(math.atan2(w_b, -w_n)),
    )


def commanded_tip_m(
    seam_point_m: FloatArray,
    seam_frame: FloatArray,
    w_seam: FloatArray,
    lateral_offset_mm: float,
    ctwd_mm: float,
    section: JointSection,
) -> FloatArray:
    """Contact-tip position (3,) in metres that aims the wire at `lateral_offset_mm` with `ctwd_mm`.

    The aim point is the section point at b = lateral_offset_mm (on the work surface), so the command
    and `torch_state` agree: torch_state(commanded_tip_m(...)) returns the same offset and CTWD.
    """
    # Work-surface height n at b = lateral offset: cast straight down -n onto the section.
    lam = section.hit(lateral_offset_mm, _FAR_MM, 0.0, -1.0)
    surf_n = _FAR_MM - lam if math.isfinite(lam) else 0.0
    aim_seam_mm = np.array([0.0, surf_n, lateral_offset_mm])
    tip_seam_mm = aim_seam_mm - ctwd_mm * w_seam
    return seam_point_m + seam_frame @ tip_seam_mm / 1000.0
