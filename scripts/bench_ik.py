"""Benchmark of the robot layer: FK, IK, motion limiter and collision queries; prints one JSON object.

Baselines run in the same process: pybullet's own FK (resetJointState + getLinkState) and pybullet's
`calculateInverseKinematics` (which ignores joint limits without null-space arguments: its limit violations
and pose errors on the same targets are reported too).

    PYTHONPATH=. python scripts/bench_ik.py [--poses 2000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time
from collections.abc import Callable

import numpy as np
import pybullet as pb

from weldcraft.envs.robot import JointMotionLimiter, build_cell, load_cell_config
from weldcraft.envs.robot.chain import matrix_to_quat_xyzw, quat_xyzw_to_matrix
from weldcraft.envs.robot.ik import NumericIK


def _rate(fn: Callable[[int], object], n: int) -> float:
    """Calls per CPU second of fn(i) for i in range(n) (process time: robust on a shared machine)."""
    start = time.process_time()
    for i in range(n):
        fn(i)
    return n / (time.process_time() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--poses", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    n = args.poses
    rng = np.random.default_rng(args.seed)
    cid = pb.connect(pb.DIRECT)
    cell = build_cell(cid, load_cell_config("default"))
    robot = cell.robot

    # Targets: torch poses from random valid joint vectors with the TCP above the table, wire downwards.
    q_all = rng.uniform(robot.lower_rad, robot.upper_rad, size=(100 * n, 6))
    for k in robot.limits.keepouts:
        rel = np.mod(q_all[:, k.joint_index] - k.lower_rad, 2.0 * math.pi)
        q_all = q_all[~((rel > 0.0) & (rel < k.upper_rad - k.lower_rad))]
    pos, rot = robot.chain.fk_batch(q_all)
    pos = pos + robot.base_xyz_m
    top = cell.config.table_top_center_m[2]
    cx, cy, _ = cell.config.table_top_center_m
    lx, ly, _ = cell.config.table_size_m
    keep = (
        (np.abs(pos[:, 0] - cx) < lx / 2)
        & (np.abs(pos[:, 1] - cy) < ly / 2)
        & (pos[:, 2] > top + 0.005)
        & (pos[:, 2] < top + 0.6)
        & (rot[:, 2, 2] < -0.2)
    )
    idx = np.flatnonzero(keep)[:n]
    n = idx.size
    q_true = q_all[idx]
    targets = [(pos[i], matrix_to_quat_xyzw(rot[i])) for i in idx]
    far_seeds = rng.uniform(robot.lower_rad, robot.upper_rad, size=(n, 6))
    near_seeds = q_true + rng.normal(0.0, 0.01, size=q_true.shape)

    # Accuracy and success over the targets (random seeds).
    results = [robot.solve_ik(t[0], t[1], s) for t, s in zip(targets, far_seeds, strict=True)]
    ok = [r for r in results if r.ok]
    inside = all(robot.within_limits(r.q) for r in ok)

    fk_rate = _rate(lambda i: robot.fk(q_true[i]), n)
    ik_near = _rate(lambda i: robot.solve_ik(targets[i][0], targets[i][1], near_seeds[i]), n)
    ik_far = _rate(lambda i: robot.solve_ik(targets[i][0], targets[i][1], far_seeds[i]), n)

    def pb_fk(i: int) -> None:
        for j, v in zip(robot.joint_indices, q_true[i].tolist(), strict=True):
            pb.resetJointState(robot.body_id, j, v, physicsClientId=cid)
        pb.getLinkState(
            robot.body_id, robot.tcp_link_index, computeForwardKinematics=True, physicsClientId=cid
        )

    pb_fk_rate = _rate(pb_fk, n)

    # pybullet IK baseline, from the near seed (its best case), checked with our FK.
    pb_viol = pb_bad = 0

    def pb_ik(i: int) -> None:
        nonlocal pb_viol, pb_bad
        for j, v in zip(robot.joint_indices, near_seeds[i].tolist(), strict=True):
            pb.resetJointState(robot.body_id, j, v, physicsClientId=cid)
        q = np.array(
            pb.calculateInverseKinematics(
                robot.body_id,
                robot.tcp_link_index,
                targets[i][0].tolist(),
                targets[i][1].tolist(),
                maxNumIterations=50,
                residualThreshold=1e-6,
                physicsClientId=cid,
            )
        )
        p, quat = robot.fk(q)
        ang = 2.0 * math.acos(min(1.0, abs(float(np.dot(quat, targets[i][1])))))
        pb_viol += not robot.within_limits(q)
        pb_bad += bool(np.linalg.norm(p - targets[i][0]) > 1e-4 or ang > math.radians(0.1))

    n_pb = min(n, 500)
    pb_ik_rate = _rate(pb_ik, n_pb)

    numeric = NumericIK(robot.chain, robot.limits)
    base_rot = quat_xyzw_to_matrix(robot.base_quat_xyzw)
    n_num = min(n, 300)
    num_ok = 0

    def num_ik(i: int) -> None:
        nonlocal num_ok
        p_base = base_rot.T @ (targets[i][0] - robot.base_xyz_m)
        num_ok += numeric.solve_rot(p_base, base_rot.T @ quat_xyzw_to_matrix(targets[i][1]), near_seeds[i]).ok

    num_rate = _rate(num_ik, n_num)

    limiter = JointMotionLimiter(robot.velocity_rad_s, robot.accel_rad_s2, robot.lower_rad, robot.upper_rad)
    qd = np.zeros(6)
    limiter_rate = _rate(lambda i: limiter.step(q_true[i], qd, near_seeds[i], 0.01), n)

    robot.set_q(robot.home_q_rad)
    set_q_rate = _rate(lambda i: robot.set_q(q_true[i]), n)
    robot.set_q(robot.home_q_rad)
    coll_rate = _rate(lambda i: cell.collisions(), n)

    t0 = time.process_time()
    for _ in range(20):
        c = pb.connect(pb.DIRECT)
        build_cell(c, cell.config)
        pb.disconnect(physicsClientId=c)
    build_ms = (time.process_time() - t0) / 20 * 1e3

    print(
        json.dumps(
            {
                "machine": platform.processor() or platform.machine(),
                "timing": "per CPU second of this process (time.process_time)",
                "poses": n,
                "ik_solver": type(robot.ik).__name__,
                "ik_success_rate_random_seed": len(ok) / n,
                "ik_all_solutions_within_limits": inside,
                "ik_max_pos_err_m": max(r.pos_err_m for r in ok),
                "ik_max_ang_err_rad": max(r.ang_err_rad for r in ok),
                "ik_solves_per_s_near_seed": round(ik_near),
                "ik_solves_per_s_random_seed": round(ik_far),
                "fk_per_s": round(fk_rate),
                "pybullet_fk_per_s": round(pb_fk_rate),
                "fk_ratio_to_pybullet": round(fk_rate / pb_fk_rate, 2),
                "pybullet_ik_per_s": round(pb_ik_rate),
                "ik_ratio_to_pybullet_ik": round(ik_near / pb_ik_rate, 2),
                "pybullet_ik_limit_violations": pb_viol / n_pb,
                "pybullet_ik_off_target_rate": pb_bad / n_pb,
                "numeric_lm_ik_per_s_near_seed": round(num_rate),
                "numeric_lm_ik_success_rate": num_ok / n_num,
                "limiter_steps_per_s": round(limiter_rate),
                "set_q_per_s": round(set_q_rate),
                "collision_queries_per_s": round(coll_rate),
                "cell_build_ms": round(build_ms, 1),
            }
        )
    )
    pb.disconnect(physicsClientId=cid)


if __name__ == "__main__":
    main()
