"""One demonstration episode and its metadata, as held in memory and stored in a Minari dataset.

`Episode` follows Minari's layout: T steps give T+1 observations (the reset observation first), T
actions, rewards, terminations and truncations, and per-step `infos` arrays with T+1 rows (the reset
info first). `EpisodeMetadata` is what a researcher filters and splits on; it is stored as one JSON
attribute per episode group in the dataset's HDF5 file (see `weldcraft.demos.dataset`).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from weldcraft.errors import DataError
from weldcraft.types import FloatArray

EPISODE_METADATA_SCHEMA_VERSION = 1
ISO_LEVELS: tuple[str, ...] = ("B", "C", "D")
#: Order used by "level at least": B is best. None (fails level D) ranks last.
_LEVEL_RANK = {"B": 0, "C": 1, "D": 2, None: 3}


def level_at_least(level: str | None, threshold: str) -> bool:
    """True when ISO 5817 `level` (B/C/D/None) is `threshold` or better (B better than C better than D)."""
    if threshold not in ISO_LEVELS:
        raise ValueError(f"unknown ISO 5817 level {threshold!r}; choose one of: B, C, D")
    return _LEVEL_RANK[level] <= _LEVEL_RANK[threshold]


@dataclass(frozen=True)
class EpisodeMetadata:
    """Per-episode metadata (JSON, schema version `EPISODE_METADATA_SCHEMA_VERSION`).

    Attributes:
        welder_id: who made the demonstration ("craftsman-master-7", a person's id, a file name).
        skill: "novice", "competent", "master", or a free label for human recordings ("human").
        style: name of the weave style ("stringer", "zigzag", ...) or "recorded".
        seam: the WeldJob name (preset or file stem) the episode was welded on.
        seed: the env reset seed; with the env id and kwargs it fixes the realized seam (placement, gap,
            drift). None when unknown.
        iso_level: ISO 5817 level of the finished weld ("B", "C", "D") or None (below D / incomplete).
        quality_score: the process model's quality score in [0, 1].
        completed: True when the seam was welded to its end.
        source: "craftsman", "recording", "teleop", or another producer name.
        seam_spec: a JSON summary of the seam (joint kind, thickness, position, length, gap) for readers
            that do not load the WeldJob.
        extra: anything else (style parameters, recording file, mean heat input ...), JSON values only.
    """

    welder_id: str
    skill: str
    style: str
    seam: str
    seed: int | None
    iso_level: str | None
    quality_score: float
    completed: bool
    source: str = "craftsman"
    seam_spec: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("welder_id", "skill", "style", "seam", "source"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string, got {value!r}")
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)):
            raise ValueError(f"seed must be an int or None, got {self.seed!r}")
        if self.iso_level not in (*ISO_LEVELS, None):
            raise ValueError(f"iso_level must be one of B, C, D or None, got {self.iso_level!r}")
        q = self.quality_score
        if (
            isinstance(q, bool)
            or not isinstance(q, (int, float))
            or not (math.isfinite(q) and 0.0 <= q <= 1.0)
        ):
            raise ValueError(f"quality_score must be a number in [0, 1], got {q!r}")
        object.__setattr__(self, "quality_score", float(q))
        if not isinstance(self.completed, bool):
            raise ValueError(f"completed must be a bool, got {self.completed!r}")
        json.dumps(self.seam_spec, allow_nan=False)
        json.dumps(self.extra, allow_nan=False)

    @property
    def seam_key(self) -> str:
        """Identity of the realized seam: the job name and the reset seed ("fillet_pb#17").

        Two episodes with the same key were welded on the same part (same placement, gap, drift); a
        train/test split by seam never puts one key on both sides.
        """
        return f"{self.seam}#{self.seed}"

    def to_json(self) -> str:
        """JSON text with the schema version."""
        data = {"schema_version": EPISODE_METADATA_SCHEMA_VERSION, **asdict(self)}
        return json.dumps(data, sort_keys=True, allow_nan=False)

    @classmethod
    def from_json(cls, text: str, where: str) -> EpisodeMetadata:
        """Parse and validate; raises DataError naming `where` on a bad or unknown-version record."""
        try:
            data = json.loads(text)
        except (TypeError, json.JSONDecodeError):
            raise DataError("episode metadata is not JSON", where=where) from None
        if not isinstance(data, dict):
            raise DataError("episode metadata is not a JSON object", where=where)
        version = data.pop("schema_version", None)
        if version != EPISODE_METADATA_SCHEMA_VERSION:
            raise DataError(
                f"episode metadata schema version {version!r}; expected {EPISODE_METADATA_SCHEMA_VERSION}",
                where=where,
            )
        try:
            return cls(**data)
        except (TypeError, ValueError) as exc:
            raise DataError(f"invalid episode metadata: {exc}", where=where) from None


@dataclass(frozen=True)
class Episode:
    """One episode's arrays (Minari layout) and metadata.

    Attributes:
        observations: (T+1, obs_dim) float32, the reset observation first.
        actions: (T, act_dim) float32, normalized to the env's action space.
        rewards: (T,) float64.
        terminations, truncations: (T,) bool.
        infos: per-step arrays with T+1 rows (reset info first), e.g. "q_rad" (T+1, 6).
        metadata: the episode's metadata.
    """

    observations: np.ndarray
    actions: np.ndarray
    rewards: FloatArray
    terminations: np.ndarray
    truncations: np.ndarray
    infos: dict[str, np.ndarray]
    metadata: EpisodeMetadata

    def __post_init__(self) -> None:
        t = int(np.asarray(self.rewards).shape[0])
        if t < 1:
            raise ValueError("an episode needs at least one step")
        checks = {
            "observations": (self.observations, t + 1),
            "actions": (self.actions, t),
            "terminations": (self.terminations, t),
            "truncations": (self.truncations, t),
        }
        for name, (arr, n) in checks.items():
            if np.asarray(arr).shape[0] != n:
                raise ValueError(f"{name} has {np.asarray(arr).shape[0]} rows, expected {n} (T = {t})")
        for key, arr in self.infos.items():
            if np.asarray(arr).shape[0] != t + 1:
                raise ValueError(f"infos[{key!r}] has {np.asarray(arr).shape[0]} rows, expected {t + 1}")

    @property
    def n_steps(self) -> int:
        """Number of steps T."""
        return int(self.rewards.shape[0])


def stack_infos(infos: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Stack the numeric per-step entries that every info dict has with the same shape.

    Nested dicts, strings, lists of records and keys missing from any step (e.g. `info["weld"]`, only on
    the last step) are left out: those belong in the episode metadata.
    """
    if not infos:
        return {}
    out: dict[str, np.ndarray] = {}
    for key, first in infos[0].items():
        if isinstance(first, (dict, str, list)) or first is None:
            continue
        arr0 = np.asarray(first)
        if arr0.dtype.kind not in "biuf":
            continue
        rows = []
        for info in infos:
            if key not in info:
                break
            arr = np.asarray(info[key])
            if arr.shape != arr0.shape or arr.dtype.kind not in "biuf":
                break
            rows.append(arr)
        else:
            out[key] = np.stack(rows)
    return out
