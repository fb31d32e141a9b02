"""Plates vs seam: a pure-numpy laser ray cast finds the fusion faces and the seam root where the job says.

For every joint kind the test casts rays, in the cross-section plane at several s, from 40 mm out along n
towards points on both fusion faces: each ray must hit its target (on the surface and not occluded). Lines
fitted to the hits on the two faces must meet at the seam root (fillet, lap, corner) or pass through the root
edges at -+gap/2 (butts), exactly for straight seams and within the 0.05 mm panel tolerance for curved ones.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from weldcraft.seams import (
    WPS,
    Box,
    GapProfile,
    JointKind,
    JointSpec,
    PartPose,
    PlacementErrorSpec,
    PlateDims,
    SplineSeam,
    StraightSeam,
    WeldingPosition,
    WeldJob,
    load_job,
)

PB_NORMAL = (0.0, math.sqrt(0.5), math.sqrt(0.5))


def raycast(boxes: list[Box], origins: np.ndarray, dirs: np.ndarray) -> np.ndarray:
    """Distance (N,) along unit dirs from origins to the first box surface hit (inf if none): slab method."""
    best = np.full(len(origins), np.inf)
    for box in boxes:
        rot = box.rotation_matrix()
        o = (origins - np.asarray(box.center_m)) @ rot
        d = dirs @ rot
        h = np.asarray(box.half_extents_m)
        with np.errstate(divide="ignore", invalid="ignore"):
            t1, t2 = (-h - o) / d, (h - o) / d
        t1 = np.where(np.isnan(t1), -np.inf, t1)
        t2 = np.where(np.isnan(t2), np.inf, t2)
        near = np.max(np.minimum(t1, t2), axis=1)
        far = np.min(np.maximum(t1, t2), axis=1)
        hit = (far >= near) & (far > 0.0)
        best = np.where(hit, np.minimum(best, np.maximum(near, 0.0)), best)
    return best


def make_job(kind: JointKind, gap_mm: float, seam: object | None = None) -> WeldJob:
    thickness = {JointKind.LAP: 3.0}.get(kind, 8.0)
    joint = JointSpec(
        kind,
        thickness,
        groove_angle_deg=60.0 if kind is JointKind.SINGLE_V_BUTT else 0.0,
        root_face_mm=1.0 if kind is JointKind.SINGLE_V_BUTT else 0.0,
    )
    butt = kind in (JointKind.SQUARE_BUTT, JointKind.SINGLE_V_BUTT)
    normal = (0.0, 0.0, 1.0) if butt else PB_NORMAL
    path = seam if seam is not None else StraightSeam((-0.05, 0.0, 0.0), (0.05, 0.0, 0.0), normal)
    plates = PlateDims(5.0 if kind is JointKind.LAP else 8.0, thickness, 40.0, 30.0)
    return WeldJob(
        f"test_{kind.value}",
        path,  # type: ignore[arg-type]
        joint,
        WeldingPosition.PA if butt else WeldingPosition.PB,
        GapProfile.constant(gap_mm),
        WPS(),
        PlacementErrorSpec(),
        PartPose(),
        plates,
    )


def wavy_pb_spline() -> SplineSeam:
    pts = [(0.025 * i, 0.012 * math.sin(1.1 * i), 0.0) for i in range(7)]
    normals = []
    for i in range(7):
        tangent = np.array([0.025, 0.012 * 1.1 * math.cos(1.1 * i), 0.0])
        h = np.cross([0.0, 0.0, 1.0], tangent / np.linalg.norm(tangent))
        normals.append(tuple((np.array([0.0, 0.0, 1.0]) + h) / math.sqrt(2.0)))
    return SplineSeam(tuple(pts), tuple(normals))  # type: ignore[arg-type]


def face_hits(
    job: WeldJob, boxes: list[Box], gap_mm: float, s_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ray-cast targets on both faces at s: (hits_bn_mm (2,K,2), expected_bn_mm (2,K,2), miss_mm (2,K))."""
    root = job.seam.position_m(s_m)[0]
    frame = job.seam.frames(s_m)[0]
    n, b = frame[:, 1], frame[:, 2]
    origin = root + 0.040 * n
    u = np.array([0.3, 0.8, 1.5, 2.5])
    faces = job.fusion_faces()
    if job.joint.kind is JointKind.SQUARE_BUTT:  # the edge faces are seen edge-on: target the top surfaces
        targets = np.array([[(-gap_mm / 2 - x, 0.0) for x in u], [(gap_mm / 2 + x, 0.0) for x in u]])
    else:
        targets = np.array(
            [
                [
                    (
                        f.point_bn_mm[0] + gap_mm * f.gap_shift_bn[0] + x * f.dir_bn[0],
                        f.point_bn_mm[1] + gap_mm * f.gap_shift_bn[1] + x * f.dir_bn[1],
                    )
                    for x in u
                ]
                for f in faces
            ]
        )
    pts = root + 1e-3 * (targets[..., :1] * b + targets[..., 1:] * n)
    dirs = pts - origin
    dist = np.linalg.norm(dirs, axis=-1)
    dirs = dirs / dist[..., None]
    hit_d = raycast(boxes, np.broadcast_to(origin, (8, 3)), dirs.reshape(-1, 3)).reshape(2, -1)
    hit = origin + hit_d[..., None] * dirs - root
    hits_bn = 1e3 * np.stack([hit @ b, hit @ n], axis=-1)
    return hits_bn, targets, 1e3 * (hit_d - dist)


def line_intersection(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Intersection of the least-squares lines through 2-D points p (K,2) and q (K,2)."""

    def fit(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c = x.mean(axis=0)
        _, _, vt = np.linalg.svd(x - c)
        return c, vt[0]

    (c1, d1), (c2, d2) = fit(p), fit(q)
    lam = np.linalg.solve(np.stack([d1, -d2], axis=1), c2 - c1)
    return c1 + lam[0] * d1


CASES = [
    (JointKind.FILLET, 0.0),
    (JointKind.FILLET, 1.0),
    (JointKind.LAP, 0.0),
    (JointKind.LAP, 0.5),
    (JointKind.CORNER, 0.0),
    (JointKind.CORNER, 1.0),
    (JointKind.SQUARE_BUTT, 0.0),
    (JointKind.SQUARE_BUTT, 1.5),
    (JointKind.SINGLE_V_BUTT, 0.0),
    (JointKind.SINGLE_V_BUTT, 1.0),
]


@pytest.mark.parametrize(("kind", "gap_mm"), CASES)
def test_laser_finds_fusion_faces_and_root_where_the_seam_is(kind: JointKind, gap_mm: float) -> None:
    job = make_job(kind, gap_mm)
    boxes = job.plate_boxes()
    for s in (0.0, 0.031, job.seam.length_m):
        hits, targets, miss = face_hits(job, boxes, gap_mm, s)
        np.testing.assert_allclose(miss, 0.0, atol=1e-9)  # every target is on a plate surface, unoccluded
        np.testing.assert_allclose(hits, targets, atol=1e-9)
        if kind in (JointKind.SQUARE_BUTT, JointKind.SINGLE_V_BUTT):
            # the two faces start at the root edges -+gap/2, symmetric about the seam point
            if kind is JointKind.SINGLE_V_BUTT:
                np.testing.assert_allclose(
                    line_intersection(hits[0], np.array([[-1.0, 0.0], [1.0, 0.0]])),
                    [-gap_mm / 2, 0.0],
                    atol=1e-9,
                )
                np.testing.assert_allclose(
                    line_intersection(hits[1], np.array([[-1.0, 0.0], [1.0, 0.0]])),
                    [gap_mm / 2, 0.0],
                    atol=1e-9,
                )
            if gap_mm == 0.0:
                np.testing.assert_allclose(
                    line_intersection(hits[0], hits[1]) if kind is JointKind.SINGLE_V_BUTT else [0, 0],
                    [0.0, 0.0],
                    atol=1e-9,
                )
        else:
            np.testing.assert_allclose(line_intersection(hits[0], hits[1]), [0.0, 0.0], atol=1e-9)


def test_square_butt_gap_is_open_between_the_edges() -> None:
    job = make_job(JointKind.SQUARE_BUTT, 1.5)
    boxes = job.plate_boxes(GapProfile.constant(1.5))
    frame = job.seam.frames(0.02)[0]
    root = job.seam.position_m(0.02)[0]
    b, n = frame[:, 2], frame[:, 1]
    origins = root + 0.04 * n + np.outer([-0.74e-3, 0.0, 0.74e-3, -0.76e-3, 0.76e-3], b)
    d = raycast(boxes, origins, np.broadcast_to(-n, (5, 3)))
    assert np.all(np.isinf(d[:3]))  # straight through the 1.5 mm gap
    np.testing.assert_allclose(d[3:], 0.04, atol=1e-12)  # just outside it: the top surfaces


def test_single_v_boxes_are_exactly_the_bevelled_plates() -> None:
    job = make_job(JointKind.SINGLE_V_BUTT, 1.0)
    boxes = job.plate_boxes()
    frame = job.seam.frames(0.02)[0]
    root = job.seam.position_m(0.02)[0]
    # grid offset from the internal box boundaries (n = 0, b = b_top), which are inside the union
    bb, nn = np.meshgrid(np.linspace(-20, 20, 321) + 0.0071, np.linspace(-3, 9, 97) + 0.0123)
    bn = np.stack([bb.ravel(), nn.ravel()], axis=1)
    pts = root + 1e-3 * (bn[:, :1] * frame[:, 2] + bn[:, 1:] * frame[:, 1])
    inside = np.zeros(len(pts), bool)
    for box in boxes:
        inside |= box.contains(pts, -1e-9)
    # analytic plate A (b < 0): bottom n = -1, top n = 7, edge at b = -0.5 below n = 0, bevel 30 deg above
    absb, n = np.abs(bn[:, 0]), bn[:, 1]
    edge = 0.5 + np.maximum(n, 0.0) * math.tan(math.radians(30.0))
    expected = (n > -1.0) & (n < 7.0) & (absb > edge) & (absb < 40.0)
    near_boundary = (np.abs(n + 1) < 1e-6) | (np.abs(n - 7) < 1e-6) | (np.abs(absb - edge) < 1e-6)
    assert np.array_equal(inside[~near_boundary], expected[~near_boundary])
    assert len(boxes) == 2 * (2 + 7)  # root face, body and 7 bevel strips per plate


@pytest.mark.parametrize("gap_mm", [0.0, 1.0])
def test_curved_fillet_panels_stay_within_tolerance_of_the_arc(gap_mm: float) -> None:
    job = load_job("curved_fillet_pb")
    boxes = job.plate_boxes(GapProfile.constant(gap_mm))
    assert [b.name for b in boxes].count("flange") == 1  # the flange is planar: one exact box
    worst = 0.0
    for s in np.linspace(0.0, job.seam.length_m, 23):
        hits, targets, miss = face_hits(job, boxes, gap_mm, float(s))
        worst = max(worst, float(np.abs(miss).max()))
        np.testing.assert_allclose(miss[0], 0.0, atol=1e-9)  # flange face exact
        root = line_intersection(hits[0], hits[1])
        assert np.linalg.norm(root) < 0.1
    assert worst < 0.06  # web panels: 0.05 mm design tolerance (the brief allows 0.2 mm)


def test_spline_fillet_plates_follow_the_seam() -> None:
    job = make_job(JointKind.FILLET, 0.0, wavy_pb_spline())
    boxes = job.plate_boxes()
    for s in np.linspace(0.0, job.seam.length_m, 9):
        _, _, miss = face_hits(job, boxes, 0.0, float(s))
        # 0.05 mm normal to the panel, measured along rays that meet the web at about 45 deg
        assert np.abs(miss).max() < 0.05 * math.sqrt(2.0) + 0.005


def test_realised_gap_profile_is_built_into_the_v_butt_plates() -> None:
    """Down-looking rays just inside and outside the realised root edges +-g(s)/2 of butt_pa."""
    job = load_job("butt_pa")
    real = job.sample_realization(np.random.default_rng(5))
    boxes = real.plate_boxes()
    s = np.linspace(0.0, job.seam.length_m, 41)
    g = real.gap_mm(s * 1e3)
    assert g.max() - g.min() > 0.5  # the realised gap really varies along this seam
    frames = job.seam.frames(s)
    n, b = frames[:, :, 1], frames[:, :, 2]
    root = job.seam.position_m(s)
    tan_beta = math.tan(math.radians(30.0))
    for side in (-1.0, 1.0):
        inside = root + 0.04 * n + side * 1e-3 * (g / 2 - 0.1)[:, None] * b
        assert np.all(np.isinf(raycast(boxes, inside, -n)))  # through the root opening
        outside = root + 0.04 * n + side * 1e-3 * (g / 2 + 0.3)[:, None] * b
        expected = 0.04 - 0.3e-3 / tan_beta  # meets the bevel 0.52 mm above the root
        # panel tolerance 0.05 mm along b is 0.05 / tan(30 deg) = 0.087 mm along a vertical ray
        np.testing.assert_allclose(raycast(boxes, outside, -n), expected, atol=0.09e-3)


def test_realised_gap_lifts_the_fillet_web() -> None:
    job = load_job("fillet_pb")
    real = job.sample_realization(np.random.default_rng(2))
    boxes = real.plate_boxes()
    s = np.linspace(0.0, job.seam.length_m, 31)
    g = real.gap_mm(s * 1e3)
    frames = job.seam.frames(s)
    n, b = frames[:, :, 1], frames[:, :, 2]
    d_b, m_b = (b + n) / math.sqrt(2.0), (b - n) / math.sqrt(2.0)  # web face direction, into the web
    root = job.seam.position_m(s)

    def solid(points: np.ndarray) -> np.ndarray:
        return np.any([box.contains(points, -1e-9) for box in boxes], axis=0)

    above = root + 1e-3 * ((g + 0.06)[:, None] * d_b + 2.0 * m_b)
    below = root + 1e-3 * ((g - 0.06)[:, None] * d_b + 2.0 * m_b)
    assert np.all(solid(above))
    lifted = g > 0.1
    assert lifted.sum() > 10 and not np.any(solid(below[lifted]))
