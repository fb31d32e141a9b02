"""Self-describing policy checkpoints: a directory that rebuilds the policy without unpickling anything.

Layout (schema version `SCHEMA_VERSION`)::

    checkpoint/
      checkpoint.json     format, schema_version, weldcraft version, policy name and algorithm, history
                          frames, env id and kwargs, dataset id/hash/size, sha256 of every file below
      config.yaml         the resolved algorithm config (weldcraft.policies.config dataclasses)
      weights.npz         the ActorCriticPolicy state dict as plain float arrays (np.load, allow_pickle=False)
      normalization.npz   obs_mean, obs_std [D] float32 and obs_clip: the network's input normalization
      spaces.npz          obs_low/obs_high [D] (stacked) and act_low/act_high [A]: the policy's Box spaces
      metrics.json        training metrics (evaluation adds its own report next to the checkpoint)

Loading checks the format and schema version, the sha256 of each file, that weights and normalization
agree, and reads arrays with ``allow_pickle=False``: a pickle (or an object array) planted in any file is
refused before a single byte of it is unpickled.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml
from gymnasium import spaces
from stable_baselines3.common.policies import ActorCriticPolicy

from weldcraft.errors import DataError, UserError
from weldcraft.policies.config import AlgoConfig, bc_config_of, config_from_dict, config_to_dict
from weldcraft.policies.data import DatasetRef
from weldcraft.policies.network import ObsNormalization, build_policy, predict_actions
from weldcraft.policies.rollout import EnvFactory
from weldcraft.policies.seeds import SeedSchedule
from weldcraft.types import PathLikeStr

FORMAT = "weldcraft-policy-checkpoint"
SCHEMA_VERSION = 1
CHECKPOINT_SUBDIR = "checkpoint"
_FILES = ("config.yaml", "weights.npz", "normalization.npz", "spaces.npz", "metrics.json")


@dataclass(frozen=True)
class PolicyCheckpoint:
    """A loaded (or freshly trained) policy with everything needed to run and describe it."""

    policy: ActorCriticPolicy
    policy_name: str
    config: AlgoConfig
    normalization: ObsNormalization
    env_id: str
    env_kwargs: dict[str, Any]
    dataset: DatasetRef | None
    metrics: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def history_frames(self) -> int:
        return bc_config_of(self.config).history_frames

    def predict(self, stacked_obs: np.ndarray, *, deterministic: bool = True) -> np.ndarray:
        """Actions ``[n, A]`` (clipped to the Box) for stacked observations ``[n, k·d]``."""
        return predict_actions(self.policy, np.atleast_2d(stacked_obs), deterministic=deterministic)

    def env_factory(
        self,
        schedule: SeedSchedule,
        *,
        env_kwargs: dict[str, Any] | None = None,
        render_mode: str | None = None,
    ) -> EnvFactory:
        """The env this policy was trained for, with its frame stacking, reset by `schedule`."""
        kwargs = dict(self.env_kwargs if env_kwargs is None else env_kwargs)
        return EnvFactory(self.env_id, kwargs, self.history_frames, schedule, render_mode=render_mode)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def save_checkpoint(ckpt: PolicyCheckpoint, out_dir: PathLikeStr) -> Path:
    """Write `ckpt` to ``out_dir/checkpoint/`` atomically (temp dir renamed into place); returns its path."""
    target = Path(out_dir) / CHECKPOINT_SUBDIR
    target.parent.mkdir(parents=True, exist_ok=True)
    obs_space, act_space = ckpt.policy.observation_space, ckpt.policy.action_space
    assert isinstance(obs_space, spaces.Box) and isinstance(act_space, spaces.Box)
    try:
        json.dumps(ckpt.env_kwargs)
    except TypeError as exc:
        raise UserError(f"env kwargs must be JSON-serializable to go into a checkpoint: {exc}") from exc
    state = {k: v.detach().cpu().numpy() for k, v in ckpt.policy.state_dict().items()}
    contents: dict[str, bytes] = {
        "config.yaml": yaml.safe_dump(config_to_dict(ckpt.config), sort_keys=False).encode(),
        "weights.npz": _npz_bytes(state),
        "normalization.npz": _npz_bytes(
            {
                "obs_mean": ckpt.normalization.mean,
                "obs_std": ckpt.normalization.std,
                "obs_clip": np.asarray(ckpt.normalization.clip, np.float32),
            }
        ),
        "spaces.npz": _npz_bytes(
            {
                "obs_low": obs_space.low,
                "obs_high": obs_space.high,
                "act_low": act_space.low,
                "act_high": act_space.high,
            }
        ),
        "metrics.json": json.dumps(ckpt.metrics, indent=2, sort_keys=True, default=str).encode(),
    }
    from weldcraft import __version__

    manifest = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "weldcraft_version": __version__,
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "policy_name": ckpt.policy_name,
        "algo": ckpt.config.algo,
        "history_frames": ckpt.history_frames,
        "env": {"id": ckpt.env_id, "kwargs": ckpt.env_kwargs},
        "dataset": asdict(ckpt.dataset) if ckpt.dataset is not None else None,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in contents.items()},
    }
    contents["checkpoint.json"] = json.dumps(manifest, indent=2, sort_keys=True).encode()
    tmp = Path(tempfile.mkdtemp(prefix=f".{CHECKPOINT_SUBDIR}.", dir=target.parent))
    try:
        for name, data in contents.items():
            (tmp / name).write_bytes(data)
        if target.exists():
            old = target.with_name(f".{CHECKPOINT_SUBDIR}.old.{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old)
        else:
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return target


def _resolve(path: PathLikeStr) -> Path:
    p = Path(path)
    if (p / "checkpoint.json").is_file():
        return p
    if (p / CHECKPOINT_SUBDIR / "checkpoint.json").is_file():
        return p / CHECKPOINT_SUBDIR
    raise UserError(
        f"no weldcraft checkpoint at {p} (expected {p}/checkpoint.json or {p}/{CHECKPOINT_SUBDIR}/)"
    )


def _load_npz(path: Path, required: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Plain numeric arrays of an .npz file; anything needing pickle is refused (never unpickled)."""
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise DataError("not an .npz archive", where=str(path))
        with data:
            arrays = {name: np.asarray(data[name]) for name in data.files}
    except DataError:
        raise
    except (ValueError, OSError, EOFError, KeyError) as exc:
        raise DataError(f"refusing to load (not a plain-array .npz): {exc}", where=str(path)) from exc
    bad = sorted(k for k, a in arrays.items() if a.dtype.kind not in "fiub")
    missing = sorted(set(required) - set(arrays))
    if bad or missing:
        raise DataError(
            f"expected numeric arrays {', '.join(required) or ''}; missing {missing}, non-numeric {bad}",
            where=str(path),
        )
    return arrays


def load_checkpoint(path: PathLikeStr) -> PolicyCheckpoint:
    """Rebuild a policy from a checkpoint directory (or a training run folder that holds one).

    Raises `DataError` for a malformed, tampered or pickled file and `UserError` for a missing checkpoint.
    """
    root = _resolve(path)
    try:
        manifest = json.loads((root / "checkpoint.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"unreadable manifest: {exc}", where=str(root / "checkpoint.json")) from exc
    if manifest.get("format") != FORMAT:
        raise DataError(
            f"not a {FORMAT} (format {manifest.get('format')!r})", where=str(root / "checkpoint.json")
        )
    version = manifest.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise DataError(
            f"schema_version {version!r}; this weldcraft reads up to {SCHEMA_VERSION}",
            where=str(root / "checkpoint.json"),
        )
    for name in _FILES:
        expected = manifest.get("files", {}).get(name)
        if not (root / name).is_file() or expected != _sha256(root / name):
            raise DataError(
                "missing file, or its sha256 differs from checkpoint.json", where=str(root / name)
            )
    try:
        config = config_from_dict(
            yaml.safe_load((root / "config.yaml").read_text(encoding="utf-8")),
            where=str(root / "config.yaml"),
        )
    except yaml.YAMLError as exc:
        raise DataError(f"bad YAML: {exc}", where=str(root / "config.yaml")) from exc
    sp = _load_npz(root / "spaces.npz", ("obs_low", "obs_high", "act_low", "act_high"))
    nm = _load_npz(root / "normalization.npz", ("obs_mean", "obs_std", "obs_clip"))
    weights = _load_npz(root / "weights.npz")
    obs_space = spaces.Box(sp["obs_low"], sp["obs_high"], dtype=np.float32)
    act_space = spaces.Box(sp["act_low"], sp["act_high"], dtype=np.float32)
    normalization = ObsNormalization(nm["obs_mean"], nm["obs_std"], float(nm["obs_clip"]))
    policy = build_policy(obs_space, act_space, bc_config_of(config).net, normalization, seed=0)
    expected_keys = policy.state_dict()
    if set(weights) != set(expected_keys) or any(
        weights[k].shape != tuple(v.shape) for k, v in expected_keys.items()
    ):
        raise DataError(
            "weights do not fit the network the config describes", where=str(root / "weights.npz")
        )
    policy.load_state_dict({k: torch.as_tensor(v) for k, v in weights.items()}, strict=True)
    for key, ref in (
        ("features_extractor.obs_mean", normalization.mean),
        ("features_extractor.obs_std", normalization.std),
    ):
        if not np.array_equal(weights[key], ref):
            raise DataError(f"{key} in weights.npz differs from normalization.npz", where=str(root))
    policy.set_training_mode(False)
    dataset = manifest.get("dataset")
    metrics = json.loads((root / "metrics.json").read_text(encoding="utf-8"))
    return PolicyCheckpoint(
        policy=policy,
        policy_name=str(manifest.get("policy_name", config.algo)),
        config=config,
        normalization=normalization,
        env_id=str(manifest["env"]["id"]),
        env_kwargs=dict(manifest["env"].get("kwargs") or {}),
        dataset=DatasetRef(**dataset) if dataset else None,
        metrics=metrics,
        path=root,
    )
