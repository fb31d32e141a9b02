"""The report in a real browser: headless Chromium over the DevTools pipe.

Chromium comes from the Debian package ``chromium`` (``scripts/ensure_chromium.sh``, run by ``make test``).
When it is missing the fixture installs it if it may (root with apt-get); it skips only when it cannot.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from weldcraft.report import ReportData
from weldcraft.report.browser import check_page, find_chromium

ENSURE = Path(__file__).resolve().parents[2] / "scripts" / "ensure_chromium.sh"


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None and os.geteuid() == 0 and ENSURE.is_file():
        subprocess.run(["sh", str(ENSURE)], check=False, timeout=900, capture_output=True)
        found = find_chromium()
    if found is None:
        pytest.skip("chromium not found and cannot be installed here (not root or no apt-get)")
    return found


def test_report_loads_clean_with_every_image(chromium: str, written_report: tuple[ReportData, Path]) -> None:
    _, page = written_report
    check = check_page(page, chromium=chromium)
    assert check.console_errors == ()
    assert check.title == "weldcraft run on fillet_pb: policy vs master"
    assert len(check.images) == 6
    assert check.broken_images == ()
    sizes = {Path(i.src).name: (i.natural_width, i.natural_height) for i in check.images}
    assert sizes["bead_geometry.png"][0] == 900 and sizes["policy_weld.gif"] == (64, 48)
    assert check.external_requests == ()  # nothing but local files was requested
    assert len(check.requests) == 7  # the page and its 6 images


def test_check_catches_a_missing_image_and_script_errors(
    chromium: str, written_report: tuple[ReportData, Path], tmp_path: Path
) -> None:
    """The check can fail: a deleted PNG and a console.error both show up."""
    _, page = written_report
    broken = tmp_path / "broken"
    shutil.copytree(page.parent, broken)
    (broken / "torch_parameters.png").unlink()
    html = (broken / "report.html").read_text()
    (broken / "report.html").write_text(
        html.replace("</body>", "<script>console.error('boom')</script></body>")
    )
    check = check_page(broken / "report.html", chromium=chromium)
    assert [Path(i.src).name for i in check.broken_images] == ["torch_parameters.png"]
    assert check.broken_images[0].natural_width == 0
    assert any("boom" in e for e in check.console_errors)
    assert any("torch_parameters.png" in e for e in check.console_errors)
