"""Recording files: round trip through CSV and Parquet, and one-line errors for malformed files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from weldcraft.demos.recording import PoseFrame, Recording
from weldcraft.demos.recording_io import read_recording, write_recording
from weldcraft.demos.resample import control_times, resample
from weldcraft.errors import DataError


def _recording(n: int = 50, frame: str = "world") -> Recording:
    t = np.linspace(0.0, 2.0, n)
    if frame == "world":
        pos = np.stack([0.8 + 0.006 * t, 0.1 + 0.001 * np.sin(12 * t), 0.3 + 0.0 * t], axis=1)
    else:
        pos = np.stack([0.006 * t, 0.015 + 0.0 * t, 0.001 * np.sin(12 * t)], axis=1)
    rot = Rotation.from_euler("xyz", np.stack([np.pi + 0.1 * t, 0.2 * t, 0.05 * t], axis=1))
    return Recording(
        t_s=t,
        pos_m=pos,
        quat_xyzw=rot.as_quat(),
        arc_on=t > 0.1,
        frame=PoseFrame(frame),
        voltage_v=25.0 + 0.1 * t,
        header={"seam": "fillet_pb", "welder_id": "w-007", "seed": 3, "notes": "true"},
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("unit", ["m", "mm"])
def test_round_trip_is_exact_in_both_formats(tmp_path: Path, suffix: str, unit: str) -> None:
    rec = _recording()
    back = read_recording(write_recording(rec, tmp_path / f"r{suffix}", length_unit=unit))
    np.testing.assert_allclose(back.pos_m, rec.pos_m, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(back.t_s, rec.t_s)
    np.testing.assert_allclose(back.quat_xyzw, rec.quat_xyzw, atol=1e-15)
    np.testing.assert_array_equal(back.arc_on, rec.arc_on)
    assert back.voltage_v is not None and back.current_a is None
    assert back.header["welder_id"] == "w-007" and back.header["seed"] == 3 and back.header["notes"] == "true"
    assert back.frame is PoseFrame.WORLD


GOOD = (
    "# weldcraft_recording: 1\n# frame: world\n# length_unit: m\n"
    "t_s,x,y,z,qx,qy,qz,qw,arc_on\n"
    "0.0,0.8,0.1,0.3,1,0,0,0,1\n"
    "0.1,0.8006,0.1,0.3,1,0,0,0,1\n"
    "0.2,0.8012,0.1,0.3,1,0,0,0,1\n"
)


def _error_for(tmp_path: Path, text: str | bytes, name: str = "bad.csv") -> str:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(DataError) as info:
        read_recording(p)
    msg = str(info.value)
    assert "\n" not in msg
    return msg


def test_good_file_reads(tmp_path: Path) -> None:
    p = tmp_path / "good.csv"
    p.write_text(GOOD)
    rec = read_recording(p)
    assert rec.n_samples == 3 and rec.duration_s == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("qw,arc_on", "arc_on").replace(",0,1\n", ",1\n"), ":4 field 'qw': missing column"),
        (GOOD.replace("0.1,0.8006", "0.1,nan"), ":6 field 'x': 'nan' is not a finite number"),
        (GOOD.replace("0.2,0.8012", "0.05,0.8012"), ":7 field 't_s': time 0.05 s does not increase"),
        (GOOD.replace("0.8012,0.1", "0.8012,abc"), ":7 field 'y': 'abc' is not a number"),
        (
            GOOD.replace("length_unit: m", "length_unit: m").replace(
                "0.1,0.8006,0.1,0.3", "0.1,800.6,100,300"
            ),
            ":6 field 'x': 800.6 m is outside any cell; values look like millimetres",
        ),
        (GOOD.replace("# frame: world\n", ""), ":1 field 'frame': missing header key"),
        (GOOD.replace("# frame: world", "# frame: part"), ":2 field 'frame': invalid value 'part'"),
        (GOOD.replace("arc_on\n", "arc_on,volts\n"), ":4 field 'volts': unknown column"),
        (
            GOOD.replace("0.1,0.8006,0.1,0.3,1,0,0,0,1", "0.1,0.8006,0.1"),
            ":6 field 'z': 3 values, expected 9",
        ),
        (
            GOOD.replace("0.2,0.8012,0.1,0.3,1,0,0,0,1", "0.2,0.8012,0.1,0.3,1,0,0,0.5,1"),
            ":7 field 'qw': quaternion norm 1.1180",
        ),
        (
            GOOD.replace("0.1,0.8006,0.1,0.3,1,0,0,0,1", "0.1,0.8006,0.1,0.3,1,0,0,0,on"),
            ":6 field 'arc_on': 'on' is not an arc state",
        ),
        (GOOD.split("t_s")[0] + "t_s,x,y,z,qx,qy,qz,qw,arc_on\n", ":5 field 't_s': no data rows"),
        ("", ":1 field 'header': empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ":3 field 'content': binary data (NUL byte)"),
        (GOOD.encode() + b"0.3,\xff\xfe,0.1\n", ":8 field 'content': binary data (not UTF-8)"),
    ],
    ids=[
        "missing-col",
        "nan",
        "time",
        "text",
        "mm-as-m",
        "no-frame",
        "bad-frame",
        "unknown-col",
        "short-row",
        "quat",
        "arc",
        "no-rows",
        "empty",
        "png",
        "junk-line",
    ],
)
def test_malformed_csv_names_file_line_and_field(tmp_path: Path, text: str | bytes, expected: str) -> None:
    msg = _error_for(tmp_path, text)
    assert msg.startswith(str(tmp_path / "bad.csv"))
    assert expected in msg


def test_seam_frame_in_metres_declared_as_millimetres_is_caught(tmp_path: Path) -> None:
    rec = _recording(frame="seam")
    p = write_recording(rec, tmp_path / "s.csv", length_unit="m")
    p.write_text(p.read_text().replace("length_unit: m", "length_unit: mm"))
    msg = _error_for(tmp_path, p.read_bytes())
    assert (
        ":12 field 'y'" in msg
    )  # first arc-on row (7 header lines, column line 8) and "look like metres" in msg
    honest = write_recording(rec, tmp_path / "honest.csv", length_unit="mm")
    assert read_recording(honest).frame is PoseFrame.SEAM


def test_parquet_errors_name_row_and_field(tmp_path: Path) -> None:
    rec = _recording()
    p = write_recording(rec, tmp_path / "r.parquet")
    import pyarrow.parquet as pq

    table = pq.read_table(p)
    t = table.column("t_s").to_numpy().copy()
    t[7] = t[3]
    bad = table.set_column(0, "t_s", [t])
    pq.write_table(bad, tmp_path / "bad.parquet")
    with pytest.raises(DataError, match=r"bad\.parquet row 8 field 't_s': time"):
        read_recording(tmp_path / "bad.parquet")
    (tmp_path / "junk.parquet").write_bytes(b"PAR1 this is not really parquet")
    with pytest.raises(DataError, match=r"junk\.parquet row 1 field 'content': not a readable Parquet"):
        read_recording(tmp_path / "junk.parquet")
    (tmp_path / "empty.parquet").write_bytes(b"")
    with pytest.raises(DataError, match=r"empty\.parquet row 1 field 'header': empty file"):
        read_recording(tmp_path / "empty.parquet")


def test_resample_interpolates_and_holds_the_arc_state() -> None:
    rec = _recording(n=21)  # samples every 0.1 s
    out = resample(rec, 0.025)
    np.testing.assert_allclose(np.diff(out.t_s), 0.025)
    assert out.t_s[-1] == pytest.approx(2.0)
    # linear between samples: halfway between sample 4 and 5
    np.testing.assert_allclose(out.pos_m[18], 0.5 * (rec.pos_m[4] + rec.pos_m[5]), atol=1e-12)
    # slerp: orientation halfway has equal angular distance to both neighbours
    r = Rotation.from_quat(out.quat_xyzw[18])
    d0 = (r.inv() * Rotation.from_quat(rec.quat_xyzw[4])).magnitude()
    d1 = (r.inv() * Rotation.from_quat(rec.quat_xyzw[5])).magnitude()
    assert d0 == pytest.approx(d1, rel=1e-6)
    # arc switches on at the first sample after 0.1 s (t = 0.2) and is held, never interpolated
    assert not out.arc_on[out.t_s < 0.2 - 1e-9].any() and out.arc_on[out.t_s >= 0.2 - 1e-9].all()
    assert control_times(0.0, 1.0, 0.1).shape == (11,)
