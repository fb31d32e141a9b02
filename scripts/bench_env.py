"""Benchmark of WeldCellEnv.step; prints one JSON object.

Measured in this process, timed with this thread's CPU time (`time.thread_time`: time spent waiting
for a CPU held by other jobs on a shared machine does not count):

* env_steps_per_s: steps/s of the nominal straight weld with state observations, no rendering, on a
  2,000-step straight fillet (650 mm at 6.5 mm/s and 20 Hz), part as programmed (tracker noise on);
* bare_loop_per_s: the same number of iterations of the robot core only (closed-form IK to the same
  torch poses + joint limiter + forward kinematics + joint state to pybullet + collision query) and
  ratio_env_to_bare = env_steps_per_s / bare_loop_per_s (how much the welding model adds);
* late_over_early_step_time: median step time over the last 10 % of the seam / first 10 % (a bead kept
  as one body per deposit would grow this; the target is <= 1.10); the weld is run `--repeats` times
  and the median ratio reported;
* env_steps_per_s_scan_every_2_steps: the same with the tracker scanning every second step (10 Hz);
* render_fps_320x240: rgb_array frames/s (TinyRenderer) of the same cell during a weld;
* components_us: microseconds per call of the step's parts at one mid-seam state (IK, limiter, joint
  state to pybullet, FK, collision query, tracker scan, process model) and their robot-only sum;
* the load average and a CPU calibration (ns per Python float multiply-add), because the shared dev
  machine's other jobs change absolute figures several-fold while ratios stay comparable.

Usage: PYTHONPATH=. python scripts/bench_env.py [--steps 2000] [--render-frames 60]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import time

import numpy as np

from weldcraft.envs.controllers import NominalController
from weldcraft.envs.torch_geometry import commanded_tip_m, tool_rotation
from weldcraft.envs.weld_cell_env import WeldCellEnv, default_max_episode_steps
from weldcraft.seams import WeldJob, load_job


def long_fillet(steps: int) -> WeldJob:
    """The fillet_pb preset stretched to `steps` control steps at its WPS speed."""
    data = load_job("fillet_pb").to_mapping()
    wps = data["wps"]
    half_m = steps * wps["travel_speed_mm_s"] / 20.0 / 2000.0
    data["name"] = "bench_long_fillet"
    data["seam"]["start_m"], data["seam"]["end_m"] = [-half_m, 0.0, 0.0], [half_m, 0.0, 0.0]
    data["gap"] = {"s_mm": [0.0, 2000.0 * half_m], "gap_mm": [0.0, 0.0]}
    return WeldJob.from_mapping(data)


def calibration_ns() -> float:
    """ns per `x = x * 1.0000001 + 1e-9` in a Python loop (a machine-speed yardstick)."""
    x, n = 1.0, 200_000
    t = time.perf_counter()
    for _ in range(n):
        x = x * 1.0000001 + 1e-9
    return (time.perf_counter() - t) / n * 1e9


def bench_env(job: WeldJob, steps: int, scan_every: int = 1) -> tuple[float, list[float], WeldCellEnv]:
    # Randomization off: the presets sink the flange into the table top (part z = 0 on the flange's top
    # face), so a tilted random placement lets the nozzle touch the table near the far end of a long seam.
    env = WeldCellEnv(
        job,
        max_episode_steps=default_max_episode_steps(job),
        randomization={"enabled": False},
        sensor={"scan_every_steps": scan_every},
    )
    env.reset(seed=0)
    for _ in range(20):  # warm-up (caches, branch predictors)
        env.step(np.zeros(5, dtype=np.float32))
    env.reset(seed=1)
    action = np.zeros(5, dtype=np.float32)
    times: list[float] = []
    cpu = time.thread_time
    start = cpu()
    for _ in range(steps):
        t0 = cpu()
        _, _, terminated, truncated, _ = env.step(action)
        times.append(cpu() - t0)
        if terminated or truncated:
            break
    total = cpu() - start
    return len(times) / total, times, env


def bench_bare(env: WeldCellEnv, n: int) -> float:
    """IK + limiter + FK + pybullet joint state + collision query along the same seam, n iterations."""
    cell = env.cell
    wps = env.job.wps
    targets = []
    for k in range(n):
        s = min(k * wps.travel_speed_mm_s / env.control_hz / 1000.0, env.world.length_m)
        c, frame = env.world.programmed.point_frame(s)
        tip = commanded_tip_m(c, frame, env._w_nominal, 0.0, wps.ctwd_mm, env.section)
        targets.append((tip, tool_rotation(frame, env._w_nominal, env.torch_roll_rad)))
    env.reset(seed=1)
    q, qd = env._q.copy(), np.zeros(env.n_joints)
    limiter = env.limiter
    start = time.thread_time()
    for tip, rot in targets:
        ik = cell.solve_ik(tip, rot, q, 1.0)
        q, qd, _ = limiter.step(q, qd, ik.q, env.dt)
        cell.robot.set_q(q)
        cell.tcp_pose()
        cell.collisions()
    return n / (time.thread_time() - start)


def bench_components(job: WeldJob, at_step: int = 500, n: int = 300) -> dict[str, float]:
    """Microseconds per call (thread time, best of 3 x n calls) of the step's parts at one mid-seam state.

    `ik` closed-form IK to the commanded pose; `limiter`; `set_q` (joint state into pybullet); `fk` (the
    analytic chain, memo bypassed); `collisions` (pybullet query); `tracker_scan` (16-ray profile, feature,
    noise); `process` (`ProcessModel.evaluate_one`); `robot_floor` = ik + limiter + set_q + fk + collisions:
    what a step costs before any welding model.
    """
    env = WeldCellEnv(job, max_episode_steps=default_max_episode_steps(job), randomization={"enabled": False})
    try:
        env.reset(seed=1)
        action = np.zeros(5, dtype=np.float32)
        for _ in range(at_step):
            env.step(action)
        cell, q, qd = env.cell, env._q.copy(), env._qd.copy()
        tip, rot = cell.tcp_pose()
        q_list = q.tolist()
        sensor = rot @ env._sensor_from_tool
        aim = tip + sensor @ env._lookahead_tool_m
        rng = np.random.default_rng(0)
        p = env.process
        calls = {
            "ik": lambda: cell.solve_ik(tip, rot, q, 1.0),
            "limiter": lambda: env.limiter.step(q, qd, q + 1e-4, env.dt),
            "set_q": lambda: cell.robot.set_q(q),
            "fk": lambda: cell.robot.chain.scalar.walk(q_list, False),
            "collisions": cell.collisions,
            "tracker_scan": lambda: env.tracker.scan(aim, sensor, rng),
            "process": lambda: p.evaluate_one(6.5, 15.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0),
        }
        out = {}
        for name, call in calls.items():
            best = math.inf
            for _ in range(3):
                t0 = time.thread_time()
                for _ in range(n):
                    call()
                best = min(best, (time.thread_time() - t0) / n * 1e6)
            out[name] = round(best, 1)
        out["robot_floor"] = round(sum(out[k] for k in ("ik", "limiter", "set_q", "fk", "collisions")), 1)
        return out
    finally:
        env.close()


def bench_render(frames: int) -> float:
    env = WeldCellEnv("fillet_pb", render_mode="rgb_array")
    try:
        env.reset(seed=0)
        controller = NominalController()
        obs = None
        elapsed = 0.0
        for _ in range(frames):
            for _ in range(5):
                obs, *_ = env.step(controller(env, obs))
            t0 = time.perf_counter()
            env.render()
            elapsed += time.perf_counter() - t0
        return frames / elapsed
    finally:
        env.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--render-frames", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    job = long_fillet(args.steps)
    calib_before = calibration_ns()
    rates, ratios, bares = [], [], []
    for _ in range(args.repeats):
        steps_per_s, times, env = bench_env(job, args.steps)
        bares.append(bench_bare(env, len(times)))
        env.close()
        k = max(1, len(times) // 10)
        rates.append(steps_per_s)
        ratios.append(statistics.median(times[-k:]) / statistics.median(times[:k]))
    steps_per_s, bare_per_s = max(rates), max(bares)  # best of the repeats: least disturbed by other jobs
    rate_scan2, _, env2 = bench_env(job, args.steps, scan_every=2)
    env2.close()
    render_fps = bench_render(args.render_frames)
    components = bench_components(job)
    result = {
        "env_steps_per_s": round(steps_per_s, 1),
        "steps": len(times),
        "mean_step_us": round(1e6 / steps_per_s, 1),
        "bare_loop_per_s": round(bare_per_s, 1),
        "ratio_env_to_bare": round(steps_per_s / bare_per_s, 3),
        "env_steps_per_s_scan_every_2_steps": round(rate_scan2, 1),
        "late_over_early_step_time": round(statistics.median(ratios), 3),
        "repeats": args.repeats,
        "render_fps_320x240": round(render_fps, 1),
        "components_us": components,
        "target_env_steps_per_s": 2000,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpu_count": os.cpu_count(),
        "calibration_ns_per_float_op": round(0.5 * (calib_before + calibration_ns()), 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
