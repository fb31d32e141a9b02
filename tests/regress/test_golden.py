"""Golden files round-trip to 0.1 um, are written atomically and refuse malformed content."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from weldcraft.errors import DataError
from weldcraft.regress.episode import EpisodeResult
from weldcraft.regress.golden import Golden, file_sha256, load_golden, save_golden


def test_round_trip(nominal_replay: EpisodeResult, tmp_path: Path) -> None:
    g = Golden.from_replay("case_a", nominal_replay, "abc", "jobhash", 7)
    path = save_golden(g, tmp_path / "golden" / "case_a.golden.json")
    assert sorted(p.name for p in path.parent.iterdir()) == ["case_a.golden.json"]  # no temp file left
    back = load_golden(path)
    assert back.case == "case_a" and back.seed == 7 and back.job_hash == "jobhash"
    assert back.iso5817_level == "B" and back.quality_score == pytest.approx(0.813, abs=1e-6)
    assert np.max(np.abs(back.tcp_pos_base_mm - nominal_replay.tcp_pos_base_m * 1000)) <= 5e-5
    assert back.s_mm.shape == (100,)
    lines = path.read_text().splitlines()
    assert sum(1 for line in lines if line.strip().startswith("[")) == 100  # one point per line


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(format="other"), "not a weld golden file"),
        (lambda d: d.update(schema_version=9), "golden schema version 9"),
        (lambda d: d["weld"].update(iso5817_level="A"), "iso5817_level must be B, C, D or null"),
        (lambda d: d["path"].update(tcp_pos_base_mm=[[0, 0]]), "golden path must be"),
        (lambda d: d.pop("case"), "malformed golden file: KeyError"),
    ],
)
def test_malformed_golden(nominal_replay: EpisodeResult, tmp_path: Path, edit: object, message: str) -> None:
    path = save_golden(Golden.from_replay("c", nominal_replay, "x", "h", None), tmp_path / "g.json")
    data = json.loads(path.read_text())
    edit(data)  # type: ignore[operator]
    path.write_text(json.dumps(data))
    with pytest.raises(DataError, match=message) as info:
        load_golden(path)
    assert info.value.where == str(path)


def test_invalid_json_has_line(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    path.write_text('{\n "format": \n')
    with pytest.raises(DataError, match="invalid JSON") as info:
        load_golden(path)
    assert info.value.where is not None and info.value.where.startswith(f"{path}:")


def test_sha256_of_file_and_folder(tmp_path: Path) -> None:
    (tmp_path / "bag").mkdir()
    (tmp_path / "bag" / "a.mcap").write_bytes(b"123")
    (tmp_path / "f").write_bytes(b"123")
    assert file_sha256(tmp_path / "f") == "a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3"
    before = file_sha256(tmp_path / "bag")
    (tmp_path / "bag" / "b.yaml").write_bytes(b"")
    assert file_sha256(tmp_path / "bag") != before
