"""Suite files: the schema, defaults, paths, and errors that point at file:line and the key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from weldcraft.errors import ConfigError
from weldcraft.regress.suite import load_suite

GOOD = """\
schema_version: 1
name: demo
defaults:
  control_hz: 10
  expect:
    level: C
    forbid: ["4011"]
cases:
  - name: a
    job: tiny_fillet
    program: programs/a.mod
    expect:
      level: B
      heat_input_kj_mm: [0.5, 1.5]
  - name: b.v2
    job: parts/my_part.yaml
    seed: 3
    placement: {translation_std_mm: 0.5, gap_offset_range_mm: [0.0, 0.5]}
    checkpoint: /abs/ckpt
    golden: g/b.json
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.weld.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_valid_suite_with_defaults_and_paths(tmp_path: Path) -> None:
    suite = load_suite(_write(tmp_path, GOOD))
    a, b = suite.cases
    assert suite.name == "demo" and [c.name for c in suite.cases] == ["a", "b.v2"]
    assert a.program == tmp_path / "programs/a.mod" and a.checkpoint is None
    assert a.golden == tmp_path / "golden" / "a.golden.json"
    assert a.expect.level == "B"  # the case's key wins over the default
    assert a.expect.forbid == ("4011",)  # merged from the defaults
    assert a.expect.heat_input_kj_mm == (0.5, 1.5)
    assert a.control_hz == 10.0 and a.seed is None and a.expect.completed is True
    assert a.where == f"{tmp_path / 's.weld.yaml'}:9"
    assert b.job == str(tmp_path / "parts/my_part.yaml")
    assert b.checkpoint == Path("/abs/ckpt") and b.golden == tmp_path / "g/b.json"
    assert b.seed == 3 and b.placement == {"translation_std_mm": 0.5, "gap_offset_range_mm": [0.0, 0.5]}
    assert b.expect.level == "C" and not b.expect.needs_golden


LEVL = "key 'cases[0].expect.levl': unknown key (did you mean 'level'?)"
LEVEL_A = "key 'cases[0].expect.level': expected one of B, C, D, got str 'A'"
FORBID = "key 'defaults.expect.forbid[0]': expected an ISO 6520 code"


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ("      level: B\n", "      levl: B\n", 13, LEVL),
        ("      level: B\n", "      level: A\n", 13, LEVEL_A),
        ("    seed: 3\n", "    seed: -1\n", 17, "key 'cases[1].seed': expected null or a non-negative int"),
        ("[0.5, 1.5]", "[1.5, 0.5]", 14, "expected lo <= hi, got [1.5, 0.5]"),
        ('forbid: ["4011"]', 'forbid: ["undercut"]', 7, FORBID),
        ("    golden: g/b.json\n", "    golden: g/b.json\n    program: x\n", 15, "exactly one of 'program'"),
        ("  - name: b.v2\n", "  - name: a\n", 15, "duplicate case name 'a'"),
        ("schema_version: 1", "schema_version: 2", 1, "unsupported version 2; expected 1"),
        ("{translation_std_mm: 0.5,", "{translation_sd_mm: 0.5,", 18, "did you mean 'translation_std_mm'?"),
        (
            "  control_hz: 10\n",
            "  control_hz: 10\n  control_hz: 2\n",
            5,
            "duplicate key 'defaults.control_hz'",
        ),
    ],
)
def test_errors_name_file_line_and_key(tmp_path: Path, old: str, new: str, where: int, message: str) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    assert info.value.where == f"{path}:{where}"
    assert message in info.value.message


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "schema_version: 1\ncases:\n  - name: [unclosed\n")
    with pytest.raises(ConfigError, match="invalid YAML") as info:
        load_suite(path)
    assert info.value.where is not None and info.value.where.startswith(f"{path}:")


def test_missing_file_and_empty_cases(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the suite"):
        load_suite(tmp_path / "nope.weld.yaml")
    with pytest.raises(ConfigError, match="expected a non-empty list of cases"):
        load_suite(_write(tmp_path, "schema_version: 1\ncases: []\n"))


def test_select_unknown_case_lists_names(tmp_path: Path) -> None:
    suite = load_suite(_write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match="no case 'c' in suite demo; cases: a, b.v2"):
        suite.case("c")
