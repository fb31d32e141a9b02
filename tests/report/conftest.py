"""Report fixtures: two welds of the fillet_pb preset made by the real process model.

The master holds the WPS's nominal pose; the "policy" wanders laterally (a 1.2 mm sine) and runs a
little fast, so its bead and level differ from the master's where a reader expects them to.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from weldcraft.process import ProcessModel, SegmentInputs, grade_weld
from weldcraft.report import (
    Evaluation,
    ExtraSection,
    Figure,
    Metric,
    ReportData,
    RunInfo,
    WeldTrace,
    write_report,
)
from weldcraft.report.adapters import stats_from_grades, trace_from_process
from weldcraft.report.data import standard_torch_windows
from weldcraft.seams import load_job


def _weld(label: str, lateral_amp_mm: float, speed_gain: float, gif: Path | None) -> tuple[WeldTrace, object]:
    job = load_job("fillet_pb")
    model = ProcessModel(job.wps, job.joint, job.position)
    n = 150
    s = np.linspace(1.0, job.length_mm - 1.0, n)
    lateral = lateral_amp_mm * np.sin(2 * np.pi * s / 120.0)
    inputs = SegmentInputs.from_wps(
        job.wps,
        n,
        lateral_offset_mm=lateral,
        travel_speed_mm_s=job.wps.travel_speed_mm_s * speed_gain,
        gap_mm=job.gap.at(s),
    )
    segments = model.evaluate(inputs)
    grade = grade_weld(segments, s, job.joint)
    return trace_from_process(label, s, inputs, segments, grade, job.joint, gif), grade


def write_gif(path: Path, colour: tuple[int, int, int], frames: int = 3) -> Path:
    imgs = [Image.new("RGB", (64, 48), tuple(min(255, c + 30 * k) for c in colour)) for k in range(frames)]
    imgs[0].save(path, save_all=True, append_images=imgs[1:], duration=100, loop=0)
    return path


@pytest.fixture
def report_data(tmp_path: Path) -> ReportData:
    return build_report_data(tmp_path)


@pytest.fixture(scope="session")
def written_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportData, Path]:
    """One report written per test session (drawing the figures takes about a second)."""
    root = tmp_path_factory.mktemp("report")
    data = build_report_data(root)
    return data, write_report(data, root / "out")


def build_report_data(tmp_path: Path) -> ReportData:
    media = tmp_path / "media"
    media.mkdir()
    pol_gif = write_gif(media / "policy.gif", (20, 60, 160))
    mas_gif = write_gif(media / "master.gif", (40, 40, 40))
    policy, pg = _weld("policy", 0.9, 1.08, pol_gif)
    master, mg = _weld("master", 0.0, 1.0, mas_gif)
    progs = tmp_path / "programs"
    progs.mkdir()
    programs = []
    for name in ("weld.mod", "weld.src", "weld.script", "weld.ls", "weld plan.csv"):
        (progs / name).write_text(f"program {name}\n")
        programs.append(progs / name)
    window = media / "window.png"
    Image.new("RGB", (80, 60), (200, 220, 240)).save(window)
    evaluation = Evaluation(
        policy=stats_from_grades([pg] * 9 + [mg]),  # type: ignore[list-item]
        master=stats_from_grades([mg] * 10),  # type: ignore[list-item]
        metrics=(Metric("seam-tracking RMS", 0.41, 0.12, "mm", better="lower"),),
        seeds="Seeds 10000-10009, never used in training.",
    )
    return ReportData(
        run=RunInfo(
            "0.1.0",
            {"seam": "fillet_pb", "train": {"epochs": 5}},
            "abc123",
            "2025-01-02T03:04:05",
            seam="fillet_pb",
        ),
        policy=policy,
        master=master,
        evaluation=evaluation,
        programs=tuple(programs),
        extra_sections=(
            ExtraSection(
                "Process window <map>",
                ("Quality over travel speed and CTWD.",),
                (Figure(window, "Map of quality over speed and CTWD", "Process window."),),
                (("speed", "quality"), ("6.0", "0.91")),
            ),
        ),
        torch_windows=standard_torch_windows(fillet=True),
    )
