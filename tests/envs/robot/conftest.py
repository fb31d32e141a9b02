"""Shared fixtures: a private pybullet client per test (DIRECT mode) and the default cell."""

from __future__ import annotations

from collections.abc import Iterator

import pybullet as pb
import pytest

from weldcraft.envs.robot import Cell, build_cell, load_cell_config


@pytest.fixture
def client() -> Iterator[int]:
    cid = pb.connect(pb.DIRECT)
    try:
        yield cid
    finally:
        pb.disconnect(physicsClientId=cid)


@pytest.fixture
def cell(client: int) -> Cell:
    return build_cell(client, load_cell_config("default"))
