"""The Craftsman as DAgger oracle: alone it acts exactly as when it records; after a foreign weave it
continues the stroke in the phase the torch is in (weldcraft/policies/craftsman_oracle.py)."""

import math

import gymnasium as gym
import numpy as np
import pytest

from weldcraft.policies.oracle import make_oracle
from weldcraft.policies.rollout import ensure_registered

ENV_ID = "weldcraft/TinyFillet-v0"


def _available() -> bool:
    ensure_registered()
    try:
        import weldcraft.demos.craftsman.policy  # noqa: F401
    except ImportError:
        return False
    return ENV_ID in gym.registry


pytestmark = pytest.mark.skipif(not _available(), reason="needs weldcraft.demos and the welding envs")


def _drive(oracle_name: str, steps: int, foreign: object = None) -> tuple[list[np.ndarray], object]:
    """Labels of `steps` states; executes the labels, or foreign(t, label) when given."""
    env = gym.make(ENV_ID)
    try:
        env.reset(seed=5)
        oracle = make_oracle(oracle_name)
        oracle.reset(env, seed=11)
        labels = []
        for t in range(steps):
            label = oracle.act(env)
            labels.append(label)
            action = label if foreign is None else foreign(t, label)  # type: ignore[operator]
            oracle.observe_action(env, action)  # type: ignore[attr-defined]
            _, _, terminated, truncated, _ = env.step(action)
            assert not (terminated or truncated)
        labels.append(oracle.act(env))
        return labels, oracle
    finally:
        env.close()


def test_driving_alone_the_takeover_oracle_is_the_recording_craftsman_bit_for_bit() -> None:
    plain, _ = _drive("craftsman", 60)
    takeover, _ = _drive("craftsman_takeover", 60)
    assert all(np.array_equal(a, b) for a, b in zip(plain, takeover, strict=True))


def test_after_a_foreign_weave_the_label_continues_its_phase() -> None:
    from weldcraft.demos.craftsman.weave import lateral_unit

    probe, oracle = _drive("craftsman", 1)
    shape = oracle._craftsman.style.weave  # type: ignore[attr-defined]
    dt = 0.05
    f, dwell = shape.frequency_hz, min(shape.dwell_s * shape.frequency_hz, 0.39)
    phase0 = 0.37  # the foreign weave's phase at t = 0: not the Craftsman's own (it starts at 0)
    half_width = 0.5 * shape.width_mm / 4.0  # action units (lateral_range_mm 4)

    def weave(t: int) -> float:
        return half_width * lateral_unit(shape.pattern, phase0 + f * dt * t, dwell)

    def foreign(t: int, label: np.ndarray) -> np.ndarray:
        action = label.copy()
        action[0] = 0.02 + weave(t)
        return action

    steps = 40
    plain, _ = _drive("craftsman", steps, foreign)
    followed, oracle = _drive("craftsman_takeover", steps, foreign)
    hand = oracle._craftsman.hand  # type: ignore[attr-defined]
    # the last label was commanded at the phase the foreign weave has at step `steps`
    used = hand.phase - hand.style.weave.frequency_hz / hand._cycle_jitter[1] * dt
    error = (used - (phase0 + f * dt * steps) + 0.5) % 1.0 - 0.5
    assert abs(error) <= 0.05
    # labels' weave agrees with the executed one; the plain Craftsman's does not
    late = slice(25, steps)
    executed = np.array([weave(t) for t in range(steps)])[late]
    corr_follow = np.corrcoef(executed, np.array([lb[0] for lb in followed[:steps]])[late])[0, 1]
    corr_plain = np.corrcoef(executed, np.array([lb[0] for lb in plain[:steps]])[late])[0, 1]
    assert corr_follow > 0.9 and corr_plain < corr_follow - 0.3 and not math.isnan(corr_plain)
