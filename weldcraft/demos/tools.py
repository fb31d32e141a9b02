"""Dataset tools: info, validate, filter, split by seam, merge.

Every tool that produces a dataset writes a new one through `weldcraft.demos.dataset.write_dataset`
(atomic, with the source's env spec and per-episode metadata); sources are never modified.
"""

from __future__ import annotations

import collections
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

from weldcraft.demos import dataset as ds
from weldcraft.demos.episode import ISO_LEVELS, Episode, EpisodeMetadata, level_at_least
from weldcraft.errors import DataError, UserError


def _recover_env(dataset: Any) -> gym.Env:
    try:
        return dataset.recover_environment()
    except Exception as exc:  # noqa: BLE001 - any failure to rebuild the env is reported as a data problem
        raise DataError(
            f"env cannot be recovered: {type(exc).__name__}: {exc}", where=dataset.spec.dataset_id
        ) from None


def info(dataset_id: str) -> dict[str, Any]:
    """Summary of a dataset as JSON values: sizes, env, and distributions of the episode metadata."""
    dataset = ds.load(dataset_id)
    metas = ds.episode_metadata(dataset)
    spec = dataset.env_spec
    quality = np.array([m.quality_score for m in metas])
    levels = collections.Counter(str(m.iso_level) for m in metas)
    return {
        "dataset_id": dataset_id,
        "path": str(ds.dataset_dir(dataset_id)),
        "episodes": int(dataset.total_episodes),
        "steps": int(dataset.total_steps),
        "env_id": None if spec is None else spec.id,
        "env_kwargs": None if spec is None else json.loads(json.dumps(spec.kwargs, default=str)),
        "observation_shape": list(dataset.observation_space.shape),
        "action_shape": list(dataset.action_space.shape),
        "skills": dict(collections.Counter(m.skill for m in metas)),
        "styles": dict(collections.Counter(m.style for m in metas)),
        "seams": dict(collections.Counter(m.seam for m in metas)),
        "distinct_seams": len({m.seam_key for m in metas}),
        "iso_levels": {k: levels.get(k, 0) for k in (*ISO_LEVELS, "None")},
        "quality_mean": float(quality.mean()),
        "quality_min": float(quality.min()),
        "quality_max": float(quality.max()),
        "weldcraft": ds.weldcraft_metadata(dataset),
    }


@dataclass
class ValidationReport:
    """Outcome of `validate`: `problems` lists every finding as one line ("episode 3: NaN in actions")."""

    dataset_id: str
    episodes: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def validate(dataset_id: str) -> ValidationReport:
    """Check a dataset: schema versions, metadata completeness, array lengths, NaN, action bounds, env.

    The env check recovers the env from the stored spec and compares its spaces with the dataset's.
    """
    dataset = ds.load(dataset_id)
    report = ValidationReport(dataset_id, int(dataset.total_episodes))
    problems = report.problems
    try:
        meta = ds.weldcraft_metadata(dataset)
        if meta.get("schema_version") != ds.DATASET_SCHEMA_VERSION:
            problems.append(
                f"dataset schema version {meta.get('schema_version')!r}, expected {ds.DATASET_SCHEMA_VERSION}"
            )
    except DataError as exc:
        problems.append(str(exc))
    attrs = list(dataset.storage.get_episode_metadata(dataset.episode_indices))
    for i, a in enumerate(attrs):
        if ds.EPISODE_ATTR not in a:
            problems.append(f"episode {i}: no '{ds.EPISODE_ATTR}' metadata")
            continue
        try:
            EpisodeMetadata.from_json(str(a.get(ds.EPISODE_ATTR)), f"episode {i}")
        except DataError as exc:
            problems.append(str(exc))
    act_space = dataset.action_space
    for i, ep in enumerate(dataset.iterate_episodes()):
        problems.extend(f"episode {i}: {p}" for p in _episode_problems(ep, act_space))
    if dataset.env_spec is None:
        problems.append("no env spec stored; the env cannot be recovered")
    else:
        try:
            env = _recover_env(dataset)
            try:
                if env.observation_space != dataset.observation_space:
                    problems.append("recovered env's observation space differs from the dataset's")
                if env.action_space != dataset.action_space:
                    problems.append("recovered env's action space differs from the dataset's")
            finally:
                env.close()
        except DataError as exc:
            problems.append(str(exc))
    return report


def _episode_problems(ep: Any, act_space: gym.Space) -> list[str]:
    out: list[str] = []
    t = len(ep.rewards)
    obs = np.asarray(ep.observations)
    act = np.asarray(ep.actions)
    if t < 1:
        return ["no steps"]
    for name, arr, n in (
        ("observations", obs, t + 1),
        ("actions", act, t),
        ("terminations", np.asarray(ep.terminations), t),
        ("truncations", np.asarray(ep.truncations), t),
    ):
        if arr.shape[0] != n:
            out.append(f"{name} has {arr.shape[0]} rows, expected {n}")
    for name, arr in (("observations", obs), ("actions", act), ("rewards", np.asarray(ep.rewards))):
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            out.append(f"NaN or inf in {name}")
    for key, arr in (ep.infos or {}).items():
        a = np.asarray(arr) if not isinstance(arr, dict) else np.zeros(0)
        if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
            out.append(f"NaN or inf in infos[{key!r}]")
        if not isinstance(arr, dict) and a.shape[0] != t + 1:
            out.append(f"infos[{key!r}] has {a.shape[0]} rows, expected {t + 1}")
    if isinstance(act_space, gym.spaces.Box) and act.shape[1:] == act_space.shape:
        low, high = act_space.low, act_space.high
        if np.any(act < low - 1e-6) or np.any(act > high + 1e-6):
            out.append("actions outside the action space")
    if not (bool(np.asarray(ep.terminations)[-1]) or bool(np.asarray(ep.truncations)[-1])):
        out.append("last step is neither terminated nor truncated")
    return out


def _write_like(
    source: Any, dataset_id: str, episodes: Sequence[Episode], description: str, extra: dict
) -> None:
    env = _recover_env(source)
    try:
        prov = {**ds.weldcraft_metadata(source).get("provenance", {}), **extra}
        ds.write_dataset(dataset_id, episodes, env, description=description, provenance=prov)
    finally:
        env.close()


def filter_dataset(
    source_id: str,
    dataset_id: str,
    *,
    skills: Sequence[str] | None = None,
    min_iso_level: str | None = None,
    min_quality: float | None = None,
) -> int:
    """Write the episodes of `source_id` that pass every given criterion as `dataset_id`.

    Args:
        skills: keep these skills only.
        min_iso_level: keep welds at this ISO 5817 level or better ("C" keeps B and C).
        min_quality: keep quality_score >= this.

    Returns the number of episodes kept. Raises UserError when none passes.
    """
    if min_iso_level is not None and min_iso_level not in ISO_LEVELS:
        raise UserError(
            f"unknown ISO 5817 level {min_iso_level!r}; choose one of: B, C, D", where="min_iso_level"
        )
    if min_quality is not None and not (math.isfinite(min_quality) and 0.0 <= min_quality <= 1.0):
        raise UserError(f"min_quality must be in [0, 1], got {min_quality}", where="min_quality")
    source = ds.load(source_id)
    kept = []
    for ep in ds.read_episodes(source):
        m = ep.metadata
        if skills is not None and m.skill not in skills:
            continue
        if min_iso_level is not None and not level_at_least(m.iso_level, min_iso_level):
            continue
        if min_quality is not None and m.quality_score < min_quality:
            continue
        kept.append(ep)
    if not kept:
        raise UserError(f"no episode of {source_id} passes the filter", where="filter")
    criteria = {
        "skills": list(skills) if skills else None,
        "min_iso_level": min_iso_level,
        "min_quality": min_quality,
    }
    _write_like(
        source,
        dataset_id,
        kept,
        f"{source_id} filtered by {criteria}",
        {"filtered_from": source_id, **criteria},
    )
    return len(kept)


def split_by_seam(
    source_id: str, train_id: str, test_id: str, *, test_fraction: float = 0.2, seed: int = 0
) -> tuple[int, int]:
    """Split `source_id` into train and test datasets so that no seam is in both.

    Seams are the episodes' `seam_key` (job name and reset seed); a seeded permutation of the distinct
    seams puts round(test_fraction x seams) of them (at least 1, at most all but 1) in the test set.
    Returns (train episodes, test episodes).
    """
    if not 0.0 < test_fraction < 1.0:
        raise UserError(f"test_fraction must be in (0, 1), got {test_fraction}", where="test_fraction")
    source = ds.load(source_id)
    episodes = ds.read_episodes(source)
    keys = sorted({ep.metadata.seam_key for ep in episodes})
    if len(keys) < 2:
        raise UserError(
            f"{source_id} has {len(keys)} distinct seam(s); a split by seam needs at least 2", where="split"
        )
    order = np.random.default_rng(seed).permutation(len(keys))
    n_test = min(max(1, round(test_fraction * len(keys))), len(keys) - 1)
    test_keys = {keys[i] for i in order[:n_test]}
    train = [ep for ep in episodes if ep.metadata.seam_key not in test_keys]
    test = [ep for ep in episodes if ep.metadata.seam_key in test_keys]
    info_split = {"split_from": source_id, "split_seed": seed, "test_fraction": test_fraction}
    _write_like(
        source, train_id, train, f"train split of {source_id} (by seam)", {**info_split, "part": "train"}
    )
    _write_like(source, test_id, test, f"test split of {source_id} (by seam)", {**info_split, "part": "test"})
    return len(train), len(test)


def merge(source_ids: Sequence[str], dataset_id: str) -> int:
    """Concatenate datasets made in the same env (same id, kwargs and spaces) into `dataset_id`.

    Returns the number of episodes. Raises UserError when the envs differ.
    """
    if len(source_ids) < 2:
        raise UserError("merge needs at least two datasets", where="merge")
    sources = [ds.load(i) for i in source_ids]
    first = sources[0]
    for other, oid in zip(sources[1:], source_ids[1:], strict=True):
        a, b = first.env_spec, other.env_spec
        same_env = a is not None and b is not None and (a.id, a.kwargs) == (b.id, b.kwargs)
        if (
            not same_env
            or other.observation_space != first.observation_space
            or other.action_space != first.action_space
        ):
            raise UserError(
                f"{oid} was made in a different env than {source_ids[0]} "
                f"({None if b is None else b.id} {None if b is None else b.kwargs} vs "
                f"{None if a is None else a.id} {None if a is None else a.kwargs})",
                where="merge",
            )
    episodes = [ep for src in sources for ep in ds.read_episodes(src)]
    _write_like(
        first, dataset_id, episodes, f"merge of {', '.join(source_ids)}", {"merged_from": list(source_ids)}
    )
    return len(episodes)
