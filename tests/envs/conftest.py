"""Fixtures for the env tests: a bare pybullet client with workpiece boxes built by the test itself."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pybullet as pb
import pytest

from weldcraft.envs.workpiece import WORKPIECE_GROUP, create_plate

__all__ = ["WORKPIECE_GROUP", "BoxWorld"]


class BoxWorld:
    """A DIRECT pybullet client holding static boxes in the workpiece collision group."""

    def __init__(self) -> None:
        self.client = pb.connect(pb.DIRECT)

    def box(
        self,
        lo: tuple[float, float, float],
        hi: tuple[float, float, float],
        rpy: tuple[float, float, float] = (0.0, 0.0, 0.0),
    ) -> int:
        """A plate spanning [lo, hi] (before rotation about its centre by `rpy`), in metres."""
        lo_a, hi_a = np.asarray(lo, float), np.asarray(hi, float)
        quat = np.asarray(pb.getQuaternionFromEuler(rpy))
        return create_plate(self.client, (hi_a - lo_a) / 2, (hi_a + lo_a) / 2, quat)

    def close(self) -> None:
        pb.disconnect(self.client)


@pytest.fixture
def box_world() -> Iterator[BoxWorld]:
    world = BoxWorld()
    yield world
    world.close()
