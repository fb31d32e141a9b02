"""`weldcraft sweep` / interim `weldcraft run`, and one-line errors for a bad WeldJob YAML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from weldcraft.cli.main import main
from weldcraft.seams.config import load_job


def _write_part(tmp_path: Path, edit: tuple[str, str]) -> Path:
    text = load_job("tiny_fillet").to_yaml()
    old, new = edit
    assert old in text, f"{old!r} not in the preset's YAML"
    path = tmp_path / "part.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("thickness_mm: 8.0", "thicknes_mm: 8.0"), "key 'joint.thicknes_mm': unknown key"),
        (("thickness_mm: 8.0", "thickness_mm: -3"), "key 'joint.thickness_mm': expected a positive number"),
        (("thickness_mm: 8.0", "thickness_mm: thick"), "key 'joint.thickness_mm'"),
    ],
    ids=["unknown-key", "negative-thickness", "wrong-type"],
)
def test_bad_weld_job_yaml_is_exit_2_with_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: tuple[str, str], expected: str
) -> None:
    part = _write_part(tmp_path, edit)
    line_no = next(i for i, ln in enumerate(part.read_text().splitlines(), 1) if edit[1] in ln)
    code = main(["sweep", f"seam={part}", f"out_dir={tmp_path / 'out'}", "debug=fast"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert f"{part}:{line_no}: " in err
    assert expected in err
    assert not (tmp_path / "out" / "iso_level_map.png").exists()


def test_sweep_of_a_users_own_part_file_writes_plot_and_summary(tmp_path: Path) -> None:
    part = tmp_path / "my_part.yaml"
    part.write_text(load_job("fillet_pb").to_yaml(), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["sweep", f"seam={part}", f"out_dir={out}", "debug=fast"]) == 0
    summary = json.loads((out / "sweep.json").read_text())
    assert (out / "iso_level_map.png").stat().st_size > 10_000
    assert summary["cells"] == 15 * 15
    # The nominal WPS of the PB fillet preset (6.5 mm/s) lies inside the level-B window.
    low, high = summary["level_b_travel_speed_mm_s"]
    assert low < 6.5 < high
    assert summary["cells_per_level"]["B"] > 0 and summary["cells_per_level"]["none"] > 0
    assert len(summary["config_hash"]) == 16


def test_process_override_out_of_range_names_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sweep", "process.voltage_v=99", f"out_dir={tmp_path}", "debug=fast"]) == 2
    err = capsys.readouterr().err
    assert "voltage_v must be in [10.0, 45.0], got 99.0" in err
