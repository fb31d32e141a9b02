"""A plain-float twin of `JointMotionLimiter.step` (synchronized mode) for the env's per-step call.

`weldcraft.envs.robot.motion.JointMotionLimiter.step` runs about 25 numpy operations on (6,) arrays,
where numpy's per-call overhead dominates (measured 80-220 us per call on the dev machine). This module
evaluates the same formulas, in the same order, on Python floats (a few us); the tests check that both
give identical results on random states. The limiter's semantics (discrete braking curve, joint-space
synchronization, position limits) are documented in `weldcraft.envs.robot.motion`.
"""

from __future__ import annotations

import math

import numpy as np

from weldcraft.envs.robot import JointMotionLimiter
from weldcraft.types import FloatArray


def _braking(e: float, a: float, dt: float) -> float:
    adt2 = a * dt * dt
    x = e / adt2
    m = math.floor((math.sqrt(1.0 + 8.0 * x) - 1.0) / 2.0)
    return a * dt * (x / (m + 1.0) + m / 2.0)


class FastJointLimiter:
    """`JointMotionLimiter` (synchronized) on floats: `step(q, qd, q_target, dt)` with the same result."""

    def __init__(self, limiter: JointMotionLimiter) -> None:
        if not limiter.synchronized:
            raise ValueError("FastJointLimiter mirrors the synchronized limiter only")
        self.limiter = limiter
        self._v = np.asarray(limiter.velocity_rad_s, dtype=np.float64).tolist()
        self._a = np.asarray(limiter.accel_rad_s2, dtype=np.float64).tolist()
        self._lo = np.asarray(limiter.lower_rad, dtype=np.float64).tolist()
        self._hi = np.asarray(limiter.upper_rad, dtype=np.float64).tolist()

    def step(
        self, q: FloatArray, qd: FloatArray, q_target: FloatArray, dt: float
    ) -> tuple[FloatArray, FloatArray, bool]:
        """As `JointMotionLimiter.step`: (q_next (n,), qd_next (n,), limited)."""
        if not dt > 0.0 or not math.isfinite(dt):
            raise ValueError(f"dt must be positive, got {dt}")
        ql, qdl, tl = q.tolist(), qd.tolist(), q_target.tolist()
        n = len(ql)
        target = [0.0] * n
        want = [0.0] * n
        cap = [0.0] * n
        lo = [0.0] * n
        hi = [0.0] * n
        scale = math.inf
        for i in range(n):
            lower, upper, vmax, amax = self._lo[i], self._hi[i], self._v[i], self._a[i]
            ti = min(max(tl[i], lower), upper)
            qi, qdi = ql[i], qdl[i]
            err = ti - qi
            w = err / dt
            c = min(vmax, _braking(abs(err), amax, dt))
            adt = amax * dt
            lo_i = max(qdi - adt, -vmax)
            hi_i = min(qdi + adt, vmax)
            hi_i = max(min(hi_i, _braking(max(upper - qi, 0.0), amax, dt)), qdi - adt)
            lo_i = min(max(lo_i, -_braking(max(qi - lower, 0.0), amax, dt)), qdi + adt)
            target[i], want[i], cap[i], lo[i], hi[i] = ti, w, c, lo_i, hi_i
            aw = abs(w)
            if aw > 0.0:
                ratio = min(c, hi_i if w > 0.0 else -lo_i) / aw
                if ratio < scale:
                    scale = ratio
        scale = min(max(scale, 0.0), 1.0) if math.isfinite(scale) else 1.0
        q_next = [0.0] * n
        qd_next = [0.0] * n
        limited = False
        for i in range(n):
            v = want[i] * scale
            v_next = min(max(v, lo[i]), hi[i])
            qn = target[i] if v_next == want[i] else ql[i] + v_next * dt
            qn = min(max(qn, self._lo[i]), self._hi[i])
            q_next[i] = qn
            qd_next[i] = (qn - ql[i]) / dt
            if abs(target[i] - qn) > 1e-12:
                limited = True
        return np.array(q_next), np.array(qd_next), limited
