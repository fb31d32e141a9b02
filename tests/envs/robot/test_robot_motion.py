"""Joint motion limiter: never faster or harsher than the limits, converges, no overshoot."""

from __future__ import annotations

import numpy as np
import pytest

from weldcraft.envs.robot import JointMotionLimiter
from weldcraft.envs.robot.motion import braking_speed

VMAX = np.array([3.67, 3.32, 3.67, 6.98, 6.98, 10.47])  # DESIGN.md §3
AMAX = VMAX / 0.3
LOWER = np.array([-3.14, -1.57, -3.14, -3.31, -3.31, -6.28])
UPPER = np.array([3.14, 2.79, 4.61, 3.31, 3.31, 6.28])
REL = 1e-6  # round-off allowance on the limits


@pytest.mark.parametrize("synchronized", [True, False])
def test_static_targets_reached_within_limits_without_overshoot(synchronized: bool) -> None:
    limiter = JointMotionLimiter(VMAX, AMAX, LOWER, UPPER, synchronized)
    rng = np.random.default_rng(0)
    for _ in range(20):
        q = rng.uniform(LOWER, UPPER)
        qd = np.zeros(6)
        target = rng.uniform(LOWER, UPPER)
        dt = float(rng.choice([0.004, 0.01, 0.02, 0.05]))
        direction = np.sign(target - q)
        for _ in range(10_000):
            q_next, qd_next, limited = limiter.step(q, qd, target, dt)
            assert np.all(np.abs(qd_next) <= VMAX * (1 + REL))
            assert np.all(np.abs(qd_next - qd) <= AMAX * dt * (1 + REL))
            assert np.all(np.sign(target - q_next) * direction >= 0.0)  # never passes the target
            q, qd = q_next, qd_next
            if not limited:
                break
        assert np.array_equal(q, target)


def test_arrival_time_close_to_trapezoid_profile() -> None:
    limiter = JointMotionLimiter(VMAX, AMAX, LOWER, UPPER, synchronized=True)
    dt = 0.01
    q0 = np.zeros(6)
    target = np.array([2.0, -1.0, 1.5, 3.0, -2.0, 5.0])
    q, qd = q0, np.zeros(6)
    steps = 0
    limited = True
    while limited:
        q, qd, limited = limiter.step(q, qd, target, dt)
        steps += 1
    # Trapezoid time per joint: d / v + v / a (cruise reached) or 2 sqrt(d / a).
    d = np.abs(target - q0)
    t = np.where(d > VMAX**2 / AMAX, d / VMAX + VMAX / AMAX, 2 * np.sqrt(d / AMAX))
    # Discrete steps (q advanced by the new speed) may beat the continuous profile by up to a step or two.
    assert t.max() - 2 * dt <= steps * dt <= t.max() * 1.05 + 3 * dt


def test_synchronized_joints_move_on_a_straight_line() -> None:
    limiter = JointMotionLimiter(VMAX, AMAX, LOWER, UPPER, synchronized=True)
    q0 = np.zeros(6)
    target = np.array([1.0, 0.5, -0.5, 2.0, 1.0, -3.0])
    q, qd = q0, np.zeros(6)
    for _ in range(20):
        q, qd, _ = limiter.step(q, qd, target, 0.01)
        frac = (q - q0) / (target - q0)
        assert np.ptp(frac) < 1e-12  # all joints the same fraction of the way


def test_moving_target_is_tracked_and_limits_reported() -> None:
    limiter = JointMotionLimiter(VMAX, AMAX, LOWER, UPPER)
    dt = 0.02
    q, qd = np.zeros(6), np.zeros(6)
    flags = []
    for k in range(200):
        target = 0.2 * np.sin(0.5 * k * dt) * np.ones(6)  # slow: well inside the limits
        q, qd, limited = limiter.step(q, qd, target, dt)
        flags.append(limited)
    assert not any(flags[20:])  # after start-up the target is tracked exactly every step
    q, qd, limited = limiter.step(q, qd, q + 1.0, dt)  # a 1 rad jump cannot be done in 20 ms
    assert limited


def test_braking_speed_stops_exactly() -> None:
    accel, dt = np.array([10.0]), 0.01
    for dist in (0.0, 1e-5, 0.003, 0.0101, 0.5):
        v = float(braking_speed(np.array([dist]), accel, dt)[0])
        remaining = dist
        while v > 1e-15:
            remaining -= v * dt
            v -= accel[0] * dt
            v = min(v, remaining / dt)
        assert remaining == pytest.approx(0.0, abs=1e-12)


def test_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        JointMotionLimiter(-VMAX, AMAX, LOWER, UPPER)
    limiter = JointMotionLimiter(VMAX, AMAX, LOWER, UPPER)
    with pytest.raises(ValueError):
        limiter.step(np.zeros(6), np.zeros(6), np.zeros(6), 0.0)
