"""Benchmark of the weld-process model on one core; prints one JSON object.

Measures (DESIGN/issue 2 targets): batched ``ProcessModel.evaluate`` segments per second (>= 1,000,000)
and one ``ProcessModel.evaluate_one`` call (<= 50 us), each also as a ratio to a baseline timed in the
same process: a numpy multiply-add over the same N (batched) and a Python float multiply-add loop
(single), so that figures from different machines can be compared.
Times are the best of several repeats of the process's CPU time (threads pinned to 1).
Usage: ``python scripts/bench_process.py [--n 200000] [--repeats 7]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from weldcraft.process import ProcessModel, SegmentInputs  # noqa: E402
from weldcraft.seams import WPS, JointKind, JointSpec  # noqa: E402


def _best(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()  # CPU time of this (single-threaded) process: robust on a shared machine
        fn()
        best = min(best, time.process_time() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200_000, help="segments per batched call")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--single-calls", type=int, default=20_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    wps = WPS()
    model = ProcessModel(wps, JointSpec(JointKind.FILLET, 8.0))
    n = args.n
    inputs = SegmentInputs.from_wps(
        wps,
        n,
        travel_speed_mm_s=rng.uniform(3.0, 12.0, n),
        ctwd_mm=rng.uniform(8.0, 30.0, n),
        travel_angle_deg=rng.uniform(-10.0, 30.0, n),
        work_angle_error_deg=rng.normal(0.0, 10.0, n),
        lateral_offset_mm=rng.normal(0.0, 0.8, n),
        weave_width_mm=rng.uniform(0.0, 5.0, n),
        edge_dwell_fraction=rng.uniform(0.0, 0.4, n),
        gap_mm=rng.uniform(0.0, 1.5, n),
    )
    a, b, c = rng.random(n), rng.random(n), rng.random(n)
    t_batch = _best(lambda: model.evaluate(inputs), args.repeats)
    t_base = _best(lambda: a * b + c, args.repeats)

    calls = args.single_calls
    poses = [
        (float(v), float(ct))
        for v, ct in zip(rng.uniform(3, 12, calls), rng.uniform(8, 30, calls), strict=True)
    ]

    def single() -> None:
        for v, ct in poses:
            model.evaluate_one(v, ct, 10.0, 3.0, 0.2, 2.0, 0.2, 0.5)

    def scalar_base() -> None:
        acc = 0.0
        for v, ct in poses:
            acc = acc * 0.5 + v * ct

    t_single = _best(single, 3) / calls
    t_scalar_base = _best(scalar_base, 3) / calls
    print(
        json.dumps(
            {
                "benchmark": "process",
                "python": platform.python_version(),
                "numpy": np.__version__,
                "threads": 1,
                "batched_segments": n,
                "batched_segments_per_s": n / t_batch,
                "batched_target_segments_per_s": 1_000_000,
                "batched_ns_per_segment": t_batch / n * 1e9,
                "baseline_numpy_fma_ns_per_element": t_base / n * 1e9,
                "batched_ratio_to_numpy_fma": t_batch / t_base,
                "single_segment_us": t_single * 1e6,
                "single_target_us": 50.0,
                "baseline_python_fma_ns": t_scalar_base * 1e9,
                "single_ratio_to_python_fma": t_single / t_scalar_base,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
