"""`weldcraft demos ...` commands on datasets: output, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import gymnasium as gym
import pytest

import weldcraft.demos.cli_commands  # noqa: F401  (registers the commands)
from tests.demos.fake_env import FAKE_ID
from tests.demos.test_demos_dataset import rollout
from weldcraft.cli import app
from weldcraft.cli.main import main
from weldcraft.demos import dataset as ds

DEMOS_COMMANDS = [n for n in app.COMMANDS.names() if n.startswith("demos ")]


@pytest.fixture
def two(minari_root: Path) -> None:
    env = gym.make(FAKE_ID, horizon=4)
    ds.write_dataset(
        "wc/a-v0", [rollout(env, s, k) for s in range(4) for k in ("master", "novice")], env, description="a"
    )
    ds.write_dataset("wc/b-v0", [rollout(env, 9)], env, description="b")


@pytest.mark.parametrize("name", DEMOS_COMMANDS)
def test_every_demos_config_composes_and_rejects_typos(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert len(app.compose_config(app.COMMANDS.get(name), [])) > 0
    assert main([*name.split(), "no_such_key=1"]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'no_such_key'" in err and err.count("\n") == 1


def test_info_validate_filter_split_merge(two: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demos", "info", "dataset=wc/a-v0"]) == 0
    assert json.loads(capsys.readouterr().out)["skills"] == {"master": 4, "novice": 4}
    assert main(["demos", "validate", "dataset=wc/a-v0"]) == 0
    assert "valid (8 episodes)" in capsys.readouterr().out
    assert (
        main(["demos", "filter", "source=wc/a-v0", "dataset=wc/f-v0", "skills=[master]", "min_iso_level=B"])
        == 0
    )
    assert "wc/f-v0: 4 episodes" in capsys.readouterr().out
    assert (
        main(["demos", "split", "dataset=wc/a-v0", "train=wc/tr-v0", "test=wc/te-v0", "test_fraction=0.5"])
        == 0
    )
    assert "wc/tr-v0: 4 episodes; wc/te-v0: 4 episodes" in capsys.readouterr().out
    assert main(["demos", "merge", "datasets=[wc/a-v0,wc/b-v0]", "dataset=wc/m-v0"]) == 0
    assert "wc/m-v0: 9 episodes" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demos", "info", "dataset=nope"], "malformed dataset id 'nope'"),
        (["demos", "info", "dataset=wc/missing-v0"], "no dataset 'wc/missing-v0'"),
        (
            ["demos", "filter", "source=wc/a-v0", "dataset=wc/x-v0", "min_quality=1.5"],
            "min_quality must be in [0, 1]",
        ),
        (["demos", "merge", "datasets=[wc/a-v0]", "dataset=wc/x-v0"], "merge needs at least two datasets"),
        (["demos", "filter", "source=wc/a-v0", "dataset=wc/b-v0"], "dataset already exists"),
    ],
)
def test_bad_input_is_exit_2_with_one_line(
    two: None, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_record_import_end_to_end_on_the_tiny_seam(
    minari_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import minari

    args = ["demos", "record", "seam=tiny_fillet", "skill=master", "style=zigzag", "episodes=2"]
    assert main([*args, "dataset=wc/tiny/master-v0", f"out_dir={tmp_path / 'rec'}"]) == 0
    out = capsys.readouterr().out
    assert "wrote wc/tiny/master-v0: 2 episodes" in out
    data = minari.load_dataset("wc/tiny/master-v0")
    assert data.total_episodes == 2 and data.env_spec.id == "weldcraft/TinyFillet-v0"
    metas = ds.episode_metadata(data)
    assert [m.seed for m in metas] == [0, 1] and {m.skill for m in metas} == {"master"}
    assert ds.weldcraft_metadata(data)["provenance"]["config"]["skill"] == "master"
    assert main(["demos", "validate", "dataset=wc/tiny/master-v0"]) == 0  # the real env is recovered
    assert "valid (2 episodes)" in capsys.readouterr().out
    env = data.recover_environment()
    assert env.unwrapped.job.name == "tiny_fillet"
    env.close()
    # a malformed recording: exit 2, one line with file, line and field, and no dataset written
    bad = tmp_path / "bad.csv"
    header = "# weldcraft_recording: 1\n# frame: seam\n# length_unit: m\nt_s,x,y,z,qx,qy,qz,qw,arc_on\n"
    bad.write_text(header + "0,0,0.015,0,0,0,0,1,1\n0,0,0.015,0,0,0,0,1,1\n")
    assert (
        main(
            [
                "demos",
                "import",
                f"recording={bad}",
                "seam=tiny_fillet",
                "dataset=wc/tiny/imp-v0",
                f"out_dir={tmp_path / 'imp'}",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert f"{bad}:6 field 't_s': time 0.0 s does not increase" in err and err.count("\n") == 1
    assert not (minari_root / "wc/tiny/imp-v0").exists()
