"""`weldcraft run`: the main job on embedded defaults."""

from __future__ import annotations

from omegaconf import DictConfig

from weldcraft.cli.app import RunContext, command
from weldcraft.cli.commands.sweep import sweep_to


@command("run", "the main job on embedded defaults (no arguments needed)", "run")
def run(cfg: DictConfig, ctx: RunContext) -> None:
    summary = sweep_to(cfg, ctx, fast=bool(cfg.debug.fast))
    print(f"[1/1] process window of {summary['seam']}: {summary['cells_per_level']}")
    print(f"      level-B travel speeds {summary['level_b_travel_speed_mm_s']} mm/s; plot {summary['plot']}")
    print(f"outputs in {ctx.out_dir}")
