"""Universal Robots URScript (.script) and the reader back into the IR.

Conventions (robot-languages.md, "Universal Robots URScript"): poses ``p[x, y, z, rx, ry, rz]`` in **metres**
with a rotation vector in **radians**; joints in radians; speeds m/s, accelerations m/s^2. URScript has no
arc instruction: arc on/off and process values are I/O lines from the template.

Program shape: ``set_tcp``, the work frame ``wobj`` (targets are ``pose_trans(wobj, p[...])`` when it is not
the identity), ``movej`` to the first point, ``movel(..., v=length/duration, r=blend)`` for air moves, the
template's process/arc-on lines at each weld start, then either one ``servoj(q, t=dt, ...)`` per weld sample
(time-stamped joint targets; each line ends with the sample's TCP pose as a comment) or ``movel`` at the
section's TCP speed, and the arc-off lines after the last weld point. Weaving is always in the points.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from weldcraft.errors import DataError
from weldcraft.export.formats.base import (
    EXPORTERS,
    BaseTemplate,
    EmitJob,
    Exporter,
    arc_start_flags,
    arc_values,
    header_lines,
    targets_in_work,
    times_from_moves,
    work_to_base,
)
from weldcraft.export.formats.tabular import robot_for
from weldcraft.export.numfmt import fixed, fixed_table
from weldcraft.export.program import Segment, WeldProgram
from weldcraft.export.records import Pose, ProcessData, Provenance, RobotSpec
from weldcraft.export.rotations import quat_xyzw_to_rotvec_rad, rotvec_rad_to_quat_xyzw
from weldcraft.export.templates import fill, template_regex


@dataclass(frozen=True)
class UrTemplate(BaseTemplate):
    """Per-cell URScript settings (configs/export/templates/urscript.yaml documents each key)."""

    arc_motion: str = "servoj"
    servoj_lookahead_s: float = 0.1
    servoj_gain: int = 300
    movej_speed_rad_s: float = 1.05
    movej_accel_rad_s2: float = 1.4
    movel_accel_m_s2: float = 1.2
    max_blend_m: float = 0.002
    arc_on: str = "set_standard_digital_out(0, True)"
    arc_off: str = "set_standard_digital_out(0, False)"
    process_set: str = ""

    def __post_init__(self) -> None:
        if self.arc_motion not in ("servoj", "movel"):
            raise ValueError(f"arc_motion must be 'servoj' or 'movel', got {self.arc_motion!r}")


def _pose(pos_m: np.ndarray | tuple[float, ...], quat_xyzw: np.ndarray | tuple[float, ...]) -> str:
    rv = quat_xyzw_to_rotvec_rad(np.asarray(quat_xyzw, dtype=np.float64))[0]
    return f"p[{','.join(fixed(v, 6) for v in pos_m)},{','.join(fixed(v, 6) for v in rv)}]"


@EXPORTERS.register("urscript")
class UrScriptExporter(Exporter):
    format = "urscript"
    template_cls = UrTemplate
    extensions = (".script", ".urscript")

    def dense_welds(self, template: UrTemplate, program: WeldProgram) -> bool:
        """servoj interpolates in joint space over each `t`: weld samples stay as recorded."""
        return template.arc_motion == "servoj" and program.q_rad is not None

    def emit(self, job: EmitJob) -> dict[str, str | bytes]:
        prog = job.program
        tmpl: UrTemplate = job.template
        servo = self.dense_welds(tmpl, prog)
        pos, quat = targets_in_work(prog)
        rv = quat_xyzw_to_rotvec_rad(quat)
        framed = not prog.work_frame.is_identity
        poses = [f"p[{r}]" for r in fixed_table(np.hstack([pos, rv]), 6)]
        targets = [f"pose_trans(wobj, {p})" if framed else p for p in poses]
        q_txt = fixed_table(np.asarray(prog.q_rad), 6) if prog.q_rad is not None else None
        n = prog.n_points
        starts, ends = arc_start_flags(prog)
        seg_len = np.linalg.norm(np.diff(prog.tcp_pos_m, axis=0), axis=1)
        dist = np.concatenate([[0.0], seg_len])
        dt = np.concatenate([[1.0], np.diff(prog.t_s)])
        vel = np.maximum(dist / dt, 1e-6)
        nxt = np.concatenate([seg_len, [0.0]])
        blend = np.minimum(tmpl.max_blend_m, 0.4 * np.minimum(dist, nxt))
        seg_of = np.empty(n, dtype=np.int64)
        for k, s in enumerate(prog.segments):
            seg_of[s.start : s.stop] = k
        weld_no = 0
        a_l = fixed(tmpl.movel_accel_m_s2)
        lines = [f"# {line}" for line in header_lines(prog, "URScript (metres, radians)")]
        lines += [f"def {job.name}():", f"  set_tcp({_pose(prog.tool.position_m, prog.tool.quat_xyzw)})"]
        if framed:
            lines.append(f"  wobj = {_pose(prog.work_frame.position_m, prog.work_frame.quat_xyzw)}")
        for i in range(n):
            if i == 0:
                first = f"[{q_txt[0]}]" if q_txt is not None else targets[0]
                acc, spd = fixed(tmpl.movej_accel_rad_s2), fixed(tmpl.movej_speed_rad_s)
                lines.append(f"  movej({first}, a={acc}, v={spd})  # {poses[0]}")
            if starts[i]:
                seg = prog.segments[int(seg_of[i])]
                weld_no += 1
                if i > 0:
                    lines.append(f"  movel({targets[i]}, a={a_l}, v={fixed(vel[i], 6)}, r=0)")
                values = arc_values(prog, seg, weld_no)
                lines += [
                    f"  {x}" for x in fill(tmpl.process_set, values, "urscript process_set").splitlines()
                ]
                lines += [f"  {x}" for x in fill(tmpl.arc_on, values, "urscript arc_on").splitlines()]
            elif i > 0 and prog.arc_on[i] and servo and q_txt is not None:
                if prog.arc_on[i - 1] and seg_of[i - 1] != seg_of[i]:
                    weld_no += 1
                    values = arc_values(prog, prog.segments[int(seg_of[i])], weld_no)
                    lines += [
                        f"  {x}" for x in fill(tmpl.process_set, values, "urscript process_set").splitlines()
                    ]
                lines.append(
                    f"  servoj([{q_txt[i]}], t={fixed(dt[i], 4)}, lookahead_time="
                    f"{fixed(tmpl.servoj_lookahead_s)}, gain={tmpl.servoj_gain})  # {poses[i]}"
                )
            elif i > 0:
                if prog.arc_on[i] and prog.arc_on[i - 1] and seg_of[i - 1] != seg_of[i]:
                    weld_no += 1
                    values = arc_values(prog, prog.segments[int(seg_of[i])], weld_no)
                    lines += [
                        f"  {x}" for x in fill(tmpl.process_set, values, "urscript process_set").splitlines()
                    ]
                last = i == n - 1 or bool(starts[i + 1]) or bool(ends[i])
                r = "0" if last else fixed(blend[i], 6)
                lines.append(f"  movel({targets[i]}, a={a_l}, v={fixed(vel[i], 6)}, r={r})")
            if ends[i]:
                values = arc_values(prog, prog.segments[int(seg_of[i])], weld_no)
                lines += [f"  {x}" for x in fill(tmpl.arc_off, values, "urscript arc_off").splitlines()]
        lines += ["end", f"{job.name}()"]
        return {f"{job.name}.script": "\n".join(lines) + "\n"}

    # ------------------------------------------------------------------ read
    def read(self, path: Path, template: UrTemplate, robot: RobotSpec | None) -> WeldProgram:
        text = path.read_text(encoding="utf-8")
        proc_re = template_regex(template.process_set) if template.process_set else None
        on_re = template_regex(template.arc_on)
        off_re = template_regex(template.arc_off)
        pose_re = re.compile(r"p\[([^\]]*)\]")
        name_m = re.search(r"^def\s+(\w+)\s*\(\s*\)\s*:", text, re.M)
        tool, work = Pose(), Pose()
        pos_l: list[np.ndarray] = []
        rv_l: list[np.ndarray] = []
        q_l: list[np.ndarray | None] = []
        arc_l: list[bool] = []
        proc_l: list[int] = []
        t_move: list[float] = []
        speed_l: list[float] = []
        procs: list[ProcessData] = []
        arc = False
        for raw in text.splitlines():
            line = raw.strip()
            if not line:
                continue
            code, _, comment = line.partition("  #") if not line.startswith("#") else ("", "", line)
            code = code.strip()
            if proc_re is not None and proc_re.fullmatch(line):
                v = {k: float(x) for k, x in proc_re.fullmatch(line).groupdict().items()}  # type: ignore[union-attr]
                procs.append(_process(v))
                continue
            if on_re.fullmatch(line):
                arc = True
                if arc_l:
                    arc_l[-1] = True
                    proc_l[-1] = len(procs) - 1
                continue
            if off_re.fullmatch(line):
                arc = False
                continue
            if code.startswith("set_tcp("):
                tool = _pose_from(pose_re.search(code), str(path))
            elif code.startswith("wobj ="):
                work = _pose_from(pose_re.search(code), str(path))
            elif code.startswith(("movej(", "movel(", "servoj(")):
                kind = code[: code.index("(")]
                q = None
                if code.startswith(f"{kind}(["):
                    q = np.array([float(x) for x in code[len(kind) + 2 : code.index("]")].split(",")])
                pm = pose_re.search(code if kind == "movel" or q is None else comment)
                if pm is None:
                    raise DataError(
                        f"{kind} without a TCP pose (servoj/movej lines carry it as a comment)",
                        where=str(path),
                    )
                vals = [float(x) for x in pm.group(1).split(",")]
                pos_l.append(np.array(vals[:3]))
                rv_l.append(np.array(vals[3:]))
                q_l.append(q)
                arc_l.append(arc)
                proc_l.append(len(procs) - 1 if arc else -1)
                tm = re.search(r"\bt=(-?\d+(?:\.\d+)?)", code)
                vm = re.search(r"\bv=(-?\d+(?:\.\d+)?)", code)
                t_move.append(float(tm.group(1)) if tm and kind == "servoj" else 0.0)
                speed_l.append(float(vm.group(1)) * 1000.0 if vm and kind == "movel" else 0.0)
        if not pos_l:
            raise DataError("the program is empty: it has no motion points", where=str(path))
        pos = np.array(pos_l)
        quat = rotvec_rad_to_quat_xyzw(np.array(rv_l))
        if not work.is_identity:
            pos, quat = work_to_base(pos, quat, np.asarray(work.position_m), np.asarray(work.quat_xyzw))
        t = times_from_moves(pos[0], pos, np.array(t_move), np.maximum(np.array(speed_l), 1e-6))
        arc_arr = np.array(arc_l)
        segments: list[Segment] = []
        a = 0
        for i in range(1, arc_arr.size + 1):
            if i < arc_arr.size and arc_arr[i] == arc_arr[a] and proc_l[i] == proc_l[a]:
                continue
            if arc_arr[a]:
                if proc_l[a] < 0:
                    raise DataError(
                        "arc on without process values (process_set lines missing)", where=str(path)
                    )
                segments.append(Segment("weld", a, i, procs[proc_l[a]]))
            else:
                segments.append(Segment("air", a, i))
            a = i
        q_rad = np.array(q_l) if all(q is not None for q in q_l) else None
        names = list(robot.joint_names) if robot is not None else []
        return WeldProgram(
            name=name_m.group(1) if name_m else path.stem,
            robot=robot_for(names, robot, str(path)),
            t_s=t,
            q_rad=q_rad,
            tcp_pos_m=pos,
            tcp_quat_xyzw=quat,
            arc_on=arc_arr,
            segments=tuple(segments),
            tool=tool,
            work_frame=work,
            provenance=Provenance(source=f"file:{path.name}"),
        )

    def sniff(self, path: Path, head: str) -> bool:
        return bool(re.search(r"^def\s+\w+\s*\(\s*\)\s*:", head, re.M))


def _pose_from(match: re.Match[str] | None, where: str) -> Pose:
    if match is None:
        raise DataError("expected a pose p[x, y, z, rx, ry, rz]", where=where)
    vals = [float(x) for x in match.group(1).split(",")]
    return Pose(tuple(vals[:3]), tuple(rotvec_rad_to_quat_xyzw(np.array(vals[3:]))[0]))  # type: ignore[arg-type]


def _process(v: dict[str, float]) -> ProcessData:
    wfs = v.get("wire_feed_m_min", v.get("wire_feed_mm_s", 0.0) * 0.06)
    return ProcessData(
        wfs,
        v.get("voltage_v", 0.0),
        v.get("travel_speed_mm_s", v.get("weld_speed_mm_s", 0.0)),
        v.get("wire_diameter_mm", 1.2),
    )
