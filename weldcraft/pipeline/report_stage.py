"""Stage 5: the run report (``report.html`` with its PNG and GIF files, `weldcraft.report`).

Fills a `ReportData` from the run: the policy's and the Craftsman's weld of the shown held-out seam
(GIFs from the env's renderer; bead geometry, ISO 5817 level and torch parameters along the seam, with the
weave width measured per weave period), the held-out evaluation (level distribution, quality, welds per
ISO 6520 code, tracking and weave metrics), links to the exported programs, and extra sections for the
acceptance checks, the stages (counts and wall times), the training and the WPS's process window.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from weldcraft.pipeline.settings import RunSettings
from weldcraft.types import FloatArray

#: The acceptance evaluation of the learning issue: 100 held-out seams.
ACCEPTANCE_EPISODES = 100


def weave_width_along_seam(lateral_offset_mm: FloatArray, dt_s: float) -> FloatArray | None:
    """Peak-to-peak lateral offset (mm) over one weave period around each sample, or None (no weave).

    The period is 1 / the dominant frequency of the offset (`weldcraft.policies.metrics.analyze_lateral`,
    the evaluation's own weave analysis); the offset is sampled once per control step `dt_s`.
    """
    from scipy.ndimage import maximum_filter1d, minimum_filter1d

    from weldcraft.policies.metrics import analyze_lateral

    x = np.nan_to_num(np.asarray(lateral_offset_mm, dtype=np.float64))
    weave = analyze_lateral(x, dt_s)
    if not weave.present:
        return None
    window = max(2, int(round(1.0 / (weave.frequency_hz * dt_s))))
    return maximum_filter1d(x, window, mode="nearest") - minimum_filter1d(x, window, mode="nearest")


def trace_of(label: str, episode: Any, joint: Any, gif: Path | None) -> Any:
    """`trace_from_episode` plus the weave width along the seam."""
    from weldcraft.report.adapters import trace_from_episode

    trace = trace_from_episode(label, episode, joint, gif)
    width = weave_width_along_seam(trace.lateral_offset_mm, float(episode.dt_s))
    return trace if width is None else dataclasses.replace(trace, weave_width_mm=width)


def stats_of(outcomes: Sequence[Any]) -> Any:
    """`EvalStats` from evaluation outcomes (`weldcraft.policies.metrics.EpisodeOutcome`)."""
    from weldcraft.report import EvalStats

    quality = np.array([o.quality_score for o in outcomes], dtype=np.float64)
    defects: dict[str, int] = {}
    for o in outcomes:
        for code in set(o.imperfection_codes):
            defects[code] = defects.get(code, 0) + 1
    levels = [o.iso5817_level for o in outcomes]
    return EvalStats(
        episodes=len(outcomes),
        level_counts={lv: levels.count(lv) for lv in ("B", "C", "D", "none")},
        quality_mean=float(quality.mean()),
        quality_std=float(quality.std()),
        defect_counts=defects,
        completed=sum(bool(o.completed) for o in outcomes),
    )


def _metrics(policy: Any, master: Any) -> tuple[Any, ...]:
    from weldcraft.report import Metric

    rows = [
        ("seam-tracking RMS (weave centre line)", "tracking_rms_mm", "mm", "lower"),
        ("weave frequency", "weave_frequency_hz", "Hz", ""),
        ("weave width", "weave_width_mm", "mm", ""),
        ("episodes with weave", "weave_fraction", "", "higher"),
        ("mean heat input", "mean_heat_input_kj_mm", "kJ/mm", ""),
    ]
    out = []
    for name, attr, unit, better in rows:
        p, m = float(getattr(policy, attr)), float(getattr(master, attr))
        if math.isfinite(p) and math.isfinite(m):
            out.append(Metric(name, p, m, unit, better=better))
    return tuple(out)


def _checks_section(doc: dict[str, Any], episodes: int) -> Any:
    from weldcraft.report import ExtraSection

    comparison = doc.get("comparison", {})
    names = {
        "quality_at_least_0.9x_reference": "mean quality >= 0.9 x the master's",
        "level_c_or_better_on_90pct": "level C or better on >= 90 % of the seams",
        "weave_frequency_within_15pct": "weave frequency within 15 % of the master's",
        "pass_rate_c_at_least_reference": "pass rate at C >= the master's (the DAgger target)",
    }
    rows = [("check", "result")]
    rows += [(names.get(k, k), "yes" if ok else "NO") for k, ok in comparison.get("checks", {}).items()]
    ratio = comparison.get("quality_ratio")
    freq = comparison.get("weave_frequency_rel_error")
    paragraphs = [
        f"Quality ratio policy / master: {ratio:.3f}; relative weave-frequency error: "
        + (f"{100 * freq:.1f} %." if isinstance(freq, float) else "not measurable (no weave).")
        if isinstance(ratio, float)
        else "The master's quality is 0: no ratio."
    ]
    if episodes < ACCEPTANCE_EPISODES:
        paragraphs.append(
            f"Evaluated on {episodes} held-out seams, fewer than the {ACCEPTANCE_EPISODES} of the acceptance "
            "evaluation: these figures are indicative only (raise eval.episodes)."
        )
    return ExtraSection("Acceptance checks (learning issue)", tuple(paragraphs), (), tuple(rows))


def _stages_section(stages: Sequence[tuple[str, str, float]]) -> Any:
    from weldcraft.report import ExtraSection

    rows = [("stage", "result", "wall time (s)")]
    rows += [(name, summary, f"{seconds:.1f}") for name, summary, seconds in stages]
    return ExtraSection(
        "Run stages",
        ("Wall-clock time of each stage on this machine (the report's own time is in run.json).",),
        (),
        tuple(rows),
    )


def _process_window(settings: RunSettings, job: Any, out_dir: Path) -> Any:
    from weldcraft.process.sweep import iso_level_map, plot_iso_level_map
    from weldcraft.report import ExtraSection, Figure

    n = settings.report.process_window_resolution
    wps = job.wps
    data = iso_level_map(
        wps,
        job.joint,
        job.position,
        travel_speeds_mm_s=np.linspace(0.3 * wps.travel_speed_mm_s, 2.2 * wps.travel_speed_mm_s, n),
        ctwds_mm=np.linspace(8.0, 30.0, n),
    )
    png = plot_iso_level_map(data, out_dir / "iso_level_map.png")
    b = data.travel_speed_mm_s[np.any(data.level == 0, axis=0)]
    window = f"{b.min():.1f}-{b.max():.1f} mm/s" if b.size else "none"
    return ExtraSection(
        "Process window of the WPS",
        (
            f"A uniform weld of the seam's joint graded over travel speed x CTWD ({n} x {n} welds) by the "
            f"process model; level-B travel speeds at some CTWD: {window}. The welders above move within it.",
        ),
        (
            Figure(
                png,
                f"ISO 5817 level map over travel speed and CTWD for {job.name}; level B between {window}.",
                "ISO 5817 level of a uniform weld over travel speed (mm/s) and CTWD (mm).",
            ),
        ),
    )


def write_run_report(
    settings: RunSettings,
    out_dir: Path,
    *,
    meta: dict[str, Any],
    policy_episode: Any,
    master_episode: Any,
    evaluation: Any,
    programs: Sequence[Path],
    stages: Sequence[tuple[str, str, float]],
    extra_paragraphs: Sequence[str] = (),
) -> Path:
    """Write ``out_dir/report.html`` (module docstring); returns its path.

    `meta` is the run's provenance (``weldcraft_version``, ``config``, ``config_hash``); `evaluation` the
    stage-3 `EvalOutcome`; `stages` rows (name, one-line result, seconds) of the finished stages.
    """
    from weldcraft.regress.episode import write_gif
    from weldcraft.report import Evaluation, ExtraSection, ReportData, RunInfo, standard_torch_windows
    from weldcraft.report.writer import write_report
    from weldcraft.seams import load_job

    job = load_job(settings.seam)
    media = out_dir / "media"
    traces = {}
    for label, ep in (("policy", policy_episode), (settings.demos.skill, master_episode)):
        gif = write_gif(ep.frames, media / f"{label}_weld.gif") if ep.frames else None
        traces[label] = trace_of(label, ep, job.joint, gif)
    seeds = evaluation.policy.summary.seeds
    sections = [_checks_section(evaluation.doc, len(seeds)), _stages_section(stages)]
    if extra_paragraphs:
        sections.append(ExtraSection("Notes", tuple(extra_paragraphs)))
    if settings.report.process_window:
        sections.append(_process_window(settings, job, out_dir))
    data = ReportData(
        run=RunInfo(
            version=str(meta["weldcraft_version"]),
            config=dict(meta["config"]),
            config_hash=str(meta["config_hash"]),
            date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            seam=settings.seam,
            title=f"weldcraft run: {settings.policy_name}",
        ),
        policy=traces["policy"],
        master=traces[settings.demos.skill],
        evaluation=Evaluation(
            stats_of(evaluation.policy.outcomes),
            stats_of(evaluation.master.outcomes),
            _metrics(evaluation.policy.summary, evaluation.master.summary),
            seeds=f"{len(seeds)} held-out seams (env seeds {seeds[0]}-{seeds[-1]}, never used in training); "
            f"the welds shown are on seed {seeds[settings.export.seam_index]}.",
        ),
        programs=tuple(programs),
        extra_sections=tuple(sections),
        torch_windows=standard_torch_windows(job.joint.kind.is_fillet_like, job.wps.wire_diameter_mm),
    )
    return write_report(data, out_dir)
