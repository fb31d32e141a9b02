"""Orientation conventions of the robot languages, all through `scipy.spatial.transform.Rotation`.

Internally weldcraft stores orientations as unit quaternions [x, y, z, w] (scipy's order) with a fixed sign
(w >= 0, ties broken by the first non-zero component) so that regenerated programs diff cleanly.
Per vendor (shared/reference/robot-languages.md, "Orientation and units"):

- ABB RAPID robtarget: [q1, q2, q3, q4] = [w, x, y, z]; ``R.from_quat([q2, q3, q4, q1])``.
- KUKA E6POS / FRAME: A, B, C deg (Z, then new Y, then new X);
  ``R.from_euler("ZYX", [A, B, C], degrees=True)``.
- FANUC P[n]: W, P, R deg (fixed X, then fixed Y, then fixed Z);
  ``R.from_euler("xyz", [W, P, R], degrees=True)``.
- UR pose: rotation vector rx, ry, rz in rad; ``R.from_rotvec([rx, ry, rz])``.

KUKA (A, B, C) equals FANUC (R, P, W) for one rotation.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from weldcraft.types import FloatArray


def canonical_quat_xyzw(quat_xyzw: FloatArray) -> FloatArray:
    """Normalise (…, 4) quaternions [x, y, z, w] and fix their sign (w >= 0; if w == 0 the first non-zero
    component is positive). q and -q are one rotation; the fixed sign keeps outputs stable."""
    q = np.asarray(quat_xyzw, dtype=np.float64)
    norm = np.linalg.norm(q, axis=-1, keepdims=True)
    q = q / norm
    # Order of precedence for the sign: w, then x, y, z.
    keys = q[..., [3, 0, 1, 2]]
    nonzero = np.abs(keys) > 1e-12
    first = np.argmax(nonzero, axis=-1)
    lead = np.take_along_axis(keys, first[..., None], axis=-1)
    sign = np.where(lead < 0.0, -1.0, 1.0)
    return np.asarray(q * sign, dtype=np.float64)


def quat_xyzw_to_abb_wxyz(quat_xyzw: FloatArray) -> FloatArray:
    """(…, 4) [x, y, z, w] → ABB [q1, q2, q3, q4] = [w, x, y, z], canonical sign (q1 >= 0)."""
    q = canonical_quat_xyzw(quat_xyzw)
    return np.asarray(q[..., [3, 0, 1, 2]], dtype=np.float64)


def abb_wxyz_to_quat_xyzw(q_wxyz: FloatArray) -> FloatArray:
    """ABB [q1, q2, q3, q4] = [w, x, y, z] → canonical (…, 4) [x, y, z, w]."""
    q = np.asarray(q_wxyz, dtype=np.float64)
    return canonical_quat_xyzw(q[..., [1, 2, 3, 0]])


def quat_xyzw_to_kuka_abc_deg(quat_xyzw: FloatArray) -> FloatArray:
    """(N, 4) quaternions → (N, 3) KUKA A, B, C in degrees (intrinsic Z, Y', X'')."""
    rot = Rotation.from_quat(np.atleast_2d(quat_xyzw))
    return np.asarray(rot.as_euler("ZYX", degrees=True), dtype=np.float64)


def kuka_abc_deg_to_quat_xyzw(abc_deg: FloatArray) -> FloatArray:
    """(N, 3) KUKA A, B, C degrees → canonical (N, 4) [x, y, z, w]."""
    rot = Rotation.from_euler("ZYX", np.atleast_2d(abc_deg), degrees=True)
    return canonical_quat_xyzw(rot.as_quat())


def quat_xyzw_to_fanuc_wpr_deg(quat_xyzw: FloatArray) -> FloatArray:
    """(N, 4) quaternions → (N, 3) FANUC W, P, R in degrees (extrinsic x, y, z)."""
    rot = Rotation.from_quat(np.atleast_2d(quat_xyzw))
    return np.asarray(rot.as_euler("xyz", degrees=True), dtype=np.float64)


def fanuc_wpr_deg_to_quat_xyzw(wpr_deg: FloatArray) -> FloatArray:
    """(N, 3) FANUC W, P, R degrees → canonical (N, 4) [x, y, z, w]."""
    rot = Rotation.from_euler("xyz", np.atleast_2d(wpr_deg), degrees=True)
    return canonical_quat_xyzw(rot.as_quat())


def quat_xyzw_to_rotvec_rad(quat_xyzw: FloatArray) -> FloatArray:
    """(N, 4) quaternions → (N, 3) rotation vectors in radians (angle <= pi), as URScript poses use."""
    rot = Rotation.from_quat(np.atleast_2d(quat_xyzw))
    return np.asarray(rot.as_rotvec(), dtype=np.float64)


def rotvec_rad_to_quat_xyzw(rotvec_rad: FloatArray) -> FloatArray:
    """(N, 3) rotation vectors in radians → canonical (N, 4) [x, y, z, w]."""
    return canonical_quat_xyzw(Rotation.from_rotvec(np.atleast_2d(rotvec_rad)).as_quat())


def angle_between_deg(quat_a_xyzw: FloatArray, quat_b_xyzw: FloatArray) -> FloatArray:
    """(N,) angles in degrees of the relative rotations between two (N, 4) quaternion arrays."""
    ra = Rotation.from_quat(np.atleast_2d(quat_a_xyzw))
    rb = Rotation.from_quat(np.atleast_2d(quat_b_xyzw))
    return np.asarray(np.degrees((ra.inv() * rb).magnitude()), dtype=np.float64)


def pose_inverse(pos_m: FloatArray, quat_xyzw: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Inverse of the rigid transform (pos (3,), quat (4,)): returns (pos (3,), quat (4,))."""
    rot = Rotation.from_quat(np.array(quat_xyzw, dtype=np.float64))
    inv = rot.inv()
    return np.asarray(-inv.apply(np.array(pos_m, dtype=np.float64)), dtype=np.float64), canonical_quat_xyzw(
        inv.as_quat()
    )


def compose(
    frame_pos_m: FloatArray, frame_quat_xyzw: FloatArray, pos_m: FloatArray, quat_xyzw: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Express (N, 3)/(N, 4) poses given in `frame` in the frame's parent: p' = R_f p + t_f, q' = q_f q."""
    rf = Rotation.from_quat(np.array(frame_quat_xyzw, dtype=np.float64))
    # Copies: scipy's Cython paths reject read-only buffers (program arrays are read-only).
    pos = rf.apply(np.array(np.atleast_2d(pos_m), dtype=np.float64)) + np.asarray(
        frame_pos_m, dtype=np.float64
    )
    quat = (rf * Rotation.from_quat(np.array(np.atleast_2d(quat_xyzw), dtype=np.float64))).as_quat()
    return np.asarray(pos, dtype=np.float64), canonical_quat_xyzw(quat)
