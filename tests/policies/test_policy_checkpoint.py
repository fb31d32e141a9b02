"""Checkpoints rebuild the policy from plain arrays and config; nothing in them is ever unpickled."""

import hashlib
import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from gymnasium import spaces

from weldcraft.errors import DataError, UserError
from weldcraft.policies.checkpoint import PolicyCheckpoint, load_checkpoint, save_checkpoint
from weldcraft.policies.config import BCConfig, NetConfig
from weldcraft.policies.data import DatasetRef
from weldcraft.policies.network import ObsNormalization, build_policy

MARKER = "pwned.txt"


class _Payload:
    """Unpickling this object writes a marker file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.write_text, (self.marker, "code ran"))


def _checkpoint(tmp_path: Path) -> tuple[PolicyCheckpoint, Path]:
    cfg = BCConfig(history_frames=2, net=NetConfig(pi=(16,), vf=(8,)))
    obs_space = spaces.Box(-np.inf, np.inf, shape=(6,), dtype=np.float32)
    act_space = spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)
    norm = ObsNormalization(np.arange(6, dtype=np.float32), np.full(6, 2.0, np.float32), 5.0)
    policy = build_policy(obs_space, act_space, cfg.net, norm, seed=3)
    with torch.no_grad():  # make the action head non-trivial (SB3 initializes it with gain 0.01)
        policy.action_net.weight.mul_(100.0)
    ref = DatasetRef("weldcraft-toy/weave/oracle-v0", "ab" * 32, 12, 2400, "weldcraft-toy/Weave-v0", {})
    ckpt = PolicyCheckpoint(
        policy, "bc", cfg, norm, "weldcraft-toy/Weave-v0", {"episode_steps": 50}, ref, {"x": 1.5}
    )
    return ckpt, save_checkpoint(ckpt, tmp_path)


def test_round_trip_gives_identical_actions_and_metadata(tmp_path: Path) -> None:
    ckpt, path = _checkpoint(tmp_path)
    assert path == tmp_path / "checkpoint"
    assert sorted(p.name for p in path.iterdir()) == [
        "checkpoint.json",
        "config.yaml",
        "metrics.json",
        "normalization.npz",
        "spaces.npz",
        "weights.npz",
    ]
    loaded = load_checkpoint(tmp_path)  # the run folder works as well as the checkpoint folder
    obs = np.random.default_rng(0).normal(size=(100, 6)).astype(np.float32) * 4
    np.testing.assert_array_equal(loaded.predict(obs), ckpt.predict(obs))
    assert np.abs(ckpt.predict(obs)).max() > 0.05  # the comparison is not between two zero outputs
    assert loaded.config == ckpt.config and loaded.history_frames == 2
    assert loaded.env_id == "weldcraft-toy/Weave-v0" and loaded.env_kwargs == {"episode_steps": 50}
    assert loaded.dataset == ckpt.dataset and loaded.metrics == {"x": 1.5}
    manifest = json.loads((path / "checkpoint.json").read_text())
    assert manifest["schema_version"] == 1 and manifest["dataset"]["sha256"] == "ab" * 32
    assert yaml.safe_load((path / "config.yaml").read_text())["history_frames"] == 2


def _plant(path: Path, name: str, data: bytes, *, fix_hash: bool) -> None:
    (path / name).write_bytes(data)
    if fix_hash:  # an attacker who also rewrites the manifest: the loader must still refuse
        manifest = json.loads((path / "checkpoint.json").read_text())
        manifest["files"][name] = hashlib.sha256(data).hexdigest()
        (path / "checkpoint.json").write_text(json.dumps(manifest))


def _raw_pickle(marker: Path) -> bytes:
    return pickle.dumps(_Payload(marker))


def _npz_with_object_array(marker: Path) -> bytes:
    buf = io.BytesIO()
    arr = np.empty(1, dtype=object)
    arr[0] = _Payload(marker)
    np.savez(buf, **{"action_net.weight": arr})
    return buf.getvalue()


def _torch_save(marker: Path) -> bytes:
    buf = io.BytesIO()
    torch.save({"action_net.weight": _Payload(marker)}, buf)
    return buf.getvalue()


@pytest.mark.parametrize("make", [_raw_pickle, _npz_with_object_array, _torch_save])
@pytest.mark.parametrize("name", ["weights.npz", "normalization.npz"])
@pytest.mark.parametrize("fix_hash", [False, True])
def test_planted_pickle_payload_is_refused_and_never_runs(
    tmp_path: Path, make, name: str, fix_hash: bool
) -> None:  # type: ignore[no-untyped-def]
    _, path = _checkpoint(tmp_path)
    marker = tmp_path / MARKER
    payload = make(marker)
    assert not marker.exists()
    _plant(path, name, payload, fix_hash=fix_hash)
    with pytest.raises(DataError):
        load_checkpoint(path)
    assert not marker.exists()
    _detonate(make, payload)  # the payload is live: a loader that unpickles would have run it
    assert marker.read_text() == "code ran"


def _detonate(make, payload: bytes) -> None:  # type: ignore[no-untyped-def]
    if make is _raw_pickle:
        pickle.loads(payload)
    elif make is _npz_with_object_array:
        np.load(io.BytesIO(payload), allow_pickle=True)["action_net.weight"]
    else:
        torch.load(io.BytesIO(payload), weights_only=False)


def test_torch_payload_is_a_zip_that_numpy_refuses(tmp_path: Path) -> None:
    assert zipfile.is_zipfile(io.BytesIO(_torch_save(tmp_path / MARKER)))


def test_tampered_weights_missing_files_and_newer_schema_are_refused(tmp_path: Path) -> None:
    ckpt, path = _checkpoint(tmp_path)
    state = {k: v.numpy() for k, v in ckpt.policy.state_dict().items()}
    state["action_net.weight"] = state["action_net.weight"] + 1.0
    buf = io.BytesIO()
    np.savez(buf, **state)
    _plant(path, "weights.npz", buf.getvalue(), fix_hash=False)
    with pytest.raises(DataError, match="sha256 differs"):
        load_checkpoint(path)
    _, path = _checkpoint(tmp_path / "b")
    manifest = json.loads((path / "checkpoint.json").read_text())
    manifest["schema_version"] = 99
    (path / "checkpoint.json").write_text(json.dumps(manifest))
    with pytest.raises(DataError, match="schema_version 99"):
        load_checkpoint(path)
    with pytest.raises(UserError, match="no weldcraft checkpoint"):
        load_checkpoint(tmp_path / "nowhere")


def test_normalization_that_disagrees_with_the_weights_is_refused(tmp_path: Path) -> None:
    _, path = _checkpoint(tmp_path)
    buf = io.BytesIO()
    np.savez(buf, obs_mean=np.zeros(6, np.float32), obs_std=np.ones(6, np.float32), obs_clip=np.float32(5))
    _plant(path, "normalization.npz", buf.getvalue(), fix_hash=True)
    with pytest.raises(DataError, match="differs from normalization.npz"):
        load_checkpoint(path)
