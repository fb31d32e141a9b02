"""IK: always inside the joint limits, exact on reachable poses, explicit about unreachable ones."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from weldcraft.envs.robot import Cell, IKResult, NumericIK, SphericalWristIK
from weldcraft.envs.robot.chain import KinematicChain, matrix_to_quat_xyzw
from weldcraft.envs.robot.ik import IKLimits, Keepout, make_ik_solver
from weldcraft.envs.robot.urdf_gen import ARM_TORCH_URDF, ASSETS_DIR, arm_urdf

POS_TOL_M = 1e-4  # the acceptance bound: 0.1 mm
ANG_TOL_RAD = math.radians(0.1)  # and 0.1 degree


def torch_poses_above_table(cell: Cell, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n joint vectors (within limits and keep-outs) whose TCP is over the table top, wire pointing down.

    Returns (q (n, 6), world-frame TCP poses (n, 4, 4)). Uses the batched numpy FK.
    """
    robot = cell.robot
    cfg = cell.config
    q = rng.uniform(robot.lower_rad, robot.upper_rad, size=(100 * n, 6))
    for k in robot.limits.keepouts:
        rel = np.mod(q[:, k.joint_index] - k.lower_rad, 2 * math.pi)
        q = q[~((rel > 0.0) & (rel < k.upper_rad - k.lower_rad))]
    pos, rot = robot.chain.fk_batch(q)
    pos = pos + robot.base_xyz_m  # base frame is only translated in the default cell
    cx, cy, top = cfg.table_top_center_m
    lx, ly, _ = cfg.table_size_m
    keep = (
        (np.abs(pos[:, 0] - cx) < lx / 2)
        & (np.abs(pos[:, 1] - cy) < ly / 2)
        & (pos[:, 2] > top + 0.005)
        & (pos[:, 2] < top + 0.6)
        & (rot[:, 2, 2] < -0.2)  # wire direction has a downward component
    )
    idx = np.flatnonzero(keep)[:n]
    assert idx.size == n, f"only {idx.size} poses over the table"
    poses = np.tile(np.eye(4), (n, 1, 1))
    poses[:, :3, :3] = rot[idx]
    poses[:, :3, 3] = pos[idx]
    return q[idx], poses


def test_ik_1000_random_torch_poses_within_limits_and_tolerances(cell: Cell) -> None:
    robot = cell.robot
    assert isinstance(robot.ik, SphericalWristIK)
    rng = np.random.default_rng(2024)
    q_true, poses = torch_poses_above_table(cell, 1000, rng)
    solved = 0
    for i in range(1000):
        seed = rng.uniform(robot.lower_rad, robot.upper_rad)  # a different, random seed
        res = robot.solve_ik(poses[i, :3, 3], matrix_to_quat_xyzw(poses[i, :3, :3]), seed)
        assert res.ok, res.reason  # every pose came from a valid q, so a solution exists
        assert np.all(res.q >= robot.lower_rad) and np.all(res.q <= robot.upper_rad)
        assert robot.within_limits(res.q)
        pos, quat = robot.fk(res.q)
        assert np.linalg.norm(pos - poses[i, :3, 3]) <= POS_TOL_M
        rot_err = poses[i, :3, :3].T @ robot.fk_matrix(res.q)[:3, :3]
        assert math.acos(min(1.0, (np.trace(rot_err) - 1.0) / 2.0)) <= ANG_TOL_RAD
        assert res.pos_err_m <= POS_TOL_M and res.ang_err_rad <= ANG_TOL_RAD
        solved += 1
    assert solved == 1000


def test_ik_from_current_q_is_continuous_along_a_path(cell: Cell) -> None:
    """A straight 300 mm torch run in 1 mm steps: the solution never changes branch (no wrist flip)."""
    robot = cell.robot
    q = robot.home_q_rad.copy()
    start, quat = robot.fk(q)
    for k in range(300):
        target = start + np.array([0.0, 0.001 * (k - 150), -0.1])  # k = 0: a first jump from home
        res = robot.solve_ik(target, quat, q)
        assert res.ok, res.reason
        if k:
            assert np.max(np.abs(res.q - q)) < 0.02  # 1 mm of TCP motion never needs more than ~1 degree
        q = res.q


def test_unreachable_pose_is_reported_not_replaced(cell: Cell) -> None:
    robot = cell.robot
    q0 = robot.home_q_rad
    res = robot.solve_ik(np.array([3.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.0, 0.0]), q0)
    assert not res.ok and res.reason == "unreachable"
    assert np.array_equal(res.q, q0)  # the seed back, never a "closest" wrong pose
    assert res.pos_err_m > 1.0


def test_pose_reachable_only_outside_limits_is_reported() -> None:
    chain = KinematicChain.from_urdf(ASSETS_DIR / ARM_TORCH_URDF, "tcp")
    narrow = chain.lower_rad.copy(), chain.upper_rad.copy()
    narrow[0][0], narrow[1][0] = -0.5, 0.5  # J1 restricted to +-0.5 rad
    solver = make_ik_solver(chain, IKLimits(narrow[0], narrow[1], chain.velocity_rad_s))
    q = np.array([2.0, 0.3, 0.1, 0.2, 0.8, 0.1])  # J1 = 2 rad: the back branch needs J1 = 2 - pi = -1.14
    pos, rot = chain.fk(q)
    res = solver.solve(pos, matrix_to_quat_xyzw(rot), np.zeros(6))
    assert res.reason == "joint_limits" and not res.ok


def test_keepout_is_never_returned() -> None:
    chain = KinematicChain.from_urdf(ASSETS_DIR / ARM_TORCH_URDF, "tcp")
    keepout = Keepout(2, 1.35, 2.45)
    solver = make_ik_solver(
        chain, IKLimits(chain.lower_rad, chain.upper_rad, chain.velocity_rad_s, (keepout,))
    )
    rng = np.random.default_rng(5)
    inside = 0
    for _ in range(300):
        q = rng.uniform(chain.lower_rad, chain.upper_rad)
        inside += keepout.contains(q[2])
        pos, rot = chain.fk(q)
        res = solver.solve(pos, matrix_to_quat_xyzw(rot), q)  # seeded AT the forbidden pose
        if res.ok:
            assert not keepout.contains(res.q[2])
        else:  # only when every branch of that pose has J3 in the keep-out
            assert res.reason == "joint_limits"
    assert inside > 20


def test_max_joint_step_reports_discontinuity(cell: Cell) -> None:
    robot = cell.robot
    q = robot.home_q_rad
    pos, quat = robot.fk(q)
    res = robot.solve_ik(pos + np.array([0.0, 0.3, 0.0]), quat, q, max_joint_step_rad=0.05)
    assert not res.ok and res.reason == "discontinuous"
    assert np.array_equal(res.q, q)
    assert res.pos_err_m == pytest.approx(0.3, abs=1e-9)  # errors describe the returned q (the seed)
    assert robot.solve_ik(pos + np.array([0.0, 0.3, 0.0]), quat, q).ok


def test_ik_result_validates_itself() -> None:
    with pytest.raises(ValueError, match="unknown IK reason"):
        IKResult(np.zeros(6), False, 0.0, 0.0, "close_enough")
    with pytest.raises(ValueError, match="contradicts"):
        IKResult(np.zeros(6), True, 0.0, 0.0, "unreachable")


def test_non_spherical_wrist_falls_back_to_numeric_ik(tmp_path: Path) -> None:
    """An arm whose J6 axis misses the wrist centre by 30 mm: LM solver, still never outside the limits."""
    text = arm_urdf().replace(
        '<origin xyz="0.07 0 0" rpy="0 0 0"/>', '<origin xyz="0.07 0 0.03" rpy="0 0 0"/>'
    )
    path = tmp_path / "offset_wrist.urdf"
    path.write_text(text, encoding="utf-8")
    chain = KinematicChain.from_urdf(path, "tcp")
    limits = IKLimits(chain.lower_rad, chain.upper_rad, chain.velocity_rad_s)
    solver = make_ik_solver(chain, limits)
    assert isinstance(solver, NumericIK)
    rng = np.random.default_rng(9)
    ok = 0
    for _ in range(40):
        q = rng.uniform(chain.lower_rad, chain.upper_rad)
        pos, rot = chain.fk(q)
        res = solver.solve(pos, matrix_to_quat_xyzw(rot), np.clip(q + rng.normal(0.0, 0.1, 6), -3.0, 3.0))
        if res.ok:
            ok += 1
            assert np.all(res.q >= chain.lower_rad) and np.all(res.q <= chain.upper_rad)
            assert res.pos_err_m <= POS_TOL_M and res.ang_err_rad <= ANG_TOL_RAD
    assert ok >= 38
