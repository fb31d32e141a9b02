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
from functools import cached_property

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

        The hot path (every env step): `step_reference` with the braking curve inlined and the per-dt
        constants precomputed, the same floating-point operations in the same order, so the result is
        bit for bit that of `step_reference` (tested).
        """
        if not dt > 0.0 or not math.isfinite(dt):
            raise ValueError(f"dt must be positive, got {dt}")
        consts = self._per_dt.get(dt)
        if consts is None:
            consts = self._constants(dt)
        q_l = np.asarray(q, dtype=np.float64).tolist()
        qd_l = np.asarray(qd, dtype=np.float64).tolist()
        tgt_l = np.asarray(q_target, dtype=np.float64).tolist()
        if not len(q_l) == len(qd_l) == len(tgt_l) == len(consts):
            raise ValueError(f"q, qd, q_target must have {len(consts)} values")
        sqrt, floor = math.sqrt, math.floor
        rows = []  # per joint: target, want, cap, lo, hi
        scale = 1.0
        for qi, vi, t, (vm, lower, upper, adt, adt2, _) in zip(q_l, qd_l, tgt_l, consts, strict=True):
            t = min(max(t, lower), upper)
            err = t - qi
            w = err / dt
            x = abs(err) / adt2
            m = floor((sqrt(1.0 + 8.0 * x) - 1.0) / 2.0)
            cap = min(vm, adt * (x / (m + 1) + m / 2))
            x = max(upper - qi, 0.0) / adt2
            m = floor((sqrt(1.0 + 8.0 * x) - 1.0) / 2.0)
            hi = max(min(vi + adt, vm, adt * (x / (m + 1) + m / 2)), vi - adt)
            x = max(qi - lower, 0.0) / adt2
            m = floor((sqrt(1.0 + 8.0 * x) - 1.0) / 2.0)
            lo = min(max(vi - adt, -vm, -(adt * (x / (m + 1) + m / 2))), vi + adt)
            if w != 0.0:
                allowed = min(cap, hi if w > 0.0 else -lo)
                scale = min(scale, allowed / abs(w))
            rows.append((t, w, cap, lo, hi))
        if self.synchronized:
            scale = max(scale, 0.0)
            factor = None if scale >= 1.0 - _ROUND_OFF else scale
        q_next = []
        limited = False
        for qi, (t, w, cap, lo, hi), c in zip(q_l, rows, consts, strict=True):
            if self.synchronized:
                v_i = w if factor is None else w * factor
            else:
                v_i = w if cap >= abs(w) * (1.0 - _ROUND_OFF) else math.copysign(cap, w)
            v_i = min(max(v_i, lo), hi)
            slack = c[5]
            if (v_i - w) * (t - qi) > 0.0 and lo - slack <= w <= hi + slack:
                v_i = w
            qn = t if v_i == w else qi + v_i * dt
            qn = min(max(qn, c[1]), c[2])
            q_next.append(qn)
            limited = limited or qn != t
        return np.array(q_next), np.array([(a - b) / dt for a, b in zip(q_next, q_l, strict=True)]), limited

    def _constants(self, dt: float) -> list[tuple[float, float, float, float, float, float]]:
        """Per joint (v_max, lower, upper, a dt, a dt², round-off slack) for step length dt (cached)."""
        vmax_l, amax_l, lower_l, upper_l = self._floats
        consts = []
        for vm, am, lo, hi in zip(vmax_l, amax_l, lower_l, upper_l, strict=True):
            adt = am * dt
            consts.append((vm, lo, hi, adt, adt * dt, _ROUND_OFF * am * dt))
        if len(self._per_dt) > 8:
            self._per_dt.clear()
        self._per_dt[dt] = consts
        return consts

    @cached_property
    def _per_dt(self) -> dict[float, list[tuple[float, float, float, float, float, float]]]:
        return {}

    def step_reference(
        self, q: FloatArray, qd: FloatArray, q_target: FloatArray, dt: float
    ) -> tuple[FloatArray, FloatArray, bool]:
        """`step`, written plainly (the specification the fast `step` is tested against)."""
        if not dt > 0.0 or not math.isfinite(dt):
            raise ValueError(f"dt must be positive, got {dt}")
        # Plain floats: six joints are too few for numpy's per-call overhead (this runs every env step).
        vmax_l, amax_l, lower_l, upper_l = self._floats
        q_l = np.asarray(q, dtype=np.float64).tolist()
        qd_l = np.asarray(qd, dtype=np.float64).tolist()
        tgt_l = np.asarray(q_target, dtype=np.float64).tolist()
        n = len(q_l)
        target = [min(max(t, lo_q), hi_q) for t, lo_q, hi_q in zip(tgt_l, lower_l, upper_l, strict=True)]
        want = [0.0] * n
        cap = [0.0] * n
        lo = [0.0] * n
        hi = [0.0] * n
        for i in range(n):
            qi, vi, vm, am = q_l[i], qd_l[i], vmax_l[i], amax_l[i]
            err = target[i] - qi
            want[i] = err / dt  # the speed that reaches the target in this step
            cap[i] = min(vm, _brake(abs(err), am, dt))
            # Speeds reachable this step (acceleration bound), braking also for the position limits unless
            # the acceleration bound makes that impossible.
            dv = am * dt
            hi[i] = max(min(vi + dv, vm, _brake(max(upper_l[i] - qi, 0.0), am, dt)), vi - dv)
            lo[i] = min(max(vi - dv, -vm, -_brake(max(qi - lower_l[i], 0.0), am, dt)), vi + dv)
        if self.synchronized:
            scale = 1.0
            for i in range(n):
                w = want[i]
                if w != 0.0:
                    allowed = min(cap[i], hi[i] if w > 0.0 else -lo[i])
                    scale = min(scale, allowed / abs(w))
            scale = max(scale, 0.0)
            v = want if scale >= 1.0 - _ROUND_OFF else [w * scale for w in want]
        else:
            v = [
                w if c >= abs(w) * (1.0 - _ROUND_OFF) else math.copysign(c, w)
                for w, c in zip(want, cap, strict=True)
            ]
        q_next = [0.0] * n
        limited = False
        for i in range(n):
            w = want[i]
            v_i = min(max(v[i], lo[i]), hi[i])
            # A step that would pass the target although stopping on it is allowed (round-off in the
            # braking curve) stops on it; one that reaches it lands exactly on it.
            slack = _ROUND_OFF * amax_l[i] * dt
            err = target[i] - q_l[i]
            if (v_i - w) * err > 0.0 and lo[i] - slack <= w <= hi[i] + slack:
                v_i = w
            qn = target[i] if v_i == w else q_l[i] + v_i * dt
            qn = min(max(qn, lower_l[i]), upper_l[i])
            q_next[i] = qn
            limited = limited or qn != target[i]
        q_next_a = np.array(q_next)
        return q_next_a, (q_next_a - np.array(q_l)) / dt, limited

    @cached_property
    def _floats(self) -> tuple[list[float], list[float], list[float], list[float]]:
        return (
            np.asarray(self.velocity_rad_s, dtype=np.float64).tolist(),
            np.asarray(self.accel_rad_s2, dtype=np.float64).tolist(),
            np.asarray(self.lower_rad, dtype=np.float64).tolist(),
            np.asarray(self.upper_rad, dtype=np.float64).tolist(),
        )


def _brake(error_abs: float, accel: float, dt: float) -> float:
    """Scalar `braking_speed`."""
    adt2 = accel * dt * dt
    x = error_abs / adt2
    m = math.floor((math.sqrt(1.0 + 8.0 * x) - 1.0) / 2.0)
    return accel * dt * (x / (m + 1.0) + m / 2.0)
