"""Minari datasets of demonstrations: written without jax, atomically, with per-episode metadata.

Layout (Minari 0.5, HDF5 storage) under ``$MINARI_DATASETS_PATH`` (default ``~/.minari/datasets``):

    <root>/<namespace...>/<name>-v<N>/data/metadata.json     Minari's dataset metadata, plus our
                                                            "weldcraft" key (schema version, producer)
    <root>/<namespace...>/<name>-v<N>/data/main_data.hdf5    episode_<i> groups (Minari layout); each
                                                            group's attribute "weldcraft_episode" holds
                                                            the EpisodeMetadata JSON

Per-episode metadata goes through Minari's own `storage.update_episode_metadata`, i.e. HDF5 attributes
of the episode group, next to Minari's `id`, `seed` and `total_steps`: it travels with the data file,
needs no sidecar to stay in sync, and any HDF5 reader sees it. It is one JSON string (not flat
attributes) because HDF5 attributes cannot hold None or nested records, and the JSON carries its own
schema version (`EPISODE_METADATA_SCHEMA_VERSION`).

Crash safety: a dataset is built completely in a hidden staging folder on the same file system
(``<root>/.weldcraft-staging/<pid>-<random>/``, invisible to Minari's listing, which skips hidden
folders) and renamed into place in one `os.rename` at the end. A process killed mid-write leaves only
the staging folder, which the next write by any process removes once its owner is dead.

The env is stored by its `EnvSpec` (string entry point and kwargs), so
``minari.load_dataset(id).recover_environment()`` makes the same env.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import uuid
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from weldcraft.demos.episode import Episode, EpisodeMetadata
from weldcraft.errors import DataError, UserError

log = logging.getLogger(__name__)

DATASET_SCHEMA_VERSION = 1
EPISODE_ATTR = "weldcraft_episode"
DATASET_META_KEY = "weldcraft"
STAGING_DIR = ".weldcraft-staging"
_ENV_LOCK = threading.Lock()


def datasets_root() -> Path:
    """The Minari datasets folder: ``$MINARI_DATASETS_PATH`` or ``~/.minari/datasets``."""
    from minari.storage.datasets_root_dir import get_dataset_path

    return Path(get_dataset_path())


def dataset_dir(dataset_id: str) -> Path:
    """Folder of `dataset_id` under `datasets_root()` (whether or not it exists)."""
    check_dataset_id(dataset_id)
    return datasets_root() / dataset_id


def check_dataset_id(dataset_id: str) -> None:
    """Raise UserError unless `dataset_id` is a valid Minari id ``(namespace/)name-vN``."""
    from minari.dataset.minari_dataset import parse_dataset_id

    try:
        parse_dataset_id(dataset_id)
    except (ValueError, TypeError):  # Minari raises TypeError when the version is missing
        raise UserError(
            f"malformed dataset id {dataset_id!r}; expected (namespace/)name-vN, "
            "e.g. weldcraft/fillet_pb/master-v0",
            where="dataset",
        ) from None


def dataset_exists(dataset_id: str) -> bool:
    """True when a complete dataset with this id is on disk."""
    return (dataset_dir(dataset_id) / "data" / "metadata.json").is_file()


@contextlib.contextmanager
def _minari_root(path: Path) -> Iterator[None]:
    """Point Minari's dataset root at `path` for the duration (Minari reads the variable at each call)."""
    with _ENV_LOCK:
        old = os.environ.get("MINARI_DATASETS_PATH")
        os.environ["MINARI_DATASETS_PATH"] = str(path)
        try:
            yield
        finally:
            if old is None:
                del os.environ["MINARI_DATASETS_PATH"]
            else:
                os.environ["MINARI_DATASETS_PATH"] = old


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_staging(root: Path | None = None) -> list[Path]:
    """Delete staging folders left by dead writer processes; returns what was removed."""
    base = (root or datasets_root()) / STAGING_DIR
    removed: list[Path] = []
    if not base.is_dir():
        return removed
    for entry in base.iterdir():
        pid_text = entry.name.split("-", 1)[0]
        if pid_text.isdigit() and not _pid_alive(int(pid_text)):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _ensure_namespaces(dataset_id: str) -> None:
    """Create the Minari namespaces of `dataset_id` in the real root (Minari lists datasets through them)."""
    from minari.dataset.minari_dataset import parse_dataset_id
    from minari.namespace import NAMESPACE_METADATA_FILENAME, create_namespace

    namespace = parse_dataset_id(dataset_id)[0]
    if namespace is None:
        return
    if not (datasets_root() / namespace / NAMESPACE_METADATA_FILENAME).is_file():
        with contextlib.suppress(ValueError):  # another process created it meanwhile
            create_namespace(namespace)


def _buffer(ep: Episode, obs_space: gym.Space, act_space: gym.Space) -> Any:
    from minari.data_collector.episode_buffer import EpisodeBuffer

    obs = np.asarray(ep.observations, dtype=obs_space.dtype)
    act = np.asarray(ep.actions, dtype=act_space.dtype)
    if obs.shape[1:] != obs_space.shape or act.shape[1:] != act_space.shape:
        raise DataError(
            f"episode shapes obs {obs.shape[1:]} / act {act.shape[1:]} do not match the env's "
            f"{obs_space.shape} / {act_space.shape}",
            where=ep.metadata.welder_id,
        )
    return EpisodeBuffer(
        seed=ep.metadata.seed,
        observations=obs,
        actions=act,
        rewards=np.asarray(ep.rewards, dtype=np.float64),
        terminations=np.asarray(ep.terminations, dtype=np.bool_),
        truncations=np.asarray(ep.truncations, dtype=np.bool_),
        infos={k: np.asarray(v) for k, v in ep.infos.items()},
    )


def write_dataset(
    dataset_id: str,
    episodes: Sequence[Episode],
    env: gym.Env,
    *,
    description: str,
    algorithm_name: str = "weldcraft.craftsman",
    author: str = "weldcraft",
    provenance: dict[str, Any] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write `episodes` as the Minari dataset `dataset_id`, atomically; returns its folder.

    Args:
        env: the env the episodes were made in (made with `gym.make(id, **kwargs)` so that its spec
            records the id and kwargs); its spaces define the dataset's spaces.
        provenance: JSON values stored under metadata["weldcraft"]["provenance"] (config and its hash).
        overwrite: replace an existing dataset (the old one is removed only after the new one is in place).

    Raises:
        UserError: malformed id, no episodes, or the dataset exists and `overwrite` is False.
    """
    import minari

    if not episodes:
        raise UserError("no episodes to write", where=f"dataset {dataset_id}")
    final = dataset_dir(dataset_id)
    if final.exists() and not overwrite:
        raise UserError(f"dataset already exists at {final}; choose another id or version", where="dataset")
    if env.spec is None:
        raise UserError("the env has no spec; make it with gymnasium.make(id, ...)", where="env")
    root = datasets_root()
    remove_stale_staging(root)
    staging = root / STAGING_DIR / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    staging.mkdir(parents=True)
    try:
        buffers = [_buffer(ep, env.observation_space, env.action_space) for ep in episodes]
        with _minari_root(staging), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*is set to None.*", category=UserWarning)
            ds = minari.create_dataset_from_buffers(
                dataset_id,
                buffers,
                env=env,
                eval_env=env.spec,
                algorithm_name=algorithm_name,
                author=author,
                description=description,
            )
            ds.storage.update_episode_metadata([{EPISODE_ATTR: ep.metadata.to_json()} for ep in episodes])
            ds.storage.update_metadata(
                {DATASET_META_KEY: {"schema_version": DATASET_SCHEMA_VERSION, "provenance": provenance or {}}}
            )
        built = staging / dataset_id
        final.parent.mkdir(parents=True, exist_ok=True)
        _ensure_namespaces(dataset_id)
        trash: Path | None = None
        if final.exists():
            trash = staging / "replaced"
            os.rename(final, trash)
        os.rename(built, final)  # the one step that makes the dataset visible
        log.info("wrote dataset %s (%d episodes) to %s", dataset_id, len(episodes), final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def load(dataset_id: str) -> Any:
    """`minari.load_dataset(dataset_id)`, with a missing dataset as a UserError."""
    import minari

    if not dataset_exists(dataset_id):
        raise UserError(f"no dataset {dataset_id!r} under {datasets_root()}", where="dataset")
    return minari.load_dataset(dataset_id)


def episode_metadata(dataset: Any) -> list[EpisodeMetadata]:
    """The EpisodeMetadata of every episode of a loaded MinariDataset, in episode order."""
    out = []
    for attrs in dataset.storage.get_episode_metadata(dataset.episode_indices):
        where = f"{dataset.spec.dataset_id} episode {attrs.get('id')}"
        if EPISODE_ATTR not in attrs:
            raise DataError(f"episode has no '{EPISODE_ATTR}' metadata", where=where)
        out.append(EpisodeMetadata.from_json(str(attrs[EPISODE_ATTR]), where))
    return out


def read_episodes(dataset: Any) -> list[Episode]:
    """Every episode of a loaded MinariDataset with its metadata, as `Episode` records."""
    metas = episode_metadata(dataset)
    out = []
    for data, meta in zip(dataset.iterate_episodes(), metas, strict=True):
        infos = {k: np.asarray(v) for k, v in (data.infos or {}).items() if not isinstance(v, dict)}
        out.append(
            Episode(
                observations=np.asarray(data.observations),
                actions=np.asarray(data.actions),
                rewards=np.asarray(data.rewards, dtype=np.float64),
                terminations=np.asarray(data.terminations, dtype=np.bool_),
                truncations=np.asarray(data.truncations, dtype=np.bool_),
                infos=infos,
                metadata=meta,
            )
        )
    return out


def weldcraft_metadata(dataset: Any) -> dict[str, Any]:
    """The dataset-level "weldcraft" metadata (schema version, provenance)."""
    meta = dataset.storage.metadata.get(DATASET_META_KEY)
    if not isinstance(meta, dict):
        raise DataError(f"no '{DATASET_META_KEY}' key in metadata.json", where=str(dataset.spec.data_path))
    return json.loads(json.dumps(meta))
