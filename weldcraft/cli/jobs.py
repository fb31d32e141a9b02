"""Turning the CLI's `seam=` and `process.*` keys into a WeldJob (shared by every command)."""

from __future__ import annotations

import dataclasses
from typing import Any

from omegaconf import DictConfig, OmegaConf

from weldcraft.errors import ConfigError
from weldcraft.seams import WPS
from weldcraft.seams.config import load_job
from weldcraft.seams.job import WeldJob


def job_from_config(cfg: DictConfig) -> WeldJob:
    """The WeldJob named by `cfg.seam` (preset name or YAML path) with `cfg.process` WPS overrides applied."""
    job = load_job(str(cfg.seam))
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
        raise ConfigError(str(exc), where=f"process override of seam {cfg.seam!r}") from exc
    return dataclasses.replace(job, wps=wps)


def wps_summary(wps: WPS) -> str:
    return (
        f"wire {wps.wire_diameter_mm:g} mm, WFS {wps.wire_feed_m_min:g} m/min, {wps.voltage_v:g} V, "
        f"{wps.travel_speed_mm_s:g} mm/s, CTWD {wps.ctwd_mm:g} mm, push {wps.travel_angle_deg:g} deg, "
        f"work {wps.work_angle_deg:g} deg"
    )
