"""CSV and JSON: the dense, time-stamped program for any tool (and the IR itself).

CSV: one row per point, ``#`` comment lines on top (provenance; read with ``pandas.read_csv(path,
comment="#")``), then the header

    t_s, segment, arc_on, x_mm, y_mm, z_mm, qx, qy, qz, qw, <joint>_rad ..., wire_feed_m_min, voltage_v,
    travel_speed_mm_s, wire_diameter_mm

Positions in mm (``%.3f``) in the robot base frame, quaternions [x, y, z, w] (9 decimals), joints in rad
(9 decimals), process columns empty where the arc is off. `segment` numbers the segments so that process
changes survive the round trip.

JSON: the WeldProgram IR document (`weldcraft.export.ir_json`), lossless up to its fixed-point precision.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from weldcraft.errors import DataError
from weldcraft.export.formats.base import EXPORTERS, BaseTemplate, EmitJob, Exporter, header_lines
from weldcraft.export.ir_json import load_program_json, program_to_json
from weldcraft.export.numfmt import fixed_rows, fixed_table
from weldcraft.export.program import Segment, WeldProgram
from weldcraft.export.records import ProcessData, Provenance, RobotSpec, WeaveData

PROCESS_COLUMNS = ("wire_feed_m_min", "voltage_v", "travel_speed_mm_s", "wire_diameter_mm")


@dataclass(frozen=True)
class CsvTemplate(BaseTemplate):
    """CSV options: the field delimiter."""

    delimiter: str = ","


@dataclass(frozen=True)
class JsonTemplate(BaseTemplate):
    """JSON has no options; the template exists so that every format loads one the same way."""


def robot_for(names: list[str], robot: RobotSpec | None, where: str) -> RobotSpec:
    """The given robot (its joint names must match), or the generic arc welder renamed to `names`."""
    if robot is not None:
        if names and list(robot.joint_names) != names:
            raise DataError(
                f"the file's joints {names} differ from robot {robot.name}'s {list(robot.joint_names)}",
                where=where,
            )
        return robot
    generic = RobotSpec.generic_arc_welder()
    if not names or len(names) == generic.n_joints:
        from dataclasses import replace

        return replace(generic, joint_names=tuple(names)) if names else generic
    raise DataError(f"the file has {len(names)} joints; pass robot= with their limits", where=where)


@EXPORTERS.register("csv")
class CsvExporter(Exporter):
    format = "csv"
    template_cls = CsvTemplate
    extensions = (".csv",)

    def emit(self, job: EmitJob) -> dict[str, str | bytes]:
        prog = job.program
        tmpl: CsvTemplate = job.template
        d = tmpl.delimiter
        joints = [f"{n}_rad" for n in prog.robot.joint_names] if prog.q_rad is not None else []
        head = [
            "t_s",
            "segment",
            "arc_on",
            "x_mm",
            "y_mm",
            "z_mm",
            "qx",
            "qy",
            "qz",
            "qw",
            *joints,
            *PROCESS_COLUMNS,
        ]
        seg_idx = np.zeros(prog.n_points, dtype=np.int64)
        proc_txt = [[""] * 4 for _ in range(len(prog.segments))]
        for k, s in enumerate(prog.segments):
            seg_idx[s.start : s.stop] = k
            if s.process is not None:
                p = s.process
                proc_txt[k] = fixed_rows(
                    np.array([[p.wire_feed_m_min, p.voltage_v, p.travel_speed_mm_s, p.wire_diameter_mm]]), 3
                )[0]
        t_txt = fixed_table(prog.t_s[:, None], 6)
        cols = [prog.tcp_pos_m * 1000.0, prog.tcp_quat_xyzw]
        dec = [3, 3, 3, 9, 9, 9, 9]
        if prog.q_rad is not None:
            cols.append(np.asarray(prog.q_rad))
            dec += [9] * prog.q_rad.shape[1]
        rest = fixed_table(np.hstack(cols), dec, d)
        proc_line = [d.join(p) for p in proc_txt]
        lines = [f"# {line}" for line in header_lines(prog, "csv")]
        lines.append(f"# name: {job.name}")
        lines.append(d.join(head))
        arc = prog.arc_on.tolist()
        seg_list = seg_idx.tolist()
        lines += [
            f"{t_txt[i]}{d}{seg_list[i]}{d}{1 if arc[i] else 0}{d}{rest[i]}{d}{proc_line[seg_list[i]]}"
            for i in range(prog.n_points)
        ]
        return {f"{job.name}.csv": "\n".join(lines) + "\n"}

    def read(self, path: Path, template: CsvTemplate, robot: RobotSpec | None) -> WeldProgram:
        text = path.read_text(encoding="utf-8")
        name = path.stem
        body = []
        for line in text.splitlines():
            if line.startswith("# name: "):
                name = line[len("# name: ") :].strip()
            elif not line.startswith("#") and line.strip():
                body.append(line)
        rows = list(csv.reader(io.StringIO("\n".join(body)), delimiter=template.delimiter))
        if not rows:
            raise DataError("the CSV has no header", where=str(path))
        head, data = rows[0], rows[1:]
        need = ["t_s", "segment", "arc_on", "x_mm", "y_mm", "z_mm", "qx", "qy", "qz", "qw", *PROCESS_COLUMNS]
        missing = [c for c in need if c not in head]
        if missing:
            raise DataError(f"missing column(s) {', '.join(missing)}", where=f"{path}:1")
        col = {c: i for i, c in enumerate(head)}
        joint_cols = [c for c in head if c.endswith("_rad")]
        if not data:
            raise DataError("the program is empty: it has no motion points", where=str(path))

        def num(c: str) -> np.ndarray:
            try:
                return np.array([float(r[col[c]]) for r in data])
            except (ValueError, IndexError):
                raise DataError(f"column {c!r} has a non-number", where=str(path)) from None

        seg_no = num("segment").astype(np.int64)
        arc = num("arc_on") > 0.5
        segments = []
        for k in np.unique(seg_no):
            idx = np.flatnonzero(seg_no == k)
            a, b = int(idx[0]), int(idx[-1]) + 1
            proc = None
            if arc[a]:
                r = data[a]
                try:
                    proc = ProcessData(*(float(r[col[c]]) for c in PROCESS_COLUMNS))
                except ValueError:
                    raise DataError(f"weld row {a + 1} has no process data", where=str(path)) from None
            segments.append(Segment("weld" if arc[a] else "air", a, b, proc))
        q = np.column_stack([num(c) for c in joint_cols]) if joint_cols else None
        return WeldProgram(
            name=name,
            robot=robot_for([c[: -len("_rad")] for c in joint_cols], robot, str(path)),
            t_s=num("t_s"),
            q_rad=q,
            tcp_pos_m=np.column_stack([num("x_mm"), num("y_mm"), num("z_mm")]) / 1000.0,
            tcp_quat_xyzw=np.column_stack([num("qx"), num("qy"), num("qz"), num("qw")]),
            arc_on=arc,
            segments=tuple(segments),
            provenance=Provenance(source=f"file:{path.name}"),
        )

    def sniff(self, path: Path, head: str) -> bool:
        return "t_s" in head and "x_mm" in head


@EXPORTERS.register("json")
class JsonExporter(Exporter):
    format = "json"
    template_cls = JsonTemplate
    extensions = (".json",)

    def supports_weave(self, weave: WeaveData) -> bool:
        # The IR document keeps weave parameters as they are (no detection: samples stay samples).
        return True

    def emit(self, job: EmitJob) -> dict[str, str | bytes]:
        return {f"{job.name}.json": program_to_json(job.program.renamed(job.name))}

    def read(self, path: Path, template: JsonTemplate, robot: RobotSpec | None) -> WeldProgram:
        return load_program_json(path)

    def sniff(self, path: Path, head: str) -> bool:
        return '"weldcraft.weld_program"' in head
