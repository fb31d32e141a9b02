"""Runner outcomes: exit codes, case errors, stale goldens, selection, updates."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from weldcraft.errors import ConfigError
from weldcraft.regress import run_suite, update_goldens

ROOT = Path(__file__).resolve().parents[2]
SUITE = """\
schema_version: 1
cases:
  - name: ok
    job: tiny_fillet
    program: programs/nominal.json
    expect: {level: B, quality_tolerance: 0.001}
  - name: missing_program
    job: tiny_fillet
    program: programs/nope.mod
  - name: missing_checkpoint
    job: tiny_fillet
    checkpoint: ckpt/
  - name: bad_preset
    job: no_such_preset
    program: programs/nominal.json
"""


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    (tmp_path / "programs").mkdir()
    shutil.copyfile(ROOT / "regress/programs/tiny_fillet_nominal.json", tmp_path / "programs/nominal.json")
    path = tmp_path / "t.weld.yaml"
    path.write_text(SUITE)
    return path


def test_case_errors_are_reported_not_raised(suite: Path) -> None:
    result = run_suite(suite, select=["missing_program", "missing_checkpoint", "bad_preset"])
    assert result.exit_code == 2 and not result.passed
    msgs = [c.message for c in result.cases]
    assert msgs[0] == f"case missing_program: {suite.parent / 'programs/nope.mod'}: no such program file"
    assert msgs[1] == f"case missing_checkpoint: {suite.parent / 'ckpt'}: no such checkpoint directory"
    assert msgs[2].startswith("case bad_preset: ") and "no_such_preset" in msgs[2]
    assert result.summary().splitlines()[-1] == "t: 0 passed, 3 failed"


def test_update_then_check_then_stale_golden(suite: Path) -> None:
    missing = run_suite(suite, select=["ok"])
    assert missing.exit_code == 1 and "no golden file" in missing.cases[0].message
    updated = update_goldens(suite, select=["ok"])
    golden = suite.parent / "golden" / "ok.golden.json"
    assert updated.cases[0].golden_written == golden and updated.passed
    checked = run_suite(suite, select=["ok"])
    assert checked.exit_code == 0
    assert checked.cases[0].message == "case ok: passed (level B, quality 0.813)"
    assert checked.to_dict()["cases"][0]["quality_score"] == pytest.approx(0.813, abs=1e-3)
    # the golden says it was made for another part: the case refuses to compare
    data = json.loads(golden.read_text())
    data["seed"] = 5
    golden.write_text(json.dumps(data))
    stale = run_suite(suite, select=["ok"])
    assert stale.exit_code == 2
    assert (
        "the golden was made for another part" in stale.cases[0].message
        and "seed 5" in stale.cases[0].message
    )


def test_unknown_selection_is_a_config_error(suite: Path) -> None:
    with pytest.raises(ConfigError, match="no case 'zzz'"):
        run_suite(suite, select=["zzz"])
