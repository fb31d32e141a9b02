"""The `WeldProgram` IR: time-stamped robot motion with arc on/off, process and weave data.

A program is N motion points (arrays, one row per point) partitioned into segments:

- air segments: arc off, approach/retract/transfer moves;
- weld segments: arc on, each with its `ProcessData` and optional `WeaveData`.

Point i with ``arc_on[i]`` True means the arc burns at that point: the arc ignites on the motion that arrives
at the first point of a weld segment and is extinguished after its last point. Consecutive weld segments
(a process change without arc off) are allowed.

Frames: TCP poses are in the robot BASE frame (metres, quaternion [x, y, z, w]); `tool` is the TCP in the
flange frame; `work_frame` is the work object (user frame) in the base frame, used by emitters that write
targets relative to a work object; `base_frame` is the robot base in the cell/world frame (for replay).

Build it from arrays with `WeldProgram.from_samples` — the function through which env rollouts, imported
demonstrations and checkpoint runs become programs (see docs/export.md, "Extraction").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from weldcraft.errors import DataError
from weldcraft.export.records import Pose, ProcessData, Provenance, RobotSpec, WeaveData
from weldcraft.export.rotations import canonical_quat_xyzw
from weldcraft.types import BoolArray, FloatArray

SCHEMA_VERSION = 1
SegmentKind = Literal["air", "weld"]


@dataclass(frozen=True)
class Segment:
    """Points [start, stop) of a program: an air move or an arc-on weld section.

    Attributes:
        kind: "air" (arc off) or "weld" (arc on).
        start / stop: point index range, stop exclusive.
        process: the weld section's process data (required for weld, None for air).
        weave: weave data of a weld section, or None.
        weave_in_points: True when the points already contain the weave motion (dense, as recorded);
            False when the points are the base path and the controller superimposes `weave`.
    """

    kind: SegmentKind
    start: int
    stop: int
    process: ProcessData | None = None
    weave: WeaveData | None = None
    weave_in_points: bool = True

    def __post_init__(self) -> None:
        if self.kind not in ("air", "weld"):
            raise DataError(f"segment kind must be 'air' or 'weld', got {self.kind!r}")
        if not 0 <= self.start < self.stop:
            raise DataError(f"segment range [{self.start}, {self.stop}) is empty or negative")
        if self.kind == "weld" and self.process is None:
            raise DataError(f"weld segment [{self.start}, {self.stop}) needs process data")
        if self.kind == "air" and (self.process is not None or self.weave is not None):
            raise DataError(f"air segment [{self.start}, {self.stop}) cannot carry process or weave data")
        if self.weave is not None and not self.weave.active:
            object.__setattr__(self, "weave", None)
        if self.weave is None:
            object.__setattr__(self, "weave_in_points", True)

    @property
    def is_weld(self) -> bool:
        return self.kind == "weld"

    @property
    def n_points(self) -> int:
        return self.stop - self.start

    @property
    def native_weave(self) -> bool:
        """True when the controller must superimpose the weave on these (base-path) points."""
        return self.weave is not None and not self.weave_in_points


def _frozen(arr: np.ndarray) -> np.ndarray:
    out = np.array(arr, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class WeldProgram:
    """A robot welding program, independent of any controller language.

    Arrays (read-only copies; N points, J joints):
        t_s: (N,) time from program start (s), strictly increasing.
        q_rad: (N, J) joint positions (rad) in `robot.joint_names` order, or None when unknown (a program
            read from a Cartesian-only format; replay then solves IK for the poses).
        tcp_pos_m: (N, 3) TCP position in the robot base frame (m).
        tcp_quat_xyzw: (N, 4) TCP orientation in the base frame, unit quaternions [x, y, z, w].
        arc_on: (N,) True where the arc burns.
    """

    name: str
    robot: RobotSpec
    t_s: FloatArray
    q_rad: FloatArray | None
    tcp_pos_m: FloatArray
    tcp_quat_xyzw: FloatArray
    arc_on: BoolArray
    segments: tuple[Segment, ...]
    tool: Pose = field(default_factory=Pose)
    work_frame: Pose = field(default_factory=Pose)
    base_frame: Pose = field(default_factory=Pose)
    provenance: Provenance = field(default_factory=Provenance)
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        if self.schema_version != SCHEMA_VERSION:
            raise DataError(
                f"WeldProgram schema version {self.schema_version} is not supported "
                f"(expected {SCHEMA_VERSION})"
            )
        if not isinstance(self.name, str) or not self.name:
            raise DataError(f"program name must be a non-empty string, got {self.name!r}")
        t = np.asarray(self.t_s, dtype=np.float64).reshape(-1)
        n = t.shape[0]
        if n == 0:
            raise DataError("the program is empty: it has no motion points")
        pos = np.asarray(self.tcp_pos_m, dtype=np.float64)
        quat = np.asarray(self.tcp_quat_xyzw, dtype=np.float64)
        arc = np.asarray(self.arc_on).reshape(-1)
        if pos.shape != (n, 3) or quat.shape != (n, 4) or arc.shape != (n,):
            raise DataError(
                f"point arrays disagree: t_s {t.shape}, tcp_pos_m {pos.shape} (expected ({n}, 3)), "
                f"tcp_quat_xyzw {quat.shape} (expected ({n}, 4)), arc_on {arc.shape} (expected ({n},))"
            )
        if arc.dtype != np.bool_:
            if not np.all(np.isin(arc, (0, 1))):
                raise DataError("arc_on must be booleans (or 0/1)")
            arc = arc.astype(bool)
        norms = np.linalg.norm(quat, axis=1)
        finite_q = np.isfinite(norms)
        bad = np.flatnonzero(finite_q & (np.abs(norms - 1.0) > 1e-3))
        if bad.size:
            raise DataError(f"tcp_quat_xyzw[{bad[0]}] is not a unit quaternion (norm {norms[bad[0]]:.6f})")
        # Non-finite values are kept as they are: validation reports them with their index and refuses.
        quat = np.where(finite_q[:, None], canonical_quat_xyzw(np.where(finite_q[:, None], quat, 1.0)), quat)
        q = self.q_rad
        if q is not None:
            q = np.asarray(q, dtype=np.float64)
            if q.shape != (n, self.robot.n_joints):
                raise DataError(
                    f"q_rad has shape {q.shape}, expected ({n}, {self.robot.n_joints}) "
                    f"for robot {self.robot.name}"
                )
            object.__setattr__(self, "q_rad", _frozen(q))
        object.__setattr__(self, "t_s", _frozen(t))
        object.__setattr__(self, "tcp_pos_m", _frozen(pos))
        object.__setattr__(self, "tcp_quat_xyzw", _frozen(quat))
        object.__setattr__(self, "arc_on", _frozen(arc))
        self._check_segments(n, arc)

    def _check_segments(self, n: int, arc: BoolArray) -> None:
        segs = tuple(self.segments)
        object.__setattr__(self, "segments", segs)
        if not segs or segs[0].start != 0 or segs[-1].stop != n:
            raise DataError(f"segments must cover points [0, {n}) exactly")
        for a, b in zip(segs[:-1], segs[1:], strict=True):
            if a.stop != b.start:
                raise DataError(
                    f"segments [{a.start}, {a.stop}) and [{b.start}, {b.stop}) are not contiguous"
                )
            if a.kind == "air" and b.kind == "air":
                raise DataError(f"consecutive air segments at point {b.start} must be merged")
        for s in segs:
            want = s.kind == "weld"
            wrong = np.flatnonzero(arc[s.start : s.stop] != want)
            if wrong.size:
                raise DataError(
                    f"point {s.start + wrong[0]} has arc_on={not want} inside a {s.kind} segment "
                    f"[{s.start}, {s.stop})"
                )

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_samples(
        cls,
        t_s: FloatArray,
        q_rad: FloatArray | None,
        tcp_pos_m: FloatArray,
        tcp_quat_xyzw: FloatArray,
        arc_on: BoolArray,
        process: ProcessData | Sequence[ProcessData],
        robot: RobotSpec,
        *,
        name: str = "weld",
        process_index: Sequence[int] | np.ndarray | None = None,
        weave: WeaveData | Sequence[WeaveData | None] | None = None,
        weave_in_points: bool = True,
        tool: Pose | None = None,
        work_frame: Pose | None = None,
        base_frame: Pose | None = None,
        provenance: Provenance | None = None,
    ) -> WeldProgram:
        """Build a program from time-stamped samples (an env rollout, a recording, a checkpoint run).

        Args:
            t_s: (N,) sample times (s), strictly increasing.
            q_rad: (N, J) joint positions (rad), or None.
            tcp_pos_m: (N, 3) TCP positions in the robot base frame (m).
            tcp_quat_xyzw: (N, 4) TCP orientations in the base frame, [x, y, z, w].
            arc_on: (N,) arc state per sample.
            process: one ProcessData for every weld section, or one per weld section in order, or a list
                indexed by `process_index`.
            robot: the robot's joint names and limits.
            process_index: optional (N,) index into `process` per sample (ignored where the arc is off); a
                change of index inside an arc-on run starts a new weld segment (process change).
            weave: one WeaveData for all weld segments, or one per weld segment, or None.
            weave_in_points: whether the samples contain the weave motion (True for recorded/rolled-out
                motion).
        """
        arc = np.asarray(arc_on).reshape(-1).astype(bool)
        n = arc.shape[0]
        if n == 0:
            raise DataError("the program is empty: it has no motion points")
        procs = [process] if isinstance(process, ProcessData) else list(process)
        if not procs and arc.any():
            raise DataError("arc-on samples need process data")
        if process_index is not None:
            idx = np.asarray(process_index, dtype=np.int64).reshape(-1)
            if idx.shape != (n,):
                raise DataError(f"process_index has {idx.size} entries, expected {n}")
        else:
            idx = np.zeros(n, dtype=np.int64)
        # Segment boundaries: arc state changes, and process changes while the arc burns.
        starts = [0]
        for i in range(1, n):
            if arc[i] != arc[i - 1] or (arc[i] and idx[i] != idx[i - 1]):
                starts.append(i)
        bounds = list(zip(starts, starts[1:] + [n], strict=True)) if n else []
        segments: list[Segment] = []
        weld_no = 0
        n_weld = sum(1 for a, _ in bounds if arc[a])
        for a, b in bounds:
            if not arc[a]:
                segments.append(Segment("air", a, b))
                continue
            if process_index is not None:
                if not 0 <= idx[a] < len(procs):
                    raise DataError(
                        f"process_index[{a}] = {idx[a]} does not index the {len(procs)} process records"
                    )
                proc = procs[int(idx[a])]
            elif len(procs) == 1:
                proc = procs[0]
            elif len(procs) == n_weld:
                proc = procs[weld_no]
            else:
                raise DataError(
                    f"{len(procs)} process records for {n_weld} weld sections; give one or one per section"
                )
            if weave is None or isinstance(weave, WeaveData):
                wv = weave
            else:
                weaves = list(weave)
                if len(weaves) != n_weld:
                    raise DataError(f"{len(weaves)} weave records for {n_weld} weld sections")
                wv = weaves[weld_no]
            segments.append(Segment("weld", a, b, proc, wv, weave_in_points))
            weld_no += 1
        return cls(
            name=name,
            robot=robot,
            t_s=np.asarray(t_s, dtype=np.float64),
            q_rad=None if q_rad is None else np.asarray(q_rad, dtype=np.float64),
            tcp_pos_m=np.asarray(tcp_pos_m, dtype=np.float64),
            tcp_quat_xyzw=np.asarray(tcp_quat_xyzw, dtype=np.float64),
            arc_on=arc,
            segments=tuple(segments),
            tool=tool or Pose(),
            work_frame=work_frame or Pose(),
            base_frame=base_frame or Pose(),
            provenance=provenance or Provenance(source="samples"),
        )

    # ------------------------------------------------------------------ views and edits
    @property
    def n_points(self) -> int:
        return int(self.t_s.shape[0])

    @property
    def weld_segments(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.is_weld)

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0])

    def arc_events(self) -> list[tuple[int, bool]]:
        """(point index, arc state) at every arc-on and arc-off transition (arc off counted at the first
        point after the arc section)."""
        a = self.arc_on.astype(np.int8)
        change = np.flatnonzero(np.diff(a)) + 1
        events = [(int(i), bool(self.arc_on[i])) for i in change]
        if self.arc_on[0]:
            events.insert(0, (0, True))
        return events

    def take(self, indices: Sequence[int] | np.ndarray, segments: Sequence[Segment]) -> WeldProgram:
        """The points `indices` (ascending) with new `segments` (indices into the result)."""
        idx = np.asarray(indices, dtype=np.int64)
        return replace(
            self,
            t_s=self.t_s[idx],
            q_rad=None if self.q_rad is None else self.q_rad[idx],
            tcp_pos_m=self.tcp_pos_m[idx],
            tcp_quat_xyzw=self.tcp_quat_xyzw[idx],
            arc_on=self.arc_on[idx],
            segments=tuple(segments),
        )

    def renamed(self, name: str) -> WeldProgram:
        return replace(self, name=name)
