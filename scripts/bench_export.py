"""Benchmark of the export layer: a 10,000-point weld program to every format (target: <= 2 s in total).

Prints one JSON object. The baseline, measured in the same process, is writing the same points with
`numpy.savetxt` (the least a dense exporter must do); `ratio_to_savetxt` is our time over that time.
Run: PYTHONPATH=. python scripts/bench_export.py [--points N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from weldcraft.export import WeaveData, export_program
from weldcraft.export.golden import FORMATS
from weldcraft.export.sample import sample_program


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    weld_mm = 300.0
    duration_s = 5.5 + weld_mm / 6.0
    weave = WeaveData("zigzag", 3.0, 1.5, 0.1, 0.0, 0.1)
    rate_hz = args.points / duration_s
    program = sample_program(weave=weave, weld_length_mm=weld_mm, rate_hz=rate_hz, name="bench")
    per_format: dict[str, float] = {fmt: float("inf") for fmt in FORMATS}
    totals, baselines, points_written = [], [], {}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            for fmt in FORMATS:
                f0 = time.perf_counter()
                result = export_program(program, fmt, Path(tmp) / fmt, name="bench")
                per_format[fmt] = min(per_format[fmt], time.perf_counter() - f0)
                points_written[fmt] = result.program.n_points
            totals.append(time.perf_counter() - t0)
            b0 = time.perf_counter()
            table = np.column_stack(
                [
                    program.t_s,
                    program.tcp_pos_m * 1000.0,
                    program.tcp_quat_xyzw,
                    program.q_rad,
                    program.arc_on,
                ]
            )
            np.savetxt(Path(tmp) / "baseline.csv", table, fmt="%.6f", delimiter=",")
            baselines.append(time.perf_counter() - b0)
    total, base = min(totals), min(baselines)
    out = {
        "benchmark": "export_all_formats",
        "points": program.n_points,
        "formats": list(FORMATS),
        "total_s": round(total, 4),
        "target_s": 2.0,
        "meets_target": total <= 2.0,
        "per_format_s": {k: round(v, 4) for k, v in per_format.items()},
        "points_written": points_written,
        "baseline_savetxt_s": round(base, 4),
        "ratio_to_savetxt": round(total / base, 2),
        "repeat": args.repeat,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
