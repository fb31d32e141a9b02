"""Demonstrations for training: Minari episodes → stacked observations, actions and per-sample weights.

The datasets are written by `weldcraft.demos` (another package); this module only reads them through
Minari's public API (`minari.load_dataset`, `EpisodeData`, the storage's per-episode metadata). Per-episode
metadata keys used here (names configurable in `BCConfig`): ``quality_score`` (float in [0, 1], for quality
weights and filtering) and ``seed`` (the reset seed; every seed present must be a training seed).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from gymnasium import spaces

from weldcraft.errors import DataError
from weldcraft.policies.config import BCConfig
from weldcraft.policies.history import stack_episode
from weldcraft.policies.seeds import check_seeds

log = logging.getLogger(__name__)

EMBEDDED_METADATA_ATTRS = ("weldcraft_episode",)
"""Per-episode attributes that hold a JSON object of metadata (weldcraft.demos stores its EpisodeMetadata
as one JSON string under ``weldcraft_episode``); their keys are merged into the episode's metadata, with
Minari's own attributes (``id``, ``seed``, ``total_steps``) taking precedence where both are set."""


@dataclass(frozen=True)
class EpisodeArrays:
    """One demonstration episode: raw observations ``[T+1, d]``, actions ``[T, a]``, metadata."""

    observations: np.ndarray
    actions: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        obs, act = self.observations, self.actions
        if obs.ndim != 2 or act.ndim != 2 or obs.shape[0] != act.shape[0] + 1:
            raise DataError(
                f"episode {self.metadata.get('id', '?')}: expected observations [T+1, d] and actions [T, a], "
                f"got {obs.shape} and {act.shape}"
            )
        if act.shape[0] < 1:
            raise DataError(f"episode {self.metadata.get('id', '?')} has no steps")
        if not (np.all(np.isfinite(obs)) and np.all(np.isfinite(act))):
            raise DataError(f"episode {self.metadata.get('id', '?')} contains NaN or infinite values")


@dataclass(frozen=True)
class DatasetRef:
    """Where demonstrations came from, as recorded in a checkpoint."""

    dataset_id: str
    sha256: str
    n_episodes: int
    n_steps: int
    env_id: str | None
    env_kwargs: dict[str, Any]


@dataclass(frozen=True)
class Demonstrations:
    """Training pairs: stacked observations ``[N, k·d]``, actions ``[N, a]``, weights ``[N]`` (mean 1).

    `episode` ``[N]`` is the index of the source episode of each sample.
    """

    observations: np.ndarray
    actions: np.ndarray
    weights: np.ndarray
    episode: np.ndarray
    history_frames: int

    def __post_init__(self) -> None:
        n = self.observations.shape[0]
        if self.actions.shape[0] != n or self.weights.shape != (n,) or self.episode.shape != (n,):
            raise DataError("demonstration arrays disagree in length")
        if n < 1:
            raise DataError("no demonstration samples")

    def __len__(self) -> int:
        return int(self.observations.shape[0])

    def concat(self, other: Demonstrations) -> Demonstrations:
        """Aggregate two sets (DAgger); episode indices of `other` are shifted past this set's."""
        if other.history_frames != self.history_frames:
            raise DataError("cannot aggregate demonstrations with different history lengths")
        shift = int(self.episode.max()) + 1
        return Demonstrations(
            np.concatenate([self.observations, other.observations]),
            np.concatenate([self.actions, other.actions]),
            _mean_one(np.concatenate([self.weights, other.weights])),
            np.concatenate([self.episode, other.episode + shift]),
            self.history_frames,
        )


def _mean_one(w: np.ndarray) -> np.ndarray:
    total = float(w.sum())
    if total <= 0:
        raise DataError("every demonstration sample has zero weight")
    return (w * (len(w) / total)).astype(np.float32)


def load_minari(dataset_id: str) -> tuple[list[EpisodeArrays], DatasetRef, spaces.Box, spaces.Box]:
    """Read every episode of Minari dataset `dataset_id` (from ``MINARI_DATASETS_PATH``).

    Returns the episodes (metadata includes Minari's per-episode attributes: ``id``, ``seed``, ``total_steps``
    and whatever the recorder stored), a `DatasetRef` with the content hash, and the dataset's observation
    and action spaces (Box only).
    """
    import minari

    try:
        dataset = minari.load_dataset(dataset_id)
    except (FileNotFoundError, ValueError, KeyError, OSError) as exc:
        raise DataError(f"cannot load Minari dataset {dataset_id!r}: {exc}") from exc
    obs_space, act_space = dataset.observation_space, dataset.action_space
    if not isinstance(obs_space, spaces.Box) or not isinstance(act_space, spaces.Box):
        raise DataError(
            f"dataset {dataset_id!r}: weldcraft policies need Box spaces, got {obs_space} / {act_space}"
        )
    metas = list(dataset.storage.get_episode_metadata(dataset.episode_indices))
    episodes = []
    for ep, raw in zip(dataset.iterate_episodes(), metas, strict=True):
        meta = _flatten_metadata({str(k): _plain(v) for k, v in raw.items()}, dataset_id)
        meta["id"] = int(ep.id)
        episodes.append(EpisodeArrays(np.asarray(ep.observations), np.asarray(ep.actions), meta))
    spec = dataset.env_spec
    ref = DatasetRef(
        dataset_id=dataset_id,
        sha256=dataset_sha256(episodes),
        n_episodes=len(episodes),
        n_steps=sum(len(e.actions) for e in episodes),
        env_id=spec.id if spec is not None else None,
        env_kwargs=dict(spec.kwargs) if spec is not None else {},
    )
    return episodes, ref, obs_space, act_space


def _flatten_metadata(meta: dict[str, Any], dataset_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attr in EMBEDDED_METADATA_ATTRS:
        if attr in meta:
            try:
                embedded = json.loads(meta.pop(attr))
            except (TypeError, json.JSONDecodeError) as exc:
                raise DataError(
                    f"dataset {dataset_id!r}: episode attribute {attr!r} is not JSON: {exc}"
                ) from exc
            if not isinstance(embedded, dict):
                raise DataError(f"dataset {dataset_id!r}: episode attribute {attr!r} is not a JSON object")
            out.update(embedded)
    out.update({k: v for k, v in meta.items() if v is not None or k not in out})
    return out


def _plain(value: Any) -> Any:
    """HDF5 attributes come back as numpy scalars/arrays; make them JSON-able Python values."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def dataset_sha256(episodes: Sequence[EpisodeArrays]) -> str:
    """Content hash of a dataset: every episode's arrays (dtype, shape, bytes) and metadata, in order.

    It depends on the data, not on the HDF5 layout, so re-serializing a dataset keeps its hash.
    """
    h = hashlib.sha256()
    for ep in episodes:
        for arr in (ep.observations, ep.actions):
            a = np.ascontiguousarray(arr)
            h.update(f"{a.dtype.str}{a.shape}".encode())
            h.update(a.tobytes())
        h.update(json.dumps(ep.metadata, sort_keys=True, default=str).encode())
    return h.hexdigest()


def select_episodes(episodes: Sequence[EpisodeArrays], cfg: BCConfig) -> list[EpisodeArrays]:
    """Apply the seed check, the quality filter and `max_episodes` (in dataset order)."""
    seeds = [ep.metadata[cfg.seed_key] for ep in episodes if ep.metadata.get(cfg.seed_key) is not None]
    check_seeds(seeds, "train", where="dataset episode metadata")
    if len(seeds) < len(episodes):
        log.warning(
            "%d of %d episodes carry no %r: cannot check they avoid held-out seeds",
            len(episodes) - len(seeds),
            len(episodes),
            cfg.seed_key,
        )
    chosen = list(episodes)
    if cfg.min_quality > 0:
        chosen = [ep for ep in chosen if _quality(ep, cfg) >= cfg.min_quality]
    if cfg.max_episodes is not None:
        chosen = chosen[: cfg.max_episodes]
    if not chosen:
        raise DataError(f"no episode left after filtering (min_quality={cfg.min_quality})")
    return chosen


def _quality(ep: EpisodeArrays, cfg: BCConfig) -> float:
    q = ep.metadata.get(cfg.quality_key)
    if q is None:
        raise DataError(
            f"episode {ep.metadata.get('id', '?')} has no metadata key {cfg.quality_key!r} "
            f"(needed by weighting={cfg.weighting!r} / min_quality); keys: {', '.join(sorted(ep.metadata))}"
        )
    q = float(q)
    if not 0.0 <= q <= 1.0:
        raise DataError(f"episode {ep.metadata.get('id', '?')}: {cfg.quality_key}={q} is outside [0, 1]")
    return q


def build_demonstrations(episodes: Sequence[EpisodeArrays], cfg: BCConfig) -> Demonstrations:
    """Stack each episode's observations (`cfg.history_frames`) and attach per-sample weights.

    Sample t of an episode pairs the stack ending at observation t with action t (the final observation,
    which has no action, only feeds the stacks).
    """
    obs_parts, act_parts, w_parts, ep_parts = [], [], [], []
    for i, ep in enumerate(episodes):
        stacked = stack_episode(ep.observations, cfg.history_frames)[:-1]
        obs_parts.append(stacked)
        act_parts.append(np.asarray(ep.actions, dtype=np.float32))
        weight = _quality(ep, cfg) ** cfg.quality_power if cfg.weighting == "quality" else 1.0
        w_parts.append(np.full(len(stacked), weight, dtype=np.float64))
        ep_parts.append(np.full(len(stacked), i, dtype=np.int64))
    return Demonstrations(
        np.concatenate(obs_parts),
        np.concatenate(act_parts),
        _mean_one(np.concatenate(w_parts)),
        np.concatenate(ep_parts),
        cfg.history_frames,
    )
