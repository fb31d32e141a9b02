"""The written report folder: self-contained, relative links that resolve, escaped text, atomic writes."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image

from weldcraft.errors import DataError
from weldcraft.report import ReportData, write_report


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.imgs: list[dict[str, str | None]] = []
        self.hrefs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "img":
            self.imgs.append(dict(attrs))
        if tag == "a":
            self.hrefs.append(str(dict(attrs)["href"]))


def _parse(page: Path) -> tuple[str, _Links]:
    html = page.read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(html)
    return html, parser


def test_folder_is_self_contained(written_report: tuple[ReportData, Path]) -> None:
    _, page = written_report
    out = page.parent
    html, links = _parse(page)
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "bead_geometry.png",
        "extra_0_0_window.png",
        "levels.png",
        "master_weld.gif",
        "policy_weld.gif",
        "report.html",
        "torch_parameters.png",
    ]  # and no temp files left behind
    assert "script" not in links.tags and "link" not in links.tags
    assert not re.search(r"(https?:)?//", html.replace("<!DOCTYPE html>", "")), "no external URL"
    assert len(links.imgs) == 6
    for img in links.imgs:
        src = str(img["src"])
        assert "/" not in src, f"image {src} must sit next to the page"
        with Image.open(out / unquote(src)) as im:
            assert (int(str(img["width"])), int(str(img["height"]))) == im.size
        assert len(str(img["alt"])) > 20, "alt text describes the image"


def test_program_links_resolve(written_report: tuple[ReportData, Path]) -> None:
    data, page = written_report
    _, links = _parse(page)
    programs = [h for h in links.hrefs if not h.startswith("#")]
    assert len(programs) == len(data.programs) == 5
    for href in programs:
        assert href.startswith("../programs/")
        assert (page.parent / unquote(href)).resolve().is_file()
    assert "../programs/weld%20plan.csv" in programs
    html = page.read_text()
    assert "ABB RAPID module" in html and "FANUC LS (TP)" in html and "KUKA KRL source" in html


def test_numbers_and_text_on_the_page(written_report: tuple[ReportData, Path]) -> None:
    data, page = written_report
    html = page.read_text()
    assert 'class="verdict fail"' in html
    assert "Process window &lt;map&gt;" in html and "<map>" not in html  # escaped
    # the policy weld's imperfections grouped by ISO 6520 code and side, with the worst run
    undercut_b = [i for i in data.policy.imperfections if i["iso6520_code"] == "5011" and i["side"] == "B"]
    worst = max(undercut_b, key=lambda i: i["size_mm"])
    total = sum(i["length_mm"] for i in undercut_b)
    assert len(undercut_b) == 2 and worst["size_mm"] > 0.4  # over the level-B limit 0.05 t = 0.40 mm
    assert (
        f"<strong>5011</strong> continuous undercut, side B: 2 runs over {total:.0f} mm; "
        f"worst {worst['size_mm']:.2f} mm at s = {worst['s_mm']:.1f} mm"
    ) in html
    assert '<td class="num">9 (90 %)</td>' in html  # 9 policy welds fail level D
    assert "Config hash <code>abc123</code>" in html and "epochs: 5" in html


def test_same_data_same_bytes(written_report: tuple[ReportData, Path]) -> None:
    data, first = written_report
    again = write_report(data, first.parent.parent / "again")
    for name in ("bead_geometry.png", "torch_parameters.png", "levels.png", "policy_weld.gif"):
        assert (first.parent / name).read_bytes() == (again.parent / name).read_bytes(), name
    assert first.read_text() == again.read_text()


def test_media_inside_folder_is_linked_not_copied(report_data: ReportData, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "anim").mkdir(parents=True)
    gif = out / "anim" / "p.gif"
    gif.write_bytes(Path(str(report_data.policy.gif)).read_bytes())
    data = dataclasses.replace(
        report_data,
        policy=dataclasses.replace(report_data.policy, gif=gif),
        evaluation=None,
        extra_sections=(),
        programs=(),
    )
    page = write_report(data, out)
    html = page.read_text()
    assert 'src="anim/p.gif"' in html and not (out / "policy_weld.gif").exists()
    assert "No programs were exported in this run." in html
    assert 'id="evaluation"' not in html and not (out / "levels.png").exists()


def test_refuses_missing_program_and_video(report_data: ReportData, tmp_path: Path) -> None:
    data = dataclasses.replace(report_data, programs=(tmp_path / "nope.mod",))
    with pytest.raises(DataError, match="nope.mod does not exist"):
        write_report(data, tmp_path / "x")
    assert not (tmp_path / "x").exists()  # checked before anything is written
    video = tmp_path / "weld.mp4"
    video.write_bytes(b"\0" * 16)
    data = dataclasses.replace(report_data, master=dataclasses.replace(report_data.master, gif=video))
    with pytest.raises(DataError, match="cannot show '.mp4'"):
        write_report(data, tmp_path / "y")
    assert not (tmp_path / "y").exists()
