"""ABB RAPID modules (.mod) with RobotWare Arc instructions (the reader is `rapid_read`).

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

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from weldcraft.export.formats.base import (
    EXPORTERS,
    BaseTemplate,
    EmitJob,
    Exporter,
    arc_start_flags,
    arc_values,
    header_lines,
    targets_in_work,
    vendor_joints_deg,
)
from weldcraft.export.numfmt import fixed, fixed_list, fixed_rows
from weldcraft.export.program import Segment, WeldProgram
from weldcraft.export.records import RobotSpec
from weldcraft.export.rotations import angle_between_deg, quat_xyzw_to_abb_wxyz
from weldcraft.export.templates import fill

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
        from weldcraft.export.formats.rapid_read import read_rapid

        return read_rapid(path, template, robot)

    def sniff(self, path: Path, head: str) -> bool:
        return bool(re.search(r"^\s*MODULE\s+\w+", head, re.M))
