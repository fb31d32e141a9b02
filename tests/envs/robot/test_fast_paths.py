"""The robot's per-step fast paths give bit for bit what their reference paths give.

Each shortcut is compared with the plain code it replaces, including the inputs where it must not
take the shortcut (a changed or signed-zero joint vector for the FK memo, a NaN for the step check).
"""

from __future__ import annotations

import math

import numpy as np
import pybullet as pb
import pytest

from weldcraft.envs.robot import Cell, JointMotionLimiter
from weldcraft.envs.robot.ik import _max_abs_diff

VMAX = np.array([3.67, 3.32, 3.67, 6.98, 6.98, 10.47])
AMAX = VMAX / 0.3
LOWER = np.array([-3.14, -1.57, -3.14, -3.31, -3.31, -6.28])
UPPER = np.array([3.14, 2.79, 4.61, 3.31, 3.31, 6.28])


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("synchronized", [True, False])
def test_limiter_step_is_bitwise_its_reference(synchronized: bool) -> None:
    limiter = JointMotionLimiter(VMAX, AMAX, LOWER, UPPER, synchronized)
    rng = np.random.default_rng(3)
    limited_seen = free_seen = 0
    for k in range(3000):
        q = rng.uniform(LOWER, UPPER)
        if k % 5 == 0:  # near a position limit
            q = np.where(rng.random(6) < 0.5, LOWER + 1e-3, UPPER - 1e-3)
        qd = rng.uniform(-VMAX, VMAX) * rng.choice([0.0, 0.01, 1.0], 6)
        step = rng.normal(0.0, 10.0 ** rng.uniform(-7, 0.0), 6) * rng.choice([0.0, 1.0], 6)
        target = q + step if k % 7 else q.copy()
        dt = float(rng.choice([0.004, 0.02, 0.05]))
        fast = limiter.step(q, qd, target, dt)
        ref = limiter.step_reference(q, qd, target, dt)
        assert _same(fast[0], ref[0]) and _same(fast[1], ref[1]) and fast[2] == ref[2]
        limited_seen += fast[2]
        free_seen += not fast[2]
    assert limited_seen > 150 and free_seen > 150  # both branches exercised


def test_limiter_rejects_bad_dt_and_lengths() -> None:
    limiter = JointMotionLimiter(VMAX, AMAX, LOWER, UPPER)
    with pytest.raises(ValueError):
        limiter.step(np.zeros(6), np.zeros(6), np.zeros(6), 0.0)
    with pytest.raises(ValueError):
        limiter.step(np.zeros(5), np.zeros(6), np.zeros(6), 0.05)


def test_fk_memo_serves_only_identical_nonzero_joint_vectors(cell: Cell) -> None:
    scalar = cell.robot.chain.scalar
    rng = np.random.default_rng(0)
    for _ in range(50):
        q = rng.uniform(-2.0, 2.0, 6).tolist()
        first = scalar.fk(q)
        assert scalar.fk(list(q)) == first  # served from the memo ...
        pos, rot, _, _ = scalar.walk(q, want_axes=False)
        assert first == (pos, rot)  # ... and equal to a fresh walk
        q2 = list(q)
        q2[int(rng.integers(6))] += 1e-12  # one ulp-scale change is a new pose
        assert scalar.fk(q2) == scalar.walk(q2, want_axes=False)[:2]
    # +0.0 and -0.0 compare equal: the memo must not answer for the other one
    q_pos = [0.0, -0.3, 0.4, 0.0, 0.8, 0.0]
    q_neg = [-0.0, -0.3, 0.4, -0.0, 0.8, -0.0]
    scalar.fk(q_pos)
    got = scalar.fk(q_neg)
    want = scalar.walk(q_neg, want_axes=False)[:2]
    assert all(math.copysign(1.0, a) == math.copysign(1.0, b) for a, b in zip(got[1], want[1], strict=True))
    assert got == want


def test_set_q_in_one_call_puts_pybullet_where_per_joint_resets_put_it(cell: Cell) -> None:
    robot = cell.robot
    cid = robot.client_id
    rng = np.random.default_rng(1)
    for _ in range(10):
        q = rng.uniform(np.maximum(robot.lower_rad, -2.5), np.minimum(robot.upper_rad, 2.5))
        robot.set_q(q)
        batched = pb.getLinkStates(robot.body_id, list(robot.link_names)[1:], physicsClientId=cid)
        joints = [
            s[0] for s in pb.getJointStates(robot.body_id, list(robot.joint_indices), physicsClientId=cid)
        ]
        hits = [(c.link_name, c.body_name, c.other_link, c.distance_m) for c in cell.collisions()]
        for idx, value in zip(robot.joint_indices, q.tolist(), strict=True):
            pb.resetJointState(robot.body_id, idx, value, 0.0, physicsClientId=cid)
        single = pb.getLinkStates(robot.body_id, list(robot.link_names)[1:], physicsClientId=cid)
        assert joints == q.tolist()
        assert batched == single
        assert hits == [(c.link_name, c.body_name, c.other_link, c.distance_m) for c in cell.collisions()]
    with pytest.raises(ValueError):
        robot.set_q(np.array([0.0, 0.0, math.nan, 0.0, 0.0, 0.0]))


def test_max_abs_diff_is_numpys_including_nan() -> None:
    rng = np.random.default_rng(2)
    for _ in range(500):
        a, b = rng.normal(size=6), rng.normal(size=6)
        assert _max_abs_diff(a.tolist(), b.tolist()) == float(np.max(np.abs(a - b)))
    assert math.isnan(_max_abs_diff([0.0, math.nan, 5.0], [0.0, 0.0, 0.0]))
    assert math.isnan(_max_abs_diff([9.0, 0.0, math.nan], [0.0, 0.0, 0.0]))
