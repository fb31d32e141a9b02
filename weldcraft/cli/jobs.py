"""Turning the CLI's `seam` group (or `seam_file`) and `process.*` keys into a WeldJob."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from weldcraft.errors import ConfigError
from weldcraft.seams import WPS
from weldcraft.seams.config import job_from_mapping, load_job
from weldcraft.seams.job import WeldJob


def rewrite_seam_override(item: str) -> str:
    """`seam=path/to/part.yaml` names a file, not a preset of the `seam` group: it becomes `seam_file=...`."""
    key, _, value = item.partition("=")
    if key == "seam" and (value.endswith((".yaml", ".yml")) or "/" in value or Path(value).is_file()):
        return f"seam_file={value}"
    return item


def job_from_config(cfg: DictConfig) -> WeldJob:
    """The WeldJob of `cfg.seam_file` or the `cfg.seam` preset, with `cfg.process` WPS overrides applied."""
    if cfg.get("seam_file"):
        job = load_job(str(cfg.seam_file))
    else:
        data = OmegaConf.to_container(cfg.seam, resolve=True)
        name = data.get("name", "?") if isinstance(data, dict) else "?"
        job = job_from_mapping(data, source=f"seam preset '{name}'")
    overrides: dict[str, Any] = {}
    if "process" in cfg:
        raw = OmegaConf.to_container(cfg.process, resolve=True)
        assert isinstance(raw, dict)
        overrides = {str(k): v for k, v in raw.items() if v is not None}
    if not overrides:
        return job
    try:
        wps = dataclasses.replace(job.wps, **overrides)
    except ValueError as exc:
        raise ConfigError(str(exc), where=f"process override of seam '{job.name}'") from exc
    return dataclasses.replace(job, wps=wps)


def wps_summary(wps: WPS) -> str:
    return (
        f"wire {wps.wire_diameter_mm:g} mm, WFS {wps.wire_feed_m_min:g} m/min, {wps.voltage_v:g} V, "
        f"{wps.travel_speed_mm_s:g} mm/s, CTWD {wps.ctwd_mm:g} mm, push {wps.travel_angle_deg:g} deg, "
        f"work {wps.work_angle_deg:g} deg"
    )
