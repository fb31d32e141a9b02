"""`weldcraft export`: a weld (checkpoint, Craftsman, dataset episode, recording, program) → robot programs.

Parses the config, extracts the weld (`weldcraft.export.extract`), writes every format at once
(`weldcraft.export.export_weld_results`: validated in the cell, all or nothing) and prints what it wrote.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from weldcraft.cli.app import RunContext, command
from weldcraft.errors import ConfigError

SOURCES = ("checkpoint", "craftsman", "dataset", "recording", "program")


def resolve_source(cfg: DictConfig) -> str:
    """The weld's source: `source`, else the first of checkpoint/dataset/recording/program given."""
    if cfg.source is not None:
        src = str(cfg.source)
        if src not in SOURCES:
            raise ConfigError(
                f"unknown source {src!r}; choose one of: {', '.join(SOURCES)}", where="key 'source'"
            )
        if src != "craftsman" and not cfg.get(src):
            raise ConfigError(f"source={src} needs {src}=...", where=f"key '{src}'")
        return src
    given = [k for k in ("checkpoint", "dataset", "recording", "program") if cfg.get(k)]
    if len(given) > 1:
        raise ConfigError(
            f"several sources given ({', '.join(given)}); pass one, or source=", where="key 'source'"
        )
    return given[0] if given else "craftsman"


def seam_job(cfg: DictConfig, required: bool) -> Any:
    """The WeldJob of `seam=` (with `process.*` overrides), or None when no seam was given."""
    from weldcraft.cli.jobs import job_from_config

    if cfg.get("seam") is None and not cfg.get("seam_file"):
        if required:
            raise ConfigError(
                "missing; give the part, e.g. seam=tiny_fillet or seam=part.yaml", where="key 'seam'"
            )
        return None
    return job_from_config(cfg)


def output_dir(cfg: DictConfig) -> Path:
    """`out`, else outputs/<date>/<time>/ (not created here: a refused export leaves nothing)."""
    if cfg.out:
        return Path(str(cfg.out))
    now = _dt.datetime.now()
    return Path("outputs") / now.strftime("%Y-%m-%d") / now.strftime("%H-%M-%S")


def extract(cfg: DictConfig, src: str, job: Any, config_hash: str) -> Any:
    """The WeldProgram of the configured source."""
    from weldcraft.export import extract as ex
    from weldcraft.export import read_program

    seed = None if cfg.seed is None else int(cfg.seed)
    name = None if cfg.name is None else str(cfg.name)
    if src == "checkpoint":
        return ex.program_from_checkpoint(
            str(cfg.checkpoint), job, seed, cfg.control_hz, name=name, config_hash=config_hash
        )
    if src == "craftsman":
        return ex.program_from_craftsman(
            job,
            str(cfg.skill),
            str(cfg.style),
            seed,
            craftsman_seed=int(cfg.craftsman_seed),
            control_hz=float(cfg.control_hz or ex.DEFAULT_CONTROL_HZ),
            name=name,
            config_hash=config_hash,
        )
    if src == "dataset":
        if int(cfg.episode) < 0:
            raise ConfigError(f"expected an episode index >= 0, got {cfg.episode}", where="key 'episode'")
        return ex.program_from_dataset(str(cfg.dataset), int(cfg.episode), name=name, config_hash=config_hash)
    if src == "recording":
        return ex.program_from_recording(str(cfg.recording), job, seed, name=name, config_hash=config_hash)
    program = read_program(Path(str(cfg.program)))
    return program if name is None else program.renamed(name)


@command(
    "export",
    "a weld (checkpoint, Craftsman, dataset, program) to RAPID, KRL, URScript, FANUC, ROS 2, CSV, JSON",
    "export",
    needs_out_dir=False,
)
def export_cmd(cfg: DictConfig, ctx: RunContext) -> int:
    from weldcraft.export import ExportOptions, export_weld_results

    src = resolve_source(cfg)
    job = seam_job(cfg, required=src in ("craftsman", "recording"))
    formats = [str(cfg.format)] if cfg.format else [str(f) for f in cfg.formats]
    tol_mm, tol_deg = float(cfg.tolerance.position_mm), float(cfg.tolerance.orientation_deg)
    for key, value in (("position_mm", tol_mm), ("orientation_deg", tol_deg)):
        if not value > 0.0:
            raise ConfigError(f"expected a tolerance > 0, got {value}", where=f"key 'tolerance.{key}'")
    if float(cfg.fidelity_tol_mm) < 0.0:
        raise ConfigError(f"expected >= 0, got {cfg.fidelity_tol_mm}", where="key 'fidelity_tol_mm'")
    out = output_dir(cfg)
    program = extract(cfg, src, job, ctx.config_hash)
    options = ExportOptions(tol_mm=tol_mm, tol_deg=tol_deg)
    seed = None if cfg.seed is None else int(cfg.seed)
    result = export_weld_results(
        program,
        out,
        formats,
        template=None if cfg.template is None else str(cfg.template),
        force=bool(cfg.force),
        name=None if cfg.name is None else str(cfg.name),
        job=job,
        seed=seed if job is not None else None,
        options=options,
        cell_checks=bool(cfg.cell_checks),
        fidelity_tol_mm=float(cfg.fidelity_tol_mm),
        meta=ctx.meta(),
    )
    _write_config(out, cfg, ctx)
    print(
        f"{program.name}: {program.n_points} points, {program.duration_s:.2f} s, "
        f"from {program.provenance.source}"
    )
    for fmt, res in result.results.items():
        files = ", ".join(str(p) for p in res.paths if not p.name.endswith(".validation.txt"))
        print(f"  {fmt:<9} {res.program.n_points:>5} points  {files}")
    for line in result.warnings:
        print(f"weldcraft: warning: {line}")
    print(f"wrote {result.manifest}")
    return 0


def _write_config(out: Path, cfg: DictConfig, ctx: RunContext) -> None:
    from weldcraft.fileio import write_text_atomic

    write_text_atomic(out / "config.yaml", OmegaConf.to_yaml(cfg) + f"# config_hash: {ctx.config_hash}\n")
