"""Scalar forward kinematics and Jacobian of a `KinematicChain` in plain Python floats.

numpy's per-call overhead dominates 3x3 algebra: this path, used once or a few times per env step, runs
several times faster than the numpy version for a 6-joint arm. Rotations are row-major 9-tuples.
Joint axes along ±x, ±y or ±z of their joint frame (the usual case) use two-column updates; any other
axis uses Rodrigues' formula. `KinematicChain.fk_batch` is the numpy reference it is tested against.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from weldcraft.types import FloatArray

if TYPE_CHECKING:
    from weldcraft.envs.robot.chain import KinematicChain

Rot = tuple[float, float, float, float, float, float, float, float, float]
_IDENTITY: Rot = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)


def _mul(a: Rot, b: Rot) -> Rot:
    a0, a1, a2, a3, a4, a5, a6, a7, a8 = a
    b0, b1, b2, b3, b4, b5, b6, b7, b8 = b
    return (
        a0 * b0 + a1 * b3 + a2 * b6,
        a0 * b1 + a1 * b4 + a2 * b7,
        a0 * b2 + a1 * b5 + a2 * b8,
        a3 * b0 + a4 * b3 + a5 * b6,
        a3 * b1 + a4 * b4 + a5 * b7,
        a3 * b2 + a4 * b5 + a5 * b8,
        a6 * b0 + a7 * b3 + a8 * b6,
        a6 * b1 + a7 * b4 + a8 * b7,
        a6 * b2 + a7 * b5 + a8 * b8,
    )


def _rodrigues(x: float, y: float, z: float, angle: float) -> Rot:
    c, s = math.cos(angle), math.sin(angle)
    v = 1.0 - c
    return (
        c + x * x * v,
        x * y * v - z * s,
        x * z * v + y * s,
        y * x * v + z * s,
        c + y * y * v,
        y * z * v - x * s,
        z * x * v - y * s,
        z * y * v + x * s,
        c + z * z * v,
    )


class ScalarChain:
    """Pre-digested chain: per joint (translation, fixed rotation or None, axis code, sign, axis)."""

    def __init__(self, chain: KinematicChain) -> None:
        steps = []
        for i in range(chain.n_joints + 1):
            f = chain.fixed[i]
            rot = as_rot(f[:3, :3])
            is_identity = bool(np.allclose(f[:3, :3], np.eye(3), rtol=0.0, atol=1e-15))
            code, sign = -1, 1.0
            axis = (0.0, 0.0, 0.0)
            if i < chain.n_joints:
                a = chain.axes[i]
                axis = (float(a[0]), float(a[1]), float(a[2]))
                for k in range(3):
                    if abs(abs(a[k]) - 1.0) < 1e-15:
                        code, sign = k, float(np.sign(a[k]))
            steps.append(
                (
                    float(f[0, 3]),
                    float(f[1, 3]),
                    float(f[2, 3]),
                    None if is_identity else rot,
                    code,
                    sign,
                    axis,
                )
            )
        self._joints = steps[:-1]
        self._end = steps[-1]
        self._memo: tuple[list[float], tuple[tuple[float, float, float], Rot]] | None = None

    def fk(self, q: list[float]) -> tuple[tuple[float, float, float], Rot]:
        """TCP position (x, y, z) m and row-major rotation in the base frame for joint angles q (rad).

        The last result is remembered: an env step verifies its IK solution with this FK and then asks
        for the TCP at the joints the motion limiter reached, usually the same ones. A repeat is served
        only when every angle is equal and non-zero (equal non-zero floats are bit-identical; +0.0 and
        -0.0 compare equal but may round differently downstream), so the answer is always exactly what
        `walk` returns.
        """
        memo = self._memo
        if memo is not None and q == memo[0] and 0.0 not in q:
            return memo[1]
        pos, rot, _, _ = self.walk(q, want_axes=False)
        self._memo = (list(q), (pos, rot))
        return pos, rot

    def walk(
        self, q: list[float], want_axes: bool
    ) -> tuple[
        tuple[float, float, float], Rot, list[tuple[float, float, float]], list[tuple[float, float, float]]
    ]:
        r = _IDENTITY
        px = py = pz = 0.0
        origins: list[tuple[float, float, float]] = []
        axes: list[tuple[float, float, float]] = []
        for (tx, ty, tz, fixed, code, sign, axis), angle in zip(self._joints, q, strict=True):
            r0, r1, r2, r3, r4, r5, r6, r7, r8 = r
            px += r0 * tx + r1 * ty + r2 * tz
            py += r3 * tx + r4 * ty + r5 * tz
            pz += r6 * tx + r7 * ty + r8 * tz
            if fixed is not None:
                r = _mul(r, fixed)
                r0, r1, r2, r3, r4, r5, r6, r7, r8 = r
            if want_axes:
                ax, ay, az = axis
                origins.append((px, py, pz))
                axes.append(
                    (r0 * ax + r1 * ay + r2 * az, r3 * ax + r4 * ay + r5 * az, r6 * ax + r7 * ay + r8 * az)
                )
            if code < 0:
                r = _mul(r, _rodrigues(axis[0], axis[1], axis[2], angle))
                continue
            c = math.cos(angle)
            s = math.sin(angle) * sign
            if code == 0:  # R @ Rx: columns 1 and 2 mix
                r = (
                    r0,
                    c * r1 + s * r2,
                    c * r2 - s * r1,
                    r3,
                    c * r4 + s * r5,
                    c * r5 - s * r4,
                    r6,
                    c * r7 + s * r8,
                    c * r8 - s * r7,
                )
            elif code == 1:  # R @ Ry: columns 0 and 2 mix
                r = (
                    c * r0 - s * r2,
                    r1,
                    s * r0 + c * r2,
                    c * r3 - s * r5,
                    r4,
                    s * r3 + c * r5,
                    c * r6 - s * r8,
                    r7,
                    s * r6 + c * r8,
                )
            else:  # R @ Rz: columns 0 and 1 mix
                r = (
                    c * r0 + s * r1,
                    c * r1 - s * r0,
                    r2,
                    c * r3 + s * r4,
                    c * r4 - s * r3,
                    r5,
                    c * r6 + s * r7,
                    c * r7 - s * r6,
                    r8,
                )
        tx, ty, tz, fixed, _, _, _ = self._end
        r0, r1, r2, r3, r4, r5, r6, r7, r8 = r
        pos = (
            px + r0 * tx + r1 * ty + r2 * tz,
            py + r3 * tx + r4 * ty + r5 * tz,
            pz + r6 * tx + r7 * ty + r8 * tz,
        )
        if fixed is not None:
            r = _mul(r, fixed)
        return pos, r, origins, axes

    def jacobian(self, q: list[float]) -> tuple[FloatArray, tuple[float, float, float], Rot]:
        """Geometric Jacobian (6, n) in the base frame (linear rows first) and the TCP pose."""
        pos, rot, origins, axes = self.walk(q, want_axes=True)
        jac = np.empty((6, len(origins)))
        px, py, pz = pos
        for i, ((ox, oy, oz), (ax, ay, az)) in enumerate(zip(origins, axes, strict=True)):
            dx, dy, dz = px - ox, py - oy, pz - oz
            jac[0, i] = ay * dz - az * dy
            jac[1, i] = az * dx - ax * dz
            jac[2, i] = ax * dy - ay * dx
            jac[3, i] = ax
            jac[4, i] = ay
            jac[5, i] = az
        return jac, pos, rot


def quat_xyzw_to_rot(quat: FloatArray) -> Rot:
    """Row-major rotation of a quaternion (x, y, z, w), normalized here."""
    x, y, z, w = (float(v) for v in quat)
    n = math.sqrt(x * x + y * y + z * z + w * w)
    x, y, z, w = x / n, y / n, z / n, w / n
    return (
        1.0 - 2.0 * (y * y + z * z),
        2.0 * (x * y - z * w),
        2.0 * (x * z + y * w),
        2.0 * (x * y + z * w),
        1.0 - 2.0 * (x * x + z * z),
        2.0 * (y * z - x * w),
        2.0 * (x * z - y * w),
        2.0 * (y * z + x * w),
        1.0 - 2.0 * (x * x + y * y),
    )


def as_rot(m: FloatArray) -> Rot:
    """Row-major 9-tuple of a (3, 3) rotation matrix."""
    v = np.asarray(m, dtype=np.float64).ravel().tolist()
    return (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8])


def rot_to_quat_xyzw(m: Rot) -> tuple[float, float, float, float]:
    """Unit quaternion (x, y, z, w), w >= 0, of a row-major rotation (Shepperd's method)."""
    m00, m01, m02, m10, m11, m12, m20, m21, m22 = m
    tr = m00 + m11 + m22
    if tr > 0.0:
        s = math.sqrt(tr + 1.0) * 2.0
        x, y, z, w = (m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s, 0.25 * s
    elif m00 > m11 and m00 > m22:
        s = math.sqrt(1.0 + m00 - m11 - m22) * 2.0
        x, y, z, w = 0.25 * s, (m01 + m10) / s, (m02 + m20) / s, (m21 - m12) / s
    elif m11 > m22:
        s = math.sqrt(1.0 + m11 - m00 - m22) * 2.0
        x, y, z, w = (m01 + m10) / s, 0.25 * s, (m12 + m21) / s, (m02 - m20) / s
    else:
        s = math.sqrt(1.0 + m22 - m00 - m11) * 2.0
        x, y, z, w = (m02 + m20) / s, (m12 + m21) / s, 0.25 * s, (m10 - m01) / s
    n = math.sqrt(x * x + y * y + z * z + w * w)
    if w < 0.0:
        n = -n
    return x / n, y / n, z / n, w / n
