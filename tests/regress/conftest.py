"""Regression-test fixtures: a EpisodeResult built from the real process model (no cell needed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from weldcraft.process import ProcessModel, SegmentInputs
from weldcraft.regress.episode import EpisodeResult
from weldcraft.seams import load_job


def make_replay(weld: dict[str, Any], shift_mm: float = 0.0, n: int = 100) -> EpisodeResult:
    """A replay of tiny_fillet (t = 8 mm) at the WPS pose: straight path along y, optional lateral shift."""
    job = load_job("tiny_fillet")
    model = ProcessModel(job.wps, job.joint, job.position)
    bead = model.evaluate(SegmentInputs.from_wps(job.wps, n))
    s = np.linspace(0.15, 29.85, n)
    path = np.column_stack([np.full(n, 0.8 + shift_mm / 1000.0), s / 1000.0, np.full(n, 0.45)])
    return EpisodeResult(
        weld=weld,
        termination_reason="seam_complete" if weld.get("completed", True) else "lost_seam",
        t_s=s / job.wps.travel_speed_mm_s,
        s_mm=s,
        tcp_pos_base_m=path,
        target_pos_base_m=path,
        clipped_steps=0,
        program_end_s_mm=30.0,
        bead=bead,
        bead_s_mm=s,
        thickness_mm=job.joint.thickness_mm,
        design_throat_mm=model.design_throat_mm,
    )


@pytest.fixture
def replay_factory() -> Callable[..., EpisodeResult]:
    """`make_replay(weld, shift_mm=0.0, n=100)`."""
    return make_replay


@pytest.fixture
def nominal_replay() -> EpisodeResult:
    weld = {"iso5817_level": "B", "quality_score": 0.813, "completed": True, "imperfections": []}
    return make_replay({**weld, "heat_input_kj_mm": 0.868, "dominant_code": None})
