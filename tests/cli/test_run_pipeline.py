"""`weldcraft run`: the main job end to end on the fast settings, and its config errors.

One fast run (``debug=fast seam=tiny_fillet``: 4 demos, 3 BC epochs, 3 held-out seams, the 30 mm seam)
is shared by the checks below; a second identical run shows that the same seeds give the same results.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from weldcraft.cli.main import main
from weldcraft.pipeline.settings import ALL_FORMATS

FAST = ["run", "debug=fast", "seam=tiny_fillet"]
ENSURE_CHROMIUM = Path(__file__).resolve().parents[2] / "scripts" / "ensure_chromium.sh"


def _run(out: Path) -> str:
    """Run the fast pipeline into `out`; returns what it printed on stdout."""
    minari_before = os.environ.get("MINARI_DATASETS_PATH")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main([*FAST, f"out_dir={out}"]) == 0
    assert os.environ.get("MINARI_DATASETS_PATH") == minari_before  # the run's datasets path is restored
    return buf.getvalue()


@pytest.fixture(scope="module")
def fast_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("run") / "out"
    return out, _run(out)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_stage_prints_one_line_and_the_last_line_names_the_report(fast_run: tuple[Path, str]) -> None:
    out, stdout = fast_run
    lines = stdout.strip().splitlines()
    stages = [ln for ln in lines if re.match(r"\[\d/5\] ", ln)]
    assert [s.split(":")[0] for s in stages] == [
        "[1/5] demos",
        "[2/5] train",
        "[3/5] evaluate",
        "[4/5] export",
        "[5/5] report",
    ]
    assert all(re.search(r"\(\d+\.\d s\)$", s) for s in stages), stages
    assert "fewer than the 100 of the acceptance evaluation" in stages[2]
    assert lines[-1] == f"report: {out / 'report.html'}"
    record = json.loads((out / "run.json").read_text())
    assert record["schema_version"] == 1
    assert list(record["stages"]) == ["demos", "train", "evaluate", "export", "report"]
    assert all(record["stages"][s]["seconds"] > 0 for s in record["stages"])
    assert record["seconds"]["total"] == pytest.approx(
        sum(record["seconds"][s] for s in record["stages"]), abs=0.3
    )
    assert (out / "config.yaml").read_text().startswith("seam:")


def test_demos_are_written_under_the_run_folder_with_training_seeds(fast_run: tuple[Path, str]) -> None:
    out, _ = fast_run
    record = json.loads((out / "run.json").read_text())["stages"]["demos"]["result"]
    assert record["episodes"] == 4 and record["seeds"] == [0, 3]
    assert (
        Path(record["path"]).resolve()
        == (out / "datasets" / "weldcraft" / "tiny_fillet" / "master-v0").resolve()
    )
    assert (Path(record["path"]) / "data" / "main_data.hdf5").is_file()
    assert sum(record["level_counts"].values()) == 4


def test_evaluation_has_policy_and_master_on_the_same_held_out_seams(fast_run: tuple[Path, str]) -> None:
    out, _ = fast_run
    doc = json.loads((out / "eval" / "eval.json").read_text())
    policy, master = doc["summaries"]
    assert (policy["label"], master["label"]) == ("policy", "master")
    assert policy["seeds"] == master["seeds"] == [10_000_000, 10_000_001, 10_000_002]
    for s in (policy, master):
        assert s["episodes"] == 3
        assert 0.0 < s["mean_quality"] <= 1.0
        assert sum(s["level_counts"].values()) == 3
    assert doc["comparison"]["quality_ratio"] == pytest.approx(
        policy["mean_quality"] / master["mean_quality"]
    )
    assert "| metric | policy | master |" in (out / "eval" / "eval.md").read_text()


def test_the_exported_and_shown_weld_is_the_evaluated_episode(fast_run: tuple[Path, str]) -> None:
    """The policy's weld of seed 10,000,000 in export/report is the evaluation's episode, bit for bit."""
    out, _ = fast_run
    doc = json.loads((out / "eval" / "eval.json").read_text())
    evaluated = doc["episodes"]["policy"][0]
    exported = json.loads((out / "run.json").read_text())["stages"]["export"]["result"]
    assert evaluated["seed"] == exported["seed"] == 10_000_000
    assert exported["weld_quality"] == evaluated["quality_score"]
    assert (exported["weld_level"] or "none") == evaluated["iso5817_level"]


def _refused(out: Path) -> dict[str, str]:
    """Formats the export stage left out, with the refusal it noted (run.json)."""
    notes = json.loads((out / "run.json").read_text())["stages"]["export"]["result"]["notes"]
    return {fmt: n for n in notes for fmt in ALL_FORMATS if n.startswith(f"export refused for {fmt}:")}


def test_programs_exist_for_every_format(fast_run: tuple[Path, str]) -> None:
    out, _ = fast_run
    manifest = json.loads((out / "export" / "export.json").read_text())
    refused = _refused(out)
    # Time-stamped formats always carry the weld; a one-speed-per-section controller format may be refused
    # by the fidelity check (a weaving weld), and then it is named, never silently dropped.
    assert not {"urscript", "ros2", "csv", "json"} & set(refused)
    assert sorted(manifest["formats"]) == sorted(set(ALL_FORMATS) - set(refused))
    for fmt in manifest["formats"]:
        files = [out / "export" / f for f in manifest["formats"][fmt]["files"]]
        assert files and all(f.is_file() and f.stat().st_size > 200 for f in files), fmt
    for fmt, note in refused.items():
        assert not (out / "export" / fmt).exists() and "nothing was written" in note, fmt
    assert manifest["cell_checks"] is True


def test_every_image_and_link_of_the_report_resolves(fast_run: tuple[Path, str]) -> None:
    out, _ = fast_run
    page = out / "report.html"
    html = page.read_text()
    images = re.findall(r'<img[^>]* src="([^"]+)"', html)
    links = re.findall(r'<a[^>]* href="([^"#][^"]*)"', html)
    assert {"media/policy_weld.gif", "media/master_weld.gif", "bead_geometry.png"} <= set(images)
    assert "torch_parameters.png" in images and "levels.png" in images and "iso_level_map.png" in images
    for ref in images + links:
        assert not re.match(r"[a-z]+:", ref), f"external reference {ref}"
        assert (page.parent / ref).is_file(), f"{ref} does not resolve"
    for fmt in set(ALL_FORMATS) - set(_refused(out)):
        assert any(link.startswith(f"export/{fmt}/") for link in links), fmt
    assert "Acceptance checks" in html and "Run stages" in html


def test_report_opens_in_headless_chromium_without_errors(fast_run: tuple[Path, str]) -> None:
    from weldcraft.report.browser import check_page, find_chromium

    chromium = find_chromium()
    if chromium is None and os.geteuid() == 0 and ENSURE_CHROMIUM.is_file() and shutil.which("apt-get"):
        subprocess.run(["sh", str(ENSURE_CHROMIUM)], check=False, timeout=900, capture_output=True)
        chromium = find_chromium()
    if chromium is None:
        pytest.skip("chromium not found and cannot be installed here (not root or no apt-get)")
    out, _ = fast_run
    check = check_page(out / "report.html", chromium=chromium)
    assert check.console_errors == ()
    assert check.broken_images == ()
    assert len(check.images) == 6
    assert check.external_requests == ()


def test_same_seeds_same_results(fast_run: tuple[Path, str], tmp_path: Path) -> None:
    first, _ = fast_run
    second = tmp_path / "again"
    _run(second)
    for rel in ("train/checkpoint/weights.npz", "media/policy_weld.gif", "media/master_weld.gif"):
        assert _sha(first / rel) == _sha(second / rel), rel
    # the program's samples; its header carries the run's config hash (out_dir differs) and creation time
    rows = [
        [
            ln
            for ln in (d / "export" / "csv" / "tiny_fillet.csv").read_text().splitlines()
            if not ln.startswith("#")
        ]
        for d in (first, second)
    ]
    assert len(rows[0]) > 50 and rows[0] == rows[1]
    a, b = (json.loads((d / "eval" / "eval.json").read_text()) for d in (first, second))
    assert a["summaries"] == b["summaries"] and a["episodes"] == b["episodes"]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("demos.episodez=3", "unknown key 'demos.episodez'"),
        ("demos.episodes=many", "demos.episodes"),
        ("eval.episodes=0", "key 'eval.episodes': expected an integer >= 1, got 0"),
        ("export.formats=[rapid,docx]", "key 'export.formats': choose one of"),
        ("seam=not_a_preset", "seam"),
    ],
    ids=["unknown-key", "wrong-type", "zero-seams", "bad-format", "bad-seam"],
)
def test_a_bad_key_is_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], override: str, message: str
) -> None:
    out = tmp_path / "out"
    assert main(["run", override, f"out_dir={out}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("weldcraft: error: "), err
    assert message in err
    assert not (out / "datasets").exists() and not (out / "report.html").exists()
