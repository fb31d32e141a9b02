"""FANUC TP programs (.ls, ArcTool) and the reader back into the IR.

Conventions (robot-languages.md, "FANUC TP"): positions in mm, orientation W, P, R in degrees about the
fixed X, then Y, then Z axes (``R.from_euler("xyz", [W, P, R])``), CONFIG 'F/N U/D T/B, t1, t4, t6' with the
turn numbers of J1, J4, J6. ``/APPL`` carries ``ARC : TRUE`` (the controller refuses arc programs without it,
INTP-281).

Program shape: ``UFRAME_NUM``/``UTOOL_NUM``, ``J P[1] <n>% FINE`` to the first point, ``L P[i] <v>mm/sec
CNT<c>`` air moves (v = length / duration, whole mm/s), per weld section a schedule remark, the move to its
first point with the ``Arc Start[n]`` option, an inline ``Weave Sine[Hz, mm, s, s]`` where the controller
weaves natively, ``L P[i] WELD_SPEED CNT<c>`` weld moves, and ``Arc End[n]`` (+ ``Weave End``) on the last.
A split program is a main program that CALLs ``<NAME>_P<k>`` parts, one .ls each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
    targets_in_work,
    times_from_moves,
    vendor_joints_deg,
)
from weldcraft.export.formats.tabular import robot_for
from weldcraft.export.numfmt import fixed_rows
from weldcraft.export.program import Segment, WeldProgram
from weldcraft.export.records import ProcessData, Provenance, RobotSpec, WeaveData
from weldcraft.export.rotations import fanuc_wpr_deg_to_quat_xyzw, quat_xyzw_to_fanuc_wpr_deg
from weldcraft.export.templates import fill, template_regex


@dataclass(frozen=True)
class FanucTemplate(BaseTemplate):
    """Per-cell FANUC settings (configs/export/templates/fanuc.yaml documents each key)."""

    uframe: int = 0
    utool: int = 1
    joint_speed_percent: int = 20
    air_cnt: int = 100
    weld_cnt: int = 100
    config_letters: str = "U T"
    j5_positive_is_flip: bool = False
    schedule_offset: int = 0
    create_date: str = "DATE 25-01-01  TIME 00:00:00"
    appl: str = "ARC : TRUE ;\nARC Welding Equipment : 1,*,*,*,*;"
    weave_patterns: dict[str, str] = field(default_factory=lambda: {"zigzag": "Sine"})
    schedule_remark: str = ""
    weave_start: str = ""


def _attr(name: str, n_lines: int, tmpl: FanucTemplate) -> list[str]:
    return [
        f"/PROG  {name}",
        "/ATTR",
        "OWNER\t\t= MNEDITOR;",
        'COMMENT\t\t= "weldcraft";',
        "PROG_SIZE\t= 0;",
        f"CREATE\t\t= {tmpl.create_date};",
        f"MODIFIED\t= {tmpl.create_date};",
        "FILE_NAME\t= ;",
        "VERSION\t\t= 0;",
        f"LINE_COUNT\t= {n_lines};",
        "MEMORY_SIZE\t= 0;",
        "PROTECT\t\t= READ_WRITE;",
        "TCD:  STACK_SIZE\t= 0,",
        "      TASK_PRIORITY\t= 50,",
        "      TIME_SLICE\t= 0,",
        "      BUSY_LAMP_OFF\t= 0,",
        "      ABORT_REQUEST\t= 0,",
        "      PAUSE_REQUEST\t= 0;",
        "DEFAULT_GROUP\t= 1,*,*,*,*;",
        "CONTROL_CODE\t= 00000000 00000000;",
        "/APPL",
        *(f"  {line}" for line in tmpl.appl.splitlines()),
    ]


def _numbered(instructions: list[str]) -> list[str]:
    """Number the /MN lines. An instruction starting with ':' is a motion option on a continuation line
    (``    :  Arc Start[1] ;``); the motion line it continues carries no terminator."""
    out: list[str] = []
    n = 0
    for k, ins in enumerate(instructions):
        continued = k + 1 < len(instructions) and instructions[k + 1].startswith(":")
        end = "" if continued else " ;"
        if ins.startswith(":"):
            out.append(f"    :  {ins[1:].strip()}{end}")
            continue
        n += 1
        sep = "" if ins[:2] in ("J ", "L ") else "  "
        out.append(f"{n:4d}:{sep}{ins}{end}")
    return out


@EXPORTERS.register("fanuc")
class FanucExporter(Exporter):
    format = "fanuc"
    template_cls = FanucTemplate
    extensions = (".ls",)

    def supports_weave(self, weave: WeaveData) -> bool:
        # Inline weave has left and right dwells only.
        return weave.pattern in self.caps.native_weave and weave.dwell_centre_s == 0.0

    # ------------------------------------------------------------------ emit
    def emit(self, job: EmitJob) -> dict[str, str | bytes]:
        tmpl: FanucTemplate = job.template
        prog = job.program
        mns, poss = self._parts(job)
        head = [f"!weldcraft {prog.provenance.weldcraft_version}"[:32]]
        files: dict[str, str | bytes] = {}

        def ls(name: str, mn: list[str], pos: list[str]) -> str:
            numbered = _numbered(mn)
            count = sum(1 for m in mn if not m.startswith(":"))
            return "\n".join([*_attr(name, count, tmpl), "/MN", *numbered, "/POS", *pos, "/END"]) + "\n"

        frames = [f"UFRAME_NUM={tmpl.uframe}", f"UTOOL_NUM={tmpl.utool}"]
        if not job.split:
            files[f"{job.name}.ls"] = ls(job.name, [*head, *frames, *mns[0]], poss[0])
            return files
        parts = self.part_names(job.name, len(job.parts))
        files[f"{job.name}.ls"] = ls(job.name, [*head, *frames, *(f"CALL {p}" for p in parts)], [])
        for k, part in enumerate(parts):
            files[f"{part}.ls"] = ls(part, [*frames, *mns[k]], poss[k])
        return files

    def _parts(self, job: EmitJob) -> tuple[list[list[str]], list[list[str]]]:
        prog = job.program
        tmpl: FanucTemplate = job.template
        if tmpl.uframe == 0:
            pos, quat = np.asarray(prog.tcp_pos_m), np.asarray(prog.tcp_quat_xyzw)
        else:
            pos, quat = targets_in_work(prog)
        xyz = fixed_rows(pos * 1000.0, 3)
        wpr = fixed_rows(quat_xyzw_to_fanuc_wpr_deg(quat), 3)
        n = prog.n_points
        if prog.q_rad is not None:
            qd = vendor_joints_deg(np.asarray(prog.q_rad), tmpl)
            flip_pos = qd[:, 4] > 0
            flip = np.where(flip_pos == tmpl.j5_positive_is_flip, "F", "N")
            turns = np.floor((qd[:, [0, 3, 5]] + 180.0) / 360.0).astype(int)
        else:
            flip = np.full(n, "N")
            turns = np.zeros((n, 3), dtype=int)
        starts, ends = arc_start_flags(prog)
        dist_mm = np.concatenate([[0.0], np.linalg.norm(np.diff(prog.tcp_pos_m, axis=0), axis=1) * 1000.0])
        dt = np.concatenate([[1.0], np.diff(prog.t_s)])
        # TP speeds are whole numbers: below 100 mm/s cm/min (1 cm/min = 0.17 mm/s) keeps the timing closer.
        v = dist_mm / dt
        speed = [f"{max(1, round(x * 6.0))}cm/min" if x < 100.0 else f"{round(x)}mm/sec" for x in v.tolist()]
        seg_of = np.empty(n, dtype=np.int64)
        weld_no = np.zeros(len(prog.segments), dtype=np.int64)
        count = 0
        for k, s in enumerate(prog.segments):
            seg_of[s.start : s.stop] = k
            if s.is_weld:
                count += 1
                weld_no[k] = count
        mns: list[list[str]] = []
        poss: list[list[str]] = []
        for a, b in job.parts:
            mn: list[str] = []
            pos_lines: list[str] = []
            for local, i in enumerate(range(a, b), start=1):
                # Position numbers restart at 1 in every program of a split.
                pos_lines += [
                    f"P[{local}]{{",
                    "   GP1:",
                    f"\tUF : {tmpl.uframe}, UT : {tmpl.utool},\t\tCONFIG : '{flip[i]} {tmpl.config_letters}, "
                    f"{turns[i, 0]}, {turns[i, 1]}, {turns[i, 2]}',",
                    f"\tX = {xyz[i][0]:>9}  mm,\tY = {xyz[i][1]:>9}  mm,\tZ = {xyz[i][2]:>9}  mm,",
                    f"\tW = {wpr[i][0]:>9} deg,\tP = {wpr[i][1]:>9} deg,\tR = {wpr[i][2]:>9} deg",
                    "};",
                ]
                if i == 0:
                    mn.append(f"J P[{local}] {tmpl.joint_speed_percent}% FINE")
                    if not prog.arc_on[0]:
                        continue
                seg = prog.segments[int(seg_of[i])]
                if not prog.arc_on[i]:
                    last = i == n - 1 or bool(starts[i + 1])
                    mn.append(f"L P[{local}] {speed[i]} " + ("FINE" if last else f"CNT{tmpl.air_cnt}"))
                    continue
                k = int(weld_no[seg_of[i]]) + tmpl.schedule_offset
                values = arc_values(prog, seg, k)
                weave = seg.weave if seg.native_weave else None
                values["weave_pattern"] = tmpl.weave_patterns.get(weave.pattern, "Sine") if weave else ""
                if starts[i]:
                    mn.append(fill(tmpl.schedule_remark, values, "fanuc template schedule_remark"))
                    if i > 0:
                        mn.append(f"L P[{local}] {speed[i]} FINE")
                    mn.append(f": Arc Start[{k}]")
                    if weave is not None:
                        mn.append(fill(tmpl.weave_start, values, "fanuc template weave_start"))
                    if not ends[i]:
                        continue
                if ends[i]:
                    if not starts[i]:
                        mn.append(f"L P[{local}] WELD_SPEED FINE")
                    mn.append(f": Arc End[{k}]")
                    if weave is not None:
                        mn.append("Weave End")
                else:
                    if i > 0 and prog.arc_on[i - 1] and seg_of[i - 1] != seg_of[i]:
                        # Process change without arc off: the new schedule from this move on.
                        mn.append(fill(tmpl.schedule_remark, values, "fanuc template schedule_remark"))
                        mn.append(f"Arc Start[{k}]")
                    mn.append(f"L P[{local}] WELD_SPEED CNT{tmpl.weld_cnt}")
            mns.append(mn)
            poss.append(pos_lines)
        return mns, poss

    # ------------------------------------------------------------------ read
    def read(self, path: Path, template: FanucTemplate, robot: RobotSpec | None) -> WeldProgram:
        reader = _FanucReader(template)
        reader.walk(path)
        return reader.program(path, robot)

    def sniff(self, path: Path, head: str) -> bool:
        return head.lstrip().startswith("/PROG")


_MOTION = re.compile(r"^\s*\d+:\s*(J|L)\s+P\[(\d+)(?::[^\]]*)?\]\s+(\S+)\s+(FINE|CNT\d+)", re.I)
_POS = re.compile(
    r"P\[(\d+)(?::[^\]]*)?\]\s*\{.*?X\s*=\s*(-?[\d.]+)\s*mm,\s*Y\s*=\s*(-?[\d.]+)\s*mm,\s*Z\s*=\s*(-?[\d.]+)\s*mm,"
    r"\s*W\s*=\s*(-?[\d.]+)\s*deg,\s*P\s*=\s*(-?[\d.]+)\s*deg,\s*R\s*=\s*(-?[\d.]+)\s*deg",
    re.S,
)


class _FanucReader:
    def __init__(self, tmpl: FanucTemplate) -> None:
        self.tmpl = tmpl
        self.remark_re = template_regex(tmpl.schedule_remark, {"weave_pattern": r"\w+"})
        self.weave_re = template_regex(tmpl.weave_start, {"weave_pattern": r"\w+"})
        self.pos: list[np.ndarray] = []
        self.wpr: list[np.ndarray] = []
        self.arc: list[bool] = []
        self.sched: list[int] = []
        self.speed: list[float] = []
        self.schedules: dict[int, dict[str, float]] = {}
        self.weaves: dict[int, WeaveData] = {}

    def walk(self, path: Path, depth: int = 0) -> None:
        text = path.read_text(encoding="utf-8")
        if "/MN" not in text or "/POS" not in text:
            raise DataError("not a TP program (no /MN or /POS section)", where=str(path))
        mn = text[text.index("/MN") + 3 : text.index("/POS")]
        positions = {
            int(m.group(1)): [float(m.group(k)) for k in range(2, 8)]
            for m in _POS.finditer(text[text.index("/POS") :])
        }
        lines = mn.splitlines()
        on = False
        current = 0
        pending_weave: dict[str, str] | None = None
        for raw in lines:
            body = re.sub(r"^\s*\d+:", "", raw).strip().rstrip(";").strip()
            if not body:
                continue
            if raw.strip().startswith(":"):
                opt = raw.strip().lstrip(":").strip().rstrip(";").strip()
                am = re.match(r"Arc (Start|End)\[(\d+)\]", opt)
                if am and self.arc:
                    if am.group(1) == "Start":
                        on, current = True, int(am.group(2))
                        self.arc[-1], self.sched[-1] = True, current
                    else:
                        on = False
                continue
            m = _MOTION.match(raw)
            if m:
                idx = int(m.group(2))
                if idx not in positions:
                    raise DataError(f"P[{idx}] is used but not defined in /POS", where=str(path))
                v = positions[idx]
                self.pos.append(np.array(v[:3]) / 1000.0)
                self.wpr.append(np.array(v[3:]))
                self.arc.append(on)
                self.sched.append(current if on else 0)
                sp = m.group(3)
                if sp.upper() == "WELD_SPEED":
                    speed = self.schedules.get(current, {}).get("weld_speed_mm_s", 0.0)
                else:
                    sm = re.match(r"(\d+(?:\.\d+)?)(mm/sec|cm/min|%)", sp)
                    speed = (
                        0.0
                        if sm is None
                        else float(sm.group(1)) * (1.0 / 6.0 if sm.group(2) == "cm/min" else 1.0)
                    )
                    if sm is not None and sm.group(2) == "%":
                        speed = 0.0
                self.speed.append(speed)
                continue
            rm = self.remark_re.fullmatch(body)
            if rm:
                vals = rm.groupdict()
                self.schedules[int(float(vals["schedule"]))] = {
                    k: float(x) for k, x in vals.items() if k != "weave_pattern"
                }
                continue
            am = re.fullmatch(r"Arc Start\[(\d+)\]", body)
            if am:
                on, current = True, int(am.group(1))
                continue
            wm = self.weave_re.fullmatch(body)
            if wm:
                pending_weave = wm.groupdict()
                self._weave(current, pending_weave)
                continue
            cm = re.fullmatch(r"CALL\s+(\w+)", body)
            if cm:
                sub = path.parent / f"{cm.group(1)}.ls"
                if not sub.is_file():
                    sub = next(
                        (p for p in path.parent.glob("*.ls") if p.stem.upper() == cm.group(1).upper()), sub
                    )
                if not sub.is_file() or depth > 4:
                    raise DataError(f"CALL {cm.group(1)}: {sub.name} is missing", where=str(path))
                self.walk(sub, depth + 1)

    def _weave(self, sched: int, vals: dict[str, str]) -> None:
        patterns = {v: k for k, v in self.tmpl.weave_patterns.items()}
        pattern = patterns.get(vals.get("weave_pattern", ""))
        if pattern is None:
            return
        num = {k: float(v) for k, v in vals.items() if k != "weave_pattern"}
        width = 2.0 * num["weave_amplitude_mm"] if "weave_amplitude_mm" in num else num["weave_width_mm"]
        self.weaves[sched] = WeaveData(
            pattern,  # type: ignore[arg-type]
            width,
            num["weave_frequency_hz"],
            num.get("dwell_left_s", 0.0),
            num.get("dwell_centre_s", 0.0),
            num.get("dwell_right_s", 0.0),
        )

    def program(self, path: Path, robot: RobotSpec | None) -> WeldProgram:
        if not self.pos:
            raise DataError("the program is empty: it has no motion points", where=str(path))
        pos = np.array(self.pos)
        quat = fanuc_wpr_deg_to_quat_xyzw(np.array(self.wpr))
        arc = np.array(self.arc)
        speed = np.array(self.speed)
        for i in range(arc.size):
            if arc[i] and (i == 0 or not arc[i - 1] or self.sched[i - 1] != self.sched[i]):
                continue  # the arc-start move keeps its own (air) speed
            if arc[i]:
                speed[i] = self.schedules.get(self.sched[i], {}).get("weld_speed_mm_s", speed[i])
        t = times_from_moves(pos[0], pos, np.zeros(arc.size), np.maximum(speed, 1e-3))
        segments: list[Segment] = []
        a = 0
        for i in range(1, arc.size + 1):
            if i < arc.size and arc[i] == arc[a] and self.sched[i] == self.sched[a]:
                continue
            if arc[a]:
                s = self.schedules.get(self.sched[a])
                if s is None:
                    raise DataError(f"no schedule remark for Arc Start[{self.sched[a]}]", where=str(path))
                proc = ProcessData(
                    s.get("wire_feed_m_min", 0.0),
                    s.get("voltage_v", 0.0),
                    s.get("travel_speed_mm_s", s.get("weld_speed_mm_s", 0.0)),
                    s.get("wire_diameter_mm", 1.2),
                )
                weave = self.weaves.get(self.sched[a])
                segments.append(Segment("weld", a, i, proc, weave, weave_in_points=weave is None))
            else:
                segments.append(Segment("air", a, i))
            a = i
        name = re.search(r"/PROG\s+(\w+)", path.read_text(encoding="utf-8"))
        return WeldProgram(
            name=name.group(1) if name else path.stem,
            robot=robot_for([], robot, str(path)),
            t_s=t,
            q_rad=None,
            tcp_pos_m=pos,
            tcp_quat_xyzw=quat,
            arc_on=arc,
            segments=tuple(segments),
            provenance=Provenance(source=f"file:{path.name}"),
        )
