"""The main job: demonstrations → training → held-out evaluation → export → report, in one output folder.

``run_pipeline(settings, out_dir, meta, observer) -> RunResult`` runs the five stages in order. The
`observer` (the CLI's progress bars) hears when a stage starts, how it advances and its one-line summary
with its wall time; this module never prints. Layout of `out_dir`:

    config.yaml            the resolved config and its hash (written by the CLI framework)
    run.json               stage summaries, wall times, output paths (schema_version 1)
    datasets/              MINARI_DATASETS_PATH of the run: weldcraft/<seam>/<skill>-v0
    train/checkpoint/      the policy checkpoint; train/logs/ TensorBoard and CSV
    eval/eval.json|md      policy vs master on the held-out seams
    export/<format>/       the policy's weld of the shown held-out seam, per format
    report.html            the report, with its PNGs, media/*.gif and iso_level_map.png
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from weldcraft.fileio import write_text_atomic
from weldcraft.pipeline.progress import ProgressFn, StageTimer, datasets_root_at, torch_threads
from weldcraft.pipeline.settings import RunSettings

RUN_SCHEMA_VERSION = 1
STAGES = ("demos", "train", "evaluate", "export", "report")


class RunObserver(Protocol):
    """Hears the pipeline's progress (the CLI draws bars and prints the summaries)."""

    def stage_started(self, index: int, name: str, title: str) -> ProgressFn | None:
        """Stage `index` (1-based) begins; returns the progress callback for it (or None)."""
        ...

    def stage_finished(self, index: int, name: str, summary: str, seconds: float) -> None:
        """Stage `index` ended with the one-line `summary` after `seconds` of wall time."""
        ...


@dataclass(frozen=True)
class RunResult:
    """The run's report, its JSON record and each stage's wall time (s)."""

    report: Path
    run_json: Path
    seconds: dict[str, float]
    summaries: dict[str, str] = field(default_factory=dict)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _levels(counts: dict[str, int]) -> str:
    return " / ".join(f"{k} {counts.get(k, 0)}" for k in ("B", "C", "D", "none"))


def _agent_line(s: Any) -> str:
    return f"{s.label} q {s.mean_quality:.3f}, >=C {100 * s.pass_rate_c:.0f} %, B {100 * s.pass_rate_b:.0f} %"


def run_pipeline(
    settings: RunSettings, out_dir: Path, meta: dict[str, Any], observer: RunObserver
) -> RunResult:
    """Run the five stages into `out_dir` (module docstring); `meta` is the run's provenance.

    Torch runs on one intra-op thread throughout (`torch_threads`): BC on the 2-core machine trained at
    23,000 samples/s with 1 thread and 2,000-3,600 with 2 while other jobs ran (OpenMP threads spinning
    against busy cores), and rollouts evaluate one observation at a time.
    """
    with torch_threads(1):
        return _run_stages(settings, Path(out_dir), meta, observer)


def _run_stages(
    settings: RunSettings, out_dir: Path, meta: dict[str, Any], observer: RunObserver
) -> RunResult:
    from weldcraft.pipeline.evaluation import evaluate_run, nominal_steps
    from weldcraft.pipeline.export_stage import export_policy_weld
    from weldcraft.pipeline.learn import train_policy
    from weldcraft.pipeline.record import record_demos
    from weldcraft.pipeline.report_stage import ACCEPTANCE_EPISODES, write_run_report
    from weldcraft.pipeline.welds import master_weld
    from weldcraft.policies.checkpoint import load_checkpoint
    from weldcraft.policies.seeds import held_out_seeds

    timer = StageTimer()
    record: dict[str, Any] = {"schema_version": RUN_SCHEMA_VERSION, **meta, "stages": {}}
    rows: list[tuple[str, str, float]] = []
    summaries: dict[str, str] = {}

    def finish(i: int, name: str, summary: str, outputs: dict[str, Any]) -> None:
        seconds = timer.seconds[name]
        summaries[name] = summary
        rows.append((f"{i}. {name}", summary, seconds))
        timing = {"seconds": round(seconds, 2), "cpu_seconds": round(timer.cpu_seconds[name], 2)}
        record["stages"][name] = {"summary": summary, **timing, **outputs}
        observer.stage_finished(i, name, summary, seconds)

    with datasets_root_at(out_dir / "datasets"):
        d = settings.demos
        title = f"record {d.episodes} {d.skill} demos on {settings.seam}"
        progress = observer.stage_started(1, "demos", title)
        with timer.stage("demos"):
            demos = record_demos(settings, meta, progress)
        finish(
            1,
            "demos",
            f"{demos.episodes} {d.skill}/{d.style} demos on {settings.seam} "
            f"(seeds {d.seed}-{demos.seeds[1]}, "
            f"{demos.steps} steps): {_levels(demos.level_counts)}, mean quality {demos.quality_mean:.3f} "
            f"-> {_rel(demos.path, out_dir)}",
            {"result": demos.as_dict()},
        )

        progress = observer.stage_started(2, "train", f"train {settings.policy_name} on {demos.dataset_id}")
        with timer.stage("train"):  # BC draws its own epoch bar (tqdm, stderr) when progress is shown
            trained = train_policy(settings, out_dir / "train", progress_bar=progress is not None)
        mse = trained.metrics.get("bc", {}).get("action_mse")
        finish(
            2,
            "train",
            f"{settings.policy_name}: {trained.epochs} epochs on {trained.samples} samples "
            f"({trained.history_frames} frames)"
            + (f", action MSE {mse:.4f}" if isinstance(mse, float) else "")
            + f" -> {_rel(trained.checkpoint_dir, out_dir)}",
            {"result": trained.as_dict()},
        )

    n_eval = settings.eval.episodes
    progress = observer.stage_started(3, "evaluate", f"policy and {d.skill} on {n_eval} held-out seams")
    with timer.stage("evaluate"):
        evaluation = evaluate_run(settings, trained.checkpoint_dir, out_dir / "eval", progress)
    few = n_eval < ACCEPTANCE_EPISODES
    finish(
        3,
        "evaluate",
        f"{n_eval} held-out seams"
        + (f" (fewer than the {ACCEPTANCE_EPISODES} of the acceptance evaluation)" if few else "")
        + f": {_agent_line(evaluation.policy.summary)} | {_agent_line(evaluation.master.summary)}"
        + f" -> {_rel(evaluation.md_path, out_dir)}",
        {"eval_json": str(evaluation.json_path), "eval_md": str(evaluation.md_path)},
    )

    seed = held_out_seeds(n_eval)[settings.export.seam_index]
    x = settings.export
    ckpt = load_checkpoint(trained.checkpoint_dir)
    steps = nominal_steps(ckpt.env_id, 1.0 / float(ckpt.env_kwargs.get("control_hz", 20.0)))
    progress = observer.stage_started(
        4, "export", f"weld seam {seed} with the policy, export it to {len(x.formats)} formats"
    )
    with timer.stage("export"):
        exported = export_policy_weld(
            settings,
            ckpt,
            seed,
            out_dir / "export",
            meta=meta,
            progress=progress,
            steps_estimate=steps,
        )
    finish(4, "export", exported.summary(out_dir), {"result": exported.as_dict()})

    progress = observer.stage_started(5, "report", f"weld seam {seed} with the {d.skill}, write the report")
    with timer.stage("report"):
        policy_ep = exported.episode
        master_ep, _ = master_weld(
            ckpt.env_id,
            dict(ckpt.env_kwargs),
            seed,
            skill=d.skill,
            style=d.style,
            frame_stride=settings.report.frame_stride,
            progress=progress,
            steps_estimate=steps,
        )
        report = write_run_report(
            settings,
            out_dir,
            meta=meta,
            policy_episode=policy_ep,
            master_episode=master_ep,
            evaluation=evaluation,
            programs=exported.paths,
            stages=rows,
            extra_paragraphs=exported.notes,
        )
    finish(
        5,
        "report",
        f"policy weld level {policy_ep.weld.get('iso5817_level') or 'none'} "
        f"(q {float(policy_ep.weld['quality_score']):.3f}) beside the {d.skill}'s "
        f"{master_ep.weld.get('iso5817_level') or 'none'} (q {float(master_ep.weld['quality_score']):.3f}) "
        f"on seed {seed} -> {_rel(report, out_dir)}",
        {"report": str(report)},
    )
    record["seconds"] = timer.as_dict()
    record["report"] = str(report)
    run_json = write_text_atomic(out_dir / "run.json", json.dumps(record, indent=2, default=str) + "\n")
    return RunResult(report, run_json, dict(timer.seconds), summaries)
