"""Fixtures for the env tests: plate boxes built by the test itself."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from weldcraft.seams import Box


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
def box_world() -> Iterator[BoxWorld]:
    yield BoxWorld()
