"""Fixtures of the demos tests: a private Minari root and a registered tiny env."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.demos import fake_env


@pytest.fixture
def minari_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "minari"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    yield root


@pytest.fixture(scope="session", autouse=True)
def _register_fake_env() -> None:
    fake_env.register()
