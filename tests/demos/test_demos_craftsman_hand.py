"""The Craftsman's hand without an env: noise statistics, weave measurable, determinism, gap adaptation."""

from __future__ import annotations

import numpy as np
import pytest

from weldcraft.demos.craftsman.hand import CraftsmanHand
from weldcraft.demos.craftsman.noise import DelayLine, OrnsteinUhlenbeck, Tremor
from weldcraft.demos.craftsman.skills import SKILLS
from weldcraft.demos.craftsman.styles import STYLES, Style
from weldcraft.demos.craftsman.weave import WeavePattern, WeaveShape, lateral_unit
from weldcraft.demos.weave_analysis import estimate_weave
from weldcraft.seams import WPS

DT = 0.05


def test_tremor_peaks_at_its_frequency_with_the_requested_rms() -> None:
    rng = np.random.default_rng(0)
    dt = 1.0 / 200.0  # sample at the internal rate to see the 8-12 Hz peak unaliased
    tremor = Tremor(np.array([0.1]), 10.0, 2.0, dt, rng)
    x = np.array([tremor.step()[0] for _ in range(40_000)])
    assert x.std() == pytest.approx(0.1, rel=0.1)
    spec = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(x.size, dt)
    assert 9.0 < f[np.argmax(spec)] < 11.0
    band = (f > 8.0) & (f < 12.0)
    assert spec[band].sum() > 0.6 * spec[1:].sum()


def test_ou_drift_has_its_stationary_std_and_correlation_time() -> None:
    ou = OrnsteinUhlenbeck(np.array([0.5]), 2.0, DT, np.random.default_rng(1))
    x = np.array([ou.step()[0] for _ in range(60_000)])  # 3000 s, 1500 correlation times
    assert x.std() == pytest.approx(0.5, rel=0.08)
    lag = int(2.0 / DT)
    rho = np.corrcoef(x[:-lag], x[lag:])[0, 1]
    assert rho == pytest.approx(np.exp(-1.0), abs=0.08)


def test_delay_line_returns_what_was_pushed_delay_steps_ago() -> None:
    line = DelayLine(0.15, DT)
    out = [float(line.push(np.array([float(k)]))[0]) for k in range(6)]
    assert line.delay_steps == 3 and out == [0.0, 0.0, 0.0, 0.0, 1.0, 2.0]


def _lateral(
    skill: str, style: Style, seed: int, n: int = 800, gap: float = 0.0
) -> tuple[np.ndarray, CraftsmanHand]:
    hand = CraftsmanHand(SKILLS.get(skill), style, WPS(), DT, np.random.default_rng(seed), area0_mm2=22.5)
    cmds = [hand.command(gap) for _ in range(n)]
    return np.array([c.lateral_mm for c in cmds]), hand


@pytest.mark.parametrize("name", ["zigzag", "triangle", "circle"])
def test_master_weave_width_and_frequency_are_measurable(name: str) -> None:
    style = STYLES.get(name)
    lat, _ = _lateral("master", style, seed=3)
    est = estimate_weave(lat, DT)
    assert est.frequency_hz == pytest.approx(style.weave.frequency_hz, rel=0.1)
    assert est.width_mm == pytest.approx(style.weave.width_mm, rel=0.1)


def test_stringer_has_no_weave() -> None:
    lat, _ = _lateral("master", STYLES.get("stringer"), seed=3)
    est = estimate_weave(lat, DT)
    assert est.frequency_hz == 0.0 and est.width_mm < 0.6


@pytest.mark.parametrize(
    ("width", "freq", "dwell"), [(2.0, 1.0, 0.1), (3.0, 2.0, 0.05), (3.5, 0.7, 0.2), (1.5, 1.2, 0.0)]
)
def test_estimator_recovers_synthetic_zigzags_with_noise(width: float, freq: float, dwell: float) -> None:
    rng = np.random.default_rng(7)
    tremor = Tremor(np.array([0.1]), 10.0, 2.0, DT, rng)
    drift = OrnsteinUhlenbeck(np.array([0.2]), 2.0, DT, rng)
    t = np.arange(800) * DT
    x = np.array(
        [
            0.5 * width * lateral_unit(WeavePattern.ZIGZAG, freq * tk, dwell * freq)
            + tremor.step()[0]
            + drift.step()[0]
            for tk in t
        ]
    )
    est = estimate_weave(x, DT)
    assert est.frequency_hz == pytest.approx(freq, rel=0.02)
    assert est.width_mm == pytest.approx(width, rel=0.1)


def test_same_seed_same_hand_bit_for_bit_and_skills_differ_in_noise() -> None:
    style = STYLES.get("stringer")
    a, _ = _lateral("novice", style, seed=11, n=200)
    b, _ = _lateral("novice", style, seed=11, n=200)
    c, _ = _lateral("novice", style, seed=12, n=200)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    spread = {
        s: np.std([_lateral(s, style, seed=k, n=200)[0].mean() for k in range(30)]) for s in SKILLS.names()
    }
    assert spread["master"] < 0.5 * spread["competent"] < 0.5 * spread["novice"]


def test_gap_slows_the_master_and_widens_the_weave() -> None:
    style = STYLES.get("zigzag")
    wps = WPS()
    hand = CraftsmanHand(SKILLS.get("master"), style, wps, DT, np.random.default_rng(0), area0_mm2=22.5)
    speeds0 = np.mean([hand.command(0.0).travel_speed_mm_s for _ in range(400)])
    hand = CraftsmanHand(SKILLS.get("master"), style, wps, DT, np.random.default_rng(0), area0_mm2=22.5)
    speeds1 = np.mean([hand.command(1.0).travel_speed_mm_s for _ in range(400)])
    # mass balance: v(1 mm) / v(0) = 22.5 / (22.5 + 1 x 3) = 0.882
    assert speeds1 / speeds0 == pytest.approx(22.5 / 25.5, rel=0.03)
    assert hand.weave_now(1.0)[0] == pytest.approx(style.weave.width_mm + 0.8)
    assert style.weave_width_mm(5.0, 1.0) == pytest.approx(3.6)  # capped at 3 wire diameters


def test_weave_shape_validates() -> None:
    with pytest.raises(ValueError, match="dwell_s"):
        WeaveShape(WeavePattern.ZIGZAG, 2.0, 2.0, 0.3)
    with pytest.raises(ValueError, match="width_mm"):
        WeaveShape(WeavePattern.ZIGZAG, 0.0, 2.0)
