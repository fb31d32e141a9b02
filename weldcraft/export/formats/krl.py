"""KUKA KRL programs (.src + .dat) with ArcTech folds, and the reader back into the IR.

Conventions (robot-languages.md, "KUKA KRL"): positions in mm, orientation A, B, C in degrees (rotation
about Z, then the new Y, then the new X: ``R.from_euler("ZYX", [A, B, C])``), joints (E6AXIS A1..A6) in
degrees, path speed ``$VEL.CP`` in m/s, approximation ``C_DIS`` with ``$APO.CDIS`` in mm.

Program shape: the .dat declares the tool and base frames (``$TOOL``/``$BASE`` are set from them), an
E6AXIS for the first point, one E6POS ``XP<i>`` per point, and per weld section the weld data from the
template. The .src moves PTP to the first point, then ``$VEL.CP = v`` + ``LIN XP<i> C_DIS`` for each air
move (v = length / duration, so the moves keep their timing), and the template's ARCON / ARCSWI / ARCOFF
blocks for arc-on points. E6POS targets carry no S/T bits: LIN motions ignore them and the first move is a
PTP to joint angles.

A split program is a main ``<name>.src/.dat`` calling ``<name>_p<k>( )`` parts, each its own pair.
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
    header_lines,
    targets_in_work,
    times_from_moves,
    vendor_joints_deg,
    work_to_base,
)
from weldcraft.export.formats.tabular import robot_for
from weldcraft.export.numfmt import fixed, fixed_rows
from weldcraft.export.program import Segment, WeldProgram
from weldcraft.export.records import Pose, ProcessData, Provenance, RobotSpec, WeaveData
from weldcraft.export.rotations import kuka_abc_deg_to_quat_xyzw, quat_xyzw_to_kuka_abc_deg
from weldcraft.export.templates import fill, template_regex

IDENT = r"[A-Za-z_$][A-Za-z0-9_$]*"


@dataclass(frozen=True)
class KrlTemplate(BaseTemplate):
    """Per-cell KRL settings (configs/export/templates/krl.yaml documents each key)."""

    header: str = "&ACCESS RVP\n&REL 1"
    tool_frame_name: str = "WCTOOL"
    base_frame_name: str = "WCBASE"
    ptp_velocity_percent: int = 20
    apo_cdis_mm: float = 1.0
    weave_patterns: dict[str, str] = field(default_factory=lambda: {"zigzag": "#Triangle"})
    arc_on: str = ""
    arc_switch: str = ""
    arc_off: str = ""
    wdat_decl: str = ""
    wp_decl: str = ""


def _frame(pos_m: tuple[float, ...] | np.ndarray, quat_xyzw: tuple[float, ...] | np.ndarray) -> str:
    abc = quat_xyzw_to_kuka_abc_deg(np.asarray(quat_xyzw, dtype=np.float64))[0]
    x, y, z = (fixed(v * 1000.0) for v in pos_m)
    return f"{{X {x},Y {y},Z {z},A {fixed(abc[0], 4)},B {fixed(abc[1], 4)},C {fixed(abc[2], 4)}}}"


@EXPORTERS.register("krl")
class KrlExporter(Exporter):
    format = "krl"
    template_cls = KrlTemplate
    extensions = (".src", ".dat")

    def supports_weave(self, weave: WeaveData) -> bool:
        # ArcTech weave figures have side delays but no centre dwell.
        return weave.pattern in self.caps.native_weave and weave.dwell_centre_s == 0.0

    # ------------------------------------------------------------------ emit
    def emit(self, job: EmitJob) -> dict[str, str | bytes]:
        prog = job.program
        tmpl: KrlTemplate = job.template
        head = [f"; {line}" for line in header_lines(prog, "KUKA KRL")]
        frames = [
            f"DECL FRAME {tmpl.tool_frame_name}={_frame(prog.tool.position_m, prog.tool.quat_xyzw)}",
            f"DECL FRAME {tmpl.base_frame_name}="
            f"{_frame(prog.work_frame.position_m, prog.work_frame.quat_xyzw)}",
        ]
        setup = [
            "BAS(#INITMOV, 0)",
            f"$TOOL = {tmpl.tool_frame_name}",
            f"$BASE = {tmpl.base_frame_name}",
            f"$APO.CDIS = {fixed(tmpl.apo_cdis_mm)}",
        ]
        bodies, datas = self._parts(job)
        files: dict[str, str | bytes] = {}

        def src(name: str, lines: list[str]) -> str:
            return "\n".join([*tmpl.header.splitlines(), f"DEF {name}( )", *head, *lines, "END"]) + "\n"

        def dat(name: str, lines: list[str]) -> str:
            return "\n".join([*tmpl.header.splitlines(), f"DEFDAT {name}", *head, *lines, "ENDDAT"]) + "\n"

        if not job.split:
            files[f"{job.name}.src"] = src(job.name, [*setup, *bodies[0]])
            files[f"{job.name}.dat"] = dat(job.name, [*frames, *datas[0]])
            return files
        parts = self.part_names(job.name, len(job.parts))
        files[f"{job.name}.src"] = src(job.name, [*setup, *(f"{p}( )" for p in parts)])
        files[f"{job.name}.dat"] = dat(job.name, frames)
        for k, part in enumerate(parts):
            # Each part sets the frames again: a part may be run on its own after an interruption.
            files[f"{part}.src"] = src(
                part, [f"$TOOL = {tmpl.tool_frame_name}", f"$BASE = {tmpl.base_frame_name}", *bodies[k]]
            )
            files[f"{part}.dat"] = dat(part, [*frames, *datas[k]])
        return files

    def _parts(self, job: EmitJob) -> tuple[list[list[str]], list[list[str]]]:
        prog = job.program
        tmpl: KrlTemplate = job.template
        pos, quat = targets_in_work(prog)
        pos_txt = fixed_rows(pos * 1000.0, 3)
        abc_txt = fixed_rows(quat_xyzw_to_kuka_abc_deg(quat), 4)
        n = prog.n_points
        starts, ends = arc_start_flags(prog)
        seg_of = np.empty(n, dtype=np.int64)
        weld_no = np.zeros(len(prog.segments), dtype=np.int64)
        count = 0
        for k, s in enumerate(prog.segments):
            seg_of[s.start : s.stop] = k
            if s.is_weld:
                count += 1
                weld_no[k] = count
        dist_m = np.concatenate([[0.0], np.linalg.norm(np.diff(prog.tcp_pos_m, axis=0), axis=1)])
        dt = np.concatenate([[1.0], np.diff(prog.t_s)])
        vel_txt = fixed_rows(np.maximum(dist_m / dt, 1e-6)[:, None], 6)
        bodies: list[list[str]] = []
        datas: list[list[str]] = []
        declared: set[int] = set()
        for a, b in job.parts:
            body: list[str] = []
            data: list[str] = []
            for i in range(a, b):
                x, y, z = pos_txt[i]
                aa, bb, cc = abc_txt[i]
                data.append(f"DECL E6POS XP{i}={{X {x},Y {y},Z {z},A {aa},B {bb},C {cc}}}")
                if i == 0:
                    body.append(f"BAS(#VEL_PTP, {tmpl.ptp_velocity_percent})")
                    if prog.q_rad is not None:
                        qd = vendor_joints_deg(np.asarray(prog.q_rad[:1]), tmpl)[0]
                        axes = ",".join(f"A{j + 1} {fixed(v, 4)}" for j, v in enumerate(qd))
                        data.append(f"DECL E6AXIS XJ0={{{axes}}}")
                        body.append("PTP XJ0")
                    else:
                        body.append("PTP XP0")
                    if not prog.arc_on[0]:
                        continue
                if not prog.arc_on[i]:
                    last = i == n - 1 or bool(starts[i + 1])
                    body += [f"$VEL.CP = {vel_txt[i][0]}", f"LIN XP{i}" + ("" if last else " C_DIS")]
                    continue
                seg = prog.segments[int(seg_of[i])]
                k = int(weld_no[seg_of[i]])
                values = {"point": f"P{i}", "wdat": f"WDAT{k}", "wp": f"WP{k}"}
                if k not in declared:
                    declared.add(k)
                    data += self._weld_data(prog, seg, k, tmpl)
                if starts[i]:
                    body += [
                        f"$VEL.CP = {vel_txt[i][0]}",
                        *fill(tmpl.arc_on, values, "krl template arc_on").splitlines(),
                    ]
                if ends[i]:
                    body += fill(tmpl.arc_off, values, "krl template arc_off").splitlines()
                elif not starts[i]:
                    body += fill(tmpl.arc_switch, values, "krl template arc_switch").splitlines()
            bodies.append(body)
            datas.append(data)
        return bodies, datas

    def _weld_data(self, prog: WeldProgram, seg: Segment, k: int, tmpl: KrlTemplate) -> list[str]:
        values = arc_values(prog, seg, k)
        weave = seg.weave if seg.native_weave else None
        values["weave_pattern"] = tmpl.weave_patterns.get(weave.pattern, "#None") if weave else "#None"
        values["wdat"] = f"WDAT{k}"
        values["wp"] = f"WP{k}"
        return [
            fill(tmpl.wdat_decl, values, "krl template wdat_decl"),
            fill(tmpl.wp_decl, values, "krl template wp_decl"),
        ]

    # ------------------------------------------------------------------ read
    def read(self, path: Path, template: KrlTemplate, robot: RobotSpec | None) -> WeldProgram:
        src_path = path.with_suffix(".src")
        if not src_path.is_file():
            raise DataError("the .src beside the .dat is missing", where=str(src_path))
        return _KrlReader(src_path, template).program(robot)

    def sniff(self, path: Path, head: str) -> bool:
        return bool(re.search(r"^\s*(DEF|DEFDAT)\s+\w+", head, re.M | re.I))


_DECL = re.compile(rf"^\s*DECL\s+(\w+)\s+({IDENT})\s*=\s*(\{{.*\}})\s*$", re.I)
_FIELD = re.compile(r"([A-Za-z]\w*)\s+(-?\d+(?:\.\d+)?)")


class _KrlReader:
    """Walks a .src (and the parts it calls), matching the template's arc blocks and plain motions."""

    def __init__(self, src: Path, tmpl: KrlTemplate) -> None:
        self.src = src
        self.tmpl = tmpl
        names = {"point": IDENT, "wdat": IDENT, "wp": IDENT, "weave_pattern": r"#\w+"}
        self.blocks = [
            ("on", template_regex(tmpl.arc_on, names)),
            ("off", template_regex(tmpl.arc_off, names)),
            ("swi", template_regex(tmpl.arc_switch, names)),
        ]
        self.wdat_re = template_regex(tmpl.wdat_decl, names)
        self.decls: dict[str, str] = {}
        self.pos: list[np.ndarray] = []
        self.quat: list[np.ndarray] = []
        self.arc: list[bool] = []
        self.wdat: list[str] = []
        self.speed: list[float] = []
        self.tool_frame = self.base_frame = ""

    def _load_dat(self, src: Path) -> None:
        dat = src.with_suffix(".dat")
        if not dat.is_file():
            raise DataError("the .dat beside the .src is missing", where=str(dat))
        for line in dat.read_text(encoding="utf-8").splitlines():
            m = _DECL.match(line)
            if m:
                self.decls[m.group(2).upper()] = line.strip()

    def _fields(self, name: str) -> dict[str, float]:
        line = self.decls.get(name.upper())
        if line is None:
            raise DataError(f"no declaration of {name} in the .dat", where=str(self.src))
        body = line[line.index("=") + 1 :]
        return {k.upper(): float(v) for k, v in _FIELD.findall(body)}

    def _point(self, name: str, on: bool, wdat: str, speed: float) -> None:
        f = self._fields(name)
        self.pos.append(np.array([f["X"], f["Y"], f["Z"]]) / 1000.0)
        self.quat.append(kuka_abc_deg_to_quat_xyzw(np.array([f["A"], f["B"], f["C"]]))[0])
        self.arc.append(on)
        self.wdat.append(wdat)
        self.speed.append(speed)

    def walk(self, src: Path, depth: int = 0) -> None:
        self._load_dat(src)
        text = src.read_text(encoding="utf-8")
        body = re.search(r"^\s*DEF\s+\w+\s*\(\s*\)(.*)^\s*END\s*$", text, re.S | re.M | re.I)
        if body is None:
            raise DataError("no DEF name( ) ... END", where=str(src))
        s = body.group(1)
        i = 0
        vel_cp = 0.0
        while i < len(s):
            while i < len(s) and s[i].isspace():
                i += 1
            if i >= len(s):
                break
            for kind, rx in self.blocks:
                m = rx.match(s, i)
                if m:
                    point, wdat = m.group("point"), m.group("wdat")
                    speed = vel_cp * 1000.0 if kind == "on" else self._weld_speed(wdat)
                    self._point("X" + point, True, wdat, speed)
                    i = m.end()
                    break
            else:
                end = s.find("\n", i)
                line = s[i : end if end >= 0 else len(s)].strip()
                i = end + 1 if end >= 0 else len(s)
                self._line(line, src, depth, vel_cp)
                vm = re.match(r"\$VEL\.CP\s*=\s*(-?\d+(?:\.\d+)?)", line, re.I)
                if vm:
                    vel_cp = float(vm.group(1))

    def _line(self, line: str, src: Path, depth: int, vel_cp: float) -> None:
        if not line or line.startswith(";"):
            return
        mm = re.match(rf"(PTP|LIN)\s+({IDENT})", line, re.I)
        if mm:
            target = mm.group(2)
            if mm.group(1).upper() == "PTP" and target.upper().startswith("XJ"):
                target = "XP" + target[2:]
            self._point(target, False, "", vel_cp * 1000.0 if mm.group(1).upper() == "LIN" else 0.0)
            return
        fm = re.match(r"\$(TOOL|BASE)\s*=\s*(\w+)", line, re.I)
        if fm:
            if fm.group(1).upper() == "TOOL":
                self.tool_frame = fm.group(2)
            else:
                self.base_frame = fm.group(2)
            return
        cm = re.fullmatch(rf"({IDENT})\s*\(\s*\)", line)
        if cm:
            sub = src.parent / f"{cm.group(1)}.src"
            if not sub.is_file():
                sub = next(
                    (p for p in src.parent.glob("*.src") if p.stem.lower() == cm.group(1).lower()), sub
                )
            if not sub.is_file() or depth > 4:
                raise DataError(
                    f"sub-program {cm.group(1)} is called but {sub.name} is missing", where=str(src)
                )
            self.walk(sub, depth + 1)

    def _weld_speed(self, wdat: str) -> float:
        return self._weld(wdat)[1]

    def _weld(self, wdat: str) -> tuple[dict[str, str], float]:
        line = self.decls.get(wdat.upper())
        if line is None:
            raise DataError(f"no declaration of weld data {wdat}", where=str(self.src))
        m = self.wdat_re.fullmatch(line)
        if m is None:
            raise DataError(
                f"{wdat} does not follow the template's wdat_decl; pass template=", where=str(self.src)
            )
        vals = m.groupdict()
        speed = (
            float(vals["weld_speed_m_s"]) * 1000.0
            if "weld_speed_m_s" in vals
            else float(vals.get("weld_speed_mm_s", 0))
        )
        return vals, speed

    def program(self, robot: RobotSpec | None) -> WeldProgram:
        self.walk(self.src)
        if not self.pos:
            raise DataError("the program is empty: it has no motion points", where=str(self.src))
        pos, quat = np.array(self.pos), np.array(self.quat)
        arc = np.array(self.arc)
        if pos.shape[0] > 1 and arc[1] and not arc[0] and np.allclose(pos[0], pos[1]):
            pos, quat, arc = pos[1:], quat[1:], arc[1:]
            self.wdat, self.speed = self.wdat[1:], self.speed[1:]
        t = times_from_moves(pos[0], pos, np.zeros(len(pos)), np.array(self.speed))
        tool, work = Pose(), Pose()
        if self.tool_frame:
            tool = self._pose(self.tool_frame)
        if self.base_frame:
            work = self._pose(self.base_frame)
            pos, quat = work_to_base(pos, quat, np.asarray(work.position_m), np.asarray(work.quat_xyzw))
        segments: list[Segment] = []
        a = 0
        for i in range(1, arc.size + 1):
            if i < arc.size and arc[i] == arc[a] and self.wdat[i] == self.wdat[a]:
                continue
            if arc[a]:
                proc, weave = self._process(self.wdat[a])
                segments.append(Segment("weld", a, i, proc, weave, weave_in_points=weave is None))
            else:
                segments.append(Segment("air", a, i))
            a = i
        return WeldProgram(
            name=self.src.stem,
            robot=robot_for([], robot, str(self.src)),
            t_s=t,
            q_rad=None,
            tcp_pos_m=pos,
            tcp_quat_xyzw=quat,
            arc_on=arc,
            segments=tuple(segments),
            tool=tool,
            work_frame=work,
            provenance=Provenance(source=f"file:{self.src.name}"),
        )

    def _pose(self, name: str) -> Pose:
        f = self._fields(name)
        q = kuka_abc_deg_to_quat_xyzw(np.array([f["A"], f["B"], f["C"]]))[0]
        return Pose((f["X"] / 1000.0, f["Y"] / 1000.0, f["Z"] / 1000.0), tuple(q))  # type: ignore[arg-type]

    def _process(self, wdat: str) -> tuple[ProcessData, WeaveData | None]:
        vals, speed = self._weld(wdat)
        num = {k: float(v) for k, v in vals.items() if re.fullmatch(r"-?\d+(?:\.\d+)?", v)}
        wfs = num.get("wire_feed_m_min", num.get("wire_feed_mm_s", 0.0) * 0.06)
        proc = ProcessData(
            wfs,
            num.get("voltage_v", 0.0),
            num.get("travel_speed_mm_s", speed),
            num.get("wire_diameter_mm", 1.2),
        )
        patterns = {v: k for k, v in self.tmpl.weave_patterns.items()}
        pattern = patterns.get(vals.get("weave_pattern", "#None"))
        if pattern is None or num.get("weave_length_mm", 0.0) <= 0.0:
            return proc, None
        width = 2.0 * num["weave_amplitude_mm"] if "weave_amplitude_mm" in num else num["weave_width_mm"]
        weave = WeaveData(
            pattern,  # type: ignore[arg-type]
            width,
            speed / num["weave_length_mm"],
            num.get("dwell_left_s", 0.0),
            num.get("dwell_centre_s", 0.0),
            num.get("dwell_right_s", 0.0),
        )
        return proc, weave
