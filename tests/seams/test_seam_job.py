"""WeldJob: presets, strict YAML errors (one line, file:line, dotted key), round trip, hash, realizations."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from weldcraft.errors import ConfigError
from weldcraft.seams import WeldJob, load_job, preset_names

BASE = """\
name: part
seam:
  type: straight
  start_m: [0.0, 0.0, 0.0]
  end_m: [0.1, 0.0, 0.0]
  joint_normal: [0.0, 0.70710678, 0.70710678]
joint:
  kind: fillet
  thickness_mm: 8
plates:
  width_a_mm: 40
  width_b_mm: 40
position: PB
wps:
  voltage_v: 25
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "part.yaml"
    path.write_text(text)
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        WeldJob.from_yaml(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_minimal_yaml_loads_with_defaults(tmp_path: Path) -> None:
    job = WeldJob.from_yaml(write(tmp_path, BASE))
    assert job.length_mm == pytest.approx(100.0)
    assert job.plates.thickness_a_mm == 8.0 and job.gap.at([0.0, 50.0]).tolist() == [0.0, 0.0]
    assert job.wps.voltage_v == 25.0 and isinstance(job.wps.voltage_v, float)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  thickness_mm: 8",
            "  thickness_mm: -3",
            "part.yaml:9: key 'joint.thickness_mm': expected a positive number of millimetres, got -3",
        ),
        (
            "  thickness_mm: 8",
            "  thicknes_mm: 8",
            "part.yaml:9: key 'joint.thicknes_mm': unknown key (did you mean 'thickness_mm'?); "
            "expected one of: "
            "groove_angle_deg, kind, opening_angle_deg, root_face_mm, thickness_mm",
        ),
        (
            "  voltage_v: 25",
            "  voltage_v: high",
            "part.yaml:15: key 'wps.voltage_v': expected a number of volts, got 'high'",
        ),
        (
            "  voltage_v: 25",
            "  voltage_v: 80",
            "part.yaml:15: key 'wps.voltage_v': expected a number in [10.0, 45.0], got 80",
        ),
        (
            "  end_m: [0.1, 0.0, 0.0]",
            "  end_m: [0.1, 0.0]",
            "part.yaml:5: key 'seam.end_m': expected a list of 3 numbers (metres), got [0.1, 0.0]",
        ),
        (
            "  kind: fillet",
            "  kind: filet",
            "part.yaml:8: key 'joint.kind': expected one of fillet, lap, square_butt, single_v_butt, corner, "
            "got 'filet'",
        ),
        (
            "position: PB",
            "position: PX",
            "part.yaml:13: key 'position': expected one of PA, PB, PF, PG, PE, got 'PX'",
        ),
        (
            "  width_b_mm: 40",
            "  width_b_mm: 40\n  width_b_mm: 30",
            "part.yaml:13: key 'plates.width_b_mm': duplicate key",
        ),
        (
            "  width_b_mm: 40",
            "",
            "part.yaml:10: key 'plates.width_b_mm': missing; expected a positive number of millimetres",
        ),
        ("  kind: fillet", "  kind: [fillet", "part.yaml:9: invalid YAML: expected ',' or ']', but got ':'"),
        (
            "name: part",
            "name: part\ncolour: red",
            "part.yaml:2: key 'colour': unknown key; expected one of: schema_version, name, description, "
            "seam, joint, plates, position, gap, wps, placement, part_pose",
        ),
    ],
)
def test_bad_yaml_gives_one_line_with_file_line_and_key(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in BASE
    path = write(tmp_path, BASE.replace(old, new))
    assert error_of(path) == f"{tmp_path}/{expected}"


def test_inconsistent_joint_and_position_errors_name_their_keys(tmp_path: Path) -> None:
    msg = error_of(write(tmp_path, BASE.replace("  width_b_mm: 40", "  width_b_mm: 40\n  thickness_a_mm: 6")))
    assert msg == (
        f"{tmp_path}/part.yaml:9: key 'joint.thickness_mm': "
        "must equal the thinner plate (6 mm) for a fillet joint, got 8"
    )
    msg = error_of(write(tmp_path, BASE.replace("position: PB", "position: PA")))
    assert msg.startswith(
        f"{tmp_path}/part.yaml:13: key 'position': PA does not match the seam geometry: "
        "gravity in the seam frame is 45.0 deg"
    )
    with pytest.raises(
        ConfigError, match=r"<mapping>: key 'seam.points_m': expected a list of at least 2 points"
    ):
        WeldJob.from_mapping(
            {
                **load_job("tiny_fillet").to_mapping(),
                "seam": {"type": "spline", "points_m": [[0, 0, 0]], "joint_normals": [[0, 0, 1]]},
            }
        )


def test_missing_file_and_unknown_preset_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope.yaml: cannot read weld job file"):
        WeldJob.from_yaml(tmp_path / "nope.yaml")
    with pytest.raises(
        ConfigError,
        match=r"unknown seam preset 'filet_pb'; choose one of: butt_pa, curved_fillet_pb, fillet_pb, lap_pb, "
        "tiny_fillet",
    ):
        load_job("filet_pb")


@pytest.mark.parametrize("name", ["fillet_pb", "butt_pa", "lap_pb", "curved_fillet_pb", "tiny_fillet"])
def test_presets_load_round_trip_and_hash(name: str, tmp_path: Path) -> None:
    assert name in preset_names()
    job = load_job(name)
    assert job.name == name
    assert WeldJob.from_mapping(job.to_mapping()) == job
    out = tmp_path / f"{name}.yaml"
    text = job.to_yaml(out)
    assert out.read_text() == text and not list(tmp_path.glob(".*.tmp"))
    again = WeldJob.from_yaml(out)
    assert again == job and again.config_hash() == job.config_hash()
    assert len(job.config_hash()) == 64 and load_job(str(out)) == job
    changed = job.to_mapping()
    changed["wps"]["voltage_v"] += 0.5
    assert WeldJob.from_mapping(changed).config_hash() != job.config_hash()


def test_preset_geometry_and_wps_are_physically_consistent() -> None:
    """Mass balance A = eta * pi d^2 / 4 * WFS / v (shared reference 2.2) against the intended weld sizes."""

    def area_mm2(job: WeldJob) -> float:
        w = job.wps
        return (
            w.deposition_efficiency
            * math.pi
            * w.wire_diameter_mm**2
            / 4
            * w.wire_feed_m_min
            * 1000
            / 60
            / w.travel_speed_mm_s
        )

    def leg_mm(
        area: float, convexity_mm: float
    ) -> float:  # triangle z^2/2 plus parabolic cap 2/3 (z sqrt2) h
        k = 2.0 / 3.0 * math.sqrt(2.0) * convexity_mm
        return (-k + math.sqrt(k * k + 2.0 * area)) / 1.0

    fillet = load_job("fillet_pb")
    assert fillet.length_mm == pytest.approx(150.0) and fillet.joint.thickness_mm == 8.0
    assert area_mm2(fillet) == pytest.approx(22.5, abs=0.1)
    assert 5.0 <= leg_mm(area_mm2(fillet), 1.0) <= 6.0
    lap = load_job("lap_pb")
    assert lap.wps.wire_feed_m_min < fillet.wps.wire_feed_m_min
    assert 3.0 <= leg_mm(area_mm2(lap), 0.8) <= 4.0
    butt = load_job("butt_pa")
    groove = (8 - 1) ** 2 * math.tan(math.radians(30)) + 1.0 * 8
    assert groove < area_mm2(butt) < groove + 15.0  # fills the groove plus a cap of a few mm^2
    curved = load_job("curved_fillet_pb")
    assert curved.length_mm == pytest.approx(150 * math.pi / 2) and load_job(
        "tiny_fillet"
    ).length_mm == pytest.approx(30.0)


def test_realization_is_deterministic_per_seed_and_within_spec() -> None:
    job = load_job("butt_pa")
    spec = job.placement
    assert job.sample_realization(np.random.default_rng(3)) == job.sample_realization(
        np.random.default_rng(3)
    )
    assert job.sample_realization(np.random.default_rng(3)) != job.sample_realization(
        np.random.default_rng(4)
    )
    reals = [job.sample_realization(np.random.default_rng(seed)) for seed in range(300)]
    trans = np.array([r.translation_error_mm for r in reals])
    rot = np.array([r.rotation_error_deg for r in reals])
    assert np.abs(trans).max() <= spec.translation_max_mm and np.abs(rot).max() <= spec.rotation_max_deg
    assert 0.8 * spec.translation_std_mm < trans.std() < 1.1 * spec.translation_std_mm  # clipped at 3 sigma
    assert 0.7 * spec.rotation_std_deg < rot.std() < 1.1 * spec.rotation_std_deg  # clipped at 2 sigma
    gaps = np.concatenate([r.gap.gap_mm for r in reals])
    lo, hi = spec.gap_offset_range_mm
    assert gaps.min() >= 1.0 + lo - 1e-12 and gaps.max() <= 1.0 + hi + 1e-12 and gaps.max() - gaps.min() > 1.3
    times = np.linspace(0.0, 200.0, 401)
    drift = np.array([r.drift_mm(times) for r in reals])
    assert (
        np.abs(drift).max() <= spec.drift_amplitude_mm and np.abs(drift).max() > 0.8 * spec.drift_amplitude_mm
    )
    np.testing.assert_allclose(drift[:, 0, :], 0.0, atol=1e-15)  # no drift when the weld starts


def test_realization_maps_the_nominal_seam_to_the_true_seam() -> None:
    job = load_job("curved_fillet_pb")
    real = job.sample_realization(np.random.default_rng(11))
    s = np.linspace(0.0, job.seam.length_m, 30)
    true0 = real.true_position_work_m(s, t_s=0.0)
    nominal = real.nominal_position_work_m(s)
    shift_mm = 1e3 * np.linalg.norm(true0 - nominal, axis=1)
    bound = (
        math.sqrt(3) * job.placement.translation_max_mm
        + math.radians(math.sqrt(3) * job.placement.rotation_max_deg) * 150.0
    )
    assert 0.0 < shift_mm.max() <= bound
    # the true seam is the rigid image of the nominal one: pairwise distances are preserved
    np.testing.assert_allclose(
        np.linalg.norm(true0 - true0[0], axis=1), np.linalg.norm(nominal - nominal[0], axis=1), atol=1e-12
    )
    s_back, dist = real.closest_work(true0, t_s=0.0)
    np.testing.assert_allclose(s_back, s, atol=1e-9)
    np.testing.assert_allclose(dist, 0.0, atol=1e-12)
    # drift moves the seam by the drift vector of the mid-seam frame, at the nominal clock by default
    t = real.nominal_time_s(s)
    moved = real.true_position_work_m(s) - true0
    frame = real.true_frames_work(0.5 * job.seam.length_m)[0]
    d = real.drift_mm(t) * 1e-3
    np.testing.assert_allclose(moved, d[:, :1] * frame[:, 2] + d[:, 1:] * frame[:, 1], atol=1e-15)
    pos, quat = real.part_pose_work(5.0)
    np.testing.assert_allclose(
        real.to_work_m(job.seam.position_m(s), 5.0), real.true_position_work_m(s, 5.0), atol=1e-15
    )
    assert np.linalg.norm(quat) == pytest.approx(1.0) and pos.shape == (3,)
    assert [b.name for b in real.plate_boxes()][:2] == ["flange", "web[0]"]


def test_spline_and_arc_jobs_round_trip_through_yaml(tmp_path: Path) -> None:
    data = load_job("tiny_fillet").to_mapping()
    c = math.sqrt(0.5)
    data["seam"] = {
        "type": "spline",
        "points_m": [[-0.015, 0.0, 0.0], [0.0, 0.002, 0.0], [0.015, 0.0, 0.0]],
        "joint_normals": [[0.0, c, c]],
    }
    job = WeldJob.from_mapping(data, "spline.yaml")
    assert job.length_mm == pytest.approx(30.0, abs=0.6)
    path = tmp_path / "spline.yaml"
    job.to_yaml(path)
    assert WeldJob.from_yaml(path) == job and WeldJob.from_yaml(path).config_hash() == job.config_hash()
    data["seam"]["joint_normals"] = [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
    expected = (
        r"^spline.yaml: key 'seam.joint_normals': expected 1 direction or one per point \(3\), got \[\["
    )
    with pytest.raises(ConfigError, match=expected):
        WeldJob.from_mapping(data, "spline.yaml")
