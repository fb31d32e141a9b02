"""`weldcraft replay program=FILE [seam=...] [seed=N]`: run a robot program in the cell and grade the weld.

Reads any format the exporters write (`weldcraft.export.read_program`), replays it in the cell
(`weldcraft.regress.replay_program`: the program's TCP path through the env's IK, limits, collisions and
process model) and prints the ISO 5817 level, the quality score, the imperfections and how closely the
robot followed the program (TCP path RMS, executed vs programmed at the same times). Writes replay.json.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf

from weldcraft.cli.app import RunContext, command
from weldcraft.errors import ConfigError, DataError

#: Imperfections printed (worst first); replay.json holds them all.
MAX_PRINTED = 8


def _job(cfg: DictConfig, program: Any) -> Any:
    """The part: `seam=` (with process overrides), else the job the program's provenance names."""
    from weldcraft.cli.jobs import job_from_config
    from weldcraft.seams import load_job

    if cfg.get("seam") is not None or cfg.get("seam_file"):
        return job_from_config(cfg)
    name = dict(program.provenance.extra).get("job")
    if not name:
        raise ConfigError(
            "missing; the program does not name its part: give it, e.g. seam=tiny_fillet or seam=part.yaml",
            where="key 'seam'",
        )
    return load_job(name)


def _template(cfg: DictConfig, fmt: str) -> Any:
    if cfg.template is None:
        return None
    p = Path(str(cfg.template))
    return p / f"{fmt}.yaml" if p.is_dir() and (p / f"{fmt}.yaml").is_file() else (None if p.is_dir() else p)


def replay_summary(result: Any, program: Any) -> dict[str, Any]:
    """What the CLI prints and writes: grade, imperfections, path following."""
    weld = result.weld
    return {
        "program": program.name,
        "iso5817_level": weld.get("iso5817_level"),
        "quality_score": float(weld.get("quality_score", float("nan"))),
        "heat_input_kj_mm": weld.get("heat_input_kj_mm"),
        "completed": weld.get("completed"),
        "termination_reason": result.termination_reason,
        "tcp_path_rms_mm": result.tracking_rms_mm,
        "tcp_path_max_mm": float(
            np.max(np.linalg.norm(result.tcp_pos_base_m - result.target_pos_base_m, axis=1)) * 1000.0
        )
        if len(result.t_s)
        else 0.0,
        "clipped_steps": int(result.clipped_steps),
        "steps": len(result.t_s),
        "imperfections": list(weld.get("imperfections", [])),
    }


@command(
    "replay",
    "run a robot program (any exported format) in the cell and grade the weld",
    "replay",
    needs_out_dir=False,
)
def replay_cmd(cfg: DictConfig, ctx: RunContext) -> int:
    from weldcraft.export import read_program
    from weldcraft.export.pipeline import detect_format
    from weldcraft.fileio import write_text_atomic
    from weldcraft.regress import replay_program
    from weldcraft.regress.checks import level_text
    from weldcraft.regress.iso6520 import iso6520_name

    if not cfg.program:
        raise ConfigError(
            "missing; give a program file, e.g. program=out/rapid/weld.mod", where="key 'program'"
        )
    if not 1.0 <= float(cfg.control_hz) <= 1000.0:
        raise ConfigError(f"expected 1..1000 Hz, got {cfg.control_hz}", where="key 'control_hz'")
    path = Path(str(cfg.program))
    if not path.exists():
        raise DataError("no such program file", where=str(path))
    fmt = str(cfg.format) if cfg.format else detect_format(path)
    program = read_program(path, fmt=fmt, template=_template(cfg, fmt))
    job = _job(cfg, program)
    seed = None if cfg.seed is None else int(cfg.seed)
    result = replay_program(program, job, seed=seed, control_hz=float(cfg.control_hz))
    summary = replay_summary(result, program) | {
        "file": str(path),
        "format": fmt,
        "job": job.name,
        "seed": seed,
    }
    summary |= ctx.meta()
    print(f"{path} ({fmt}) on {job.name}{'' if seed is None else f', seed {seed}'}:")
    print(
        f"  ISO 5817 level {level_text(summary['iso5817_level'])}, quality {summary['quality_score']:.3f}, "
        f"{result.termination_reason}"
    )
    print(
        f"  TCP path vs program: {summary['tcp_path_rms_mm']:.3f} mm RMS, "
        f"{summary['tcp_path_max_mm']:.3f} mm max"
        f" over {summary['steps']} steps ({summary['clipped_steps']} clipped)"
    )
    rank = {None: 0, "D": 1, "C": 2, "B": 3}  # worst first: beyond D, then D, C, B
    imps = sorted(summary["imperfections"], key=lambda i: rank.get(i.get("level"), 0))
    for imp in imps[:MAX_PRINTED]:
        code = str(imp.get("iso6520_code", "?"))
        size = f"{float(imp.get('size_mm', 0.0)):.3f} {imp.get('unit', 'mm')}"
        print(
            f"  {code} {iso6520_name(code)} (side {imp.get('side', '-')}): {size} "
            f"at s={float(imp.get('s_mm', 0.0)):.1f} mm, level {imp.get('level') or 'none'}"
        )
    if len(imps) > MAX_PRINTED:
        print(f"  ... {len(imps) - MAX_PRINTED} more in replay.json")
    out = (
        Path(str(cfg.out)) if cfg.out else Path("outputs") / _dt.datetime.now().strftime("%Y-%m-%d/%H-%M-%S")
    )
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / "replay.json", json.dumps(summary, indent=1, default=str) + "\n")
    write_text_atomic(out / "config.yaml", OmegaConf.to_yaml(cfg) + f"# config_hash: {ctx.config_hash}\n")
    print(f"wrote {out / 'replay.json'}")
    return 0
