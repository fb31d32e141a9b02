"""Reading RAPID modules written by `weldcraft.export.formats.rapid` (or hand-edited ones that follow the
same template) back into the IR: module data, PROC main and the procedures it calls, motion instructions,
welddata/weavedata through the template's layouts, tool and work object.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from weldcraft.errors import DataError
from weldcraft.export.formats.base import times_from_moves, work_to_base
from weldcraft.export.formats.tabular import robot_for
from weldcraft.export.program import Segment, WeldProgram
from weldcraft.export.records import Pose, ProcessData, Provenance, RobotSpec, WeaveData
from weldcraft.export.rotations import abb_wxyz_to_quat_xyzw, angle_between_deg
from weldcraft.export.templates import template_regex

if TYPE_CHECKING:
    from weldcraft.export.formats.rapid import RapidTemplate


def read_rapid(path: Path, tmpl: RapidTemplate, robot: RobotSpec | None) -> WeldProgram:
    """The program of the module at `path` (PROC main, following procedure calls into sibling modules)."""
    modules = _Modules(path)
    main_name, main = modules.main()
    if "main" not in main.procs:
        raise DataError(f"module {main_name} has no PROC main()", where=str(path))
    statements = modules.expand(main.procs["main"], str(path))
    return _program_from_statements(main_name, statements, modules, tmpl, robot, str(path))


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
