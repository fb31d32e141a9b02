"""Many envs in one process; make/close cycles leak neither memory nor pybullet connections."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pybullet as pb
import pytest

import weldcraft  # noqa: F401  (registers the ids)
from weldcraft.envs.weld_cell_env import WeldCellEnv


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e6


def test_32_envs_live_in_one_process() -> None:
    envs = [gym.make("weldcraft/TinyFillet-v0") for _ in range(32)]
    try:
        clients = {e.unwrapped.client_id for e in envs}
        assert len(clients) == 32
        first = [e.reset(seed=i)[0] for i, e in enumerate(envs)]
        for _ in range(5):
            for e in envs:
                _, _, terminated, truncated, info = e.step(np.zeros(5, dtype=np.float32))
                assert not (terminated or truncated)
        # each env welds its own randomized part: the tracker sees 32 different seams
        assert len({round(float(o[0]), 6) for o in first}) > 16
        assert all(e.unwrapped.bead.n == 5 for e in envs)
    finally:
        for e in envs:
            e.close()
    assert all(not pb.isConnected(physicsClientId=c) for c in clients)


def _cycles(n: int) -> tuple[list[float], list[int]]:
    rss, ids = [], []
    for i in range(n):
        env = gym.make("weldcraft/TinyFillet-v0")
        env.reset(seed=i)
        env.step(np.zeros(5, dtype=np.float32))
        ids.append(env.unwrapped.client_id)
        env.close()
        rss.append(_rss_mb())
    return rss, ids


def test_100_make_close_cycles_do_not_grow() -> None:
    rss, ids = _cycles(100)
    # after a warm-up (caches, allocator pools) the resident size stays flat
    assert rss[-1] - rss[19] < 3.0
    # pybullet hands out the lowest free client id: a leaked connection would push it up
    assert max(ids) == ids[0]


@pytest.mark.slow
def test_500_make_close_cycles_do_not_grow() -> None:
    rss, ids = _cycles(500)
    assert rss[-1] - rss[49] < 3.0
    assert max(ids) == ids[0]


def test_close_is_idempotent_and_reset_after_close_fails() -> None:
    env = WeldCellEnv("tiny_fillet")
    env.close()
    env.close()
    with pytest.raises(weldcraft.errors.UserError, match="closed"):
        env.reset(seed=0)
