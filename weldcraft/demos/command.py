"""`TorchCommand` (a torch pose and speed relative to the true seam) and its seam-frame pose form.

The seam-frame pose is the recording format's ``frame: seam`` (demos/README.md): the contact tip in
curvilinear seam coordinates (s, n, b) and the torch orientation relative to the local seam frame
(t, n, b), with the torch z axis along the wire. Conversions use the joint cross-section
(`weldcraft.envs.torch_geometry.JointSection`) to find where the wire meets the work, exactly as the env
does (`commanded_tip_m` / `torch_state`), so pose -> command -> pose is exact to rounding. For a curved
seam the tip and the aim point are a few millimetres apart along the seam and their frames differ by
that arc's angle; the conversion evaluates both in one frame (as the env's `torch_state` does).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.spatial.transform import Rotation

from weldcraft.types import FloatArray

_FAR_MM = 200.0


@dataclass(frozen=True)
class TorchCommand:
    """A torch pose and speed relative to the true seam (CONTRACTS.md conventions).

    Attributes:
        lateral_mm: offset along b of where the wire meets the joint (+ towards side B).
        ctwd_mm: contact-tip-to-work distance along the wire.
        work_angle_deg: absolute work angle (45 bisects a 90 deg fillet; larger tilts towards side B).
        travel_angle_deg: + push.
        travel_speed_mm_s: speed along the seam.
        weave_lateral_mm: the weave's share of `lateral_mm` (for analysis; already included).
    """

    lateral_mm: float
    ctwd_mm: float
    work_angle_deg: float
    travel_angle_deg: float
    travel_speed_mm_s: float
    weave_lateral_mm: float = 0.0


def wire_seam(work_angle_deg: float, travel_angle_deg: float, work_angle_base_deg: float) -> FloatArray:
    """Unit wire direction (3,) in seam coordinates (t, n, b); inverse of `angles_of_wire`."""
    w = np.array(
        [
            math.tan(math.radians(travel_angle_deg)),
            -1.0,
            math.tan(math.radians(work_angle_deg - work_angle_base_deg)),
        ]
    )
    return w / math.sqrt(float(w @ w))


def angles_of_wire(w_seam: FloatArray, work_angle_base_deg: float) -> tuple[float, float]:
    """(work_angle_deg, travel_angle_deg) of a wire direction in seam coordinates."""
    w_t, w_n, w_b = (float(v) for v in w_seam)
    return work_angle_base_deg + math.degrees(math.atan2(w_b, -w_n)), math.degrees(math.atan2(w_t, -w_n))


def surface_n_mm(section: Any, b_mm: float) -> float:
    """Height n (mm) of the work surface at lateral position `b_mm` (straight down onto the section)."""
    lam = section.hit(b_mm, _FAR_MM, 0.0, -1.0)
    return _FAR_MM - lam if math.isfinite(lam) else 0.0


def torch_rotation_seam(w_seam: FloatArray) -> FloatArray:
    """Torch frame (3, 3) in seam coordinates: z = wire, x = travel tangent made normal to z."""
    z = np.asarray(w_seam, dtype=np.float64)
    t = np.array([1.0, 0.0, 0.0])
    x = t - float(t @ z) * z
    x /= math.sqrt(float(x @ x))
    return np.column_stack((x, np.cross(z, x), z))


def command_to_seam_pose(
    cmd: TorchCommand, s_aim_mm: float, section: Any, work_angle_base_deg: float
) -> tuple[FloatArray, FloatArray]:
    """Seam-frame pose of `cmd` aimed at arc length `s_aim_mm`: (x, y, z) in metres and quat (x, y, z, w).

    x is the tip's arc length s, y its offset along n, z along b.
    """
    w = wire_seam(cmd.work_angle_deg, cmd.travel_angle_deg, work_angle_base_deg)
    aim = np.array([0.0, surface_n_mm(section, cmd.lateral_mm), cmd.lateral_mm])
    tip = aim - cmd.ctwd_mm * w
    pos_m = np.array([s_aim_mm + tip[0], tip[1], tip[2]]) / 1000.0
    quat = Rotation.from_matrix(torch_rotation_seam(w)).as_quat()
    return pos_m, np.asarray(quat, dtype=np.float64)


def seam_pose_to_command(
    pos_m: FloatArray, quat_xyzw: FloatArray, speed_mm_s: float, section: Any, work_angle_base_deg: float
) -> tuple[TorchCommand, float]:
    """(command, s_aim_mm) of a seam-frame pose; inverse of `command_to_seam_pose`.

    Raises ValueError when the wire does not meet the joint (the arc could not burn).
    """
    w = Rotation.from_quat(quat_xyzw).as_matrix()[:, 2]
    s_tip, o_n, o_b = (float(v) * 1000.0 for v in pos_m)
    lam = section.hit(o_b, o_n, float(w[2]), float(w[1]))
    if not math.isfinite(lam):
        raise ValueError("the wire does not meet the joint")
    work, travel = angles_of_wire(w, work_angle_base_deg)
    cmd = TorchCommand(
        lateral_mm=o_b + lam * float(w[2]),
        ctwd_mm=lam,
        work_angle_deg=work,
        travel_angle_deg=travel,
        travel_speed_mm_s=speed_mm_s,
    )
    return cmd, s_tip + lam * float(w[0])
