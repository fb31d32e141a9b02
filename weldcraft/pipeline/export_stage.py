"""Stage 4: the policy's weld of the shown held-out seam, exported to every format.

The policy welds held-out seam `seed` in exactly the evaluation's env (`weldcraft.pipeline.welds`,
rendered for the report's GIF); the rollout's trace becomes a `WeldProgram` through the export layer's
extraction (`weldcraft.regress.replay.program_from_trace`: robot base frame, arc on from the seam start
to its end, the WPS as process data, the cell robot and torch TCP), which
`weldcraft.export.weld_export.export_weld_results` validates against the cell and writes, one folder per
format. A weld that did not reach the seam end has no program: the stage then writes nothing, says why,
and the report shows the weld without programs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weldcraft.errors import UserError
from weldcraft.export.validate import ExportRefused
from weldcraft.pipeline.progress import ProgressFn, report
from weldcraft.pipeline.settings import RunSettings


@dataclass(frozen=True)
class ExportSummary:
    """What stage 4 wrote: files per format, the weld they come from, and notes (refusals)."""

    seed: int
    weld_level: str | None
    weld_quality: float
    termination_reason: str
    files: dict[str, tuple[Path, ...]] = field(default_factory=dict)
    points: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    manifest: Path | None = None
    episode: Any = None  # the policy's EpisodeResult (with GIF frames), reused by the report

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every written file, in format order."""
        return tuple(p for paths in self.files.values() for p in paths)

    def summary(self, root: Path) -> str:
        """One line for the CLI (paths relative to the run folder `root`)."""
        weld = f"level {self.weld_level or 'none'}, q {self.weld_quality:.3f}"
        if not self.files:
            why = "; ".join(self.notes)
            return f"nothing exported: the policy's weld of seed {self.seed} ({weld}); {why}"
        formats = ", ".join(f"{fmt} ({len(p)})" for fmt, p in self.files.items())
        where = self.manifest.parent if self.manifest is not None else root
        rel = os.path.relpath(where, root)
        return f"policy weld of seed {self.seed} ({weld}) as {formats} files -> {rel}/"

    def as_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "weld_level": self.weld_level,
            "weld_quality": self.weld_quality,
            "termination_reason": self.termination_reason,
            "files": {fmt: [str(p) for p in paths] for fmt, paths in self.files.items()},
            "points": self.points,
            "notes": list(self.notes),
            "manifest": None if self.manifest is None else str(self.manifest),
        }


def export_policy_weld(
    settings: RunSettings,
    ckpt: Any,
    seed: int,
    out_dir: Path,
    *,
    meta: dict[str, Any],
    progress: ProgressFn | None = None,
    steps_estimate: int = 0,
) -> ExportSummary:
    """Weld seam `seed` with the checkpoint `ckpt` (a loaded `PolicyCheckpoint`) and export the program."""
    from weldcraft.export.extract import program_name_for
    from weldcraft.export.records import Provenance
    from weldcraft.export.weld_export import export_weld_results
    from weldcraft.pipeline.welds import policy_weld
    from weldcraft.regress.golden import file_sha256
    from weldcraft.regress.replay import program_from_trace
    from weldcraft.seams import load_job

    formats = settings.export.formats
    total = steps_estimate + len(formats)
    result, trace = policy_weld(
        ckpt,
        seed,
        frame_stride=settings.report.frame_stride,
        progress=progress,
        steps_estimate=total,
    )
    weld = result.weld
    base = {
        "seed": seed,
        "weld_level": weld.get("iso5817_level"),
        "weld_quality": float(weld.get("quality_score", 0.0)),
        "termination_reason": result.termination_reason,
        "episode": result,
    }
    if result.termination_reason != "seam_complete":
        note = (
            f"the policy's weld of held-out seed {seed} ended with {result.termination_reason!r} before the "
            "seam end, so there is no complete program to export"
        )
        return ExportSummary(**base, notes=(note,))
    assert ckpt.path is not None
    provenance = Provenance(
        source=f"weldcraft run: checkpoint {ckpt.policy_name} on held-out seed {seed}",
        config_hash=str(meta.get("config_hash", "")),
        source_hash=file_sha256(ckpt.path),
        created_utc="",
        extra=(("job", settings.seam), ("seed", str(seed)), ("env_id", ckpt.env_id)),
    )
    # The env's limiter moves the joints over the whole last control step (WeldCellEnv.step runs
    # `limiter.step(..., self.dt)` even when the seam ends inside the step), so the last point keeps its full
    # step time. `program_from_trace` shrinks that time to the travel fraction when `last_speed_ratio` says
    # the step was partial, which turns a normal last move into 100-100,000 rad/s^2 and a refused export;
    # a vanishing ratio makes its fraction 1 (reported to the export layer's owner).
    trace.last_speed_ratio = 1e-12
    program = program_from_trace(trace, result, name=program_name_for(settings.seam), provenance=provenance)
    report(progress, steps_estimate, total)
    # A format whose validation refuses the program (e.g. a weaving weld for a controller that runs a weld
    # section at one speed, see docs/export.md "fidelity") is left out and named in the notes; the other
    # formats are still written. Nothing of a refused format reaches the disk.
    refused: list[str] = []
    remaining = list(formats)
    while True:
        try:
            written = export_weld_results(
                program,
                out_dir,
                remaining,
                force=settings.export.force,
                job=load_job(settings.seam),
                seed=seed,
                meta={"config_hash": meta.get("config_hash"), "config": meta.get("config")},
            )
            break
        except ExportRefused as exc:
            targets = [t.strip() for t in exc.report.target.split(",") if t.strip() in remaining]
            if not targets or len(targets) == len(remaining):
                return ExportSummary(**base, notes=(*refused, f"export refused: {exc}"))
            for target in targets:
                remaining.remove(target)
                refused.append(f"export refused for {target}: {exc}")
        except UserError as exc:
            return ExportSummary(**base, notes=(*refused, f"export refused: {exc}"))
    report(progress, total, total)
    files = {fmt: tuple(Path(p) for p in written.results[fmt].paths) for fmt in remaining}
    points = {fmt: int(written.results[fmt].program.n_points) for fmt in remaining}
    notes = tuple(refused) + tuple(f"export warning: {w}" for w in written.warnings)
    return ExportSummary(**base, files=files, points=points, notes=notes, manifest=written.manifest)
