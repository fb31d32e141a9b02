"""The torch's roll about the wire: one angle per job, chosen so the whole seam can be welded.

The welding pose fixes the wire direction; the roll about the wire is free. The laser tracker is bolted
to the torch and must look along the seam, so the roll stays constant in the seam frame for the whole
weld (on a curved seam the torch turns with the seam, as a real tracker-equipped torch does). The roll is
chosen once per (job, cell) among 36 candidates. A candidate is feasible when IK reaches 9 points along
the programmed seam in a chain from the home pose without leaving the joint limits or jumping between
IK branches, the torch and arm touch nothing there, and at the seam's middle the torch can also tilt to
the ends of the work- and travel-angle action ranges without a branch jump. Among feasible candidates the
one farthest from a singularity wins (largest minimum |det J| over those poses): near a wrist
singularity a few degrees of torch tilt need tens of degrees of wrist motion (measured: a 15 deg work
angle change needs 3.1 rad at a roll 10 deg from J5 = 0, 0.23 rad at the best roll). Results are cached
per process (the search takes 0.1-0.3 s).
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
_TILT_STEP_RAD = 1.0  # a tilt to the end of the action range must not need more joint motion than this
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


def score(
    cell: CellHandle,
    seam: SampledSeam,
    w_seam: FloatArray,
    roll: float,
    section: JointSection,
    ctwd_mm: float,
    tilt_tests: list[FloatArray],
) -> float | None:
    """Minimum |det J| over the check poses of this roll, or None when the roll is not feasible."""
    q = cell.robot.home_q_rad.copy()
    q_before = cell.robot.q
    worst = math.inf
    mid = _N_CHECK_POINTS // 2
    result: float | None = None
    try:
        for i, s in enumerate(np.linspace(0.0, seam.length_m, _N_CHECK_POINTS)):
            c, frame = seam.point_frame(float(s))
            tip = commanded_tip_m(c, frame, w_seam, 0.0, ctwd_mm, section)
            # between check points (1/8 of the seam) the wrist may turn by up to 90 deg on a curve
            ik = cell.solve_ik(tip, tool_rotation(frame, w_seam, roll), q, None if i == 0 else math.pi / 2.0)
            if not ik.ok:
                return None
            q = ik.q
            cell.robot.set_q(q)
            if cell.collisions():
                return None
            worst = min(worst, _manipulability(cell, q))
            if i == mid:
                for w_tilt in tilt_tests:
                    tip_t = commanded_tip_m(c, frame, w_tilt, 0.0, ctwd_mm, section)
                    ik_t = cell.solve_ik(tip_t, tool_rotation(frame, w_tilt, roll), q, _TILT_STEP_RAD)
                    if not ik_t.ok:
                        return None
                    worst = min(worst, _manipulability(cell, ik_t.q))
        result = worst
    finally:
        cell.robot.set_q(q_before)
    return result


def _manipulability(cell: CellHandle, q: FloatArray) -> float:
    jac, _, _ = cell.robot.chain.scalar.jacobian(q.tolist())
    return abs(float(np.linalg.det(jac)))


def choose_torch_roll(
    cell: CellHandle,
    seam: SampledSeam,
    w_seam: FloatArray,
    section: JointSection,
    ctwd_mm: float,
    tilt_tests: list[FloatArray],
    cache_key: tuple[object, ...],
) -> float:
    """The roll (rad) for this job in this cell (module docstring); cached under `cache_key`.

    Args:
        tilt_tests: wire directions (seam coordinates) the torch must also reach at the seam's middle.

    When no roll is feasible, the one whose torch body leans most towards the robot is returned and a
    warning logged: the env then ends its episodes with "collision" or "unreachable", which is what that
    job does in that cell.
    """
    if cache_key in _CACHE:
        return _CACHE[cache_key]
    ranked = _ranked_rolls(cell, seam, w_seam)
    best: tuple[float, float] | None = None
    for roll in ranked:
        value = score(cell, seam, w_seam, roll, section, ctwd_mm, tilt_tests)
        if value is not None and (best is None or value > best[0]):
            best = (value, roll)
    if best is None:
        chosen = ranked[0]
        logger.warning(
            "no torch roll makes the nominal weld reachable and collision-free (job %s); using %.0f deg: "
            "check the job's part_pose (relative to the cell's work frame) and its WPS pose (CTWD, angles)",
            cache_key[0],
            math.degrees(chosen),
        )
    else:
        chosen = best[1]
    _CACHE[cache_key] = chosen
    return chosen
