"""Parts rest on the table: the lowest plate face of every job lies on the work frame's z = 0 plane."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from weldcraft.seams import Box, SeamRealization, WeldJob, load_job, preset_names
from weldcraft.seams.job import lowest_point_z_m

PRESETS = ["fillet_pb", "butt_pa", "lap_pb", "curved_fillet_pb", "tiny_fillet"]
SIGNS = np.array([[sx, sy, sz] for sx in (-1.0, 1.0) for sy in (-1.0, 1.0) for sz in (-1.0, 1.0)])


def corners_part(boxes: list[Box]) -> np.ndarray:
    """All box corners (8 B, 3) in the part frame, computed independently of the library helper."""
    out = []
    for box in boxes:
        rot = Rotation.from_quat(box.quat_xyzw).as_matrix()
        out.append((SIGNS * np.asarray(box.half_extents_m)) @ rot.T + np.asarray(box.center_m))
    return np.concatenate(out)


def nominal(job: WeldJob) -> SeamRealization:
    return SeamRealization(job, (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), job.gap, (0.0, 0.0), (0.0, 0.0))


def test_every_preset_is_tested() -> None:
    assert sorted(PRESETS) == preset_names()


@pytest.mark.parametrize("preset", PRESETS)
def test_nominal_part_rests_on_the_table(preset: str) -> None:
    job = load_job(preset)
    corners_work = nominal(job).to_work_m(corners_part(job.plate_boxes()))
    assert corners_work[:, 2].min() == pytest.approx(0.0, abs=1e-9)
    # x, y of the part frame origin stay where the YAML puts them; only z is lifted, by the plates below
    # the seam (a part with z = 0 sank into the table by that much before)
    assert job.part_origin_work_m[:2].tolist() == list(job.part_pose.position_m[:2])
    assert job.part_origin_work_m[2] > 0.0


@pytest.mark.parametrize("preset", PRESETS)
def test_randomized_part_moves_only_by_its_placement_error(preset: str) -> None:
    job = load_job(preset)
    part = corners_part(job.plate_boxes())
    pivot = job.seam.position_m(0.5 * job.seam.length_m)[0]
    reach_m = float(np.linalg.norm(part - pivot, axis=1).max())
    r_nom = job.part_pose.rotation().as_matrix()
    for seed in range(10):
        real = job.sample_realization(np.random.default_rng(seed))
        z = real.to_work_m(part)[:, 2]
        # the placement error applied to the part resting on the table (origin from its z = 0 rest)
        r_e = Rotation.from_rotvec(np.radians(real.rotation_error_deg)).as_matrix()
        moved = (pivot + (part - pivot) @ r_e.T + np.asarray(real.translation_error_mm) * 1e-3) @ r_nom.T
        expected = moved + job.part_origin_work_m
        assert z.min() == pytest.approx(expected[:, 2].min(), abs=1e-12)
        dz_m = (r_nom @ np.asarray(real.translation_error_mm))[2] * 1e-3
        tilt_rad = math.radians(float(np.linalg.norm(real.rotation_error_deg)))
        assert abs(z.min()) <= abs(dz_m) + reach_m * tilt_rad + 1e-12
        shifted = SeamRealization(
            job, real.translation_error_mm, (0.0, 0.0, 0.0), job.gap, (0.0, 0.0), (0.0, 0.0)
        )
        assert shifted.to_work_m(part)[:, 2].min() == pytest.approx(dz_m, abs=1e-9)


def test_the_programmed_seam_is_lifted_with_the_part() -> None:
    job = load_job("fillet_pb")
    seam_work = nominal(job).nominal_position_work_m(np.array([0.0, job.seam.length_m]))
    # the flange (8 mm) lies on the table, so the fillet's root is 8 mm above it
    assert seam_work[:, 2] == pytest.approx([0.008, 0.008], abs=1e-12)


def _yaml(tmp_path: Path, pose: str) -> WeldJob:
    text = load_job("tiny_fillet").to_yaml()
    head = text[: text.index("part_pose:")]
    path = tmp_path / "part.yaml"
    path.write_text(head + "part_pose:\n" + pose)
    return WeldJob.from_yaml(path)


def test_user_yaml_rests_without_computing_the_lift(tmp_path: Path) -> None:
    job = _yaml(tmp_path, "  position_m: [0.7, 0.1, 0.0]\n  rpy_deg: [0.0, 0.0, 90.0]\n")
    assert job.part_pose.rest_on_table
    z = nominal(job).to_work_m(corners_part(job.plate_boxes()))[:, 2]
    assert z.min() == pytest.approx(0.0, abs=1e-9)


def test_z_is_the_height_of_the_lowest_face_and_raw_origin_on_request(tmp_path: Path) -> None:
    raised = _yaml(tmp_path, "  position_m: [0.8, 0.0, 0.02]\n  rpy_deg: [0.0, 0.0, 90.0]\n")
    z = nominal(raised).to_work_m(corners_part(raised.plate_boxes()))[:, 2]
    assert z.min() == pytest.approx(0.02, abs=1e-9)
    raw = _yaml(
        tmp_path, "  position_m: [0.8, 0.0, 0.02]\n  rpy_deg: [0.0, 0.0, 90.0]\n  rest_on_table: false\n"
    )
    assert raw.part_origin_work_m.tolist() == [0.8, 0.0, 0.02]
    assert WeldJob.from_mapping(raw.to_mapping()) == raw
    assert raw.config_hash() != raised.config_hash()


def test_rest_on_table_must_be_a_boolean(tmp_path: Path) -> None:
    from weldcraft.errors import ConfigError

    with pytest.raises(
        ConfigError, match=r"part.yaml:\d+: key 'part_pose.rest_on_table': expected true or false"
    ):
        _yaml(tmp_path, "  position_m: [0.8, 0.0, 0.0]\n  rest_on_table: 1\n")


def test_lowest_point_helper_matches_the_corners() -> None:
    job = load_job("curved_fillet_pb")
    rot = Rotation.from_euler("xyz", [3.0, -2.0, 40.0], degrees=True).as_matrix()
    part = corners_part(job.plate_boxes())
    assert lowest_point_z_m(job.plate_boxes(), rot) == pytest.approx((part @ rot.T)[:, 2].min(), abs=1e-15)
