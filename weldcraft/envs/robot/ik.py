"""Inverse kinematics that never returns a pose outside the joint limits.

Two solvers share one result type:

- `SphericalWristIK`: closed form for arms with an ortho-parallel base (J1 ⊥ J2 ∥ J3, no lateral offset
  of the wrist centre) and a spherical wrist (J4, J5, J6 axes meet in one point, J4 ∥ J6 at q = 0), the
  geometry of most industrial arc-welding arms (Brandstötter, Angerer & Hofbaur, "An analytical solution of
  the inverse kinematics problem of industrial serial manipulators with an ortho-parallel basis and a
  spherical wrist", Austrian Robotics Workshop 2014). Derived here in product-of-exponentials form from
  the chain's own zero pose, so joint signs and zero offsets come from the URDF. It enumerates the
  8 branches (shoulder front/back, elbow up/down, wrist flip), moves every joint by whole turns to the
  value nearest the seed inside its limits, drops branches outside the limits or in a keep-out zone, and
  picks the branch that the arm reaches soonest from the seed (max |Δq_i| / v_max,i), so consecutive solves
  from the current q never jump between branches while the seed's branch stays feasible.
- `NumericIK`: damped least squares / Levenberg–Marquardt on the geometric Jacobian with the joint limits
  clamped at every iterate, for any other 6-or-more-joint chain.

Every returned solution is verified with the forward kinematics; a target that cannot be met within the
tolerances and limits is reported (`ok=False` with a reason), never replaced by a nearby pose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from weldcraft.envs.robot.chain import KinematicChain, quat_xyzw_to_matrix
from weldcraft.envs.robot.fastfk import Rot, _mul, as_rot, quat_xyzw_to_rot
from weldcraft.types import FloatArray

REASONS = ("ok", "unreachable", "joint_limits", "discontinuous", "not_converged")
TWO_PI = 2.0 * math.pi


@dataclass(frozen=True)
class IKResult:
    """Outcome of one IK solve.

    `q` (n,) rad: the solution when `ok`, else the seed (never a wrong pose). `pos_err_m` / `ang_err_rad`:
    TCP error of `q` against the target (when not ok: how far the seed's pose is from the target).
    `reason`: "ok", "unreachable" (outside the workspace), "joint_limits" (reachable only outside the
    limits or keep-outs), "discontinuous" (the nearest solution is farther than `max_joint_step_rad`),
    "not_converged" (numeric solver failed to meet the tolerances).
    """

    q: FloatArray
    ok: bool
    pos_err_m: float
    ang_err_rad: float
    reason: str

    def __post_init__(self) -> None:
        if self.reason not in REASONS:
            raise ValueError(f"unknown IK reason {self.reason!r}; choose one of: {', '.join(REASONS)}")
        if self.ok != (self.reason == "ok"):
            raise ValueError(f"IKResult ok={self.ok} contradicts reason {self.reason!r}")


@dataclass(frozen=True)
class Keepout:
    """A forbidden interval of one joint's angle, taken modulo 2π: q_i mod 2π in (lower, upper) is refused.

    Used for mechanical interferences that box limits cannot express (the J2/J3 fold of the shipped arm).
    """

    joint_index: int
    lower_rad: float
    upper_rad: float

    def contains(self, angle_rad: float) -> bool:
        rel = (angle_rad - self.lower_rad) % TWO_PI
        return 0.0 < rel < (self.upper_rad - self.lower_rad)


@dataclass(frozen=True)
class IKLimits:
    """Joint limits (n,) rad, speeds (n,) rad/s for branch choice, keep-outs and acceptance tolerances."""

    lower_rad: FloatArray
    upper_rad: FloatArray
    velocity_rad_s: FloatArray
    keepouts: tuple[Keepout, ...] = ()
    pos_tol_m: float = 1e-5
    ang_tol_rad: float = 1e-4

    @cached_property
    def floats(self) -> tuple[list[float], list[float], list[float]]:
        """Limits and speeds as plain lists (hot path)."""
        return self.lower_rad.tolist(), self.upper_rad.tolist(), self.velocity_rad_s.tolist()

    def within(self, q: FloatArray) -> bool:
        if np.any(q < self.lower_rad) or np.any(q > self.upper_rad):
            return False
        return not any(k.contains(float(q[k.joint_index])) for k in self.keepouts)


def pose_error(
    chain: KinematicChain, q: FloatArray | list[float], pos_m: FloatArray, rot: FloatArray | Rot
) -> tuple[float, float]:
    """TCP position error (m) and rotation error (rad) of q against a target pose (base frame)."""
    p, r = chain.scalar.fk(q.tolist() if isinstance(q, np.ndarray) else q)
    if isinstance(pos_m, np.ndarray):
        dp = math.dist(p, pos_m.tolist())
    else:
        dp = math.dist(p, (float(pos_m[0]), float(pos_m[1]), float(pos_m[2])))
    r0, r1, r2, r3, r4, r5, r6, r7, r8 = r
    t0, t1, t2, t3, t4, t5, t6, t7, t8 = rot if isinstance(rot, tuple) else as_rot(rot)
    # |R_a - R_b|_F = 2 sqrt(2) sin(theta / 2): accurate near zero, unlike acos of the trace.
    chord = math.sqrt(
        (r0 - t0) ** 2
        + (r1 - t1) ** 2
        + (r2 - t2) ** 2
        + (r3 - t3) ** 2
        + (r4 - t4) ** 2
        + (r5 - t5) ** 2
        + (r6 - t6) ** 2
        + (r7 - t7) ** 2
        + (r8 - t8) ** 2
    )
    return dp, 2.0 * math.asin(min(1.0, chord / (2.0 * math.sqrt(2.0))))


def _max_abs_diff(a: list[float], b: list[float]) -> float:
    """max |a_i - b_i| as numpy's `np.max(np.abs(a - b))` gives it (NaN if any difference is NaN)."""
    m = 0.0
    for x, y in zip(a, b, strict=True):
        d = abs(x - y)
        if not d <= m:
            if d != d:
                return d
            m = d
    return m


def _target_rot(quat_xyzw: FloatArray) -> FloatArray:
    return quat_xyzw_to_matrix(np.asarray(quat_xyzw, dtype=np.float64))


def _nearest_branch(
    raw: list[list[float]], seed: list[float], limits: IKLimits
) -> list[tuple[float, float, list[float]]]:
    """All candidates that fit, moved by whole turns to the values nearest the seed inside the limits and
    outside keep-outs, ranked by (motion time max |Δq_i| / v_i, Σ Δq_i²)."""
    lower, upper, vel = limits.floats
    kept = []
    for cand in raw:
        placed = _place(tuple(cand), seed, lower, upper, vel)
        if placed is None:
            continue
        q = placed[2]
        if any(k.contains(q[k.joint_index]) for k in limits.keepouts):
            continue
        kept.append(placed)
    kept.sort(key=lambda c: (c[0], c[1]))
    return kept


@dataclass(frozen=True, eq=False)
class NumericIK:
    """Levenberg–Marquardt IK with limit clamping (any revolute chain).

    `restarts` extra attempts start from seeds drawn by a generator seeded with `restart_seed` (the same
    target always gives the same answer); the solution nearest the caller's seed wins.
    """

    chain: KinematicChain
    limits: IKLimits
    max_iterations: int = 100
    restarts: int = 8
    restart_seed: int = 0

    def solve(
        self,
        pos_m: FloatArray,
        quat_xyzw: FloatArray,
        q_seed: FloatArray,
        *,
        max_joint_step_rad: float | None = None,
    ) -> IKResult:
        """Joint angles (n,) rad putting the TCP at `pos_m` (3,) with orientation `quat_xyzw` (base frame)."""
        return self.solve_rot(
            np.asarray(pos_m, dtype=np.float64), _target_rot(quat_xyzw), q_seed, max_joint_step_rad
        )

    def solve_rot(
        self,
        pos_m: FloatArray,
        rot: FloatArray | Rot,
        q_seed: FloatArray,
        max_joint_step_rad: float | None = None,
    ) -> IKResult:
        """As `solve`, with the target orientation as a rotation matrix (3, 3) or row-major 9-tuple."""
        if isinstance(rot, tuple):
            rot = _matrix(rot)
        pos_m = np.asarray(pos_m, dtype=np.float64)
        seed = np.asarray(q_seed, dtype=np.float64)
        lim = self.limits
        rng = np.random.default_rng(self.restart_seed)
        jumped = False
        starts = [np.clip(seed, lim.lower_rad, lim.upper_rad)]
        starts += [rng.uniform(lim.lower_rad, lim.upper_rad) for _ in range(self.restarts)]
        for start in starts:
            q, dp, da = self.refine(pos_m, rot, start)
            if dp <= lim.pos_tol_m and da <= lim.ang_tol_rad and lim.within(q):
                step = float(np.max(np.abs(q - seed)))
                if max_joint_step_rad is None or step <= max_joint_step_rad:
                    return IKResult(q, True, dp, da, "ok")
                jumped = True
        dp, da = pose_error(self.chain, seed, pos_m, rot)
        return IKResult(seed.copy(), False, dp, da, "discontinuous" if jumped else "not_converged")

    def refine(self, pos_m: FloatArray, rot: FloatArray, q0: FloatArray) -> tuple[FloatArray, float, float]:
        """LM iterations from q0 (clamped to the limits); returns q and its position/angle errors."""
        lim = self.limits
        q = np.clip(np.asarray(q0, dtype=np.float64), lim.lower_rad, lim.upper_rad)
        err, dp, da = self._error(q, pos_m, rot)
        damping = 1e-2
        n = q.size
        for _ in range(self.max_iterations):
            if dp <= lim.pos_tol_m * 1e-2 and da <= lim.ang_tol_rad * 1e-2:
                break
            jac = self.chain.jacobian(q)
            # Weight rotation errors by 0.5 m so that metres and radians are comparable at this arm's scale.
            w = np.array([1.0, 1.0, 1.0, 0.5, 0.5, 0.5])
            jw = jac * w[:, None]
            h = jw.T @ jw
            dq = np.linalg.solve(h + damping * (np.diag(np.diag(h)) + 1e-9 * np.eye(n)), jw.T @ (err * w))
            q_new = np.clip(q + dq, lim.lower_rad, lim.upper_rad)
            err_new, dp_new, da_new = self._error(q_new, pos_m, rot)
            if float(err_new @ err_new) < float(err @ err):
                q, err, dp, da = q_new, err_new, dp_new, da_new
                damping = max(damping / 3.0, 1e-9)
            else:
                damping *= 5.0
                if damping > 1e8:
                    break
        return q, dp, da

    def _error(self, q: FloatArray, pos_m: FloatArray, rot: FloatArray) -> tuple[FloatArray, float, float]:
        p, r = self.chain.fk(q)
        dp_vec = pos_m - p
        # Rotation error as a rotation vector in the base frame: log(R_target R^T).
        d = rot @ r.T
        cos_a = max(-1.0, min(1.0, (float(np.trace(d)) - 1.0) / 2.0))
        angle = math.acos(cos_a)
        axis = np.array([d[2, 1] - d[1, 2], d[0, 2] - d[2, 0], d[1, 0] - d[0, 1]])
        sin_a = math.sin(angle)
        if sin_a > 1e-6:
            rv = axis * (angle / (2.0 * sin_a))
        elif cos_a > 0.0:
            rv = axis / 2.0
        else:  # angle near pi: axis from the symmetric part
            m = (d + np.eye(3)) / 2.0
            k = int(np.argmax(np.diag(m)))
            v = m[:, k] / math.sqrt(max(m[k, k], 1e-12))
            rv = v * angle
        dp = float(np.linalg.norm(dp_vec))
        _, da = pose_error(self.chain, q, pos_m, rot)
        return np.concatenate([dp_vec, rv]), dp, da


def _as_rot(m: FloatArray) -> Rot:
    v = [float(x) for x in np.asarray(m).ravel()]
    return (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8])


def _matrix(m: Rot) -> FloatArray:
    return np.array(m).reshape(3, 3)


def _transpose(m: Rot) -> Rot:
    return (m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8])


@dataclass(frozen=True)
class _ArmGeometry:
    """Zero-pose geometry of an ortho-parallel arm in the arm frame (x', y', z'); see SphericalWristIK."""

    basis: FloatArray  # (3, 3) columns x', y', z' in the base frame
    origin: FloatArray  # (3,) a point on the J1 axis, base frame
    p2: tuple[float, float]  # J2 axis in the arm plane (x', z') at q = 0
    u0: tuple[float, float]  # J2 -> J3 at q = 0, arm plane
    f0: tuple[float, float]  # J3 -> wrist centre at q = 0, arm plane
    s3: float  # J3 axis = s3 * J2 axis
    wrist0: FloatArray  # (3,) wrist centre at q = 0, base frame
    tcp0_pos: FloatArray  # (3,) TCP position at q = 0
    tcp0_rot: FloatArray  # (3, 3) TCP rotation at q = 0
    wrist_basis: FloatArray  # (3, 3) columns e4, e5, e4 x e5
    s6: float  # J6 axis = s6 * J4 axis at q = 0

    @cached_property
    def floats(self) -> tuple[Rot, Rot, Rot, Rot, tuple[float, ...], tuple[float, ...]]:
        """Plain-float copies for the hot path: Bᵀ, B, R0ᵀ, wrist basis in arm coordinates, d0, origin."""
        bt = _as_rot(self.basis.T)
        b = _as_rot(self.basis)
        r0t = _as_rot(self.tcp0_rot.T)
        m_arm = _as_rot(self.basis.T @ self.wrist_basis)
        d0 = tuple(float(v) for v in self.tcp0_pos - self.wrist0)
        return bt, b, r0t, m_arm, d0, tuple(float(v) for v in self.origin)


def _detect_geometry(chain: KinematicChain, tol: float = 1e-9) -> _ArmGeometry | None:
    """The arm's ortho-parallel/spherical-wrist geometry, or None if the chain is not of that kind."""
    if chain.n_joints != 6:
        return None
    o, w = chain.joint_frames(np.zeros(6))
    if abs(w[0] @ w[1]) > tol or np.linalg.norm(np.cross(w[1], w[2])) > tol:
        return None
    if abs(w[3] @ w[4]) > tol or abs(w[4] @ w[5]) > tol or np.linalg.norm(np.cross(w[3], w[5])) > tol:
        return None
    # Wrist centre: least-squares meeting point of the J4, J5, J6 axes; they must meet exactly.
    a = np.zeros((3, 3))
    b = np.zeros(3)
    for i in (3, 4, 5):
        proj = np.eye(3) - np.outer(w[i], w[i])
        a += proj
        b += proj @ o[i]
    centre = np.asarray(np.linalg.solve(a, b), dtype=np.float64)
    for i in (3, 4, 5):
        off = centre - o[i]
        if np.linalg.norm(off - (off @ w[i]) * w[i]) > tol:
            return None
    z = w[0]
    y = w[1]
    x = np.cross(y, z)
    basis = np.column_stack([x, y, z])
    origin = o[0]

    def plane(p: FloatArray) -> tuple[float, float, float]:
        c = basis.T @ (p - origin)
        return float(c[0]), float(c[1]), float(c[2])

    cx, cy, cz = plane(centre)
    if abs(cy) > tol:  # lateral offset of the wrist centre from the J1 axis plane: not this geometry
        return None
    x2, _, z2 = plane(o[1])
    x3, _, z3 = plane(o[2])
    pos0, rot0 = chain.fk(np.zeros(6))
    e4, e5 = w[3], w[4]
    return _ArmGeometry(
        basis=basis,
        origin=origin,
        p2=(x2, z2),
        u0=(x3 - x2, z3 - z2),
        f0=(cx - x3, cz - z3),
        s3=float(np.sign(w[2] @ y)),
        wrist0=centre,
        tcp0_pos=pos0,
        tcp0_rot=rot0,
        wrist_basis=np.column_stack([e4, e5, np.cross(e4, e5)]),
        s6=float(np.sign(w[5] @ w[3])),
    )


@dataclass(frozen=True, eq=False)
class SphericalWristIK:
    """Closed-form IK of an ortho-parallel arm with a spherical wrist (see the module docstring)."""

    chain: KinematicChain
    limits: IKLimits
    geometry: _ArmGeometry
    numeric: NumericIK = field(repr=False)

    @classmethod
    def try_create(cls, chain: KinematicChain, limits: IKLimits) -> SphericalWristIK | None:
        """The closed-form solver if the chain has that geometry (checked on sample poses), else None."""
        geom = _detect_geometry(chain)
        if geom is None:
            return None
        solver = cls(chain, limits, geom, NumericIK(chain, limits, restarts=0))
        rng = np.random.default_rng(12345)
        for _ in range(16):
            q = rng.uniform(np.maximum(limits.lower_rad, -3.0), np.minimum(limits.upper_rad, 3.0))
            pos, rot = chain.fk(q)
            candidates, _ = solver._branches(pos, as_rot(rot), q)
            if not any(pose_error(chain, np.array(c), pos, rot)[0] < 1e-9 for c in candidates):
                return None
        return solver

    def solve(
        self,
        pos_m: FloatArray,
        quat_xyzw: FloatArray,
        q_seed: FloatArray,
        *,
        max_joint_step_rad: float | None = None,
    ) -> IKResult:
        """Joint angles (n,) rad putting the TCP at `pos_m` (3,) with orientation `quat_xyzw` (base frame).

        The branch nearest `q_seed` in motion time is chosen; `max_joint_step_rad` bounds how far any joint
        may move from the seed (else reason "discontinuous").
        """
        return self.solve_rot(pos_m, quat_xyzw_to_rot(quat_xyzw), q_seed, max_joint_step_rad)

    def solve_rot(
        self,
        pos_m: FloatArray,
        rot: FloatArray | Rot,
        q_seed: FloatArray,
        max_joint_step_rad: float | None = None,
    ) -> IKResult:
        """As `solve`, with the target orientation as a rotation matrix (3, 3) or row-major 9-tuple."""
        seed = np.asarray(q_seed, dtype=np.float64)
        target = rot if isinstance(rot, tuple) else as_rot(rot)
        lim = self.limits
        arms, reachable = self._arm_branches(pos_m, target, seed)
        if not reachable:
            return self._failure(seed, pos_m, target, "unreachable")
        seed_f = seed.tolist()
        best = self._best_branch(arms, seed_f)
        if best is not None:  # the hot path: one candidate, verified by FK
            dp, da = pose_error(self.chain, best, pos_m, target)
            if dp <= lim.pos_tol_m and da <= lim.ang_tol_rad:
                if max_joint_step_rad is not None and _max_abs_diff(best, seed_f) > max_joint_step_rad:
                    return self._failure(seed, pos_m, target, "discontinuous")
                return IKResult(np.array(best), True, dp, da, "ok")
        # Slow path (near singularities, or nothing placeable): every branch, best first, polished by LM.
        raw, _ = self._branches(pos_m, target, seed)
        ranked = _nearest_branch(raw, seed_f, lim)
        if not ranked:
            return self._failure(seed, pos_m, target, "joint_limits")
        for _, _, q_list in ranked:
            q, dp, da = self.numeric.refine(
                np.asarray(pos_m, dtype=np.float64), _matrix(target), np.array(q_list)
            )
            if dp > lim.pos_tol_m or da > lim.ang_tol_rad or not lim.within(q):
                continue
            if max_joint_step_rad is not None and float(np.max(np.abs(q - seed))) > max_joint_step_rad:
                return self._failure(seed, pos_m, target, "discontinuous")
            return IKResult(q, True, dp, da, "ok")
        return self._failure(seed, pos_m, target, "not_converged")

    def _failure(self, seed: FloatArray, pos_m: FloatArray, target: Rot, reason: str) -> IKResult:
        """A not-ok result: the seed back, with its own pose error against the target."""
        dp, da = pose_error(self.chain, seed, pos_m, target)
        return IKResult(seed.copy(), False, dp, da, reason)

    def _branches(self, pos_m: FloatArray, rot: Rot, seed: FloatArray) -> tuple[list[list[float]], bool]:
        """Up to 8 raw solutions (angles near (-π, π], before limits) and whether the position is reachable"""
        arms, reachable = self._arm_branches(pos_m, rot, seed)
        out = []
        m_arm = self.geometry.floats[3]
        m_arm_t = _transpose(m_arm)
        s6 = self.geometry.s6
        for th1, th2, th3, w_arm in arms:
            for th4, th5, th6 in _wrist_xyx(_mul(_mul(m_arm_t, w_arm), m_arm), float(seed[3])):
                out.append([th1, th2, th3, th4, th5, th6 * s6])
        return out, reachable

    def _best_branch(
        self, arms: list[tuple[float, float, float, Rot]], seed: list[float]
    ) -> list[float] | None:
        """The branch nearest the seed in motion time (then in Σ Δq²), placed in the limits, or None.

        Arm branches are ranked by their J1-J3 motion time first; the wrist of a branch is solved only while
        that time can still beat the best complete candidate (usually one wrist solve per call).
        """
        lim = self.limits
        lower, upper, vel = lim.floats
        placed = []
        for th1, th2, th3, w_arm in arms:
            q3 = _place((th1, th2, th3), seed[:3], lower[:3], upper[:3], vel[:3])
            if q3 is not None:
                placed.append((q3[0], q3[1], q3[2], w_arm))
        placed.sort(key=lambda a: (a[0], a[1]))
        m_arm = self.geometry.floats[3]
        m_arm_t = _transpose(m_arm)
        s6 = self.geometry.s6
        best: list[float] | None = None
        best_key = (math.inf, math.inf)
        for t_arm, sq_arm, q_arm, w_arm in placed:
            if t_arm > best_key[0]:
                break
            wm = _mul(_mul(m_arm_t, w_arm), m_arm)
            for th4, th5, th6 in _wrist_xyx(wm, seed[3]):
                qw = _place((th4, th5, th6 * s6), seed[3:], lower[3:], upper[3:], vel[3:])
                if qw is None:
                    continue
                key = (max(t_arm, qw[0]), sq_arm + qw[1])
                if key < best_key:
                    q = q_arm + qw[2]
                    if lim.keepouts and any(k.contains(q[k.joint_index]) for k in lim.keepouts):
                        continue
                    best, best_key = q, key
        return best

    def _arm_branches(
        self, pos_m: FloatArray, rot: Rot, seed: FloatArray
    ) -> tuple[list[tuple[float, float, float, Rot]], bool]:
        """Up to 4 (J1, J2, J3, wrist rotation in the J3 frame's arm coordinates) and whether reachable.

        Plain floats throughout (this runs every env step). Arm frame: x', y' (J2 axis), z' (J1 axis).
        """
        g = self.geometry
        bt, b, r0t, _, d0, origin = g.floats
        r_wrist = _mul(rot, r0t)
        w0, w1, w2, w3, w4, w5, w6, w7, w8 = r_wrist
        px = float(pos_m[0]) - (w0 * d0[0] + w1 * d0[1] + w2 * d0[2]) - origin[0]
        py = float(pos_m[1]) - (w3 * d0[0] + w4 * d0[1] + w5 * d0[2]) - origin[1]
        pz = float(pos_m[2]) - (w6 * d0[0] + w7 * d0[1] + w8 * d0[2]) - origin[2]
        cx = bt[0] * px + bt[1] * py + bt[2] * pz
        cy = bt[3] * px + bt[4] * py + bt[5] * pz
        cz = bt[6] * px + bt[7] * py + bt[8] * pz
        r_arm = _mul(_mul(bt, r_wrist), b)  # wrist rotation in arm coordinates
        horiz = math.hypot(cx, cy)
        th1_front = math.atan2(cy, cx) if horiz > 1e-12 else float(seed[0])
        u0x, u0z = g.u0
        f0x, f0z = g.f0
        l2 = math.hypot(u0x, u0z)
        l3 = math.hypot(f0x, f0z)
        base_phi = math.atan2(u0x, u0z) - math.atan2(f0x, f0z)
        out: list[tuple[float, float, float, Rot]] = []
        reachable = False
        for th1, r in ((th1_front, horiz), (th1_front + math.pi, -horiz)):
            dx, dz = r - g.p2[0], cz - g.p2[1]
            kappa = (dx * dx + dz * dz - l2 * l2 - l3 * l3) / (2.0 * l2 * l3)
            if abs(kappa) > 1.0 + 1e-12:
                continue
            reachable = True
            gamma = math.acos(max(-1.0, min(1.0, kappa)))
            c1, s1 = math.cos(th1), math.sin(th1)
            a0, a1, a2, a3, a4, a5, a6, a7, a8 = r_arm
            # Rz(-th1) @ r_arm: rows 0 and 1 mix.
            z0, z1, z2 = c1 * a0 + s1 * a3, c1 * a1 + s1 * a4, c1 * a2 + s1 * a5
            z3, z4, z5 = c1 * a3 - s1 * a0, c1 * a4 - s1 * a1, c1 * a5 - s1 * a2
            for phi in (base_phi + gamma, base_phi - gamma):
                c, s = math.cos(phi), math.sin(phi)
                vx = u0x + c * f0x + s * f0z
                vz = u0z - s * f0x + c * f0z
                th2 = math.atan2(dx, dz) - math.atan2(vx, vz)
                psi = th2 + phi
                cp, sp = math.cos(psi), math.sin(psi)
                # Ry(-psi) @ (Rz(-th1) @ r_arm): rows 0 and 2 mix.
                w_arm: Rot = (
                    cp * z0 - sp * a6,
                    cp * z1 - sp * a7,
                    cp * z2 - sp * a8,
                    z3,
                    z4,
                    z5,
                    sp * z0 + cp * a6,
                    sp * z1 + cp * a7,
                    sp * z2 + cp * a8,
                )
                out.append((th1, th2, phi * g.s3, w_arm))
        return out, reachable


def _place(
    values: tuple[float, ...],
    seed: list[float],
    lower: list[float],
    upper: list[float],
    vel: list[float],
) -> tuple[float, float, list[float]] | None:
    """Joints moved by whole turns nearest their seeds inside the limits: (max |Δq|/v, Σ Δq², q) or None."""
    t_max = 0.0
    sq = 0.0
    out = []
    floor, two_pi = math.floor, TWO_PI
    for v, s, lo, hi, vi in zip(values, seed, lower, upper, vel, strict=True):
        v += floor((s - v) / two_pi + 0.5) * two_pi  # nearest to the seed over all turns
        if v > hi:
            v -= two_pi
        elif v < lo:
            v += two_pi
        if v < lo or v > hi:
            return None
        d = v - s if v > s else s - v
        t = d / vi
        if t > t_max:
            t_max = t
        sq += d * d
        out.append(v)
    return t_max, sq, out


def _wrist_xyx(wm: Rot, seed4: float) -> list[tuple[float, float, float]]:
    """Rx(a) Ry(b) Rx(c) = wm (row-major): both (a, b, c) branches; a = seed4 at the singularity sin b = 0."""
    cos_b = max(-1.0, min(1.0, wm[0]))
    sin_b = math.sqrt(max(0.0, 1.0 - cos_b * cos_b))
    if sin_b < 1e-10:
        if cos_b > 0.0:  # b = 0: only a + c is determined
            return [(seed4, 0.0, math.atan2(wm[7], wm[4]) - seed4)]
        # b = pi: Rx(a) Ry(pi) Rx(c) = Rx(a - c) Ry(pi); wm @ Ry(pi)^T flips columns 0 and 2.
        diff = math.atan2(-wm[7], wm[4])
        return [(seed4, math.pi, seed4 - diff)]
    b = math.atan2(sin_b, cos_b)
    a = math.atan2(wm[3], -wm[6])
    c = math.atan2(wm[1], wm[2])
    return [
        (a, b, c),
        (a + math.pi if a <= 0.0 else a - math.pi, -b, c + math.pi if c <= 0.0 else c - math.pi),
    ]


IKSolver = SphericalWristIK | NumericIK


def make_ik_solver(chain: KinematicChain, limits: IKLimits) -> IKSolver:
    """The closed-form solver when the chain allows it, else the numeric one."""
    closed = SphericalWristIK.try_create(chain, limits)
    return closed if closed is not None else NumericIK(chain, limits)
