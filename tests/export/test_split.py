"""Programs over a controller's length limit are split outside arc-on sections."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from weldcraft.export import (
    ExportRefused,
    WeldProgram,
    export_program,
    get_exporter,
    read_program,
    split_parts,
)
from weldcraft.export.templates import load_template


def _template(fmt: str, max_points: int) -> object:
    exporter = get_exporter(fmt)
    return replace(load_template(exporter.template_cls, fmt), max_points_per_program=max_points)


def test_split_points_never_fall_inside_an_arc_on_section(circle_program: WeldProgram) -> None:
    from weldcraft.export import prepare_program

    prog = prepare_program(circle_program, "rapid")  # dense circle weave: 116 arc-on points in a row
    parts, issues = split_parts(prog, 118)
    assert not issues
    assert parts[0][0] == 0 and parts[-1][1] == prog.n_points
    assert all(a[1] == b[0] for a, b in zip(parts[:-1], parts[1:], strict=True))
    assert len(parts) == 3 and all(b - a <= 118 for a, b in parts)
    for _, cut in parts[:-1]:
        assert not (prog.arc_on[cut - 1] and prog.arc_on[cut]), f"cut at {cut} splits a weld"
    weld = prog.segments[1]
    assert any(a <= weld.start and weld.stop <= b for a, b in parts)


@pytest.mark.parametrize("fmt", ["rapid", "krl", "fanuc"])
def test_a_split_program_reads_back_as_the_unsplit_one(
    circle_program: WeldProgram, fmt: str, tmp_path: Path
) -> None:
    whole = export_program(circle_program, fmt, tmp_path / "whole", name="weld")
    split = export_program(circle_program, fmt, tmp_path / "split", name="weld", template=_template(fmt, 118))
    assert len(whole.parts) == 1 and len(split.parts) == 3
    names = sorted(p.name for p in split.paths)
    expected = {
        "rapid": ["weld.mod", "weld_m1.mod", "weld_m2.mod", "weld_m3.mod"],
        "krl": ["weld.dat", "weld.src", *(f"weld_p{k}.{e}" for k in (1, 2, 3) for e in ("dat", "src"))],
        "fanuc": ["WELD.ls", "WELD_P1.ls", "WELD_P2.ls", "WELD_P3.ls"],
    }[fmt]
    assert names == sorted(expected)
    main = {"rapid": "weld.mod", "krl": "weld.src", "fanuc": "WELD.ls"}[fmt]
    a = read_program(tmp_path / "whole" / main)
    b = read_program(tmp_path / "split" / main)
    assert a.n_points == b.n_points == whole.program.n_points
    assert np.allclose(a.tcp_pos_m, b.tcp_pos_m) and np.allclose(a.t_s, b.t_s)
    assert a.arc_events() == b.arc_events()


def test_split_rapid_modules_pass_rapidchecker(circle_program: WeldProgram, tmp_path: Path) -> None:
    result = export_program(circle_program, "rapid", tmp_path, name="weld", template=_template("rapid", 118))
    main = (tmp_path / "weld.mod").read_text()
    assert "    weld_p1;\n    weld_p2;\n    weld_p3;\n" in main
    small = [
        p for p in result.paths if p.name in ("weld.mod", "weld_m3.mod")
    ]  # rapidchecker: ~50 ms per line
    proc = subprocess.run(
        [sys.executable, "-m", "rapidchecker", *map(str, small)], capture_output=True, text=True, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stdout


def test_an_arc_on_section_longer_than_the_limit_is_refused(
    circle_program: WeldProgram, tmp_path: Path
) -> None:
    with pytest.raises(
        ExportRefused, match=r"program_length .*needs 116 points in one program but the controller takes 100"
    ):
        export_program(
            circle_program, "krl", tmp_path, name="weld", template=_template("krl", 100), force=True
        )
    assert list(tmp_path.iterdir()) == []


def test_split_part_names_must_fit_the_controller(circle_program: WeldProgram, tmp_path: Path) -> None:
    # FANUC names take 10 characters: "WELDSEAM1" fits, its parts "WELDSEAM1_P1" do not.
    with pytest.raises(ExportRefused, match="sub-program name 'WELDSEAM1_P1' has 12 characters"):
        export_program(circle_program, "fanuc", tmp_path, name="WELDSEAM1", template=_template("fanuc", 118))
