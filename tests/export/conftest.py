"""Shared fixtures of the export tests: small sample programs, built once per session."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from weldcraft.export import WeaveData, WeldProgram, load_program_json
from weldcraft.export.sample import sample_program

GOLDEN = Path(__file__).parent / "golden"
ZIGZAG = WeaveData("zigzag", 3.0, 1.5, 0.1, 0.0, 0.1)


@pytest.fixture(scope="session")
def plain_program() -> WeldProgram:
    """A 30 mm PB fillet without weave, 50 Hz samples (526 points)."""
    return sample_program()


@pytest.fixture(scope="session")
def zigzag_program() -> WeldProgram:
    """The same weld with a 3 mm, 1.5 Hz zigzag weave and 0.1 s dwells at the toes."""
    return sample_program(weave=ZIGZAG)


@pytest.fixture(scope="session")
def circle_program() -> WeldProgram:
    """The same weld with a 3 mm, 1.5 Hz circle weave (not native on any controller here)."""
    return sample_program(weave=WeaveData("circle", 3.0, 1.5))


@pytest.fixture(scope="session")
def golden_program() -> WeldProgram:
    """The golden input (tests/export/golden/program.json)."""
    return load_program_json(GOLDEN / "program.json")


NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def numbers_in(text: str) -> list[float]:
    return [float(x) for x in NUMBER.findall(text)]


def arc_mask_times(program: WeldProgram) -> np.ndarray:
    return program.t_s[program.arc_on]
