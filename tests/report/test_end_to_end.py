"""A report of two welds made in the cell (tiny_fillet): GIFs rendered by the env, traces, browser check."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from weldcraft.regress import run_actions, write_gif
from weldcraft.report import ReportData, RunInfo, write_report
from weldcraft.report.adapters import trace_from_episode
from weldcraft.report.browser import check_page, find_chromium
from weldcraft.report.data import standard_torch_windows
from weldcraft.seams import load_job


def test_report_from_cell_welds(tmp_path: Path) -> None:
    job = load_job("tiny_fillet")

    def wander(k: int, obs: np.ndarray) -> np.ndarray:  # 1.2 mm lateral sine: a shaky "policy"
        return np.array([0.3 * math.sin(2 * math.pi * k / 40), 0.0, 0.0, 0.0, 0.0])

    master, _ = run_actions(job, frames_every=6)
    policy, _ = run_actions(job, wander, frames_every=6)
    assert master.weld["iso5817_level"] == "B" and policy.weld["iso5817_level"] != "B"
    assert len(master.frames) == 17 and master.frames[0].shape == (240, 320, 3)  # 93 steps / 6 + last
    gifs = {
        name: write_gif(ep.frames, tmp_path / f"{name}.gif") for name, ep in (("m", master), ("p", policy))
    }
    p_trace = trace_from_episode("policy", policy, job.joint, gifs["p"])
    m_trace = trace_from_episode("master", master, job.joint, gifs["m"])
    # the torch as the process saw it: nominal pose for the master, +-1.2 mm for the policy
    assert np.allclose(m_trace.lateral_offset_mm, 0.0, atol=1e-6)
    assert np.allclose(m_trace.ctwd_mm, 15.0, atol=1e-6) and np.allclose(
        m_trace.work_angle_deg, 45.0, atol=1e-6
    )
    assert np.max(np.abs(p_trace.lateral_offset_mm)) == pytest.approx(1.2, abs=0.05)
    assert np.median(m_trace.travel_speed_mm_s) == pytest.approx(6.5, rel=1e-6)
    data = ReportData(
        run=RunInfo("0.1.0", {"seam": "tiny_fillet"}, "e2e", "2025-01-01T00:00:00", seam="tiny_fillet"),
        policy=p_trace,
        master=m_trace,
        torch_windows=standard_torch_windows(fillet=True),
    )
    page = write_report(data, tmp_path / "report")
    html = page.read_text()
    assert 'class="verdict info"' in html and "level B" in html
    if find_chromium() is None:
        pytest.skip("chromium not installed (scripts/ensure_chromium.sh); the page was written and parsed")
    check = check_page(page)
    assert check.console_errors == () and check.broken_images == ()
    assert {Path(i.src).name: i.natural_width for i in check.images} == {
        "policy_weld.gif": 320,
        "master_weld.gif": 320,
        "bead_geometry.png": 900,
        "torch_parameters.png": 900,
    }
