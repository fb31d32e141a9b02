"""Stage 4: the policy's weld of the shown held-out seam, exported to every format.

The policy welds held-out seam `seed` in exactly the evaluation's env (`weldcraft.pipeline.welds`,
rendered for the report's GIF); the rollout's trace becomes a `WeldProgram` through the export layer's
extraction (`weldcraft.regress.replay.program_from_trace`: robot base frame, arc on from the seam start to
its end, the WPS as process data, the cell robot and torch TCP), which `weldcraft.export.extract.export_weld`
validates and writes, one folder per format. A weld that did not reach the seam end has no program: the
stage then writes nothing, says why, and the report shows the weld without programs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weldcraft.errors import UserError
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
    episode: Any = None  # the policy's EpisodeResult (with GIF frames), reused by the report

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every written file, in format order."""
        return tuple(p for paths in self.files.values() for p in paths)

    def summary(self, root: Path) -> str:
        """One line for the CLI."""
        weld = f"level {self.weld_level or 'none'}, q {self.weld_quality:.3f}"
        if not self.files:
            return f"nothing exported: the policy's weld of seed {self.seed} ({weld}) " + "; ".join(self.notes)
        formats = ", ".join(f"{fmt} ({len(p)})" for fmt, p in self.files.items())
        try:
            where = str((root / "export").relative_to(root)) if root else "export"
        except ValueError:
            where = "export"
        return f"policy weld of seed {self.seed} ({weld}) as {formats} files -> {where}/"

    def as_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "weld_level": self.weld_level,
            "weld_quality": self.weld_quality,
            "termination_reason": self.termination_reason,
            "files": {fmt: [str(p) for p in paths] for fmt, paths in self.files.items()},
            "points": self.points,
            "notes": list(self.notes),
        }


def export_policy_weld(
    settings: RunSettings,
    ckpt: Any,
    seed: int,
    out_dir: Path,
    *,
    config_hash: str,
    progress: ProgressFn | None = None,
    steps_estimate: int = 0,
) -> ExportSummary:
    """Weld seam `seed` with the checkpoint `ckpt` (a loaded `PolicyCheckpoint`) and export the program."""
    from weldcraft.export.extract import export_weld, program_name_for
    from weldcraft.export.records import Provenance
    from weldcraft.pipeline.welds import policy_weld
    from weldcraft.regress.golden import file_sha256
    from weldcraft.regress.replay import program_from_trace

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
        config_hash=config_hash,
        source_hash=file_sha256(ckpt.path),
        created_utc="",
        extra=(("seed", str(seed)), ("env_id", ckpt.env_id)),
    )
    program = program_from_trace(trace, result, name=program_name_for(settings.seam), provenance=provenance)
    report(progress, steps_estimate, total)
    try:
        written = export_weld(program, out_dir, formats, force=settings.export.force)
    except UserError as exc:
        note = f"export refused: {exc}"
        return ExportSummary(**base, notes=(note,))
    report(progress, total, total)
    files = {fmt: tuple(Path(p) for p in written[fmt].paths) for fmt in formats}
    points = {fmt: int(written[fmt].program.n_points) for fmt in formats}
    return ExportSummary(**base, files=files, points=points)
