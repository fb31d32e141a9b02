"""Vendor orientation conventions, compared as rotation matrices (q and -q are one rotation)."""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from weldcraft.export.rotations import (
    abb_wxyz_to_quat_xyzw,
    fanuc_wpr_deg_to_quat_xyzw,
    kuka_abc_deg_to_quat_xyzw,
    quat_xyzw_to_abb_wxyz,
    quat_xyzw_to_fanuc_wpr_deg,
    quat_xyzw_to_kuka_abc_deg,
    quat_xyzw_to_rotvec_rad,
)


def _random_quats(n: int) -> np.ndarray:
    return Rotation.random(n, rng=np.random.default_rng(7)).as_quat()


def test_kuka_abc_is_intrinsic_zyx_and_fanuc_wpr_extrinsic_xyz() -> None:
    q = _random_quats(200)
    m = Rotation.from_quat(q).as_matrix()
    abc = quat_xyzw_to_kuka_abc_deg(q)
    wpr = quat_xyzw_to_fanuc_wpr_deg(q)
    a, b, c = np.radians(abc).T
    # KUKA: Rz(A) Ry(B) Rx(C) (rotations about the moving axes, composed left to right).
    rz = Rotation.from_rotvec(np.column_stack([0 * a, 0 * a, a])).as_matrix()
    ry = Rotation.from_rotvec(np.column_stack([0 * b, b, 0 * b])).as_matrix()
    rx = Rotation.from_rotvec(np.column_stack([c, 0 * c, 0 * c])).as_matrix()
    assert np.allclose(rz @ ry @ rx, m, atol=1e-9)
    # FANUC: about fixed X by W, then fixed Y by P, then fixed Z by R: Rz(R) Ry(P) Rx(W).
    w, p, r = np.radians(wpr).T
    rz = Rotation.from_rotvec(np.column_stack([0 * r, 0 * r, r])).as_matrix()
    ry = Rotation.from_rotvec(np.column_stack([0 * p, p, 0 * p])).as_matrix()
    rx = Rotation.from_rotvec(np.column_stack([w, 0 * w, 0 * w])).as_matrix()
    assert np.allclose(rz @ ry @ rx, m, atol=1e-9)


def test_reference_example_kuka_abc_equals_fanuc_rpw() -> None:
    # robot-languages.md: KUKA A 30, B 45, C 180 is FANUC W 180, P 45, R 30.
    qk = kuka_abc_deg_to_quat_xyzw(np.array([30.0, 45.0, 180.0]))
    qf = fanuc_wpr_deg_to_quat_xyzw(np.array([180.0, 45.0, 30.0]))
    assert np.allclose(Rotation.from_quat(qk).as_matrix(), Rotation.from_quat(qf).as_matrix(), atol=1e-12)


def test_abb_quaternion_is_scalar_first_with_q1_non_negative() -> None:
    q = _random_quats(50)
    abb = quat_xyzw_to_abb_wxyz(q)
    assert np.all(abb[:, 0] >= 0.0)
    assert np.allclose(
        Rotation.from_quat(abb[:, [1, 2, 3, 0]]).as_matrix(), Rotation.from_quat(q).as_matrix()
    )
    assert np.allclose(
        Rotation.from_quat(abb_wxyz_to_quat_xyzw(abb)).as_matrix(), Rotation.from_quat(q).as_matrix()
    )


def test_ur_rotation_vector_is_in_radians_with_angle_at_most_pi() -> None:
    q = _random_quats(100)
    rv = quat_xyzw_to_rotvec_rad(q)
    assert np.all(np.linalg.norm(rv, axis=1) <= np.pi + 1e-12)
    assert np.allclose(Rotation.from_rotvec(rv).as_matrix(), Rotation.from_quat(q).as_matrix())
