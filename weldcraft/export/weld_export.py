"""Export one weld to several controllers at once, validated against the real cell, all or nothing.

``export_weld(program, out_dir, formats) -> {format: [paths]}`` is what `weldcraft export` and
`weldcraft run` call. Per format (`weldcraft.export.export_program`): validation (with the cell's forward
kinematics and collision query as hooks, `weldcraft.export.cell_checks`), native weave or dense points,
simplification within the tolerance, split, emit. Layout: ``out_dir/<format>/<files>`` (each format's
files and validation report stay apart) plus ``out_dir/export.json`` (what was written, the reports, the
provenance and the caller's config).

All formats are written into a staging folder inside `out_dir` and moved into place only when every
format passed (or `force`): a refused or failed export leaves nothing behind — not even `out_dir`, when
this call created it. A refusal raises one `ExportRefused` listing the failures of every format.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weldcraft.errors import ConfigError, UserError
from weldcraft.export.controllers import CONTROLLERS, sanitize_name
from weldcraft.export.pipeline import ExportOptions, ExportResult, export_program, get_exporter
from weldcraft.export.program import WeldProgram
from weldcraft.export.validate import ExportRefused, Issue, ValidationReport
from weldcraft.types import PathLikeStr

log = logging.getLogger(__name__)

#: Every format, in the order the CLI lists them.
ALL_FORMATS: tuple[str, ...] = ("rapid", "krl", "urscript", "fanuc", "ros2", "csv", "json")
MANIFEST = "export.json"
MANIFEST_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class WeldExport:
    """What `export_weld_results` wrote: per format its `ExportResult` (final paths), and the manifest."""

    out_dir: Path
    results: Mapping[str, ExportResult]
    manifest: Path
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def paths(self) -> dict[str, list[Path]]:
        return {fmt: list(r.paths) for fmt, r in self.results.items()}

    @property
    def warnings(self) -> list[str]:
        """Every issue of a written program (warnings, and errors that `force` let through), per format."""
        return [f"{fmt}: {i.line()}" for fmt, r in self.results.items() for i in r.report.issues]


def normalize_formats(formats: str | Sequence[str] | None) -> tuple[str, ...]:
    """Validated, de-duplicated format names (None or "all": every format)."""
    if formats is None or formats == "all":
        return ALL_FORMATS
    items = [formats] if isinstance(formats, str) else list(formats)
    if not items:
        raise ConfigError(f"no format given; choose from {', '.join(ALL_FORMATS)}", where="key 'formats'")
    out: list[str] = []
    for fmt in items:
        name = str(fmt).strip().lower()
        get_exporter(name)  # a UserError naming the choices
        if name not in out:
            out.append(name)
    return tuple(out)


def template_for(template: Any, fmt: str, n_formats: int) -> Any:
    """The template for `fmt`: None (shipped), a folder of `<format>.yaml`, a mapping, or one file/object."""
    if template is None:
        return None
    if isinstance(template, Mapping):
        return template.get(fmt)
    if isinstance(template, (str, Path)):
        p = Path(template)
        if p.is_dir():
            f = p / f"{fmt}.yaml"
            return f if f.is_file() else None
        if not p.is_file():
            raise ConfigError("no such template file or folder", where=str(p))
        if n_formats > 1:
            raise ConfigError(
                "one template file for several formats; pass a folder holding <format>.yaml files",
                where="key 'template'",
            )
        return p
    return template


def auto_name(program_name: str, fmt: str) -> str:
    """The program name for `fmt` when the caller gave none: the program's, made valid for the controller."""
    caps = CONTROLLERS[fmt]
    if not caps.name_issues(program_name.upper() if caps.uppercase_names else program_name):
        return program_name
    fixed = sanitize_name(program_name, caps)
    log.info("program name %r is not valid for %s; writing it as %r", program_name, caps.label, fixed)
    return fixed


def _hooks_job(program: WeldProgram, job: Any, seed: int | None) -> tuple[Any, int | None]:
    """The job (and part seed) the cell checks use: given, else the one the program's provenance names."""
    if job is not None:
        return job, seed
    extra = dict(program.provenance.extra)
    name = extra.get("job")
    if not name:
        return None, seed
    from weldcraft.seams import load_job

    try:
        found = load_job(name)
    except UserError:
        log.warning("program %s names job %r, which cannot be loaded: no cell checks", program.name, name)
        return None, seed
    if found.config_hash() != extra.get("job_hash", found.config_hash()):
        log.warning("job %r changed since program %s was made: no cell checks", name, program.name)
        return None, seed
    s = extra.get("seed", "")
    return found, (int(s) if s.lstrip("-").isdigit() else None)


def _combined_refusal(program: WeldProgram, refused: dict[str, ValidationReport]) -> ExportRefused:
    issues: list[Issue] = []
    for fmt, rep in refused.items():
        for i in rep.issues:
            issues.append(Issue(i.check, i.severity, f"[{fmt}] {i.message}", i.index, i.time_s, i.count))
    return ExportRefused(ValidationReport(program.name, ", ".join(refused), tuple(issues)))


def _move_into_place(staging: Path, out_dir: Path) -> None:
    for entry in sorted(staging.iterdir()):
        target = out_dir / entry.name
        if target.is_dir() and not target.is_symlink():
            trash = Path(tempfile.mkdtemp(prefix=".weldcraft-old-", dir=out_dir))
            os.replace(target, trash / entry.name)
            os.replace(entry, target)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(entry, target)


def export_weld_results(
    program: WeldProgram,
    out_dir: PathLikeStr,
    formats: str | Sequence[str] | None = None,
    template: Any = None,
    force: bool = False,
    *,
    name: str | None = None,
    job: Any = None,
    seed: int | None = None,
    options: ExportOptions | None = None,
    cell_checks: bool = True,
    meta: Mapping[str, Any] | None = None,
) -> WeldExport:
    """Validate and write `program` for every format in `formats`, all or nothing (module docstring).

    Args:
        program: the weld (e.g. from `program_from_checkpoint`).
        out_dir: output folder; each format goes to ``out_dir/<format>/``.
        formats: format names (default: all of `ALL_FORMATS`).
        template: None (shipped templates), a folder of `<format>.yaml`, a {format: path} mapping, or one
            template file when there is one format.
        force: write programs that fail forceable checks (the report is written beside them).
        name: program name for every format, used as given (refused if a controller rejects it); default:
            the program's name, made valid per controller (`sanitize_name`, logged).
        job / seed: the part for the cell checks (default: the one the program's provenance names).
        options: tolerances and weave settings (`ExportOptions`; default 0.1 mm / 0.1 deg).
        cell_checks: check reach/FK and collisions in the cell (needs the job); False skips them.
        meta: the caller's config and hash, stored in export.json.

    Raises:
        ExportRefused: a format failed validation; nothing was written.
        UserError: bad formats, template or output folder.
    """
    fmts = normalize_formats(formats)
    out = Path(out_dir)
    hooks = None
    hooks_job, hooks_seed = _hooks_job(program, job, seed) if cell_checks else (None, None)
    if hooks_job is not None:
        from weldcraft.export.cell_checks import CellChecks

        hooks = CellChecks(hooks_job, hooks_seed)
    elif cell_checks:
        log.warning("no job for program %s: reach/collision checks in the cell skipped", program.name)
    created = [d for d in (out, *out.parents) if not d.exists()]
    staging: Path | None = None
    try:
        for d in reversed(created):
            d.mkdir()
        staging = Path(tempfile.mkdtemp(prefix=".weldcraft-export-", dir=out))
        results: dict[str, ExportResult] = {}
        names: dict[str, str] = {}
        refused: dict[str, ValidationReport] = {}
        for fmt in fmts:
            names[fmt] = name if name is not None else auto_name(program.name, fmt)
            try:
                results[fmt] = export_program(
                    program,
                    fmt,
                    staging / fmt,
                    name=names[fmt],
                    template=template_for(template, fmt, len(fmts)),
                    options=options,
                    force=force,
                    collision_check=None if hooks is None else hooks.collision_check,
                    fk=None if hooks is None else hooks.fk,
                )
            except ExportRefused as exc:
                refused[fmt] = exc.report
        if refused:
            raise _combined_refusal(program, refused)
        manifest = {
            "format": "weldcraft-export",
            "schema_version": MANIFEST_SCHEMA_VERSION,
            "program": program.name,
            "provenance": {k: v for k, v in vars(program.provenance).items() if k != "extra"}
            | {"extra": dict(program.provenance.extra)},
            "cell_checks": hooks is not None,
            "forced": bool(force),
            "formats": {
                fmt: {
                    "name": names[fmt],
                    "files": [p.relative_to(staging).as_posix() for p in r.paths],
                    "points": r.program.n_points,
                    "parts": len(r.parts),
                    "report": json.loads(r.report.to_json()),
                }
                for fmt, r in results.items()
            },
            **({"meta": dict(meta)} if meta else {}),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, default=str) + "\n", encoding="utf-8")
        _move_into_place(staging, out)
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        for d in created:
            try:
                d.rmdir()
            except OSError:
                pass
        raise
    finally:
        if hooks is not None:
            hooks.close()
    staging.rmdir()
    final = {
        fmt: ExportResult(tuple(out / p.relative_to(staging) for p in r.paths), r.report, r.program, r.parts)
        for fmt, r in results.items()
    }
    return WeldExport(out, final, out / MANIFEST, names)


def export_weld(
    program: WeldProgram,
    out_dir: PathLikeStr,
    formats: str | Sequence[str] | None = None,
    template: Any = None,
    force: bool = False,
    **kwargs: Any,
) -> dict[str, list[Path]]:
    """`export_weld_results` returning only the written paths per format ({"rapid": [.../x.mod], ...})."""
    return export_weld_results(program, out_dir, formats, template, force, **kwargs).paths
