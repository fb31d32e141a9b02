"""The `weldcraft` command: help, exit codes, config composition of every command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from weldcraft.cli import app
from weldcraft.cli.main import _load_commands, main

_load_commands()


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in app.COMMANDS.names():
        assert name in out


def test_unknown_command_is_a_user_error_naming_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("weldcraft: error: unknown command 'frobnicate'; choose one of: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize("name", app.COMMANDS.names())
def test_every_command_config_composes_and_shows_in_help(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cmd = app.COMMANDS.get(name)
    cfg = app.compose_config(cmd, [])
    assert len(cfg) > 0
    assert main([*name.split(), "--help"]) == 0
    assert f"weldcraft {name}:" in capsys.readouterr().out


@pytest.mark.parametrize("name", app.COMMANDS.names())
def test_a_typo_in_an_override_is_exit_2_with_one_line(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*name.split(), "no_such_key_xyz=1"]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'no_such_key_xyz'" in err
    assert err.count("\n") == 1


def test_console_script_runs_as_a_module_from_any_directory(tmp_path: pytest.TempPathFactory) -> None:
    import weldcraft

    env = {**os.environ, "PYTHONPATH": str(Path(weldcraft.__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-m", "weldcraft.cli", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("weldcraft ")


def test_config_hash_is_stable_and_order_independent() -> None:
    assert app.config_hash({"a": 1, "b": [1, 2]}) == app.config_hash({"b": [1, 2], "a": 1})
    assert app.config_hash({"a": 1}) != app.config_hash({"a": 2})
