"""Export and import: validate → prepare (weave, simplify) → split → emit → write atomically; read back.

`export_program` is what `weldcraft export` calls. Nothing is written unless every check passes, or the
caller forces it; some failures cannot be forced because the file itself would be unreadable or wrong
(non-finite numbers, non-increasing time, invalid names, missing joint data for a joint-only format, an
arc-on section longer than the controller's program limit).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from weldcraft.errors import DataError
from weldcraft.export.densify import densify_program
from weldcraft.export.formats.base import EXPORTERS, EmitJob, Exporter
from weldcraft.export.program import Segment, WeldProgram
from weldcraft.export.records import RobotSpec, WeaveData
from weldcraft.export.simplify import DEFAULT_TOL_DEG, DEFAULT_TOL_MM, simplify_program
from weldcraft.export.templates import load_template
from weldcraft.export.validate import (
    CollisionCheck,
    ExportRefused,
    ForwardKinematics,
    Issue,
    ValidationOptions,
    ValidationReport,
    validate_program,
)
from weldcraft.export.weave import detect_weave
from weldcraft.export.writer import write_files_atomic
from weldcraft.types import PathLikeStr

log = logging.getLogger(__name__)

UNFORCEABLE = frozenset({"non_finite", "time", "name", "joints_missing", "program_length"})


@dataclass(frozen=True)
class ExportOptions:
    """How a program is prepared for a controller.

    Attributes:
        tol_mm / tol_deg: simplification tolerance (position mm, orientation deg) at the same time.
        simplify: reduce points for Cartesian controllers (RAPID, KRL, FANUC, URScript).
        native_weave: give controllers with native weaving the base path + weave parameters when the
            detected weave reproduces the motion within `weave_max_rms_mm`.
        densify_dt_s: sampling period used when a native-weave program goes to a dense-only format.
        validation: thresholds of the validation checks.
    """

    tol_mm: float = DEFAULT_TOL_MM
    tol_deg: float = DEFAULT_TOL_DEG
    simplify: bool = True
    native_weave: bool = True
    weave_max_rms_mm: float = 0.25
    densify_dt_s: float = 0.01
    validation: ValidationOptions = field(default_factory=ValidationOptions)


@dataclass(frozen=True)
class ExportResult:
    """What `export_program` wrote: the paths, the report, and the program as written."""

    paths: tuple[Path, ...]
    report: ValidationReport
    program: WeldProgram
    parts: tuple[tuple[int, int], ...]


def get_exporter(fmt: str) -> Exporter:
    """The exporter registered as `fmt` (a `UserError` names the choices for an unknown name)."""
    import weldcraft.export.formats  # noqa: F401  (registers the formats)

    return EXPORTERS.get(fmt)()


def resolve_template(exporter: Exporter, template: Any) -> Any:
    """A template object from None (shipped default), a path, or a template object."""
    if template is None or isinstance(template, (str, Path)):
        return load_template(exporter.template_cls, exporter.format, template)
    if not isinstance(template, exporter.template_cls):
        raise TypeError(f"template for {exporter.format} must be a {exporter.template_cls.__name__}")
    return template


def extract_native_weave(
    program: WeldProgram, supports: Callable[[WeaveData], bool], max_rms_mm: float
) -> WeldProgram:
    """Replace dense weaving weld segments by base path + weave data where a supported weave is detected."""
    pos = np.array(program.tcp_pos_m)
    quat = np.array(program.tcp_quat_xyzw)
    segments: list[Segment] = []
    changed = False
    for seg in program.segments:
        if not seg.is_weld or seg.native_weave:
            segments.append(seg)
            continue
        sl = slice(seg.start, seg.stop)
        fit = detect_weave(program.t_s[sl], pos[sl], quat[sl], max_rms_mm=max_rms_mm)
        if fit is None or not supports(fit.weave):
            if fit is not None:
                log.info(
                    "weave %s at points %d..%d is not native here; kept dense",
                    fit.weave.pattern,
                    seg.start,
                    seg.stop,
                )
            segments.append(seg)
            continue
        pos[sl] = fit.base_pos_m
        quat[sl] = fit.base_quat_xyzw
        segments.append(Segment("weld", seg.start, seg.stop, seg.process, fit.weave, weave_in_points=False))
        changed = True
    if not changed:
        return program
    return WeldProgram(
        name=program.name,
        robot=program.robot,
        t_s=program.t_s,
        q_rad=program.q_rad,
        tcp_pos_m=pos,
        tcp_quat_xyzw=quat,
        arc_on=program.arc_on,
        segments=tuple(segments),
        tool=program.tool,
        work_frame=program.work_frame,
        base_frame=program.base_frame,
        provenance=program.provenance,
    )


def prepare_program(
    program: WeldProgram, fmt: str, options: ExportOptions | None = None, template: Any = None
) -> WeldProgram:
    """The program as `fmt` will carry it: native weave extracted or densified, then simplified."""
    opt = options or ExportOptions()
    exporter = get_exporter(fmt)
    caps = exporter.caps
    out = program
    if any(
        s.native_weave and (s.weave is None or not exporter.supports_weave(s.weave)) for s in out.segments
    ):
        out = densify_program(out, opt.densify_dt_s)
    if caps.native_weave and opt.native_weave:
        out = extract_native_weave(out, exporter.supports_weave, opt.weave_max_rms_mm)
    if caps.simplify and opt.simplify:
        tmpl = resolve_template(exporter, template)
        out = simplify_program(out, opt.tol_mm, opt.tol_deg, keep_welds=exporter.dense_welds(tmpl, out))
    return out


def split_parts(
    program: WeldProgram, max_points: int | None
) -> tuple[tuple[tuple[int, int], ...], list[Issue]]:
    """Point ranges of at most `max_points` points, cut only where the arc is off on one side of the cut.

    Returns (parts, issues); an arc-on run longer than the limit is an error issue (and one part).
    """
    n = program.n_points
    if not max_points or n <= max_points:
        return ((0, n),), []
    arc = program.arc_on
    allowed = np.flatnonzero(~(arc[1:] & arc[:-1])) + 1  # cut before point c
    parts: list[tuple[int, int]] = []
    start = 0
    while n - start > max_points:
        candidates = allowed[(allowed > start) & (allowed <= start + max_points)]
        if candidates.size == 0:
            nxt = allowed[allowed > start]
            stop = int(nxt[0]) if nxt.size else n
            run = arc[start:stop]
            first_on = start + int(np.argmax(run))
            issue = Issue(
                "program_length",
                "error",
                f"the arc-on section from point {first_on} to {stop - 1} needs {stop - start} points in one "
                f"program but the controller takes {max_points}; raise max_points_per_program in the "
                "template or simplify with a larger tolerance",
                first_on,
                float(program.t_s[first_on]),
            )
            return ((0, n),), [issue]
        cut = int(candidates[-1])
        parts.append((start, cut))
        start = cut
    parts.append((start, n))
    return tuple(parts), []


def export_program(
    program: WeldProgram,
    fmt: str,
    out_dir: PathLikeStr,
    *,
    name: str | None = None,
    template: Any = None,
    options: ExportOptions | None = None,
    force: bool = False,
    collision_check: CollisionCheck | None = None,
    fk: ForwardKinematics | None = None,
) -> ExportResult:
    """Validate `program`, prepare it for `fmt` and write it under `out_dir`.

    Args:
        program: the program (dense samples from a rollout, or any WeldProgram).
        fmt: "csv", "fanuc", "json", "krl", "rapid", "ros2" or "urscript".
        out_dir: output directory (created if needed).
        name: program/module name (default: program.name); must be valid for the controller.
        template: per-cell template (path, object, or None for configs/export/templates/<fmt>.yaml).
        force: write even if motion checks fail; the report is then written beside the program.
        collision_check: optional hook (the env's) reporting points in collision.
        fk: optional forward kinematics to check joints against TCP poses.

    Raises:
        ExportRefused: validation failed (nothing written); `.report` lists the failures.
    """
    opt = options or ExportOptions()
    exporter = get_exporter(fmt)
    caps = exporter.caps
    tmpl = resolve_template(exporter, template)
    prog_name = name if name is not None else program.name
    if caps.uppercase_names:
        prog_name = prog_name.upper()
    report = validate_program(
        program, target=fmt, options=opt.validation, collision_check=collision_check, fk=fk
    )
    extra = caps.name_issues(prog_name)
    if caps.needs_joints and program.q_rad is None:
        extra.append(
            Issue(
                "joints_missing",
                "error",
                f"{caps.label} carries joint positions; this program has none (pass an IK-solved program)",
            )
        )
    if not report.ok and report.checks_failed() & {"non_finite", "time"}:
        raise ExportRefused(report.merged(extra))
    prepared = prepare_program(program, fmt, opt, tmpl).renamed(prog_name)
    max_points = getattr(tmpl, "max_points_per_program", 0) or caps.default_max_points
    parts, split_issues = split_parts(prepared, max_points)
    extra += split_issues
    for part_name in exporter.part_names(prog_name, len(parts)):
        extra += caps.name_issues(part_name, "sub-program name")
    report = report.merged(extra)
    if not report.ok and (not force or report.checks_failed() & UNFORCEABLE):
        raise ExportRefused(report)
    files = exporter.emit(EmitJob(prepared, prog_name, parts, tmpl))
    if report.issues:
        files[f"{prog_name}.validation.txt"] = report.text()
    paths = write_files_atomic(out_dir, files)
    log.info(
        "wrote %s program %s: %d file(s), %d point(s), %d part(s)",
        fmt,
        prog_name,
        len(paths),
        prepared.n_points,
        len(parts),
    )
    return ExportResult(tuple(paths), report, prepared, parts)


FORMAT_BY_SUFFIX = {
    ".mod": "rapid",
    ".modx": "rapid",
    ".src": "krl",
    ".dat": "krl",
    ".script": "urscript",
    ".ls": "fanuc",
    ".mcap": "ros2",
    ".yaml": "ros2",
    ".yml": "ros2",
    ".csv": "csv",
    ".json": "json",
}


def detect_format(path: Path) -> str:
    """The format of a file or directory, from its suffix, else from its content."""
    if path.is_dir():
        if (path / "metadata.yaml").is_file():
            return "ros2"
        raise DataError(
            "a directory is only readable as a ROS 2 bag (metadata.yaml missing)", where=str(path)
        )
    fmt = FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is not None:
        return fmt
    import weldcraft.export.formats  # noqa: F401

    head = path.read_text(encoding="utf-8", errors="replace")[:4096]
    for candidate in SNIFF_ORDER:
        if EXPORTERS.get(candidate)().sniff(path, head):
            return candidate
    raise DataError(f"cannot tell the program format of {path.name!r}; pass format=", where=str(path))


SNIFF_ORDER = ("json", "ros2", "rapid", "krl", "fanuc", "urscript", "csv")


def read_program(
    path: PathLikeStr, *, fmt: str | None = None, template: Any = None, robot: RobotSpec | None = None
) -> WeldProgram:
    """Read a program file (or ROS 2 bag directory) written by an exporter back into a WeldProgram.

    Args:
        path: the file (.mod, .src, .script, .ls, .csv, .json, .yaml) or bag directory / .mcap.
        fmt: the format, when the suffix and content do not tell.
        template: the per-cell template the file was written with (default: the shipped one).
        robot: the robot's limits and joint names, for formats that do not carry them (default: the
            generic arc welder of DESIGN §3, with the file's joint names where it has them).

    Native weave stays as parameters on its segments (`Segment.native_weave`); call
    `weldcraft.export.densify_program` for the dense motion a replay needs.
    """
    p = Path(path)
    if not p.exists():
        raise DataError("no such program file", where=str(p))
    name = fmt or detect_format(p)
    exporter = get_exporter(name)
    tmpl = resolve_template(exporter, template)
    try:
        return exporter.read(p, tmpl, robot)
    except DataError as exc:
        if exc.where is None:
            raise DataError(exc.message, where=str(p)) from None
        raise
    except (ValueError, IndexError, KeyError) as exc:
        raise DataError(f"cannot read the {name} program: {exc}", where=str(p)) from None
