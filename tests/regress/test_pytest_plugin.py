"""`pytest suite.weld.yaml`: one test item per case, readable failures, goldens updated on request."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from weldcraft.export import export_program, read_program

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "regress" / "programs" / "tiny_fillet_nominal.json"
SUITE = """\
schema_version: 1
cases:
  - name: nominal
    job: tiny_fillet
    program: programs/nominal.json
    expect: {level: B, path_rms_max_mm: 0.05}
"""
SHIFTED_CASE = """\
  - name: shifted
    job: tiny_fillet
    program: programs/shifted.json
    golden: golden/nominal.golden.json
    expect: {level: B, path_rms_max_mm: 0.05}
"""


def _pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    plugin = []
    if not any(
        ep.value == "weldcraft.regress.pytest_plugin"
        for ep in importlib.metadata.entry_points(group="pytest11")
    ):
        plugin = ["-p", "weldcraft.regress.pytest_plugin"]  # not installed: load it by module name
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", *plugin, "-p", "no:cacheprovider", "-q", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cases_are_items_with_readable_failures(tmp_path: Path) -> None:
    (tmp_path / "programs").mkdir()
    shutil.copyfile(PROGRAM, tmp_path / "programs" / "nominal.json")
    program = read_program(PROGRAM)
    b = np.array([np.sqrt(0.5), 0.0, np.sqrt(0.5)])  # tiny_fillet's lateral axis b in the base frame
    shifted = dataclasses.replace(program, tcp_pos_m=program.tcp_pos_m + 0.002 * b)
    written = export_program(shifted, "json", tmp_path / "out")
    shutil.copyfile(written.paths[0], tmp_path / "programs" / "shifted.json")
    suite = tmp_path / "tiny.weld.yaml"

    # 1. --weld-update-goldens makes the golden (the runner tests cover the "no golden" message)
    suite.write_text(SUITE)
    update = _pytest(str(suite), "--weld-update-goldens", cwd=tmp_path)
    assert update.returncode == 0, update.stdout
    assert (tmp_path / "golden" / "nominal.golden.json").is_file()

    # 2. two cases: the nominal passes, the shifted one fails with the imperfection named, no traceback
    suite.write_text(SUITE + SHIFTED_CASE)
    run = _pytest(str(suite), "-rf", cwd=tmp_path)
    assert run.returncode == 1
    assert "1 failed, 1 passed" in run.stdout
    assert "tiny.weld.yaml::shifted" in run.stdout
    assert (
        "case shifted: expected level >= B, got none (fails D): 4011 lack of side-wall fusion (side A)"
        in run.stdout
    )
    assert "TCP path RMS 2.00" in run.stdout
    assert "Traceback" not in run.stdout and "def runtest" not in run.stdout


def test_invalid_suite_is_a_collection_error_with_file_line(tmp_path: Path) -> None:
    suite = tmp_path / "bad.weld.yaml"
    suite.write_text(SUITE.replace("level: B", "level: Z"))
    run = _pytest(str(suite), cwd=tmp_path)
    assert run.returncode == 2  # collection error
    assert f"{suite}:6: key 'cases[0].expect.level': expected one of B, C, D, got str 'Z'" in run.stdout
