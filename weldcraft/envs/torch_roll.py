"""The torch's roll about the wire: one angle per job, chosen so the whole seam can be welded.

The welding pose fixes the wire direction; the roll about the wire is free. The laser tracker is bolted
to the torch and must look along the seam, so the roll stays constant in the seam frame for the whole
weld (on a curved seam the torch turns with the seam, as a real tracker-equipped torch does). The roll is
chosen once per (job, cell): candidates are ranked by how far the bent-neck torch's body leans back
towards the robot and up at the seam's middle; the first candidate for which the nominal weld is
feasible wins: IK reaches 9 points along the programmed seam in a chain from the home pose without
leaving the joint limits or jumping between IK branches, and the torch and arm touch nothing there.
Results are cached per process (the search takes 5-150 ms).
"""

from __future__ import annotations

import logging
import math

import numpy as np

from weldcraft.envs.cell_setup import CellHandle
from weldcraft.envs.seam_table import SampledSeam
from weldcraft.envs.torch_geometry import JointSection, commanded_tip_m, tool_rotation
from weldcraft.types import FloatArray

_N_CANDIDATES = 36
_N_CHECK_POINTS = 9
_CACHE: dict[tuple[object, ...], float] = {}
logger = logging.getLogger(__name__)


def _ranked_rolls(cell: CellHandle, seam: SampledSeam, w_seam: FloatArray) -> list[float]:
    c_mid, f_mid = seam.point_frame(seam.length_m / 2.0)
    axes = tool_rotation(f_mid, w_seam)
    towards = cell.robot.base_xyz_m + np.array([0.0, 0.0, 0.5]) - c_mid
    towards /= np.linalg.norm(towards)
    scored = []
    for k in range(_N_CANDIDATES):
        roll = 2.0 * math.pi * k / _N_CANDIDATES
        body = tool_rotation(f_mid, w_seam, roll) @ cell.body_dir_tcp
        scored.append((-float(body @ towards), roll))
    del axes
    scored.sort()
    return [roll for _, roll in scored]


def feasible(
    cell: CellHandle,
    seam: SampledSeam,
    w_seam: FloatArray,
    roll: float,
    section: JointSection,
    ctwd_mm: float,
    max_joint_step_rad: float,
) -> bool:
    """Whether the nominal weld with this roll is reachable and collision-free (see the module doc)."""
    q = cell.robot.home_q_rad.copy()
    q_before = cell.robot.q
    ok = True
    for i, s in enumerate(np.linspace(0.0, seam.length_m, _N_CHECK_POINTS)):
        c, frame = seam.point_frame(float(s))
        tip = commanded_tip_m(c, frame, w_seam, 0.0, ctwd_mm, section)
        ik = cell.solve_ik(tip, tool_rotation(frame, w_seam, roll), q)
        if not ik.ok or (i > 0 and float(np.max(np.abs(ik.q - q))) > max_joint_step_rad):
            ok = False
            break
        q = ik.q
        cell.robot.set_q(q)
        if cell.collisions():
            ok = False
            break
    cell.robot.set_q(q_before)
    return ok


def choose_torch_roll(
    cell: CellHandle,
    seam: SampledSeam,
    w_seam: FloatArray,
    section: JointSection,
    ctwd_mm: float,
    cache_key: tuple[object, ...],
) -> float:
    """The roll (rad) for this job in this cell (module docstring); cached under `cache_key`.

    When no roll makes the nominal weld feasible, the best-ranked one is returned and a warning logged:
    the env then ends its episodes with "collision" or "unreachable", which is what that job does in
    that cell.
    """
    if cache_key in _CACHE:
        return _CACHE[cache_key]
    ranked = _ranked_rolls(cell, seam, w_seam)
    chosen = None
    # between check points (1/8 of the seam) the wrist may turn by up to 90 deg on a curved seam
    for roll in ranked:
        if feasible(cell, seam, w_seam, roll, section, ctwd_mm, max_joint_step_rad=math.pi / 2.0):
            chosen = roll
            break
    if chosen is None:
        chosen = ranked[0]
        logger.warning(
            "no torch roll makes the nominal weld reachable and collision-free (job %s); using %.0f deg: "
            "check the job's part_pose (relative to the cell's work frame) and its WPS pose (CTWD, angles)",
            cache_key[0],
            math.degrees(chosen),
        )
    _CACHE[cache_key] = chosen
    return chosen
