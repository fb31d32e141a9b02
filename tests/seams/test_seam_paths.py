"""Seam paths: arc-length exactness, frames, continuity, closest points, curvature."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial import cKDTree

from weldcraft.seams import ArcSeam, SeamPath, SplineSeam, StraightSeam

R = 0.15


def _paths() -> dict[str, SeamPath]:
    theta = np.linspace(0.0, math.pi / 2, 13)
    wavy = [(0.02 * i, 0.01 * math.sin(1.3 * i), 0.004 * i * i) for i in range(7)]
    return {
        "straight": StraightSeam((0.1, -0.2, 0.05), (0.25, 0.1, 0.0), (0.0, 0.3, 1.0)),
        "arc": ArcSeam((0.3, 0.1, -0.2), R, (0.2, 0.1, 1.0), (1.0, 0.0, 0.0), -120.0, 45.0),
        "spline_circle": SplineSeam(
            tuple((R * math.cos(x), R * math.sin(x), 0.0) for x in theta), ((0, 0, 1),)
        ),
        "spline_wavy": SplineSeam(tuple(wavy), tuple((0.0, -0.3 + 0.1 * i, 1.0) for i in range(7))),
    }


PATHS = _paths()


def test_straight_and_arc_lengths_are_exact() -> None:
    straight = PATHS["straight"]
    assert straight.length_m == pytest.approx(math.dist((0.1, -0.2, 0.05), (0.25, 0.1, 0.0)), abs=1e-15)
    arc = PATHS["arc"]
    assert arc.length_m == pytest.approx(R * math.radians(120.0), abs=1e-15)
    # every arc point is at radius R from the centre, in the plane through the centre normal to the axis
    axis = np.array([0.2, 0.1, 1.0]) / np.linalg.norm([0.2, 0.1, 1.0])
    rel = arc.position_m(np.linspace(0, arc.length_m, 50)) - np.array([0.3, 0.1, -0.2])
    np.testing.assert_allclose(np.linalg.norm(rel, axis=1), R, atol=1e-15)
    np.testing.assert_allclose(rel @ axis, 0.0, atol=1e-15)
    # the chord between s and s + ds of a circle is 2 R sin(ds / 2R): s is exact arc length
    s = np.linspace(0.0, arc.length_m - 0.01, 40)
    chord = np.linalg.norm(arc.position_m(s + 0.01) - arc.position_m(s), axis=1)
    np.testing.assert_allclose(chord, 2 * R * math.sin(0.01 / (2 * R)), rtol=1e-12)


@pytest.mark.parametrize("name", ["spline_circle", "spline_wavy"])
def test_spline_is_parameterised_by_arc_length(name: str) -> None:
    path = PATHS[name]
    s = np.linspace(0.0, path.length_m, 20001)
    step = np.linalg.norm(np.diff(path.position_m(s), axis=0), axis=1)
    # chords of 1/20000 of the length equal ds to second order (curvature x ds^2 / 24 ~ 1e-12 relative)
    np.testing.assert_allclose(step, s[1] - s[0], rtol=1e-8)
    assert step.sum() == pytest.approx(path.length_m, rel=1e-8)


def test_spline_through_collinear_points_is_the_segment_and_circle_points_approximate_the_arc() -> None:
    line = SplineSeam(((0, 0, 0), (0.03, 0.04, 0), (0.09, 0.12, 0)), ((0, 0, 1),))
    assert line.length_m == pytest.approx(0.15, abs=1e-12)
    np.testing.assert_allclose(line.position_m(0.05), [[0.03, 0.04, 0.0]], atol=1e-12)
    circle = PATHS["spline_circle"]
    assert circle.length_m == pytest.approx(R * math.pi / 2, rel=1e-6)
    radius = np.linalg.norm(circle.position_m(np.linspace(0, circle.length_m, 400)), axis=1)
    assert np.max(np.abs(radius - R)) < 2e-6  # 13 points on a quarter circle: within 2 micrometres


@pytest.mark.parametrize("name", list(PATHS))
def test_frames_are_right_handed_orthonormal_and_t_is_the_derivative(name: str) -> None:
    path = PATHS[name]
    s = np.linspace(0.0, path.length_m, 301)
    frames = path.frames(s)
    eye = np.einsum("nji,njk->nik", frames, frames)
    np.testing.assert_allclose(eye, np.broadcast_to(np.eye(3), eye.shape), atol=1e-12)
    np.testing.assert_allclose(np.linalg.det(frames), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.cross(frames[:, :, 0], frames[:, :, 1]), frames[:, :, 2], atol=1e-12)
    h = 1e-6
    s_in = np.clip(s, h, path.length_m - h)
    deriv = (path.position_m(s_in + h) - path.position_m(s_in - h)) / (2 * h)
    np.testing.assert_allclose(deriv, path.frames(s_in)[:, :, 0], atol=1e-7)


@pytest.mark.parametrize("name", list(PATHS))
def test_frames_are_continuous_including_spline_knots(name: str) -> None:
    path = PATHS[name]
    s = np.linspace(0.0, path.length_m, 4001)
    jumps = np.linalg.norm(np.diff(path.frames(s), axis=0), axis=(1, 2))
    ds = s[1] - s[0]
    # C1 frames: change per step bounded by (curvature + normal turn rate) x ds, no jump at any knot
    assert jumps.max() < 60.0 * ds
    if isinstance(path, SplineSeam):
        knots_s, _ = path.closest(np.asarray(path.points_m[1:-1]))
        left, right = path.frames(knots_s - 1e-9), path.frames(knots_s + 1e-9)
        assert np.abs(left - right).max() < 1e-6


def test_arc_normal_bisects_with_constant_tilt_and_curvature() -> None:
    arc = PATHS["arc"]
    axis = np.array([0.2, 0.1, 1.0]) / np.linalg.norm([0.2, 0.1, 1.0])
    s = np.linspace(0, arc.length_m, 25)
    n = arc.frames(s)[:, :, 1]
    np.testing.assert_allclose(n @ axis, math.cos(math.radians(45.0)), atol=1e-12)
    r_out = arc.position_m(s) - np.array([0.3, 0.1, -0.2])
    np.testing.assert_allclose(np.sum(n * r_out, axis=1) / R, math.sin(math.radians(45.0)), atol=1e-12)
    np.testing.assert_allclose(arc.curvature_1_m(s), 1.0 / R)
    kappa = PATHS["spline_circle"].curvature_1_m(np.linspace(0.02, 0.2, 10))
    np.testing.assert_allclose(kappa, 1.0 / R, rtol=5e-3)
    assert PATHS["straight"].curvature_1_m(0.05)[0] == 0.0


def test_positions_beyond_the_ends_continue_along_the_end_tangent() -> None:
    arc = PATHS["arc"]
    end = arc.frames(arc.length_m)[0]
    np.testing.assert_allclose(
        arc.position_m(arc.length_m + 0.03), arc.position_m(arc.length_m) + 0.03 * end[:, 0], atol=1e-15
    )
    np.testing.assert_allclose(arc.frames(-0.02), arc.frames(0.0))


def _brute_closest(path: SeamPath, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = np.linspace(0.0, path.length_m, 40001)
    d, k = cKDTree(path.position_m(s)).query(points)
    return s[k], d


@pytest.mark.parametrize("name", list(PATHS))
def test_closest_matches_brute_force_on_random_points(name: str) -> None:
    path = PATHS[name]
    rng = np.random.default_rng(7)
    near = path.position_m(rng.uniform(-0.02, path.length_m + 0.02, 150)) + rng.normal(0, 0.01, (150, 3))
    far = path.position_m(0.5 * path.length_m) + rng.normal(0, 0.2, (50, 3))
    points = np.concatenate([near, far])
    s, dist = path.closest(points)
    s_bf, d_bf = _brute_closest(path, points)
    spacing = path.length_m / 40000
    assert np.all((s >= 0) & (s <= path.length_m))
    np.testing.assert_allclose(np.linalg.norm(path.position_m(s) - points, axis=1), dist, atol=1e-15)
    assert np.all(dist <= d_bf + 1e-12)  # never worse than the dense sample
    assert np.all(d_bf - dist <= 1e-8)  # and better only by what the 5-micrometre sampling misses
    unique = d_bf < 0.05  # near points have a unique, well-defined foot point
    np.testing.assert_allclose(s[unique], s_bf[unique], atol=2 * spacing)


def test_closest_on_straight_and_arc_is_exact() -> None:
    line = StraightSeam((0, 0, 0), (1.0, 0, 0), (0, 0, 1))
    s, d = line.closest(np.array([[0.3, 0.4, 0.0], [-0.3, 0.4, 0.0], [1.3, 0.0, 0.4]]))
    np.testing.assert_allclose(s, [0.3, 0.0, 1.0])
    np.testing.assert_allclose(d, [0.4, 0.5, 0.5])
    arc = ArcSeam((0, 0, 0), 1.0, (0, 0, 1), (1, 0, 0), 90.0, 0.0)
    s, d = arc.closest(np.array([[2.0, 2.0, 0.0], [0.0, -3.0, 0.0], [-2.0, 0.1, 1.0]]))
    np.testing.assert_allclose(s, [math.pi / 4, 0.0, math.pi / 2], atol=1e-15)
    np.testing.assert_allclose(
        d, [2 * math.sqrt(2) - 1, math.sqrt(1 + 9), math.sqrt(4 + 0.9**2 + 1)], atol=1e-12
    )


def test_bad_paths_are_rejected() -> None:
    with pytest.raises(ValueError, match="joint_normal must not be parallel"):
        StraightSeam((0, 0, 0), (1, 0, 0), (1, 0.001, 0))
    with pytest.raises(ValueError, match="sweep_deg"):
        ArcSeam((0, 0, 0), 0.1, (0, 0, 1), (1, 0, 0), 400.0)
    with pytest.raises(ValueError, match="start_dir must not be parallel to axis"):
        ArcSeam((0, 0, 0), 0.1, (0, 0, 1), (0, 0, 2), 90.0)
    with pytest.raises(
        ValueError, match="joint_normals must not be \\(nearly\\) parallel to the seam tangent"
    ):
        SplineSeam(((0, 0, 0), (0.1, 0, 0), (0.2, 0.0, 0.0)), ((1, 0, 0),))
    with pytest.raises(ValueError, match="joint_normals must be 1 direction or one per point"):
        SplineSeam(((0, 0, 0), (0.1, 0, 0), (0.2, 0.05, 0.0)), ((0, 0, 1), (0, 0, 1)))
