"""ABB RAPID modules (.mod) with RobotWare Arc instructions, and the reader back into the IR.

Conventions (robot-languages.md, "ABB RAPID"): positions in mm, orientation quaternion [q1..q4] =
[w, x, y, z] with q1 >= 0, joints in degrees, unused external axes 9E+09 (the controller's sentinel, the
one number written in exponent form), 2-space indentation, no ``%%%`` header.

Program shape: tool and work object data, per weld section seamdata/welddata(/weavedata) from the template,
one CONST robtarget per point (``p<i>``) and a jointtarget for the first point (``j0``). ``PROC main()``
does ``ConfJ \\On; ConfL \\Off;``, ``MoveAbsJ`` to the first point, timed ``MoveL ... v\\T:=dt`` air moves,
``ArcLStart`` (fine) to each weld start, ``ArcL`` (weld zone) along the weld and ``ArcLEnd`` (fine) at its
end, with ``\\Weave:=weave<k>`` where the controller weaves natively. During welding the TCP speed comes from
welddata, whose weld speed is the section's TCP speed (path length over duration).

A split program is a main module (tool, work object, ``PROC main()`` calling the parts) plus one module per
part, ``<name>_m<k>.mod`` holding ``PROC <name>_p<k>()`` and that part's data.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    vendor_joints_deg,
    work_to_base,
)
from weldcraft.export.formats.tabular import robot_for
from weldcraft.export.numfmt import fixed, fixed_list, fixed_rows
from weldcraft.export.program import Segment, WeldProgram
from weldcraft.export.records import Pose, ProcessData, Provenance, RobotSpec, WeaveData
from weldcraft.export.rotations import abb_wxyz_to_quat_xyzw, angle_between_deg, quat_xyzw_to_abb_wxyz
from weldcraft.export.templates import fill, template_regex

EAX = "[9E+09,9E+09,9E+09,9E+09,9E+09,9E+09]"


@dataclass(frozen=True)
class RapidTemplate(BaseTemplate):
    """Per-cell RAPID settings (configs/export/templates/rapid.yaml documents each key)."""

    tool_name: str = "tWeldGun"
    wobj_name: str = "wobjWeld"
    tool_mass_kg: float = 1.5
    tool_cog_mm: tuple[float, ...] = (0.0, 0.0, 150.0)
    air_speed: str = "v200"
    air_speed_mm_s: float = 200.0
    air_zone: str = "z1"
    weld_zone: str = "z1"
    cfx: int = 0
    weave_shapes: dict[str, int] = field(default_factory=lambda: {"zigzag": 1, "triangle": 3})
    seamdata: str = ""
    welddata: str = ""
    weavedata: str = ""


def _approach_speed(prog: WeldProgram, i: int) -> str:
    """Inline speeddata [v_tcp mm/s, v_ori deg/s, 5000, 1000] that makes the move into point i take as long
    as in the program (both the position and the orientation change finish together)."""
    if i == 0:
        return "v100"
    dt = float(prog.t_s[i] - prog.t_s[i - 1])
    dist_mm = float(np.linalg.norm(prog.tcp_pos_m[i] - prog.tcp_pos_m[i - 1])) * 1000.0
    ang_deg = float(angle_between_deg(prog.tcp_quat_xyzw[i - 1], prog.tcp_quat_xyzw[i])[0])
    return f"[{fixed(max(dist_mm / dt, 0.1))},{fixed(max(ang_deg / dt, 0.1))},5000,1000]"


def _pose_literal(pos_m: tuple[float, ...] | np.ndarray, quat_xyzw: tuple[float, ...] | np.ndarray) -> str:
    q = quat_xyzw_to_abb_wxyz(np.asarray(quat_xyzw, dtype=np.float64))
    return f"[[{fixed_list(np.asarray(pos_m) * 1000.0)}],[{fixed_list(q, 6)}]]"


@EXPORTERS.register("rapid")
class RapidExporter(Exporter):
    format = "rapid"
    template_cls = RapidTemplate
    extensions = (".mod", ".modx")

    # ------------------------------------------------------------------ emit
    def emit(self, job: EmitJob) -> dict[str, str | bytes]:
        prog = job.program
        tmpl: RapidTemplate = job.template
        tool, wobj = tmpl.tool_name, tmpl.wobj_name
        head = [f"  ! {line}" for line in header_lines(prog, "ABB RAPID")]
        frames = [
            f"  PERS tooldata {tool} := [TRUE,{_pose_literal(prog.tool.position_m, prog.tool.quat_xyzw)},"
            f"[{fixed(tmpl.tool_mass_kg)},[{fixed_list(tmpl.tool_cog_mm)}],[1,0,0,0],0,0,0]];",
            f'  PERS wobjdata {wobj} := [FALSE,TRUE,"",'
            f"{_pose_literal(prog.work_frame.position_m, prog.work_frame.quat_xyzw)},[[0,0,0],[1,0,0,0]]];",
        ]
        body, data = self._body(job)
        files: dict[str, str | bytes] = {}
        if not job.split:
            lines = [
                f"MODULE {job.name}",
                *head,
                *frames,
                *data[0],
                "",
                "  PROC main()",
                "    ConfJ \\On;",
                "    ConfL \\Off;",
                *body[0],
                "  ENDPROC",
                "ENDMODULE",
            ]
            files[f"{job.name}.mod"] = "\n".join(lines) + "\n"
            return files
        procs = self.part_names(job.name, len(job.parts))
        main = [
            f"MODULE {job.name}",
            *head,
            *frames,
            "",
            "  PROC main()",
            "    ConfJ \\On;",
            "    ConfL \\Off;",
            *(f"    {p};" for p in procs),
            "  ENDPROC",
            "ENDMODULE",
        ]
        files[f"{job.name}.mod"] = "\n".join(main) + "\n"
        for k, proc in enumerate(procs):
            mod = f"{job.name}_m{k + 1}"
            lines = [
                f"MODULE {mod}",
                f"  ! part {k + 1} of {len(procs)} of program {job.name}",
                *data[k],
                "",
                f"  PROC {proc}()",
                *body[k],
                "  ENDPROC",
                "ENDMODULE",
            ]
            files[f"{mod}.mod"] = "\n".join(lines) + "\n"
        return files

    def _body(self, job: EmitJob) -> tuple[list[list[str]], list[list[str]]]:
        """Per part: PROC statements and module data declarations."""
        prog = job.program
        tmpl: RapidTemplate = job.template
        tw = f"{tmpl.tool_name}\\WObj:={tmpl.wobj_name}"
        pos, quat = targets_in_work(prog)
        pos_txt = fixed_rows(pos * 1000.0, 3)
        quat_txt = fixed_rows(quat_xyzw_to_abb_wxyz(quat), 6)
        n = prog.n_points
        if prog.q_rad is not None:
            qdeg = vendor_joints_deg(np.asarray(prog.q_rad), tmpl)
            conf = np.floor(qdeg[:, [0, 3, 5]] / 90.0).astype(int)
        else:
            qdeg = None
            conf = np.zeros((n, 3), dtype=int)
        starts, ends = arc_start_flags(prog)
        seg_of = np.empty(n, dtype=np.int64)
        weld_no = np.zeros(len(prog.segments), dtype=np.int64)
        count = 0
        for k, s in enumerate(prog.segments):
            seg_of[s.start : s.stop] = k
            if s.is_weld:
                count += 1
                weld_no[k] = count
        dt = np.diff(prog.t_s)
        bodies: list[list[str]] = []
        datas: list[list[str]] = []
        declared: set[int] = set()
        for a, b in job.parts:
            body: list[str] = []
            data: list[str] = []
            for i in range(a, b):
                data.append(
                    f"  CONST robtarget p{i} := [[{','.join(pos_txt[i])}],[{','.join(quat_txt[i])}],"
                    f"[{conf[i, 0]},{conf[i, 1]},{conf[i, 2]},{tmpl.cfx}],{EAX}];"
                )
                seg = prog.segments[int(seg_of[i])]
                if i == 0:
                    if qdeg is not None:
                        data.append(f"  CONST jointtarget j0 := [[{fixed_list(qdeg[0], 4)}],{EAX}];")
                        body.append(f"    MoveAbsJ j0, {tmpl.air_speed}, fine, {tw};")
                    else:
                        body.append(f"    MoveJ p0, {tmpl.air_speed}, fine, {tw};")
                if not prog.arc_on[i]:
                    if i > 0:
                        last = i == n - 1 or bool(starts[i + 1])
                        zone = "fine" if last else tmpl.air_zone
                        body.append(f"    MoveL p{i}, {tmpl.air_speed}\\T:={fixed(dt[i - 1])}, {zone}, {tw};")
                    continue
                k = int(weld_no[seg_of[i]])
                if k not in declared:
                    declared.add(k)
                    data += self._arc_data(prog, seg, k, tmpl)
                weave = f"\\Weave:=weave{k}" if seg.native_weave else ""
                args = f"{tmpl.air_speed}, seam{k}, weld{k}{weave}"
                if starts[i]:
                    # The approach runs with the arc off: an inline speeddata times it like the air moves.
                    approach = f"{_approach_speed(prog, i)}, seam{k}, weld{k}{weave}"
                    body.append(f"    ArcLStart p{i}, {approach}, fine, {tw};")
                    if ends[i]:
                        body.append(f"    ArcLEnd p{i}, {args}, fine, {tw};")
                elif ends[i]:
                    body.append(f"    ArcLEnd p{i}, {args}, fine, {tw};")
                else:
                    body.append(f"    ArcL p{i}, {args}, {tmpl.weld_zone}, {tw};")
            bodies.append(body)
            datas.append(data)
        return bodies, datas

    def _arc_data(self, prog: WeldProgram, seg: Segment, k: int, tmpl: RapidTemplate) -> list[str]:
        values = arc_values(prog, seg, k)
        weave = seg.weave if seg.native_weave else None
        values["weave_shape"] = str(tmpl.weave_shapes.get(weave.pattern, 0) if weave else 0)
        where = "rapid template"
        out = [
            f"  PERS seamdata seam{k} := {fill(tmpl.seamdata, values, where)};",
            f"  PERS welddata weld{k} := {fill(tmpl.welddata, values, where)};",
        ]
        if weave is not None:
            out.append(f"  PERS weavedata weave{k} := {fill(tmpl.weavedata, values, where)};")
        return out

    # ------------------------------------------------------------------ read
    def read(self, path: Path, template: RapidTemplate, robot: RobotSpec | None) -> WeldProgram:
        modules = _Modules(path)
        main_name, main = modules.main()
        if "main" not in main.procs:
            raise DataError(f"module {main_name} has no PROC main()", where=str(path))
        statements = modules.expand(main.procs["main"], str(path))
        return _program_from_statements(main_name, statements, modules, template, robot, str(path))

    def sniff(self, path: Path, head: str) -> bool:
        return bool(re.search(r"^\s*MODULE\s+\w+", head, re.M))


# ---------------------------------------------------------------------------- parsing
_DECL = re.compile(r"^(?:LOCAL\s+|TASK\s+)*(?:CONST|PERS|VAR)\s+(\w+)\s+(\w+)\s*:=\s*(.*)$", re.S)


def _strip_comments(text: str) -> str:
    out = []
    for line in text.splitlines():
        in_str = False
        for i, ch in enumerate(line):
            if ch == '"':
                in_str = not in_str
            elif ch == "!" and not in_str:
                line = line[:i]
                break
        out.append(line)
    return "\n".join(out)


def _split_top(text: str, sep: str = ",") -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth, in_str = 0, False
    for ch in text:
        if ch == '"':
            in_str = not in_str
        elif not in_str and ch in "[(":
            depth += 1
        elif not in_str and ch in "])":
            depth -= 1
        if ch == sep and depth == 0 and not in_str:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return parts


def _literal(text: str, where: str) -> Any:
    try:
        return ast.literal_eval(re.sub(r"\bTRUE\b", "True", re.sub(r"\bFALSE\b", "False", text)))
    except (ValueError, SyntaxError):
        raise DataError(f"cannot parse the RAPID value {text[:60]!r}", where=where) from None


@dataclass
class _Module:
    data: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (type, value text)
    procs: dict[str, list[str]] = field(default_factory=dict)


class _Modules:
    """The main module file and its sibling modules (parts of a split program)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.modules: dict[str, _Module] = {}
        self.order: list[str] = []
        self._load(path)

    def _load(self, path: Path) -> None:
        text = _strip_comments(path.read_text(encoding="utf-8"))
        m = re.search(r"\bMODULE\s+(\w+)", text)
        if m is None:
            raise DataError("no MODULE declaration", where=str(path))
        mod = _Module()
        proc_re = re.compile(r"\bPROC\s+(\w+)\s*\(\s*\)(.*?)\bENDPROC\b", re.S)
        for pm in proc_re.finditer(text):
            mod.procs[pm.group(1)] = [s.strip() for s in pm.group(2).split(";") if s.strip()]
        outside = proc_re.sub("", text[m.end() :])
        outside = re.sub(r"\bENDMODULE\b", "", outside)
        for stmt in outside.split(";"):
            dm = _DECL.match(stmt.strip())
            if dm:
                mod.data[dm.group(2)] = (dm.group(1), dm.group(3).strip())
        self.modules[m.group(1)] = mod
        self.order.append(m.group(1))

    def main(self) -> tuple[str, _Module]:
        name = self.order[0]
        return name, self.modules[name]

    def find_proc(self, name: str) -> list[str] | None:
        for mod in self.modules.values():
            if name in mod.procs:
                return mod.procs[name]
        for sibling in sorted(self.path.parent.glob("*.mod")):
            if sibling.resolve() != self.path.resolve() and re.search(
                rf"\bPROC\s+{re.escape(name)}\s*\(", sibling.read_text(encoding="utf-8")
            ):
                self._load(sibling)
                return self.modules[self.order[-1]].procs.get(name)
        return None

    def datum(self, name: str, where: str) -> tuple[str, Any]:
        for mod in self.modules.values():
            if name in mod.data:
                typ, text = mod.data[name]
                return typ, _literal(text, where)
        raise DataError(f"no declaration of {name!r}", where=where)

    def text_of(self, name: str) -> str:
        for mod in self.modules.values():
            if name in mod.data:
                return mod.data[name][1]
        raise KeyError(name)

    def expand(self, stmts: list[str], where: str, depth: int = 0) -> list[str]:
        out: list[str] = []
        for s in stmts:
            if re.fullmatch(r"\w+", s) and s not in ("ConfJ", "ConfL"):
                sub = self.find_proc(s)
                if sub is None:
                    raise DataError(f"PROC {s} is called but not found beside the program", where=where)
                if depth > 4:
                    raise DataError("procedure calls nested too deep", where=where)
                out += self.expand(sub, where, depth + 1)
            else:
                out.append(s)
        return out


_MOTION = re.compile(r"^(MoveAbsJ|MoveJ|MoveL|ArcLStart|ArcLEnd|ArcL)\s+(.*)$", re.S)


def _program_from_statements(
    name: str, stmts: list[str], mods: _Modules, tmpl: RapidTemplate, robot: RobotSpec | None, where: str
) -> WeldProgram:
    pos_l: list[np.ndarray] = []
    quat_l: list[np.ndarray] = []
    arc_l: list[bool] = []
    weld_l: list[str] = []
    weave_l: list[str] = []
    time_l: list[float] = []
    speed_l: list[float] = []
    tool_name = wobj_name = None
    weld_cache: dict[str, tuple[ProcessData, float]] = {}
    for s in stmts:
        m = _MOTION.match(s)
        if m is None:
            continue
        instr, args = m.group(1), _split_top(m.group(2))
        target = args[0]
        tool_arg = args[-1].split("\\")
        tool_name = tool_arg[0].strip()
        for opt in tool_arg[1:]:
            if opt.startswith("WObj:="):
                wobj_name = opt[len("WObj:=") :].strip()
        if instr == "MoveAbsJ":
            target = "p" + target[1:] if re.fullmatch(r"j\d+", target) else target
        typ, value = (
            mods.datum(target, where)
            if not target.startswith("[")
            else ("robtarget", _literal(target, where))
        )
        if typ != "robtarget":
            raise DataError(
                f"{instr} target {target!r} has no robtarget pose (declare p<i> beside j<i>)", where=where
            )
        pos_l.append(np.asarray(value[0], dtype=np.float64) / 1000.0)
        quat_l.append(abb_wxyz_to_quat_xyzw(np.asarray(value[1], dtype=np.float64)))
        speed_txt = args[1].split("\\")
        t_move = 0.0
        for opt in speed_txt[1:]:
            if opt.startswith("T:="):
                t_move = float(opt[3:])
        sm = re.fullmatch(r"v(\d+)", speed_txt[0].strip())
        speed = float(sm.group(1)) if sm else tmpl.air_speed_mm_s
        if speed_txt[0].strip().startswith("["):
            v_tcp, v_ori = (float(x) for x in _literal(speed_txt[0], where)[:2])
            speed, ori_speed = v_tcp, v_ori
        else:
            ori_speed = 0.0
        on = instr.startswith("Arc")
        weld = args[3].split("\\")[0].strip() if on else ""
        weave = ""
        if on:
            for opt in args[3].split("\\")[1:]:
                if opt.startswith("Weave:="):
                    weave = opt[len("Weave:=") :].strip()
            if weld not in weld_cache:
                weld_cache[weld] = _read_welddata(mods, weld, tmpl, where)
            if instr != "ArcLStart":
                speed = weld_cache[weld][1]
        arc_l.append(on)
        weld_l.append(weld)
        weave_l.append(weave)
        if ori_speed > 0.0 and pos_l[:-1] and t_move == 0.0:
            # Inline speeddata: the move takes as long as the slower of position and orientation.
            dist = float(np.linalg.norm(pos_l[-1] - pos_l[-2])) * 1000.0
            ang = float(angle_between_deg(quat_l[-2], quat_l[-1])[0])
            t_move = max(dist / speed, ang / ori_speed)
        time_l.append(t_move)
        speed_l.append(speed)
        if instr == "ArcLEnd" and len(arc_l) >= 2 and arc_l[-2] and np.allclose(pos_l[-1], pos_l[-2]):
            # ArcLStart and ArcLEnd on one target: a one-point weld, not two points.
            for lst in (pos_l, quat_l, arc_l, weld_l, weave_l, time_l, speed_l):
                lst.pop()
    if not pos_l:
        raise DataError("the program is empty: it has no motion points", where=where)
    # The first MoveAbsJ/MoveJ and a repeated first target describe one point.
    pos = np.array(pos_l)
    quat = np.array(quat_l)
    if len(pos_l) > 1 and np.allclose(pos[0], pos[1]) and arc_l[1] and not arc_l[0]:
        pos, quat = pos[1:], quat[1:]
        arc_l, weld_l, weave_l, time_l, speed_l = arc_l[1:], weld_l[1:], weave_l[1:], time_l[1:], speed_l[1:]
    t = times_from_moves(pos[0], pos, np.array(time_l), np.array(speed_l))
    if wobj_name is not None:
        _, wobj = mods.datum(wobj_name, where)
        uf = Pose(
            tuple(np.asarray(wobj[3][0]) / 1000.0), tuple(abb_wxyz_to_quat_xyzw(np.asarray(wobj[3][1])))
        )  # type: ignore[arg-type]
        of = Pose(
            tuple(np.asarray(wobj[4][0]) / 1000.0), tuple(abb_wxyz_to_quat_xyzw(np.asarray(wobj[4][1])))
        )  # type: ignore[arg-type]
        wp, wq = work_to_base(
            np.asarray(of.position_m)[None],
            np.asarray(of.quat_xyzw)[None],
            np.asarray(uf.position_m),
            np.asarray(uf.quat_xyzw),
        )
        work = Pose(tuple(wp[0]), tuple(wq[0]))  # type: ignore[arg-type]
        pos, quat = work_to_base(pos, quat, np.asarray(work.position_m), np.asarray(work.quat_xyzw))
    else:
        work = Pose()
    tool = Pose()
    if tool_name is not None:
        try:
            _, td = mods.datum(tool_name, where)
            tool = Pose(
                tuple(np.asarray(td[1][0]) / 1000.0), tuple(abb_wxyz_to_quat_xyzw(np.asarray(td[1][1])))
            )  # type: ignore[arg-type]
        except DataError:
            tool = Pose()
    arc = np.array(arc_l)
    segments = _segments(arc, weld_l, weave_l, weld_cache, mods, tmpl, where)
    return WeldProgram(
        name=name,
        robot=robot_for([], robot, where),
        t_s=t,
        q_rad=None,
        tcp_pos_m=pos,
        tcp_quat_xyzw=quat,
        arc_on=arc,
        segments=segments,
        tool=tool,
        work_frame=work,
        provenance=Provenance(source=f"file:{Path(where).name}"),
    )


def _read_welddata(mods: _Modules, weld: str, tmpl: RapidTemplate, where: str) -> tuple[ProcessData, float]:
    """(process data, weld speed mm/s) of a welddata declaration, parsed with the template."""
    text = mods.text_of(weld)
    m = template_regex(tmpl.welddata).fullmatch(text.strip())
    if m is None:
        raise DataError(
            f"welddata {weld} does not follow the template's welddata layout; pass template=", where=where
        )
    vals = {k: float(v) for k, v in m.groupdict().items()}
    speed = vals.get("weld_speed_mm_s") or _literal(text, where)[0]
    wfs = vals.get("wire_feed_m_min", vals.get("wire_feed_mm_s", 0.0) * 60.0 / 1000.0)
    try:
        proc = ProcessData(
            wire_feed_m_min=wfs,
            voltage_v=vals.get("voltage_v", 0.0),
            travel_speed_mm_s=vals.get("travel_speed_mm_s", float(speed)),
            wire_diameter_mm=vals.get("wire_diameter_mm", 1.2),
        )
    except DataError as exc:
        raise DataError(
            f"welddata {weld}: {exc.message} (read with the template's welddata layout)", where=where
        ) from None
    return proc, float(speed)


def _read_weave(mods: _Modules, name: str, speed: float, tmpl: RapidTemplate, where: str) -> WeaveData | None:
    text = mods.text_of(name)
    m = template_regex(tmpl.weavedata).fullmatch(text.strip())
    if m is None:
        raise DataError(f"weavedata {name} does not follow the template's weavedata layout", where=where)
    vals = {k: float(v) for k, v in m.groupdict().items()}
    shapes = {v: k for k, v in tmpl.weave_shapes.items()}
    pattern = shapes.get(int(vals.get("weave_shape", 0)))
    if pattern is None:
        return None
    return WeaveData.from_length(
        pattern,  # type: ignore[arg-type]
        vals["weave_width_mm"],
        vals["weave_length_mm"],
        speed,
        vals.get("dwell_left_mm", 0.0),
        vals.get("dwell_centre_mm", 0.0),
        vals.get("dwell_right_mm", 0.0),
    )


def _segments(
    arc: np.ndarray,
    weld_l: list[str],
    weave_l: list[str],
    weld_cache: dict[str, tuple[ProcessData, float]],
    mods: _Modules,
    tmpl: RapidTemplate,
    where: str,
) -> tuple[Segment, ...]:
    segs: list[Segment] = []
    a = 0
    n = arc.size
    for i in range(1, n + 1):
        if i < n and arc[i] == arc[a] and weld_l[i] == weld_l[a] and weave_l[i] == weave_l[a]:
            continue
        if arc[a]:
            proc, speed = weld_cache[weld_l[a]]
            weave = _read_weave(mods, weave_l[a], speed, tmpl, where) if weave_l[a] else None
            segs.append(Segment("weld", a, i, proc, weave, weave_in_points=weave is None))
        else:
            segs.append(Segment("air", a, i))
        a = i
    return tuple(segs)
