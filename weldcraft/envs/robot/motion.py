"""Kinematic joint motion under speed and acceleration limits (the robot tracks position, not torque).

Each control step moves every joint toward its target as fast as its limits allow without overshooting a
target that holds still, and (by default) scales all joints by one factor so that they move along the
straight joint-space line to the target and arrive together, as an industrial controller's joint
interpolation does. Discrete braking curve: with q advanced by the new velocity over the step
(q' = q + v' dt) and a per-step speed change of at most a dt, the largest speed from which a joint can still
stop exactly on the target at distance e is  v = a dt (e / (a dt² (m+1)) + m/2),  m = ⌊(√(1 + 8x) - 1)/2⌋,
x = e / (a dt²)  (the distance covered by braking from v in whole steps, inverted). A joint at or below
that speed never passes a target that does not move.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from weldcraft.types import FloatArray

_ROUND_OFF = 1e-9  # relative slack so that round-off in the braking curve never leaves a sliver of error


def braking_speed(error_abs: FloatArray, accel: FloatArray, dt: float) -> FloatArray:
    """Largest speed (n,) from which a joint stops exactly at distance `error_abs` (n,) in steps of dt."""
    adt2 = accel * dt * dt
    x = error_abs / adt2
    m = np.floor((np.sqrt(1.0 + 8.0 * x) - 1.0) / 2.0)
    return accel * dt * (x / (m + 1.0) + m / 2.0)


@dataclass(frozen=True, eq=False)
class JointMotionLimiter:
    """Per-joint speed (n,) rad/s and acceleration (n,) rad/s² limits, position limits (n,) rad.

    `synchronized`: all joints share one time scale (straight line in joint space); otherwise each joint
    moves time-optimally on its own.
    """

    velocity_rad_s: FloatArray
    accel_rad_s2: FloatArray
    lower_rad: FloatArray
    upper_rad: FloatArray
    synchronized: bool = True

    def __post_init__(self) -> None:
        for name in ("velocity_rad_s", "accel_rad_s2"):
            v = np.asarray(getattr(self, name), dtype=np.float64)
            if v.ndim != 1 or np.any(~np.isfinite(v)) or np.any(v <= 0.0):
                raise ValueError(f"{name} must be positive finite (n,), got {v}")
        if np.any(np.asarray(self.lower_rad) > np.asarray(self.upper_rad)):
            raise ValueError("lower_rad must not exceed upper_rad")

    def step(
        self, q: FloatArray, qd: FloatArray, q_target: FloatArray, dt: float
    ) -> tuple[FloatArray, FloatArray, bool]:
        """One control step of length dt (s) from q (n,) rad, qd (n,) rad/s toward q_target (n,) rad.

        Returns (q_next, qd_next, limited): qd_next = (q_next - q) / dt, |qd_next| <= v_max,
        |qd_next - qd| <= a_max dt, q_next inside the position limits; `limited` is True when the target
        was not reached in this step because a speed or acceleration limit bound.
        """
        if not dt > 0.0 or not math.isfinite(dt):
            raise ValueError(f"dt must be positive, got {dt}")
        q = np.asarray(q, dtype=np.float64)
        qd = np.asarray(qd, dtype=np.float64)
        target = np.clip(np.asarray(q_target, dtype=np.float64), self.lower_rad, self.upper_rad)
        vmax, amax = self.velocity_rad_s, self.accel_rad_s2
        err = target - q
        want = err / dt  # the speed that reaches the target in this step
        cap = np.minimum(vmax, braking_speed(np.abs(err), amax, dt))
        # Speeds this step can reach: within a dt of the current speed, and within +-cap toward the target.
        lo = np.maximum(qd - amax * dt, -vmax)
        hi = np.minimum(qd + amax * dt, vmax)
        # Brake for the position limits too (a moving target may lead a joint toward one), unless the
        # acceleration bound makes that impossible this step.
        hi = np.maximum(
            np.minimum(hi, braking_speed(np.maximum(self.upper_rad - q, 0.0), amax, dt)), qd - amax * dt
        )
        lo = np.minimum(
            np.maximum(lo, -braking_speed(np.maximum(q - self.lower_rad, 0.0), amax, dt)), qd + amax * dt
        )
        abs_want = np.abs(want)
        if self.synchronized:
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(
                    abs_want > 0.0, np.minimum(cap, np.where(want > 0.0, hi, -lo)) / abs_want, np.inf
                )
            scale = float(np.clip(np.min(ratio), 0.0, 1.0)) if ratio.size else 1.0
            v = want if scale >= 1.0 - _ROUND_OFF else want * scale
        else:
            v = np.where(cap >= abs_want * (1.0 - _ROUND_OFF), want, np.sign(want) * cap)
        v_next = np.clip(v, lo, hi)
        # A step that would pass the target although stopping on it is allowed (round-off in the braking
        # curve) stops on it.
        slack = _ROUND_OFF * amax * dt
        passing = ((v_next - want) * np.sign(err) > 0.0) & (want >= lo - slack) & (want <= hi + slack)
        v_next = np.where(passing, want, v_next)
        # Land exactly on the target when this step reaches it (q + (e / dt) dt may differ by round-off).
        q_next = np.clip(np.where(v_next == want, target, q + v_next * dt), self.lower_rad, self.upper_rad)
        qd_next = (q_next - q) / dt
        limited = bool(np.any(q_next != target))
        return q_next, qd_next, limited
