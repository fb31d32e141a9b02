"""Fixtures for the learning tests: tiny Minari datasets recorded from the toy envs in a temp folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from weldcraft.policies.toy_envs import DRIFT_ENV_ID, WEAVE_ENV_ID


@pytest.fixture(scope="session", autouse=True)
def _one_thread() -> None:
    # Two shared cores: one torch thread per test process keeps timings stable and results reproducible.
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def minari_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private MINARI_DATASETS_PATH for the whole session (Minari reads the variable at every call)."""
    root = tmp_path_factory.mktemp("minari")
    old = os.environ.get("MINARI_DATASETS_PATH")
    os.environ["MINARI_DATASETS_PATH"] = str(root)
    yield root
    if old is None:
        del os.environ["MINARI_DATASETS_PATH"]
    else:
        os.environ["MINARI_DATASETS_PATH"] = old


@pytest.fixture(scope="session")
def weave_dataset(minari_root: Path) -> str:
    """12 oracle episodes (training seeds 0..11) of the toy weave env, 200 steps each."""
    from weldcraft.policies.toy_data import record_oracle_dataset

    dataset_id = "weldcraft-toy/weave/oracle-v0"
    record_oracle_dataset(dataset_id, WEAVE_ENV_ID, "toy_weave", range(12))
    return dataset_id


@pytest.fixture(scope="session")
def drift_dataset(minari_root: Path) -> str:
    """8 oracle episodes (training seeds 0..7) of the toy drift env, 160 steps each."""
    from weldcraft.policies.toy_data import record_oracle_dataset

    dataset_id = "weldcraft-toy/drift/oracle-v0"
    record_oracle_dataset(dataset_id, DRIFT_ENV_ID, "toy_drift", range(8))
    return dataset_id
