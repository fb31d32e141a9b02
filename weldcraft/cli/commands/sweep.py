"""`weldcraft sweep`: the ISO 5817 level map of a weld over travel speed x CTWD."""

from __future__ import annotations

import json

import numpy as np
from omegaconf import DictConfig

from weldcraft.cli.app import RunContext, command
from weldcraft.cli.jobs import job_from_config, wps_summary
from weldcraft.errors import ConfigError
from weldcraft.fileio import write_text_atomic


def _grid(cfg: DictConfig, key: str, resolution: int) -> np.ndarray:
    lo_hi = [float(v) for v in cfg.sweep[key]]
    if len(lo_hi) != 2 or not 0.0 < lo_hi[0] < lo_hi[1]:
        raise ConfigError(
            f"expected [low, high] with 0 < low < high, got {lo_hi}", where=f"key 'sweep.{key}'"
        )
    return np.linspace(lo_hi[0], lo_hi[1], resolution)


def sweep_to(cfg: DictConfig, ctx: RunContext, *, fast: bool = False) -> dict[str, object]:
    """Grade the weld over the grid; write the PNG and a JSON summary into ctx.out_dir and return it."""
    from weldcraft.process import ProcessModel
    from weldcraft.process.sweep import iso_level_map, plot_iso_level_map

    assert ctx.out_dir is not None
    job = job_from_config(cfg)
    resolution = 15 if fast else int(cfg.sweep.resolution)
    if resolution < 2:
        raise ConfigError(f"expected an integer >= 2, got {resolution}", where="key 'sweep.resolution'")
    data = iso_level_map(
        job.wps,
        job.joint,
        job.position,
        travel_speeds_mm_s=_grid(cfg, "travel_speed_mm_s", resolution),
        ctwds_mm=_grid(cfg, "ctwd_mm", resolution),
    )
    png = plot_iso_level_map(data, ctx.out_dir / "iso_level_map.png")
    counts = {lvl: int(np.sum(data.level == i)) for i, lvl in enumerate(("B", "C", "D", "none"))}
    b_speeds = data.travel_speed_mm_s[np.any(data.level == 0, axis=0)]
    nominal = ProcessModel(job.wps, job.joint, job.position)
    summary: dict[str, object] = {
        "seam": job.name,
        "wps": wps_summary(job.wps),
        "cells": int(data.level.size),
        "cells_per_level": counts,
        "level_b_travel_speed_mm_s": [float(b_speeds.min()), float(b_speeds.max())]
        if b_speeds.size
        else None,
        "plot": str(png),
        "nominal_design_throat_mm": getattr(nominal, "design_throat_mm", None),
        **ctx.meta(),
    }
    write_text_atomic(ctx.out_dir / "sweep.json", json.dumps(summary, indent=2, default=str) + "\n")
    return summary


@command("sweep", "grade a weld over travel speed x CTWD and plot the ISO 5817 level map", "sweep")
def sweep(cfg: DictConfig, ctx: RunContext) -> None:
    summary = sweep_to(cfg, ctx, fast=bool(cfg.debug.fast))
    counts = summary["cells_per_level"]
    print(f"{summary['seam']}: {summary['wps']}")
    print(f"graded {summary['cells']} welds: {counts}")
    print(f"level-B window in travel speed: {summary['level_b_travel_speed_mm_s']} mm/s")
    print(f"wrote {summary['plot']} and {ctx.out_dir}/sweep.json")
