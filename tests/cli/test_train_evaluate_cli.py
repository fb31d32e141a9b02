"""`weldcraft train` → `weldcraft evaluate` end to end on a toy env with a tiny net (fast)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from weldcraft.cli.main import main


@pytest.fixture()
def toy_dataset(tmp_path: Path) -> Iterator[str]:
    from weldcraft.policies.toy_data import record_oracle_dataset
    from weldcraft.policies.toy_envs import WEAVE_ENV_ID

    old = os.environ.get("MINARI_DATASETS_PATH")
    os.environ["MINARI_DATASETS_PATH"] = str(tmp_path / "minari")
    dataset_id = "weldcraft-toy/weave/cli-v0"
    record_oracle_dataset(dataset_id, WEAVE_ENV_ID, "toy_weave", range(4))
    yield dataset_id
    if old is None:
        del os.environ["MINARI_DATASETS_PATH"]
    else:
        os.environ["MINARI_DATASETS_PATH"] = old


def test_train_then_evaluate_from_the_command_line(
    toy_dataset: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "train"
    args = ["train", "policy=bc", f"dataset={toy_dataset}", f"out={out}", "video=false"]
    assert main([*args, "policy.epochs=3", "policy.net.pi=[16]", "policy.net.vf=[16]"]) == 0
    manifest = json.loads((out / "checkpoint" / "checkpoint.json").read_text())
    assert manifest["env"]["id"] == "weldcraft-toy/Weave-v0"
    assert manifest["dataset"]
    assert (out / "config.yaml").read_text().count("dataset: " + toy_dataset) == 1
    assert list((out / "logs").glob("events.out.tfevents*")), "TensorBoard logs are written"

    ev = tmp_path / "eval"
    code = main(
        [
            "evaluate",
            f"checkpoint={out / 'checkpoint'}",
            "episodes=3",
            "n_envs=1",
            "demonstrator.skill=none",
            f"out={ev}",
        ]
    )
    assert code == 0, capsys.readouterr().err
    report = json.loads((ev / "eval.json").read_text())
    assert "| " in (ev / "eval.md").read_text()
    assert len(json.dumps(report)) > 100


def test_train_without_a_dataset_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", f"out={tmp_path}"]) == 2
    assert "key 'dataset': missing" in capsys.readouterr().err


def test_train_on_a_dataset_that_does_not_exist_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "empty"))
    assert main(["train", "dataset=weldcraft/nope-v0", f"out={tmp_path / 'o'}", "video=false"]) == 2
    err = capsys.readouterr().err
    assert "weldcraft/nope-v0" in err and err.count("\n") == 1


def test_evaluate_a_missing_checkpoint_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", f"checkpoint={tmp_path / 'none'}", f"out={tmp_path / 'o'}"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
