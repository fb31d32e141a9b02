"""Keyboard teleop runs headless with injected key events: start, steer, save, discard, quit."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from tests.demos.fake_env import FAKE_ID
from weldcraft.demos.teleop import Phase, ScriptedKeySource, TeleopSession, hold, session_summary, tap


def test_a_scripted_session_saves_one_weld_and_discards_another() -> None:
    env = gym.make(FAKE_ID, horizon=5)
    script = [
        tap("space"),  # start weld on seed 0
        hold("right"),  # step 1: lateral +0.25
        hold("right"),  # step 2: +0.5
        {"right": 1, "up": 1},  # step 3: +0.75, speed +0.25
        {},  # step 4
        tap("c"),  # step 5: centre -> zero action; the episode ends -> review
        tap("enter"),  # save
        tap("space"),  # start on seed 1
        hold("left"),
        tap("backspace"),  # discard mid-weld
        tap("escape"),
    ]
    keys = ScriptedKeySource(script)
    session = TeleopSession(
        env, keys, operator_id="anna", seam="fillet_pb", rate_per_s=5.0, dt_s=0.05, realtime=False
    )
    saved = session.run(max_ticks=100)
    assert keys.exhausted and len(saved) == 1 and session.discarded == 1
    ep = saved[0]
    np.testing.assert_allclose(ep.actions[:, 0], [0.25, 0.5, 0.75, 0.75, 0.0])
    np.testing.assert_allclose(ep.actions[:, 4], [0.0, 0.0, 0.25, 0.25, 0.0])
    assert ep.metadata.welder_id == "anna" and ep.metadata.seed == 0 and ep.metadata.skill == "human"
    assert ep.metadata.source == "teleop" and ep.n_steps == 5 and ep.truncations[-1]
    assert session_summary(session)["saved"] == 1


def test_keys_do_nothing_while_idle_and_enter_needs_a_finished_weld() -> None:
    env = gym.make(FAKE_ID, horizon=3)
    session = TeleopSession(
        env, ScriptedKeySource([tap("enter"), hold("right"), tap("space"), tap("enter")]), realtime=False
    )
    for _ in range(4):
        session.tick()
    assert session.phase is Phase.WELDING and not session.saved  # enter mid-weld does not save
    assert session.action[0] == pytest.approx(0.0)


def test_steer_keys_must_fit_the_action() -> None:
    env = gym.make(FAKE_ID, horizon=3)
    with pytest.raises(ValueError, match="channel 7"):
        TeleopSession(env, ScriptedKeySource([]), steer_keys={"x": (7, 1.0)})


def test_pybullet_key_source_reads_a_direct_client_without_events() -> None:
    import pybullet as p

    from weldcraft.demos.teleop import PybulletKeySource

    cid = p.connect(p.DIRECT)
    try:
        assert PybulletKeySource(cid).poll() == {}
    finally:
        p.disconnect(cid)
