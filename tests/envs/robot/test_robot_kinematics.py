"""Analytic FK and Jacobian against pybullet and against each other."""

from __future__ import annotations

import numpy as np
import pybullet as pb
import pytest

from weldcraft.envs.robot import Cell, RobotConfig, RobotModel
from weldcraft.envs.robot.chain import KinematicChain, quat_xyzw_to_matrix
from weldcraft.envs.robot.model import angle_between_quats_rad
from weldcraft.envs.robot.urdf_gen import ARM_TORCH_URDF, ASSETS_DIR, TorchGeometry


def test_fk_matches_pybullet_in_world_frame(cell: Cell) -> None:
    robot = cell.robot
    rng = np.random.default_rng(7)
    for _ in range(50):
        q = rng.uniform(robot.lower_rad, robot.upper_rad)
        pos, quat = robot.fk(q)
        pos_pb, quat_pb = robot.fk_pybullet(q)
        assert np.abs(pos - pos_pb).max() < 1e-6  # pybullet keeps link frames in single precision
        assert angle_between_quats_rad(quat, quat_pb) < 1e-6


def test_fk_batch_matches_scalar_fk() -> None:
    chain = KinematicChain.from_urdf(ASSETS_DIR / ARM_TORCH_URDF, "tcp")
    rng = np.random.default_rng(3)
    q = rng.uniform(chain.lower_rad, chain.upper_rad, size=(64, 6))
    pos_b, rot_b = chain.fk_batch(q)
    for i in range(q.shape[0]):
        pos, rot = chain.fk(q[i])
        assert pos == pytest.approx(pos_b[i], abs=1e-12)
        assert np.abs(rot - rot_b[i]).max() < 1e-12


def test_jacobian_matches_finite_differences() -> None:
    chain = KinematicChain.from_urdf(ASSETS_DIR / ARM_TORCH_URDF, "tcp")
    q = np.array([0.3, 0.4, -0.2, 0.7, 1.1, -0.5])
    jac = chain.jacobian(q)
    h = 1e-7
    p0, r0 = chain.fk(q)
    for i in range(6):
        dq = np.zeros(6)
        dq[i] = h
        p1, r1 = chain.fk(q + dq)
        assert jac[:3, i] == pytest.approx((p1 - p0) / h, abs=1e-6)
        skew = (r1 @ r0.T - np.eye(3)) / h  # angular velocity as a skew matrix
        assert jac[3:, i] == pytest.approx([skew[2, 1], skew[0, 2], skew[1, 0]], abs=1e-6)


def test_tcp_z_is_the_wire_direction_at_home(cell: Cell) -> None:
    _, quat = cell.robot.fk(cell.robot.home_q_rad)
    wire = quat_xyzw_to_matrix(quat)[:, 2]
    assert wire[2] < -0.99  # the default home pose points the torch straight down


def test_custom_urdf_from_config_gives_same_tcp(client: int, cell: Cell) -> None:
    """A user's arm (here the bare shipped arm) + a separate tool URDF + a tool offset from config."""
    xyz, rpy = TorchGeometry().tcp_offset()
    config = RobotConfig(
        urdf="weldcraft://weldcraft_arc_arm_bare.urdf",
        tcp_link="flange",
        tool_xyz_m=xyz,
        tool_rpy_rad=rpy,
        tool_urdf="weldcraft://weldcraft_mig_torch.urdf",
        home_q_rad=tuple(cell.robot.home_q_rad.tolist()),
    )
    custom = RobotModel(client, config, tuple(cell.robot.base_xyz_m.tolist()))
    rng = np.random.default_rng(11)
    for _ in range(20):
        q = rng.uniform(custom.lower_rad, custom.upper_rad)
        pos_a, quat_a = custom.fk(q)
        pos_b, quat_b = cell.robot.fk(q)
        assert pos_a == pytest.approx(pos_b, abs=1e-12)
        assert angle_between_quats_rad(quat_a, quat_b) < 1e-9
        # The separate torch body follows the flange: its tcp link is where the shipped one is.
        custom.set_q(q)
        assert custom.tool_body_id is not None
        tip = pb.getLinkState(custom.tool_body_id, 3, computeForwardKinematics=True, physicsClientId=client)
        assert np.asarray(tip[4]) == pytest.approx(pos_b, abs=1e-6)
