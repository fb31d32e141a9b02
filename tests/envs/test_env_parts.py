"""The env's building blocks: seam table, torch geometry, tracking buffer, drift, bead, weave, configs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from weldcraft.envs.bead import BeadRecorder, WeaveWindow
from weldcraft.envs.config import ActionScaling, RewardWeights, SensorConfig
from weldcraft.envs.observation import OBS_INDEX, OBS_LAYOUT, OBS_SIZE, decode_observation, layout_markdown
from weldcraft.envs.seam_buffer import SeamCorrectionBuffer
from weldcraft.envs.seam_table import SampledSeam
from weldcraft.envs.seam_world import SeamWorld
from weldcraft.envs.torch_geometry import (
    JointSection,
    commanded_tip_m,
    tool_rotation,
    torch_angles_deg,
    torch_state,
    wire_direction_seam,
)
from weldcraft.errors import ConfigError
from weldcraft.process import ProcessModel, grade_weld
from weldcraft.seams import JointKind, JointSpec, load_job


def test_sampled_arc_matches_the_seam_path_and_projects_back() -> None:
    job = load_job("curved_fillet_pb")
    s = np.linspace(0.0, job.seam.length_m, 473)  # 0.5 mm grid
    table = SampledSeam.from_samples(s, job.seam.position_m(s), job.seam.frames(s), np.eye(3), np.zeros(3))
    q = np.array([0.01234, 0.1, 0.2])
    np.testing.assert_allclose([table.point(float(x)) for x in q], job.seam.position_m(q), atol=1e-6)
    np.testing.assert_allclose([table.frame(float(x)) for x in q], job.seam.frames(q), atol=1e-5)
    # a point 2 mm off the seam along n projects onto its own arc length
    p = table.point(0.1) + 0.002 * table.frame(0.1)[:, 1]
    assert table.project(p, 0.095, iterations=3) == pytest.approx(0.1, abs=1e-7)
    # before the start the seam continues along the start tangent
    np.testing.assert_allclose(
        table.point(-0.01), table.point(0.0) - 0.01 * table.frame(0.0)[:, 0], atol=1e-12
    )


@pytest.mark.parametrize(
    "joint",
    [
        JointSpec(JointKind.FILLET, 8.0),
        JointSpec(JointKind.LAP, 3.0),
        JointSpec(JointKind.SQUARE_BUTT, 4.0),
        JointSpec(JointKind.SINGLE_V_BUTT, 8.0, groove_angle_deg=60.0, root_face_mm=1.0),
    ],
)
def test_commanded_tip_and_torch_state_are_inverse(joint: JointSpec) -> None:
    rng = np.random.default_rng(0)
    section = JointSection.for_joint(joint)
    frame = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    frame[:, 2] = np.cross(frame[:, 0], frame[:, 1])
    seam_point = rng.standard_normal(3)
    for _ in range(20):
        lat, ctwd = rng.uniform(-2.0, 2.0), rng.uniform(10.0, 25.0)
        travel, work = rng.uniform(-10.0, 25.0), rng.uniform(-15.0, 15.0)
        w = wire_direction_seam(travel, work)
        assert torch_angles_deg(w) == pytest.approx((travel, work))
        tip = commanded_tip_m(seam_point, frame, w, lat, ctwd, section)
        state = torch_state(tip, frame @ w, seam_point, frame, 0.3, section)
        assert state.lateral_offset_mm == pytest.approx(lat, abs=1e-9)
        assert state.ctwd_mm == pytest.approx(ctwd, abs=1e-9)
        assert state.travel_angle_deg == pytest.approx(travel, abs=1e-9)
        assert state.work_angle_error_deg == pytest.approx(work, abs=1e-9)
        assert state.s_m == pytest.approx(0.3, abs=1e-12)
        rot = tool_rotation(frame, w, roll_rad=0.7)
        np.testing.assert_allclose(rot.T @ rot, np.eye(3), atol=1e-12)
        np.testing.assert_allclose(rot[:, 2], frame @ w, atol=1e-12)


def test_fillet_ctwd_follows_the_face_when_the_torch_moves_sideways() -> None:
    section = JointSection.for_joint(JointSpec(JointKind.FILLET, 8.0))
    frame = np.eye(3)  # columns t, n, b
    w = wire_direction_seam(0.0, 0.0)
    tip = commanded_tip_m(np.zeros(3), frame, w, 0.0, 15.0, section)
    moved = tip + np.array([0.0, 0.0, 1e-3])  # 1 mm towards side B at the same height
    state = torch_state(moved, frame @ w, np.zeros(3), frame, 0.0, section)
    # 45 deg faces: 1 mm sideways shortens the stick-out by 1 mm (the through-arc sensing signal)
    assert state.ctwd_mm == pytest.approx(14.0, abs=1e-9)
    assert state.lateral_offset_mm == pytest.approx(1.0, abs=1e-9)


def test_tracking_buffer_gates_outliers_filters_and_relocks() -> None:
    buf = SeamCorrectionBuffer(gate_mm=0.5)
    for k in range(20):
        buf.push(k * 0.001, 1.0 + 0.01 * k, 0.0, 0.5)
    assert not buf.push(0.0205, 4.0, 0.0, 0.5)  # a 3 mm outlier is rejected
    assert buf.n_rejected == 1
    # median-of-5: the stored value lags a ramp by two readings
    assert buf.query(0.010).lateral_mm == pytest.approx(1.0 + 0.01 * 8, abs=1e-12)
    # interpolation between readings, and the blind distance beyond the newest one
    assert buf.query(0.0105).lateral_mm == pytest.approx(1.0 + 0.01 * 8.5, abs=1e-12)
    beyond = buf.query(0.025)
    assert beyond.blind_mm == pytest.approx(6.0) and beyond.ok
    # the seam really moved by 2 mm: five agreeing rejections re-lock onto it
    accepted = [buf.push(0.030 + k * 0.001, 3.2, 0.0, 0.5) for k in range(5)]
    assert accepted == [False, False, False, False, True]
    assert buf.query(0.034).lateral_mm == pytest.approx(3.2)


def test_closed_form_drift_equals_the_realization() -> None:
    job = load_job("curved_fillet_pb")
    world = SeamWorld(job, np.eye(3), np.array([0.1, 0.0, 0.8]))
    real = job.sample_realization(np.random.default_rng(5))
    world.set_realization(real)
    assert max(abs(a) for a in real.drift_amplitude_mm) > 0.05
    p0, _ = real.part_pose_work(0.0)
    for t in (0.0, 7.3, 21.0, 45.5):
        pt, _ = real.part_pose_work(t)
        np.testing.assert_allclose(world.drift_at(t), pt - p0, atol=1e-12)
    np.testing.assert_allclose(world.gap_mm(0.05), real.gap_mm(50.0)[0], atol=1e-9)


def test_bead_recorder_grades_like_grade_weld() -> None:
    job = load_job("tiny_fillet")
    model = ProcessModel(job.wps, job.joint, job.position)
    bead = BeadRecorder(100)
    samples = []
    for k in range(90):
        lateral = 0.0 if k < 60 else 1.5  # the last third drifts off the joint
        sample = model.evaluate_one(6.5, 15.0, 10.0, 0.0, lateral)
        samples.append(sample)
        bead.record(sample, k * 0.325, (k + 1) * 0.325, np.zeros(3), np.eye(3))
    assert np.all(np.diff(bead.s_mm[: bead.n]) > 0)
    from weldcraft.process import BeadSegments

    expected = grade_weld(BeadSegments.from_samples(samples), (np.arange(90) + 0.5) * 0.325, job.joint)
    got = bead.grade(job.joint)
    assert got.iso5817_level == expected.iso5817_level != "B"
    assert got.quality_score == pytest.approx(expected.quality_score, abs=1e-9)


def test_weave_window_measures_width_dwell_speed() -> None:
    window = WeaveWindow(20)
    out = (0.0, 0.0, 0.0, 0.0)
    for k in range(40):  # 1 Hz sine of +-2 mm at 20 Hz, 0.3 mm per step
        out = window.push(2.0 * math.sin(2.0 * math.pi * k / 20.0), 0.3, 0.05)
    mean, width, dwell, speed = out
    assert mean == pytest.approx(0.0, abs=1e-9)
    assert width == pytest.approx(4.0, rel=0.02)
    # a sine spends 41 % of its time within 10 % of the width of its peaks (50 % of 20 samples here)
    assert 0.35 < dwell <= 0.5
    assert speed == pytest.approx(6.0)


def test_observation_layout_is_documented_and_decodes() -> None:
    assert OBS_SIZE == len(OBS_LAYOUT) == len(OBS_INDEX) == 38
    assert OBS_INDEX["progress"] == 20 and OBS_INDEX["prev_action_4"] == OBS_SIZE - 1
    obs = np.zeros(OBS_SIZE, dtype=np.float32)
    obs[OBS_INDEX["current_a"]] = 0.9
    assert decode_observation(obs)["current_a"] == pytest.approx(270.0)
    table = layout_markdown()
    assert table.count("\n") == OBS_SIZE + 1 and "`tracker_gap_mm`" in table


def test_config_records_name_bad_keys_and_values() -> None:
    with pytest.raises(ConfigError, match="unknown key.*lookahed_mm.*valid keys"):
        SensorConfig.from_mapping({"lookahed_mm": 30}, "sensor")
    with pytest.raises(ConfigError, match="sensor: lookahead_mm must be in"):
        SensorConfig.from_mapping({"lookahead_mm": 500.0}, "sensor")
    assert RewardWeights.from_mapping({"failure": 5.0}, "w").failure == 5.0
    assert ActionScaling.from_mapping(None, "a") == ActionScaling()
