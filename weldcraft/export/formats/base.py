"""What every format module shares: the exporter registry, the emit job, joint mapping and timing helpers.

An exporter is a class registered under its format name with `@EXPORTERS.register("name")`. It has

- ``caps``: the controller constraints (`weldcraft.export.controllers.ControllerCaps`);
- ``template_cls``: the dataclass of its per-cell template (loaded by `weldcraft.export.templates`);
- ``emit(job) -> dict[str, str | bytes]``: a pure function from a prepared program to file contents
  (relative paths; '/' for sub-directories);
- ``read(path, template, robot) -> WeldProgram``: parse a file it wrote (or a hand-edited one that follows
  the same template) back into the IR;
- ``sniff(path, head) -> bool``: whether a file looks like this format (for `read_program`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from weldcraft.export.controllers import CONTROLLERS, ControllerCaps
from weldcraft.export.numfmt import fixed
from weldcraft.export.program import Segment, WeldProgram
from weldcraft.export.records import RobotSpec, WeaveData
from weldcraft.export.rotations import compose, pose_inverse
from weldcraft.registry import Registry
from weldcraft.types import FloatArray


@dataclass(frozen=True)
class EmitJob:
    """A prepared program and how to write it.

    Attributes:
        program: the program as it will be written (simplified; weave native or dense as the format needs).
        name: the validated program/module name.
        parts: point ranges [start, stop) of the programs/modules it is split into (one range if not split).
        template: the format's template dataclass.
    """

    program: WeldProgram
    name: str
    parts: tuple[tuple[int, int], ...]
    template: Any

    @property
    def split(self) -> bool:
        return len(self.parts) > 1


@dataclass(frozen=True)
class BaseTemplate:
    """Keys every template has.

    Attributes:
        max_points_per_program: motion points per program/module before splitting (0: the format default).
        joint_sign / joint_offset_deg: vendor joint = sign * joint + offset (deg), per joint (empty:
            identity);
            vendor joint signs and zeros often differ from a URDF (robot-languages.md, "Frames").
    """

    max_points_per_program: int = 0
    joint_sign: tuple[float, ...] = field(default_factory=tuple)
    joint_offset_deg: tuple[float, ...] = field(default_factory=tuple)


class Exporter(ABC):
    """Base class of the format modules (see the module docstring)."""

    format: ClassVar[str]
    template_cls: ClassVar[type]
    extensions: ClassVar[tuple[str, ...]]

    @property
    def caps(self) -> ControllerCaps:
        return CONTROLLERS[self.format]

    def part_names(self, name: str, n_parts: int) -> list[str]:
        """Names of the sub-programs of a split program (empty if not split)."""
        if n_parts <= 1:
            return []
        return [
            f"{name}_P{k + 1}" if self.caps.uppercase_names else f"{name}_p{k + 1}" for k in range(n_parts)
        ]

    @abstractmethod
    def emit(self, job: EmitJob) -> dict[str, str | bytes]: ...

    @abstractmethod
    def read(self, path: Path, template: Any, robot: RobotSpec | None) -> WeldProgram: ...

    def sniff(self, path: Path, head: str) -> bool:
        return path.suffix.lower() in self.extensions

    def dense_welds(self, template: Any, program: WeldProgram) -> bool:
        """Whether arc-on points must stay as sampled (not simplified) for this template and program."""
        return False

    def supports_weave(self, weave: WeaveData) -> bool:
        """Whether the controller can superimpose this weave itself (pattern and dwells)."""
        return weave.pattern in self.caps.native_weave


EXPORTERS: Registry[type[Exporter]] = Registry("exporter")


# ---------------------------------------------------------------------------- joints
def joint_map(template: BaseTemplate, n_joints: int) -> tuple[FloatArray, FloatArray]:
    """(sign (J,), offset deg (J,)) of the template, identity where not given."""
    sign = np.ones(n_joints) if not template.joint_sign else np.asarray(template.joint_sign, dtype=np.float64)
    off = (
        np.zeros(n_joints)
        if not template.joint_offset_deg
        else np.asarray(template.joint_offset_deg, dtype=np.float64)
    )
    if sign.shape != (n_joints,) or off.shape != (n_joints,):
        from weldcraft.errors import ConfigError

        raise ConfigError(f"joint_sign and joint_offset_deg need {n_joints} entries each (or none)")
    return sign, off


def vendor_joints_deg(q_rad: FloatArray, template: BaseTemplate) -> FloatArray:
    """(N, J) joint angles in the vendor's convention, degrees."""
    sign, off = joint_map(template, q_rad.shape[1])
    return np.asarray(np.degrees(q_rad) * sign + off, dtype=np.float64)


def joints_from_vendor_deg(q_deg: FloatArray, template: BaseTemplate) -> FloatArray:
    """Inverse of `vendor_joints_deg`: (N, J) radians in the robot model's convention."""
    sign, off = joint_map(template, q_deg.shape[1])
    return np.asarray(np.radians((q_deg - off) / sign), dtype=np.float64)


# ---------------------------------------------------------------------------- frames
def targets_in_work(program: WeldProgram) -> tuple[FloatArray, FloatArray]:
    """TCP poses expressed in the work frame: (N, 3) m and (N, 4) [x, y, z, w]."""
    wf = program.work_frame
    if wf.is_identity:
        return np.asarray(program.tcp_pos_m), np.asarray(program.tcp_quat_xyzw)
    inv_p, inv_q = pose_inverse(np.asarray(wf.position_m), np.asarray(wf.quat_xyzw))
    return compose(inv_p, inv_q, program.tcp_pos_m, program.tcp_quat_xyzw)


def work_to_base(
    pos_m: FloatArray, quat_xyzw: FloatArray, work_pos_m: FloatArray, work_quat_xyzw: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Poses in a work frame → poses in the robot base frame."""
    return compose(np.asarray(work_pos_m), np.asarray(work_quat_xyzw), pos_m, quat_xyzw)


# ---------------------------------------------------------------------------- timing
def arc_start_flags(program: WeldProgram) -> tuple[np.ndarray, np.ndarray]:
    """(N,) booleans: the arc ignites on the move arriving at point i / is extinguished after point i."""
    arc = program.arc_on
    prev = np.concatenate([[False], arc[:-1]])
    nxt = np.concatenate([arc[1:], [False]])
    return arc & ~prev, arc & ~nxt


def segment_weld_speed_mm_s(program: WeldProgram, seg: Segment) -> float:
    """TCP speed (mm/s) of the arc-on moves that belong to a weld segment.

    The moves that belong to a segment arrive at its points, except the arc-start move (it runs with the
    arc off). Falls back to the process travel speed when the segment has no arc-on move of its own.
    """
    # After a process change without arc off, the move arriving at the first point already welds.
    first = seg.start - 1 if seg.start > 0 and program.arc_on[seg.start - 1] else seg.start
    last = seg.stop - 1
    dur = float(program.t_s[last] - program.t_s[first])
    length = (
        float(np.sum(np.linalg.norm(np.diff(program.tcp_pos_m[first : last + 1], axis=0), axis=1))) * 1000.0
    )
    if dur <= 0.0 or length <= 1e-6:
        assert seg.process is not None
        return seg.process.travel_speed_mm_s
    return length / dur


def arc_values(
    program: WeldProgram, seg: Segment, weld_no: int, weave: WeaveData | None = None
) -> dict[str, str]:
    """Placeholder values for the arc-data templates of one weld segment (all fixed-point strings)."""
    assert seg.process is not None
    p = seg.process
    v = segment_weld_speed_mm_s(program, seg)
    w = weave if weave is not None else (seg.weave if seg.native_weave else None)
    length = v / w.frequency_hz if w is not None else 0.0
    values = {
        "schedule": str(weld_no),
        "wire_feed_m_min": fixed(p.wire_feed_m_min),
        "wire_feed_mm_s": fixed(p.wire_feed_m_min * 1000.0 / 60.0),
        "voltage_v": fixed(p.voltage_v),
        "travel_speed_mm_s": fixed(p.travel_speed_mm_s),
        "wire_diameter_mm": fixed(p.wire_diameter_mm),
        "weld_speed_mm_s": fixed(v),
        "weld_speed_m_s": fixed(v / 1000.0, 6),
        "weld_speed_m_min": fixed(v * 60.0 / 1000.0),
        "weld_speed_cm_min": fixed(v * 6.0),
        "weave_width_mm": fixed(w.width_mm if w else 0.0),
        "weave_amplitude_mm": fixed(w.width_mm / 2.0 if w else 0.0),
        "weave_length_mm": fixed(length),
        "weave_frequency_hz": fixed(w.frequency_hz if w else 0.0),
        "dwell_left_s": fixed(w.dwell_left_s if w else 0.0),
        "dwell_centre_s": fixed(w.dwell_centre_s if w else 0.0),
        "dwell_right_s": fixed(w.dwell_right_s if w else 0.0),
        "dwell_left_mm": fixed(w.dwell_left_s * v if w else 0.0),
        "dwell_centre_mm": fixed(w.dwell_centre_s * v if w else 0.0),
        "dwell_right_mm": fixed(w.dwell_right_s * v if w else 0.0),
    }
    return values


def times_from_moves(
    start_pos_m: FloatArray, pos_m: FloatArray, move_time_s: FloatArray, speed_mm_s: FloatArray
) -> FloatArray:
    """Cumulative times of a sequence of moves: each move takes `move_time_s` when > 0, else its length over
    `speed_mm_s` (at least 1 ms so that times strictly increase). Point 0 is at t = 0."""
    seg = np.linalg.norm(np.diff(np.vstack([start_pos_m[None, :], pos_m]), axis=0), axis=1) * 1000.0
    dt = np.where(move_time_s > 0, move_time_s, seg / np.maximum(speed_mm_s, 1e-9))
    dt = np.maximum(dt, 1e-3)
    dt[0] = 0.0
    return np.cumsum(dt)


def header_lines(program: WeldProgram, fmt: str) -> list[str]:
    """Provenance and summary lines (without comment markers) at the top of every emitted file."""
    lines = [f"program {program.name} for {fmt}"]
    lines += program.provenance.lines()
    welds = len(program.weld_segments)
    lines.append(f"{program.n_points} points, {welds} weld section(s), {program.duration_s:.3f} s")
    return lines
