"""`weldcraft export` / `replay` / `regress` from the command line: real welds, bad inputs, exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from weldcraft.cli.main import main
from weldcraft.export import ALL_FORMATS, load_program_json

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def craftsman_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "export"
    code = main(["export", "seam=tiny_fillet", "skill=master", "style=stringer", f"out={out}"])
    assert code == 0
    return out


def _main_file(out: Path, fmt: str) -> Path:
    manifest = json.loads((out / "export.json").read_text())
    entry = manifest["formats"][fmt]
    if fmt == "ros2":
        return out / fmt / entry["name"]
    return next(out / f for f in entry["files"] if Path(f).stem == entry["name"] and not f.endswith(".dat"))


def test_export_writes_every_format_with_provenance(craftsman_export: Path) -> None:
    manifest = json.loads((craftsman_export / "export.json").read_text())
    assert sorted(manifest["formats"]) == sorted(ALL_FORMATS)
    config_hash = manifest["meta"]["config_hash"]
    assert manifest["provenance"]["config_hash"] == config_hash
    assert (craftsman_export / "config.yaml").read_text().endswith(f"# config_hash: {config_hash}\n")
    rapid = (craftsman_export / "rapid" / "tiny_fillet.mod").read_text()
    assert f"! config hash: {config_hash}" in rapid and "ArcLStart" in rapid and "ArcLEnd" in rapid


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_replay_of_each_format_grades_the_weld(
    fmt: str, craftsman_export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    program = _main_file(craftsman_export, fmt)
    code = main(["replay", f"program={program}", "seam=tiny_fillet", f"out={tmp_path}"])
    out = capsys.readouterr().out
    assert code == 0, out
    summary = json.loads((tmp_path / "replay.json").read_text())
    assert summary["iso5817_level"] == "B" and summary["completed"] is True
    assert summary["tcp_path_rms_mm"] < 0.1  # the cell follows the program it was given
    assert "ISO 5817 level B" in out and "mm RMS" in out
    assert summary["format"] == fmt


def _bad_export(args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    out = tmp_path / "never"
    assert main(["export", *args, f"out={out}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("weldcraft: error: "), err
    assert "Traceback" not in err
    assert not out.exists(), "no file written"
    return err


def test_a_joint_beyond_its_limit_is_refused(
    craftsman_export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = craftsman_export / "json" / "tiny_fillet.json"
    doc = json.loads(src.read_text())
    q = np.array(doc["points"]["q_rad"])
    q[50, 0] = doc["robot"]["joint_upper_rad"][0] + 0.2
    doc["points"]["q_rad"] = q.tolist()
    path = tmp_path / "beyond.json"
    path.write_text(json.dumps(doc))
    err = _bad_export([f"program={path}", "formats=[rapid,json]"], tmp_path, capsys)
    assert "joint_limit at point 50" in err


def test_a_nan_pose_is_refused(
    craftsman_export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = craftsman_export / "json" / "tiny_fillet.json"
    text = src.read_text()
    doc = json.loads(text)
    doc["points"]["tcp_pos_m"][10][0] = "NaN"
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(doc).replace('"NaN"', "NaN"))
    err = _bad_export([f"program={path}"], tmp_path, capsys)
    assert "nan" in err.lower() or "finite" in err.lower()


@pytest.mark.parametrize("name", ["has space", "a" * 40])
def test_a_bad_program_name_is_refused(
    name: str, craftsman_export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = craftsman_export / "json" / "tiny_fillet.json"
    err = _bad_export([f"program={src}", f"name='{name}'", "cell_checks=false"], tmp_path, capsys)
    assert "name" in err and "refused" in err


def test_an_empty_program_is_refused(
    craftsman_export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = craftsman_export / "json" / "tiny_fillet.json"
    doc = json.loads(src.read_text())
    empty = doc | {"segments": [], "points": {k: [] for k in doc["points"]}}
    path = tmp_path / "empty.json"
    path.write_text(json.dumps(empty))
    assert "the program is empty" in _bad_export([f"program={path}"], tmp_path, capsys)


def test_a_missing_checkpoint_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _bad_export([f"checkpoint={tmp_path / 'nope'}", "seam=tiny_fillet"], tmp_path, capsys)
    assert "no such checkpoint directory" in err


def test_bad_keys_and_types_are_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _bad_export(["seam=tiny_fillet", "formats=[rapdi]"], tmp_path, capsys)
    _bad_export(["seam=tiny_fillet", "force=maybe"], tmp_path, capsys)
    _bad_export(["source=craftsman"], tmp_path, capsys)  # no seam
    assert main(["replay", f"program={tmp_path / 'none.mod'}", "seam=tiny_fillet"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """Two Craftsman demos on tiny_fillet, and a BC policy with a [16] net trained on them for 2 epochs."""
    root = tmp_path_factory.mktemp("ckpt")
    mp = pytest.MonkeyPatch()
    mp.setenv("MINARI_DATASETS_PATH", str(root / "minari"))
    dataset = "weldcraft/tiny_fillet/cli-v0"
    rec = [
        "demos",
        "record",
        "seam=tiny_fillet",
        "episodes=2",
        f"dataset={dataset}",
        f"out_dir={root / 'rec'}",
    ]
    assert main([*rec, "style=stringer"]) == 0
    train = ["train", "policy=bc", f"dataset={dataset}", f"out={root / 'train'}", "video=false"]
    assert main([*train, "policy.epochs=2", "policy.net.pi=[16]", "policy.net.vf=[16]"]) == 0
    yield root / "train" / "checkpoint", dataset
    mp.undo()


def test_export_from_a_checkpoint_and_from_a_dataset_episode(
    tiny_checkpoint: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from weldcraft.regress.golden import file_sha256

    ckpt, dataset = tiny_checkpoint
    out = tmp_path / "ckpt"
    code = main(["export", f"checkpoint={ckpt}", "formats=[urscript,json]", f"out={out}"])
    assert code == 0, capsys.readouterr().err
    prog = load_program_json(out / "json" / "tiny_fillet.json")
    assert prog.provenance.source_hash == file_sha256(ckpt)
    assert dict(prog.provenance.extra)["job"] == "tiny_fillet"  # the checkpoint's own seam
    assert (out / "urscript" / "tiny_fillet.script").is_file()

    out = tmp_path / "ds"
    assert main(["export", f"dataset={dataset}", "episode=1", "formats=[json]", f"out={out}"]) == 0
    prog = load_program_json(out / "json" / "tiny_fillet.json")
    assert prog.provenance.source_hash.startswith(f"{dataset}#1:")
    assert main(["export", f"dataset={dataset}", "episode=5", f"out={tmp_path / 'x'}"]) == 2
    assert "out of range" in capsys.readouterr().err


def test_regress_command_runs_the_shipped_suite_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = REPO / "regress" / "fillet_pb.weld.yaml"
    before = (REPO / "regress" / "golden" / "tiny_fillet_nominal_json.golden.json").stat().st_mtime_ns
    code = main(["regress", f"suite={suite}", "cases=[tiny_fillet_nominal_json]", f"out={tmp_path}"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS case tiny_fillet_nominal_json: passed (level B" in out
    assert json.loads((tmp_path / "regress.json").read_text())["exit_code"] == 0
    after = (REPO / "regress" / "golden" / "tiny_fillet_nominal_json.golden.json").stat().st_mtime_ns
    assert before == after, "update=false never rewrites a golden"
    assert main(["regress", f"suite={suite}", "cases=[nope]"]) == 2
    assert main(["regress"]) == 2


@pytest.mark.slow
def test_rapid_from_a_craftsman_weld_passes_rapidchecker(craftsman_export: Path) -> None:
    import subprocess
    import sys

    path = craftsman_export / "rapid" / "tiny_fillet.mod"
    # rapidchecker (AGPL) is only ever run as a separate process (DESIGN §7); about 50 ms per line.
    proc = subprocess.run(
        [sys.executable, "-m", "rapidchecker", str(path)], capture_output=True, text=True, cwd=path.parent
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No RAPID format errors found" in proc.stdout
