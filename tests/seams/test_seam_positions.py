"""The welding-position gravity table checked against plate geometry built by the job itself.

From the plate boxes alone (placed in the z-up work frame) the test finds the outward normals of the two
faces that meet at the seam root, builds the bisector n, b = t x n and identifies side A as the plate on the
-b side; gravity (0, 0, -1) expressed in that frame must equal `WeldingPosition.gravity_seam()`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from weldcraft.seams import (
    WPS,
    Box,
    GapProfile,
    JointKind,
    JointSpec,
    PartPose,
    PlacementErrorSpec,
    PlateDims,
    StraightSeam,
    WeldingPosition,
    WeldJob,
    load_job,
)

C = math.sqrt(0.5)


def root_face_normal_work(box: Box, root_part: np.ndarray, rot: Rotation) -> np.ndarray:
    """Outward normal (work frame) of the box face on which the root point lies."""
    axes = box.rotation_matrix()
    local = (root_part - np.asarray(box.center_m)) @ axes
    gap = np.abs(np.abs(local) - np.asarray(box.half_extents_m))
    i = int(np.argmin(gap))
    assert gap[i] < 1e-12, f"root is not on a face of {box.name}"
    return np.asarray(rot.apply(np.sign(local[i]) * axes[:, i]))


def gravity_from_geometry(job: WeldJob, s_m: float) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    rot = job.part_pose.rotation()
    root = job.seam.position_m(s_m)[0]
    boxes = {b.name: b for b in job.plate_boxes()}
    names = ("flange", "web") if job.joint.kind is JointKind.FILLET else ("plate_a", "plate_b")
    normals = {name: root_face_normal_work(boxes[name], root, rot) for name in names}
    n = sum(normals.values())
    n = n / np.linalg.norm(n)
    t = rot.apply(job.seam.frames(s_m)[0][:, 0])
    b = np.cross(t, n)
    # side A is the -b side: plate A's face runs from the root towards -b (its in-face direction away from the
    # root is the other plate's normal with the components along plate A's normal and along t removed)
    n_a, n_b = normals[names[0]], normals[names[1]]
    d_a = n_b - (n_b @ n_a) * n_a - (n_b @ t) * t
    assert d_a @ b < -0.5 * np.linalg.norm(d_a)
    g = np.array([0.0, 0.0, -1.0])
    return np.array([g @ t, g @ n, g @ b]), normals


def fillet(
    position: WeldingPosition, rpy_deg: tuple[float, float, float], normal: tuple[float, ...]
) -> WeldJob:
    return WeldJob(
        "fillet",
        StraightSeam((-0.05, 0, 0), (0.05, 0, 0), normal),  # type: ignore[arg-type]
        JointSpec(JointKind.FILLET, 8.0),
        position,
        GapProfile.constant(0.0),
        WPS(),
        PlacementErrorSpec(),
        PartPose((0.8, 0.0, 0.0), rpy_deg),
        PlateDims(8.0, 8.0, 40.0, 40.0),
    )


def test_pb_fillet_preset_flange_horizontal_web_vertical_and_gravity_matches_table() -> None:
    job = load_job("fillet_pb")
    for s in (0.0, 0.07, 0.15):
        g, normals = gravity_from_geometry(job, s)
        np.testing.assert_allclose(normals["flange"], [0, 0, 1], atol=1e-12)  # side A: horizontal flange
        assert abs(normals["web"][2]) < 1e-12  # side B: vertical web
        np.testing.assert_allclose(g, [0.0, -C, -C], atol=1e-12)
        np.testing.assert_allclose(g, WeldingPosition.PB.gravity_seam(), atol=1e-12)


def test_curved_pb_fillet_gravity_matches_table_along_the_arc() -> None:
    job = load_job("curved_fillet_pb")
    rot = job.part_pose.rotation()
    flange = next(b for b in job.plate_boxes() if b.name == "flange")  # planar: a single box
    for s in np.linspace(0.0, job.seam.length_m, 7):
        frame = job.seam.frames(s)[0]
        g = rot.inv().apply([0.0, 0.0, -1.0]) @ frame
        np.testing.assert_allclose(g, WeldingPosition.PB.gravity_seam(), atol=1e-12)
        # the root lies on the flange's horizontal top face
        root = job.seam.position_m(s)[0]
        np.testing.assert_allclose(root_face_normal_work(flange, root, rot), [0, 0, 1], atol=1e-12)


@pytest.mark.parametrize(
    ("position", "rpy"),
    [
        (WeldingPosition.PA, (45.0, 0.0, 0.0)),  # fillet tilted so its bisector points straight up
        (WeldingPosition.PE, (-135.0, 0.0, 0.0)),  # ... straight down
        (WeldingPosition.PF, (0.0, -90.0, 0.0)),  # seam along +z: travel upwards
        (WeldingPosition.PG, (0.0, 90.0, 0.0)),  # seam along -z: travel downwards
        (WeldingPosition.PB, (0.0, 0.0, 90.0)),
    ],
)
def test_gravity_table_matches_geometry_for_every_position(
    position: WeldingPosition, rpy: tuple[float, float, float]
) -> None:
    job = fillet(position, rpy, (0.0, C, C))
    g, _ = gravity_from_geometry(job, 0.05)
    np.testing.assert_allclose(g, position.gravity_seam(), atol=1e-12)


def test_pa_butt_gravity_from_plate_tops() -> None:
    job = load_job("butt_pa")
    boxes = {b.name: b for b in job.plate_boxes(GapProfile.constant(0.0))}
    rot = job.part_pose.rotation()
    root = job.seam.position_m(0.05)[0]
    top = root + job.seam.frames(0.05)[0][:, 1] * 7e-3  # the plate surface, 7 mm above the groove root
    for name in ("plate_a_body", "plate_b_body"):
        np.testing.assert_allclose(
            root_face_normal_work(boxes[name], top + [0, 0, 0], rot), [0, 0, 1], atol=1e-12
        )
    g = rot.inv().apply([0.0, 0.0, -1.0]) @ job.seam.frames(0.05)[0]
    np.testing.assert_allclose(g, WeldingPosition.PA.gravity_seam(), atol=1e-12)


def test_a_job_whose_geometry_contradicts_its_position_is_rejected() -> None:
    with pytest.raises(
        ValueError,
        match="position PA does not match the seam geometry: gravity in the seam frame is 45.0 deg",
    ):
        fillet(WeldingPosition.PA, (0.0, 0.0, 0.0), (0.0, C, C))
    # reversing the travel direction swaps sides A and B: a PB fillet must be flipped, not just relabelled
    with pytest.raises(ValueError, match="position PB does not match"):
        WeldJob(
            "reversed",
            StraightSeam((0.05, 0, 0), (-0.05, 0, 0), (0.0, C, C)),
            JointSpec(JointKind.FILLET, 8.0),
            WeldingPosition.PB,
            GapProfile.constant(0.0),
            WPS(),
            PlacementErrorSpec(),
            PartPose(),
            PlateDims(8.0, 8.0, 40.0, 40.0),
        )
