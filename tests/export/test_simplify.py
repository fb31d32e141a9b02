"""Point reduction within the tolerance (0.1 mm, 0.1 deg by default)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from weldcraft.export import WeldProgram, densify_program, simplify_program, synchronized_rms_mm
from weldcraft.export.rotations import angle_between_deg


def _errors_at_original_samples(orig: WeldProgram, simple: WeldProgram) -> tuple[np.ndarray, np.ndarray]:
    """Position (mm) and orientation (deg) error of the linear/slerp interpolation of `simple` at the
    original sample times."""
    pos = np.column_stack([np.interp(orig.t_s, simple.t_s, simple.tcp_pos_m[:, k]) for k in range(3)])
    from scipy.spatial.transform import Slerp

    quat = Slerp(simple.t_s, Rotation.from_quat(simple.tcp_quat_xyzw))(orig.t_s).as_quat()
    return np.linalg.norm(pos - orig.tcp_pos_m, axis=1) * 1000.0, angle_between_deg(quat, orig.tcp_quat_xyzw)


def test_weld_points_stay_within_tolerance_at_their_own_times(zigzag_program: WeldProgram) -> None:
    simple = simplify_program(zigzag_program, tol_mm=0.1, tol_deg=0.1)
    assert simple.n_points < zigzag_program.n_points / 2
    err_mm, err_deg = _errors_at_original_samples(zigzag_program, simple)
    weld = zigzag_program.arc_on
    assert err_mm[weld].max() <= 0.1 + 1e-9
    assert err_deg[weld].max() <= 0.1 + 1e-9


def test_straight_moves_collapse_and_events_are_kept(plain_program: WeldProgram) -> None:
    simple = simplify_program(plain_program)
    # Two straight air moves each way and a straight weld: a handful of points, same arc events.
    assert simple.n_points <= 10
    orig_times = [plain_program.t_s[i] for i, _ in plain_program.arc_events()]
    new_times = [simple.t_s[i] for i, _ in simple.arc_events()]
    assert new_times == pytest.approx(orig_times)
    assert [s.kind for s in simple.segments] == [s.kind for s in plain_program.segments]
    # Geometry of the air moves within the tolerance (their timing may change: only geometry counts).
    dense = densify_program(simple, 0.005)
    from weldcraft.export import path_max_mm

    assert path_max_mm(plain_program.tcp_pos_m, dense.tcp_pos_m) <= 0.1 + 1e-6


def test_a_tighter_tolerance_keeps_more_points(zigzag_program: WeldProgram) -> None:
    loose = simplify_program(zigzag_program, tol_mm=0.5, tol_deg=0.5)
    tight = simplify_program(zigzag_program, tol_mm=0.02, tol_deg=0.02)
    assert loose.n_points < tight.n_points
    weld = zigzag_program.arc_on
    dense = densify_program(tight, 0.002)
    t = zigzag_program.t_s[weld]
    assert synchronized_rms_mm(t, zigzag_program.tcp_pos_m[weld], dense.t_s, dense.tcp_pos_m) <= 0.02
