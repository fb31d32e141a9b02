"""Write a report folder: ``report.html`` next to its PNG/GIF files, every link relative.

``write_report(data, out_dir) -> Path``:

1. draws the figures (``bead_geometry.png``, ``torch_parameters.png``, ``levels.png`` with an evaluation);
2. copies the two weld animations (``policy_weld.gif``, ``master_weld.gif``) and the extra sections'
   images into the folder unless they already lie inside it, so the folder is self-contained;
3. links the exported programs by their path relative to the folder (they must exist);
4. renders the page and writes it atomically (temp file + ``os.replace``); every image is written the
   same way, so a reader never sees a half-written file.

The page has no script, no external URL and inline CSS only; it opens from disk in any browser.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from urllib.parse import quote

from PIL import Image as PILImage

from weldcraft.errors import DataError
from weldcraft.fileio import atomic_path, write_bytes_atomic
from weldcraft.report.data import ReportData
from weldcraft.report.page import Image, ProgramLink, render_page
from weldcraft.report.plots import Rendered, plot_bead, plot_levels, plot_torch
from weldcraft.report.verdict import compute_verdict
from weldcraft.types import PathLikeStr

log = logging.getLogger(__name__)

REPORT_NAME = "report.html"
#: Image types a browser shows in <img> (animations must be GIF/APNG/WebP, not video).
IMAGE_SUFFIXES = (".gif", ".png", ".apng", ".webp", ".jpg", ".jpeg")
#: Program formats by file suffix (the export layer's emitters, DESIGN §7).
PROGRAM_FORMATS = {
    ".mod": "ABB RAPID module",
    ".modx": "ABB RAPID module",
    ".prg": "ABB RAPID program",
    ".src": "KUKA KRL source",
    ".dat": "KUKA KRL data",
    ".script": "URScript",
    ".urscript": "URScript",
    ".ls": "FANUC LS (TP)",
    ".mcap": "ROS 2 bag (MCAP)",
    ".db3": "ROS 2 bag (SQLite)",
    ".yaml": "ROS 2 JointTrajectory (YAML)",
    ".yml": "ROS 2 JointTrajectory (YAML)",
    ".csv": "CSV",
    ".json": "JSON",
}


def _href(path: Path, out_dir: Path) -> str:
    rel = os.path.relpath(path.resolve(), out_dir.resolve())
    return quote(Path(rel).as_posix())


def _size_px(path: Path) -> tuple[int, int]:
    try:
        with PILImage.open(path) as im:
            return int(im.size[0]), int(im.size[1])
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: not a readable image ({exc})") from None


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _check_media(src: Path) -> None:
    if not src.is_file():
        raise DataError(f"image {src} does not exist")
    suffix = src.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise DataError(
            f"image {src}: a browser cannot show {suffix!r} in an <img>; "
            f"use one of {', '.join(IMAGE_SUFFIXES)}"
        )


def _media(src: Path, out_dir: Path, name: str) -> Path:
    """The image inside the report folder: ``src`` itself when inside, else a copy named ``name``+suffix."""
    _check_media(src)
    suffix = src.suffix.lower()
    if _inside(src, out_dir):
        return src
    dst = out_dir / f"{name}{suffix}"
    with atomic_path(dst) as tmp:
        shutil.copyfile(src, tmp)
    return dst


def _image(path: Path, out_dir: Path, alt: str, caption: str) -> Image:
    w, h = _size_px(path)
    return Image(_href(path, out_dir), w, h, alt, caption)


def _rendered(r: Rendered, out_dir: Path) -> Image:
    return _image(out_dir / r.filename, out_dir, r.alt, r.caption)


def _program(path: Path, out_dir: Path) -> ProgramLink:
    if not path.exists():
        raise DataError(f"exported program {path} does not exist")
    if path.is_dir():
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        fmt = "ROS 2 bag (folder)"
    else:
        size = path.stat().st_size
        fmt = PROGRAM_FORMATS.get(path.suffix.lower(), path.suffix.lstrip(".").upper() or "file")
        bag = any(path.parent.glob("*.mcap")) or any(path.parent.glob("*.db3"))
        if path.name == "metadata.yaml" and bag:
            fmt = "ROS 2 bag metadata (YAML)"
    return ProgramLink(_href(path, out_dir), path.name, fmt, size)


def write_report(data: ReportData, out_dir: PathLikeStr, *, filename: str = REPORT_NAME) -> Path:
    """Write the report folder (module docstring) and return the path of the HTML page."""
    out = Path(out_dir)
    # Check every input file before writing anything, so a bad input leaves no half-made folder.
    for src in [t.gif for t in (data.policy, data.master) if t.gif is not None] + [
        f.path for sec in data.extra_sections for f in sec.figures
    ]:
        _check_media(src)
    missing = [p for p in data.programs if not p.exists()]
    if missing:
        raise DataError(f"exported program {missing[0]} does not exist")
    out.mkdir(parents=True, exist_ok=True)
    figures = {
        "bead": _rendered(plot_bead(data, out / "bead_geometry.png"), out),
        "torch": _rendered(plot_torch(data, out / "torch_parameters.png"), out),
    }
    if data.evaluation is not None:
        figures["levels"] = _rendered(plot_levels(data.evaluation, out / "levels.png"), out)
    gifs: dict[str, Image | None] = {}
    for key, trace in (("policy", data.policy), ("master", data.master)):
        if trace.gif is None:
            gifs[key] = None
            continue
        media = _media(trace.gif, out, f"{key}_weld")
        level = trace.iso5817_level or "none (fails D)"
        gifs[key] = _image(
            media,
            out,
            f"Animation of the {trace.label}'s weld along the {trace.length_mm:.0f} mm seam: the robot moves "
            f"the torch and the bead appears, coloured by ISO 5817 level; the weld reached level {level} "
            f"with quality score {trace.quality_score:.2f}.",
            f"{trace.label.capitalize()}'s weld, rendered by the welding cell.",
        )
    extras = []
    for i, section in enumerate(data.extra_sections):
        images = []
        for j, fig in enumerate(section.figures):
            media = _media(fig.path, out, f"extra_{i}_{j}_{fig.path.stem}")
            images.append(_image(media, out, fig.alt, fig.caption))
        extras.append(images)
    programs = [_program(p, out) for p in data.programs]
    html = render_page(data, compute_verdict(data), figures, gifs, programs, extras)
    page = out / filename
    write_bytes_atomic(page, html.encode("utf-8"))
    log.info("report written to %s", page)
    return page
