"""Benchmark: 100 master demonstrations on FilletPB generated and written as a Minari dataset (one core).

    PYTHONPATH=. python scripts/bench_demos.py [--episodes 100]

Prints one JSON object: seconds and demos/s for generating and writing, the steps/s of the Craftsman
episodes, and the same process's baseline of the bare env stepping with zero actions, with their ratio
(Craftsman overhead on top of the env). Target (issue 4): 100 demos generated and written in <= 60 s.
The dataset goes to a temporary MINARI_DATASETS_PATH that is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy: one core
import tempfile
import time

import gymnasium as gym
import numpy as np

import weldcraft  # noqa: F401  (registers the env ids)

ENV_ID = "weldcraft/FilletPB-v0"


def baseline_steps_per_s(env: gym.Env, steps: int) -> float:
    """Bare env: zero actions (the nominal weld), resetting when an episode ends."""
    zero = np.zeros(env.action_space.shape, dtype=np.float32)
    env.reset(seed=0)
    t0 = time.perf_counter()
    for k in range(steps):
        _, _, term, trunc, _ = env.step(zero)
        if term or trunc:
            env.reset(seed=k)
    return steps / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=100)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):  # one core, as the target says
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    root = tempfile.mkdtemp(prefix="weldcraft-bench-")
    os.environ["MINARI_DATASETS_PATH"] = root
    from weldcraft.demos import dataset as ds
    from weldcraft.demos.craftsman.policy import Craftsman
    from weldcraft.demos.rollout import craftsman_episode

    env = gym.make(ENV_ID)
    craftsman = Craftsman("master", "zigzag", seed=0)
    # baseline before and after, averaged: the machine's load drifts during a two-minute run
    base_before = baseline_steps_per_s(env, 2000)
    t0 = time.perf_counter()
    episodes = [craftsman_episode(env, craftsman, seed).episode for seed in range(args.episodes)]
    t_gen = time.perf_counter() - t0
    ds.write_dataset("bench/fillet_pb/master-v0", episodes, env, description="benchmark")
    t_total = time.perf_counter() - t0
    steps = sum(ep.n_steps for ep in episodes)
    base = 0.5 * (base_before + baseline_steps_per_s(env, 2000))
    env.close()
    import shutil

    shutil.rmtree(root, ignore_errors=True)
    levels = [ep.metadata.iso_level for ep in episodes]
    print(
        json.dumps(
            {
                "benchmark": "demos",
                "episodes": args.episodes,
                "steps": steps,
                "seconds_generate": round(t_gen, 3),
                "seconds_generate_and_write": round(t_total, 3),
                "seconds_write": round(t_total - t_gen, 3),
                "seconds_if_env_stepped_at_baseline_speed": round(steps / base + (t_total - t_gen), 3),
                "demos_per_s": round(args.episodes / t_total, 3),
                "craftsman_steps_per_s": round(steps / t_gen, 1),
                "baseline_env_zero_action_steps_per_s": round(base, 1),
                "ratio_craftsman_to_baseline": round((steps / t_gen) / base, 3),
                "target_seconds": 60.0,
                "meets_target": t_total <= 60.0,
                "level_B_fraction": round(levels.count("B") / len(levels), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
