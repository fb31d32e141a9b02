"""Re-densification: sparse programmed points → dense time-stamped motion (for replay and dense formats).

A controller moves linearly between programmed points (position along the chord, orientation by slerp)
and superimposes its weave on weld sections that carry native weave data. `densify_program` reproduces
that: it samples every move at `dt_s`, then adds the canonical weave (phase 0 at the weld section's first
point) where a segment's points are a base path. Joint positions, when present, are interpolated linearly
between points; they are seeds for IK during replay, not exact joints of the Cartesian motion.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation, Slerp

from weldcraft.export.program import Segment, WeldProgram
from weldcraft.export.weave import superimpose_weave
from weldcraft.types import FloatArray


def _grid(t0: float, t1: float, dt_s: float) -> FloatArray:
    n = max(1, int(np.ceil((t1 - t0) / dt_s - 1e-9)))
    return np.linspace(t0, t1, n + 1)


def densify_program(program: WeldProgram, dt_s: float = 0.01) -> WeldProgram:
    """Dense copy of `program` sampled every `dt_s` seconds at most (every move also ends on its point).

    Samples inside a move i → i+1 belong to the segment of point i+1, except on an arc-start move (arc off
    at i, on at i+1), whose inner samples are still arc-off and belong to point i's air segment.
    Segments with native weave get the canonical weave superimposed from their first point on.
    """
    if dt_s <= 0.0:
        raise ValueError(f"dt_s must be positive, got {dt_s}")
    t = program.t_s
    n = program.n_points
    seg_of = np.empty(n, dtype=np.int64)
    for k, seg in enumerate(program.segments):
        seg_of[seg.start : seg.stop] = k
    times = [t[:1]]
    labels = [seg_of[:1]]
    for i in range(n - 1):
        g = _grid(t[i], t[i + 1], dt_s)[1:]
        inner_seg = seg_of[i] if (not program.arc_on[i] and program.arc_on[i + 1]) else seg_of[i + 1]
        lab = np.full(g.size, inner_seg, dtype=np.int64)
        lab[-1] = seg_of[i + 1]
        times.append(g)
        labels.append(lab)
    tt = np.concatenate(times)
    lab_all = np.concatenate(labels)
    pos = np.column_stack([np.interp(tt, t, program.tcp_pos_m[:, k]) for k in range(3)])
    if n > 1:
        quat = Slerp(t, Rotation.from_quat(program.tcp_quat_xyzw))(tt).as_quat()
    else:
        quat = np.asarray(program.tcp_quat_xyzw, dtype=np.float64).copy()
    segments: list[Segment] = []
    for k, seg in enumerate(program.segments):
        idx = np.flatnonzero(lab_all == k)
        start, stop = int(idx[0]), int(idx[-1]) + 1
        if seg.native_weave and seg.weave is not None:
            sl = slice(start, stop)
            after = np.flatnonzero(tt[sl] >= t[seg.start] - 1e-12) + start
            pos[after] = superimpose_weave(tt[after], pos[after], quat[after], seg.weave, float(t[seg.start]))
        segments.append(Segment(seg.kind, start, stop, seg.process, seg.weave, True))
    q_dense = None
    if program.q_rad is not None:
        q_dense = np.column_stack(
            [np.interp(tt, t, program.q_rad[:, j]) for j in range(program.q_rad.shape[1])]
        )
    return WeldProgram(
        name=program.name,
        robot=program.robot,
        t_s=tt,
        q_rad=q_dense,
        tcp_pos_m=pos,
        tcp_quat_xyzw=quat,
        arc_on=np.asarray([program.segments[k].is_weld for k in lab_all], dtype=bool),
        segments=tuple(segments),
        tool=program.tool,
        work_frame=program.work_frame,
        base_frame=program.base_frame,
        provenance=program.provenance,
    )
