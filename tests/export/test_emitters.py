"""Emitters: golden files, number formatting, vendor conventions checked against the IR."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from weldcraft.export import WeldProgram, export_program, prepare_program
from weldcraft.export.golden import FORMATS, golden_outputs

from .conftest import GOLDEN

TEXT_SUFFIXES = {".mod", ".src", ".dat", ".script", ".ls", ".csv", ".json", ".yaml"}


@pytest.fixture(scope="module")
def outputs(golden_program: WeldProgram) -> dict[str, str]:
    return golden_outputs(golden_program)


def test_every_emitter_matches_its_golden_files(outputs: dict[str, str]) -> None:
    """Regenerate after a deliberate change with: python -m weldcraft.export.golden --update"""
    assert {k.split("/")[0] for k in outputs} == set(FORMATS)
    on_disk = {
        p.relative_to(GOLDEN).as_posix() for f in FORMATS for p in (GOLDEN / f).rglob("*") if p.is_file()
    }
    assert set(outputs) == on_disk
    for rel, text in outputs.items():
        assert (GOLDEN / rel).read_text(encoding="utf-8") == text, f"{rel} differs from its golden file"


def test_numbers_are_fixed_point_without_exponent_nan_or_negative_zero(outputs: dict[str, str]) -> None:
    # (A decimal comma would break the parse of every coordinate: the round-trip tests read them back.)
    for rel, text in outputs.items():
        body = text.replace("9E+09", "")  # RAPID's sentinel for unused external axes
        assert not re.search(r"(?<![\w.])-?\d+(?:\.\d+)?[eE][-+]?\d+(?!\w)", body), rel
        assert not re.search(r"\b(nan|NaN|inf|Infinity)\b", body), rel
        assert not re.search(r"-0\.0+\b(?!\d)", body), rel  # "-0.000" is folded to "0.000"


def test_rapid_module_passes_rapidchecker(tmp_path: Path, outputs: dict[str, str]) -> None:
    path = tmp_path / "fillet_pb.mod"
    path.write_text(outputs["rapid/fillet_pb.mod"], encoding="utf-8")
    # rapidchecker (AGPL) is only ever run as a separate process: `python -m rapidchecker FILE`.
    proc = subprocess.run(
        [sys.executable, "-m", "rapidchecker", str(path)], capture_output=True, text=True, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No RAPID format errors found" in proc.stdout


def test_rapidchecker_is_a_real_check(tmp_path: Path, outputs: dict[str, str]) -> None:
    broken = outputs["rapid/fillet_pb.mod"].replace("    ConfL \\Off;\n", "  ConfL \\Off;\n")
    path = tmp_path / "broken.mod"
    path.write_text(broken, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "rapidchecker", str(path)], capture_output=True, text=True, cwd=tmp_path
    )
    assert proc.returncode != 0 and "Bad indentation" in proc.stdout


def _rapid_decl(text: str, typ: str) -> dict[str, str]:
    return {
        m.group(1): m.group(2)
        for m in re.finditer(rf"^\s*(?:CONST|PERS)\s+{typ}\s+(\w+)\s*:=\s*(.*);$", text, re.M)
    }


def _top_level_count(value: str) -> int:
    depth, count = 0, 1
    for ch in value.strip()[1:-1]:
        depth += ch == "["
        depth -= ch == "]"
        count += ch == "," and depth == 0
    return count


def test_rapid_data_layouts_and_quaternions(outputs: dict[str, str], golden_program: WeldProgram) -> None:
    text = outputs["rapid/fillet_pb.mod"]
    assert _top_level_count(_rapid_decl(text, "seamdata")["seam1"]) == 16
    assert _top_level_count(_rapid_decl(text, "welddata")["weld1"]) == 4
    assert _top_level_count(_rapid_decl(text, "weavedata")["weave1"]) == 15
    prepared = prepare_program(golden_program, "rapid")
    targets = _rapid_decl(text, "robtarget")
    assert len(targets) == prepared.n_points
    for i, value in enumerate(targets.values()):
        groups = re.findall(r"\[([^\[\]]*)\]", value)
        xyz, q, conf, eax = ([float(x) for x in g.split(",")] for g in groups)
        assert len(conf) == 4 and len(eax) == 6 and eax == [9e9] * 6
        assert np.allclose(xyz, prepared.tcp_pos_m[i] * 1000.0, atol=5e-4)  # mm
        assert q[0] >= 0.0  # q1 = w, fixed sign
        r_file = Rotation.from_quat([q[1], q[2], q[3], q[0]]).as_matrix()
        assert np.allclose(r_file, Rotation.from_quat(prepared.tcp_quat_xyzw[i]).as_matrix(), atol=2e-6)
    # Native weave: base path + weavedata; width and cycle length from the zigzag in the samples.
    weave = [float(x) for x in _rapid_decl(text, "weavedata")["weave1"].strip("[]").split(",")]
    assert (
        weave[0] == 1
        and weave[3] == pytest.approx(3.0, abs=0.05)
        and weave[2] == pytest.approx(4.0, abs=0.05)
    )
    j0 = [float(x) for x in re.search(r"jointtarget j0 := \[\[([^\]]*)\]", text).group(1).split(",")]
    assert np.allclose(j0, np.degrees(golden_program.q_rad[0]), atol=1e-4)


def test_kuka_abc_and_fanuc_wpr_are_the_ir_rotations(
    outputs: dict[str, str], golden_program: WeldProgram
) -> None:
    krl = prepare_program(golden_program, "krl")
    decls = re.findall(
        r"DECL E6POS XP(\d+)=\{X (\S+),Y (\S+),Z (\S+),A (\S+),B (\S+),C (\S+)\}",
        outputs["krl/fillet_pb.dat"],
    )
    assert len(decls) == krl.n_points
    for d in decls:
        i, (x, y, z, a, b, c) = int(d[0]), (float(v) for v in d[1:])
        assert np.allclose([x, y, z], krl.tcp_pos_m[i] * 1000.0, atol=5e-4)
        r_kuka = Rotation.from_euler("ZYX", [a, b, c], degrees=True).as_matrix()
        assert np.allclose(r_kuka, Rotation.from_quat(krl.tcp_quat_xyzw[i]).as_matrix(), atol=2e-6)
    fanuc = prepare_program(golden_program, "fanuc")
    pos = re.findall(
        r"X =\s*(\S+)\s+mm,\s*Y =\s*(\S+)\s+mm,\s*Z =\s*(\S+)\s+mm,"
        r"\s*W =\s*(\S+) deg,\s*P =\s*(\S+) deg,\s*R =\s*(\S+) deg",
        outputs["fanuc/FILLET_PB.ls"],
    )
    assert len(pos) == fanuc.n_points
    for i, p in enumerate(pos):
        x, y, z, w, pp, r = (float(v) for v in p)
        assert np.allclose([x, y, z], fanuc.tcp_pos_m[i] * 1000.0, atol=5e-4)
        r_fanuc = Rotation.from_euler("xyz", [w, pp, r], degrees=True).as_matrix()
        assert np.allclose(r_fanuc, Rotation.from_quat(fanuc.tcp_quat_xyzw[i]).as_matrix(), atol=2e-5)
    ls = outputs["fanuc/FILLET_PB.ls"]
    assert "/APPL\n  ARC : TRUE ;" in ls and ":  Arc Start[1] ;" in ls and ":  Arc End[1] ;" in ls
    assert re.search(r"Weave Sine\[1\.\d+Hz,1\.\d+mm,0\.\d+s,0\.\d+s\] ;", ls)
    assert ls.rstrip().endswith("/END")


def test_urscript_is_in_metres_and_radians(outputs: dict[str, str], golden_program: WeldProgram) -> None:
    text = outputs["urscript/fillet_pb.script"]
    prepared = prepare_program(golden_program, "urscript")
    poses = [
        [float(v) for v in m.split(",")]
        for m in re.findall(r"#\s*p\[([^\]]*)\]|movel\(p\[([^\]]*)\]", text)
        for m in m
        if m
    ]
    assert len(poses) == prepared.n_points
    arr = np.array(poses)
    # Metres: the TCP of this cell is 0.3-0.9 m from the base; in millimetres it would be hundreds.
    assert np.all(np.abs(arr[:, :3]) < 2.0)
    assert np.allclose(arr[:, :3], prepared.tcp_pos_m, atol=5e-7)
    assert np.all(np.linalg.norm(arr[:, 3:], axis=1) <= np.pi + 1e-6)
    r = Rotation.from_rotvec(arr[:, 3:]).as_matrix()
    assert np.allclose(r, Rotation.from_quat(prepared.tcp_quat_xyzw).as_matrix(), atol=5e-6)
    joints = [[float(v) for v in m.split(",")] for m in re.findall(r"(?:servoj|movej)\(\[([^\]]*)\]", text)]
    q = np.array(joints)
    assert np.all(np.abs(q) < 2 * np.pi)  # radians, not degrees
    weld_q = prepared.q_rad[prepared.arc_on]
    assert np.allclose(q[1:], weld_q[1:], atol=5e-7)  # servoj per weld sample after the arc-start point
    assert (
        text.count("set_standard_digital_out(0, True)") == 1
        and text.count("set_standard_digital_out(0, False)") == 1
    )


def test_a_millimetre_urscript_would_fail_the_unit_check(golden_program: WeldProgram, tmp_path: Path) -> None:
    """The unit check above is not vacuous: the same poses written in mm break it."""
    from dataclasses import replace

    in_mm = replace(golden_program, tcp_pos_m=golden_program.tcp_pos_m * 1000.0)
    result = export_program(in_mm, "urscript", tmp_path, force=True)
    text = result.paths[0].read_text()
    xyz = np.array([[float(v) for v in m.split(",")[:3]] for m in re.findall(r"movel\(p\[([^\]]*)\]", text)])
    assert np.any(np.abs(xyz) >= 2.0)
    assert result.report.checks_failed() == {"reach"}  # and validation had flagged it


def test_fixed_point_formatting_helpers() -> None:
    from weldcraft.errors import DataError
    from weldcraft.export.numfmt import fixed, fixed_rows

    assert fixed(1e-7) == "0.000" and fixed(-1e-7) == "0.000" and fixed(1234567.8916) == "1234567.892"
    assert fixed_rows(np.array([[1e-12, -2.5e-4, 1e9]]), 3) == [["0.000", "0.000", "1000000000.000"]]
    with pytest.raises(DataError, match="non-finite"):
        fixed(float("nan"))
    with pytest.raises(DataError, match="row 1, column 0"):
        fixed_rows(np.array([[1.0], [np.inf]]))
