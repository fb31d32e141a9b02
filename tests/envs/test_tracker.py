"""Laser seam tracker: joint features from ray-cast profiles of boxes built here, noise statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from weldcraft.envs.config import SensorConfig
from weldcraft.envs.torch_geometry import tool_rotation, wire_direction_seam
from weldcraft.envs.tracker import LaserSeamTracker, TrackerReading
from weldcraft.seams import Box, JointKind


class BoxWorld:
    """Plates (as `weldcraft.seams.Box`) in one frame, for the tracker tests."""

    def __init__(self) -> None:
        self.boxes: list[Box] = []

    def box(
        self,
        lo: tuple[float, float, float],
        hi: tuple[float, float, float],
        rpy: tuple[float, float, float] = (0.0, 0.0, 0.0),
    ) -> Box:
        """A plate spanning [lo, hi] (before rotation about its centre by `rpy`), in metres."""
        lo_a, hi_a = np.asarray(lo, float), np.asarray(hi, float)
        quat = Rotation.from_euler("xyz", rpy).as_quat()
        box = Box(
            tuple((hi_a + lo_a) / 2),  # type: ignore[arg-type]
            tuple(quat),  # type: ignore[arg-type]
            tuple((hi_a - lo_a) / 2),  # type: ignore[arg-type]
            f"plate{len(self.boxes)}",
        )
        self.boxes.append(box)
        return box


@pytest.fixture
def box_world() -> BoxWorld:
    return BoxWorld()


MM = 1e-3
S2 = math.sqrt(0.5)
# PB fillet/lap along world x: flange/lower sheet top at z = 0 for y > 0, web face at y = 0 for z > 0.
PB_FRAME = np.column_stack(([1.0, 0, 0], [0, S2, S2], [0, -S2, S2]))
# PA butt along world x: top surface normal +z; side A at +y.
PA_FRAME = np.column_stack(([1.0, 0, 0], [0, 0, 1.0], [0, -1.0, 0]))
NOISELESS = SensorConfig(noise_sigma_mm=0.0, outlier_prob=0.0)


def _scan(
    world: BoxWorld,
    kind: JointKind,
    frame: np.ndarray,
    aim_rel_bn_mm: tuple[float, float],
    cfg: SensorConfig = NOISELESS,
    root_depth_mm: float = 0.0,
    work_err_deg: float = 0.0,
) -> tuple[LaserSeamTracker, TrackerReading]:
    tracker = LaserSeamTracker(cfg, kind, root_depth_mm, world.boxes)
    w = wire_direction_seam(0.0, work_err_deg)
    rot = tool_rotation(frame, w)
    b_mm, n_mm = aim_rel_bn_mm
    aim = frame @ np.array([0.0, n_mm, b_mm]) * MM
    return tracker, tracker.scan_geometry(aim, rot)


def _fillet(world: BoxWorld, gap_mm: float) -> None:
    world.box((-0.1, -0.01, -0.01), (0.1, 0.1, 0.0))
    world.box((-0.1, -0.01, gap_mm * MM), (0.1, 0.0, 0.1))


@pytest.mark.parametrize("offset_mm", [-3.0, 0.0, 2.5])
def test_fillet_root_found_exactly_relative_to_the_aim_point(box_world: BoxWorld, offset_mm: float) -> None:
    _fillet(box_world, 0.0)
    _, r = _scan(box_world, JointKind.FILLET, PB_FRAME, (offset_mm, 1.5))
    assert r.valid
    # seam root relative to an aim point at (b, n) = (offset, 1.5) mm: lateral -offset, vertical -1.5
    assert r.lateral_mm == pytest.approx(-offset_mm, abs=1e-6)
    assert r.vertical_mm == pytest.approx(-1.5, abs=1e-6)
    assert r.misalignment_mm == 0.0


@pytest.mark.parametrize("gap_mm", [0.0, 1.0, 2.0])
def test_fillet_gap_measured_within_the_central_ray_spacing(box_world: BoxWorld, gap_mm: float) -> None:
    _fillet(box_world, gap_mm)
    tracker, r = _scan(box_world, JointKind.FILLET, PB_FRAME, (0.0, 0.0))
    spacing = tracker.config.center_width_mm / tracker.config.n_rays_center
    assert r.valid
    assert r.lateral_mm == pytest.approx(0.0, abs=1e-6)  # the gap does not move the root
    assert r.gap_mm == pytest.approx(gap_mm, abs=spacing)


@pytest.mark.parametrize("gap_mm", [0.5, 1.5])
def test_square_butt_centre_and_gap(box_world: BoxWorld, gap_mm: float) -> None:
    shift = 0.4  # the joint is 0.4 mm towards side B (-y) of the aim point
    box_world.box((-0.1, (gap_mm / 2 - shift) * MM, -0.008), (0.1, 0.1, 0.0))
    box_world.box((-0.1, -0.1, -0.008), (0.1, (-gap_mm / 2 - shift) * MM, 0.0))
    tracker, r = _scan(box_world, JointKind.SQUARE_BUTT, PA_FRAME, (0.0, 0.0))
    spacing = tracker.config.center_width_mm / tracker.config.n_rays_center
    assert r.valid
    assert r.lateral_mm == pytest.approx(shift, abs=spacing / 2)
    assert r.gap_mm == pytest.approx(gap_mm, abs=spacing)
    assert r.vertical_mm == pytest.approx(0.0, abs=1e-6)


def test_square_butt_misalignment_is_the_height_step(box_world: BoxWorld) -> None:
    box_world.box((-0.1, 0.0005, -0.008), (0.1, 0.1, 0.0))  # side A top at 0
    box_world.box((-0.1, -0.1, -0.008), (0.1, -0.0005, 0.0012))  # side B top 1.2 mm higher
    _, r = _scan(box_world, JointKind.SQUARE_BUTT, PA_FRAME, (0.0, 0.0))
    assert r.valid
    assert r.misalignment_mm == pytest.approx(1.2, abs=1e-6)


def test_single_v_root_from_the_groove_edges(box_world: BoxWorld) -> None:
    t, c, gap, half = 10.0, 2.0, 1.0, math.radians(30.0)
    depth = t - c
    for side in (1.0, -1.0):  # side A at +y, side B at -y
        y0 = side * gap / 2
        ylo, yhi = sorted((y0 * MM, side * 0.1))
        box_world.box((-0.1, ylo, -c * MM), (-0.1 + 0.2, yhi, 0.0))  # root-face layer
        run = depth * math.tan(half)
        ylo, yhi = sorted(((y0 + side * run) * MM, side * 0.1))
        box_world.box((-0.1, ylo, 0.0), (0.1, yhi, depth * MM))  # full-thickness body
        # rotated box whose face lies on the bevel plane (3 mm thick, into the material)
        L, d = depth / math.cos(half), 3.0
        mid_face = np.array([y0 + side * run / 2, depth / 2])
        into = np.array([side * math.cos(half), -math.sin(half)])
        centre = mid_face + into * d / 2
        rot = (-side * half, 0.0, 0.0)  # local z along the bevel face
        box_world.box(
            (-0.1, (centre[0] - d / 2) * MM, (centre[1] - L / 2) * MM),
            (0.1, (centre[0] + d / 2) * MM, (centre[1] + L / 2) * MM),
            rpy=rot,
        )
    # aim 15 mm above the root (2 mm off-centre towards side B = -y)
    _, r = _scan(box_world, JointKind.SINGLE_V_BUTT, PA_FRAME, (2.0, 15.0), root_depth_mm=depth)
    assert r.valid
    assert r.lateral_mm == pytest.approx(-2.0, abs=1e-3)
    assert r.vertical_mm == pytest.approx(-15.0, abs=1e-3)
    assert r.gap_mm == pytest.approx(gap, abs=1e-3)


def test_lap_root_is_the_corner_under_the_upper_sheet_edge(box_world: BoxWorld) -> None:
    box_world.box((-0.1, -0.05, -0.003), (0.1, 0.05, 0.0))  # lower sheet
    box_world.box((-0.1, -0.05, 0.0), (0.1, 0.0, 0.003))  # upper sheet, edge face at y = 0
    _, r = _scan(box_world, JointKind.LAP, PB_FRAME, (1.0, 0.0))
    assert r.valid
    assert r.lateral_mm == pytest.approx(-1.0, abs=1e-6)
    assert r.vertical_mm == pytest.approx(0.0, abs=1e-6)


def test_grazing_incidence_drops_the_face_and_invalidates(box_world: BoxWorld) -> None:
    _fillet(box_world, 0.0)
    # tilting the fan 40 deg towards side A puts the flange at 85 deg incidence: dropouts beyond 75 deg
    _, ok = _scan(box_world, JointKind.FILLET, PB_FRAME, (0.0, 0.0), work_err_deg=-25.0)
    _, lost = _scan(box_world, JointKind.FILLET, PB_FRAME, (0.0, 0.0), work_err_deg=-40.0)
    assert ok.valid and not lost.valid


def test_noise_and_outlier_statistics(box_world: BoxWorld) -> None:
    _fillet(box_world, 0.0)
    cfg = SensorConfig(noise_sigma_mm=0.05, outlier_prob=0.04, outlier_scale_mm=1.0)
    tracker = LaserSeamTracker(cfg, JointKind.FILLET, 0.0, box_world.boxes)
    rot = tool_rotation(PB_FRAME, wire_direction_seam(0.0, 0.0))
    rng = np.random.default_rng(3)
    lat = np.array([tracker.scan(np.zeros(3), rot, rng).lateral_mm for _ in range(2000)])
    big = np.abs(lat) > 0.3  # 6 sigma: only outliers get there
    inliers = lat[~big]
    assert inliers.std() == pytest.approx(0.05, rel=0.1)
    # P(|t_2| * 1 mm > 0.3 mm) = 0.80, so about 0.04 * 0.80 = 3.2 % of readings are visible outliers
    assert 0.02 < big.mean() < 0.045
    assert np.max(np.abs(lat)) > 3.0  # heavy tail
