"""Weave synthesis and detection: base path + weave parameters from dense samples."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from weldcraft.export import WeaveData, detect_weave, superimpose_weave
from weldcraft.export.weave import weave_offsets_mm

T = np.arange(0.0, 10.0, 0.01)
BASE = np.column_stack([0.8 + 0.006 * T, 0.1 + 0.0 * T, 0.3 + 0.0004 * T])
QUAT = np.tile(Rotation.from_euler("xyz", [180.0, 30.0, 0.0], degrees=True).as_quat(), (T.size, 1))


@pytest.mark.parametrize(
    "weave",
    [
        WeaveData("zigzag", 4.0, 1.5),
        WeaveData("zigzag", 3.0, 1.2, 0.1, 0.0, 0.1),
        WeaveData("zigzag", 3.0, 1.0, 0.15, 0.05, 0.05),
        WeaveData("triangle", 4.0, 1.0),
        WeaveData("circle", 3.0, 2.0),
    ],
)
def test_detection_recovers_shape_width_frequency_dwells_and_base_path(weave: WeaveData) -> None:
    rng = np.random.default_rng(3)
    pos = superimpose_weave(T, BASE, QUAT, weave, 0.0) + rng.normal(0.0, 0.03e-3, BASE.shape)
    fit = detect_weave(T, pos, QUAT)
    assert fit is not None
    w = fit.weave
    assert w.pattern == weave.pattern
    assert w.width_mm == pytest.approx(weave.width_mm, abs=0.08)
    assert w.frequency_hz == pytest.approx(weave.frequency_hz, rel=0.005)
    for got, want in (
        (w.dwell_left_s, weave.dwell_left_s),
        (w.dwell_centre_s, weave.dwell_centre_s),
        (w.dwell_right_s, weave.dwell_right_s),
    ):
        assert got == pytest.approx(want, abs=0.015)
    assert np.linalg.norm(fit.base_pos_m - BASE, axis=1).max() * 1000.0 < 0.1
    assert fit.rms_mm < 0.1


def test_no_weave_is_found_in_a_straight_noisy_path() -> None:
    rng = np.random.default_rng(4)
    assert detect_weave(T, BASE + rng.normal(0.0, 0.1e-3, BASE.shape), QUAT) is None


def test_a_weave_the_controller_cannot_reproduce_is_rejected() -> None:
    # Width growing from 1 to 5 mm along the seam (as a welder bridging a widening gap): no single
    # weavedata reproduces it within 0.25 mm, so the section must stay dense.
    lat, _ = weave_offsets_mm(WeaveData("zigzag", 2.0, 1.5), T)
    scale = 0.5 + 2.0 * T / T[-1]
    d = np.array([1.0, 0.0, 0.0667])
    lat_dir = np.cross(-Rotation.from_quat(QUAT[0]).apply([0, 0, 1]), d / np.linalg.norm(d))
    pos = BASE + np.outer(lat * scale / 1000.0, lat_dir / np.linalg.norm(lat_dir))
    assert detect_weave(T, pos, QUAT) is None


def test_canonical_zigzag_profile_with_dwells() -> None:
    w = WeaveData("zigzag", 4.0, 1.0, 0.2, 0.1, 0.2)
    lat, lon = weave_offsets_mm(w, np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.65]))
    # ramp = (1 - 0.2 - 0.2 - 0.2) / 4 = 0.1 s: centre → left at 0.1 s, dwell to 0.3, back at 0.4, ...
    assert lat.tolist() == pytest.approx([0.0, 2.0, 2.0, 2.0, 0.0, 0.0, -2.0, -2.0])
    assert np.all(lon == 0.0)
