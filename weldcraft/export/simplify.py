"""Point reduction within a tolerance (Ramer–Douglas–Peucker on position and orientation).

A controller interpolates linearly between programmed points: position along the chord, orientation by
slerp. A point may be dropped when the chord between the kept neighbours reproduces it within
`tol_mm` in position and `tol_deg` in orientation. On weld segments the error is measured at the same
*time* (synchronized Euclidean distance, as in trajectory compression): the chord is parametrised by time,
so speed changes along a straight weld are kept too (travel speed sets the heat input). On air moves only
the geometry counts; the kept points keep their times.

Every segment is simplified on its own, so its first and last points (arc on/off events and process
changes) are always kept.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from weldcraft.export.program import Segment, WeldProgram
from weldcraft.types import FloatArray, IntArray

DEFAULT_TOL_MM = 0.1
DEFAULT_TOL_DEG = 0.1


def span_errors(
    t_s: FloatArray, pos_m: FloatArray, rot: Rotation, a: int, b: int, synchronized: bool = True
) -> tuple[FloatArray, FloatArray]:
    """Errors of the points a+1 .. b-1 against the chord a → b.

    With `synchronized` the chord is parametrised by time (the point is compared with where the chord is
    at the same time); otherwise by the projection of the point onto the chord (geometry only, and the
    orientation at that chord parameter). Returns (position error mm (b-a-1,), orientation error deg).
    """
    inner = np.arange(a + 1, b)
    chord_vec = pos_m[b] - pos_m[a]
    length2 = float(chord_vec @ chord_vec)
    dt = t_s[b] - t_s[a]
    if synchronized or length2 < 1e-12:
        u = (t_s[inner] - t_s[a]) / dt if dt > 0 else np.linspace(0.0, 1.0, b - a + 1)[1:-1]
    else:
        u = np.clip((pos_m[inner] - pos_m[a]) @ chord_vec / length2, 0.0, 1.0)
    chord = pos_m[a] + u[:, None] * chord_vec
    err_mm = np.linalg.norm(pos_m[inner] - chord, axis=1) * 1000.0
    ra = rot[a]
    rel = (ra.inv() * rot[b]).as_rotvec()
    interp = ra * Rotation.from_rotvec(u[:, None] * rel[None, :])
    err_deg = np.degrees((interp.inv() * rot[inner]).magnitude())
    return err_mm, err_deg


def rdp_indices(
    t_s: FloatArray,
    pos_m: FloatArray,
    quat_xyzw: FloatArray,
    tol_mm: float,
    tol_deg: float,
    synchronized: bool = True,
) -> IntArray:
    """Indices (ascending, first and last included) of the points to keep for one run of points."""
    n = t_s.shape[0]
    if n <= 2:
        return np.arange(n, dtype=np.int64)
    rot = Rotation.from_quat(quat_xyzw)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        err_mm, err_deg = span_errors(t_s, pos_m, rot, a, b, synchronized)
        score = np.maximum(err_mm / tol_mm, err_deg / tol_deg)
        k = int(np.argmax(score))
        if score[k] > 1.0:
            m = a + 1 + k
            keep[m] = True
            stack.append((a, m))
            stack.append((m, b))
    return np.flatnonzero(keep).astype(np.int64)


def simplify_program(
    program: WeldProgram,
    tol_mm: float = DEFAULT_TOL_MM,
    tol_deg: float = DEFAULT_TOL_DEG,
    *,
    keep_welds: bool = False,
) -> WeldProgram:
    """The program with the points that the tolerance makes redundant removed, segment by segment.

    Args:
        program: any program (dense samples or already simplified).
        tol_mm: largest position deviation (mm) at a dropped point's time.
        tol_deg: largest orientation deviation (deg) at a dropped point's time.
        keep_welds: keep every point of the weld segments (formats that stream samples, e.g. servoj).
    """
    if tol_mm <= 0.0 or tol_deg <= 0.0:
        raise ValueError(f"tolerances must be positive, got {tol_mm} mm and {tol_deg} deg")
    kept: list[IntArray] = []
    new_segments: list[Segment] = []
    count = 0
    for seg in program.segments:
        sl = slice(seg.start, seg.stop)
        if keep_welds and seg.is_weld:
            idx = np.arange(seg.n_points, dtype=np.int64)
        else:
            # Weld timing is process-relevant (speed sets the heat input), air timing is not: air moves
            # are simplified by geometry and the kept points keep their times.
            idx = rdp_indices(
                program.t_s[sl],
                program.tcp_pos_m[sl],
                program.tcp_quat_xyzw[sl],
                tol_mm,
                tol_deg,
                seg.is_weld,
            )
        kept.append(idx + seg.start)
        new_segments.append(
            Segment(seg.kind, count, count + idx.size, seg.process, seg.weave, seg.weave_in_points)
        )
        count += idx.size
    return program.take(np.concatenate(kept), new_segments)
