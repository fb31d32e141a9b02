"""A demonstration report from welds made in the cell: ``python -m weldcraft.report.example OUT_DIR``.

It shows the wiring ``weldcraft run`` uses, with stand-ins for the learned policy: the "policy" is a
controller that wanders ±1.2 mm sideways (a 2 s sine), the "master" the nominal straight weld. Both weld
the shown seam with rendered GIFs, then ``--episodes`` parts with placement errors from fixed seeds
(following the seam tracker) for the evaluation table. Writes ``OUT_DIR/report.html`` and prints its path.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path

import numpy as np

from weldcraft import __version__
from weldcraft.regress import run_actions, write_gif
from weldcraft.report.adapters import stats_from_welds, trace_from_episode
from weldcraft.report.data import (
    Evaluation,
    Metric,
    ReportData,
    RunInfo,
    standard_torch_windows,
)
from weldcraft.report.writer import write_report
from weldcraft.seams import load_job


def _wander(k: int, obs: np.ndarray) -> np.ndarray:
    del obs
    return np.array([0.3 * math.sin(2.0 * math.pi * k / 40.0), 0.0, 0.0, 0.0, 0.0])


def build_example(
    out_dir: Path, preset: str = "fillet_pb", episodes: int = 4, first_seed: int = 90000
) -> Path:
    """Weld, evaluate and write the demonstration report into `out_dir`; returns the page's path."""
    job = load_job(preset)
    out_dir.mkdir(parents=True, exist_ok=True)
    media = out_dir / "media"
    policy, _ = run_actions(job, _wander, frames_every=6)
    master, _ = run_actions(job, frames_every=6)
    traces = {}
    for label, ep in (("policy", policy), ("master", master)):
        gif = write_gif(ep.frames, media / f"{label}.gif")
        traces[label] = trace_from_episode(label, ep, job.joint, gif)
    seeds = range(first_seed, first_seed + episodes)
    tracking = {"seam_tracking": True}  # on misplaced parts both follow the laser seam tracker
    pol = [run_actions(job, _wander, seed=s, env_kwargs=tracking)[0] for s in seeds]
    mas = [run_actions(job, seed=s, env_kwargs=tracking)[0] for s in seeds]
    heat = Metric(
        "mean heat input",
        float(np.mean([e.weld["heat_input_kj_mm"] for e in pol])),
        float(np.mean([e.weld["heat_input_kj_mm"] for e in mas])),
        "kJ/mm",
        better="",
    )
    lateral = Metric(
        "RMS lateral offset from the true seam",
        float(np.sqrt(np.mean(np.concatenate([e.torch["lateral_offset_mm"] ** 2 for e in pol])))),
        float(np.sqrt(np.mean(np.concatenate([e.torch["lateral_offset_mm"] ** 2 for e in mas])))),
        "mm",
        better="lower",
    )
    data = ReportData(
        run=RunInfo(
            version=__version__,
            config={"example": "weldcraft.report.example", "seam": preset, "episodes": episodes},
            config_hash="example",
            date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            seam=preset,
            title="weldcraft report example",
        ),
        policy=traces["policy"],
        master=traces["master"],
        evaluation=Evaluation(
            stats_from_welds([e.weld for e in pol]),
            stats_from_welds([e.weld for e in mas]),
            (heat, lateral),
            seeds=f"Parts from seeds {first_seed}-{first_seed + episodes - 1} with the job's placement "
            "errors; the robot follows the laser seam tracker.",
        ),
        torch_windows=standard_torch_windows(job.joint.kind.is_fillet_like, job.wps.wire_diameter_mm),
    )
    return write_report(data, out_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--preset", default="fillet_pb")
    parser.add_argument("--episodes", type=int, default=4)
    args = parser.parse_args(argv)
    print(build_example(args.out_dir, args.preset, args.episodes))  # noqa: T201  (command-line entry point)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
