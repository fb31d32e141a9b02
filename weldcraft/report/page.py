"""The report's HTML: one self-contained page (inline CSS, no scripts, no external URL), relative links only.

``render_page(data, verdict, figures, media, programs) -> str`` is a pure function of its inputs; the writer
(`weldcraft.report.writer`) produces the images and links and writes the result. Every text from the data
is HTML-escaped. Images carry width/height (no layout shift), alt text with the numbers they show, and a
caption; tables carry a caption and header scopes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import yaml

from weldcraft.report.data import LEVEL_KEYS, Metric, ReportData, WeldTrace
from weldcraft.report.verdict import Verdict, iso6520_name

CSS = """
:root { --fg:#1b1f24; --muted:#5b6470; --line:#d8dde3; --bg:#ffffff; --card:#f6f8fa;
  --ok:#0b6e4f; --okbg:#e3f4ec; --bad:#a4161a; --badbg:#fbe7e7; --info:#1f4e79; --infobg:#e7f0f9; }
* { box-sizing: border-box; }
body { margin:0;
  font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
  color:var(--fg); background:var(--bg); }
main { max-width:1100px; margin:0 auto; padding:1rem 1.25rem 3rem; }
header.top { border-bottom:1px solid var(--line); padding-bottom:.5rem; }
h1 { font-size:1.7rem; margin:.6rem 0 .2rem; }
h2 { font-size:1.3rem; margin:2.2rem 0 .6rem; border-bottom:1px solid var(--line);
  padding-bottom:.2rem; }
h3 { font-size:1.05rem; margin:1rem 0 .4rem; }
.meta { color:var(--muted); font-size:.9rem; margin:0; }
.meta code { font-size:.85rem; }
nav ul { display:flex; flex-wrap:wrap; gap:.4rem 1rem; list-style:none; padding:0; margin:.6rem 0 0;
  font-size:.92rem; }
a { color:#0b57a4; }
.verdict { border-radius:8px; padding:1rem 1.2rem; margin:1.2rem 0; border:1px solid; }
.verdict.pass { background:var(--okbg); border-color:var(--ok); }
.verdict.fail { background:var(--badbg); border-color:var(--bad); }
.verdict.info { background:var(--infobg); border-color:var(--info); }
.verdict .badge { display:inline-block; font-weight:700; letter-spacing:.04em; padding:.1rem .55rem;
  border-radius:4px; color:#fff; margin-right:.5rem; font-size:.85rem; }
.pass .badge { background:var(--ok); }
.fail .badge { background:var(--bad);
  }
.info .badge { background:var(--info); }
.verdict p.headline { font-size:1.08rem; margin:.2rem 0 .8rem; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(230px,1fr)); gap:.6rem; margin:0;
  }
.card { background:var(--bg); border:1px solid var(--line); border-radius:6px; padding:.55rem .75rem;
  }
.card dt { font-size:.8rem; color:var(--muted); text-transform:uppercase; letter-spacing:.03em; }
.card dd { margin:.15rem 0 0; font-weight:600; }
.card .target { display:block; font-weight:400; font-size:.85rem; color:var(--muted); }
.ok { color:var(--ok); } .notok { color:var(--bad); }
figure.anim img { width:100%; image-rendering:auto; }
.pair { display:grid; grid-template-columns:repeat(auto-fit,minmax(300px,1fr)); gap:1rem; }
figure { margin:0 0 1rem; }
figure img { max-width:100%; height:auto; display:block; border:1px solid var(--line);
  border-radius:4px; background:#fff; }
figcaption { color:var(--muted); font-size:.9rem; margin-top:.35rem; }
.level { display:inline-block; min-width:2.2em; text-align:center; font-weight:700;
  border-radius:4px; padding:0 .35rem; }
.lv-B { background:#009E73; color:#fff; } .lv-C { background:#F0E442; color:#1b1f24; }
.lv-D { background:#E69F00; color:#1b1f24; } .lv-none { background:#D55E00; color:#fff; }
.table-wrap { overflow-x:auto; }
table { border-collapse:collapse; width:100%; margin:.4rem 0 1rem; font-size:.94rem; }
caption { text-align:left; font-weight:600; padding:.3rem 0; }
th, td { border-bottom:1px solid var(--line); padding:.35rem .6rem; text-align:left;
  vertical-align:top; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
thead th { background:var(--card); }
ul.imps { margin:.3rem 0; padding-left:1.2rem; font-size:.92rem; }
pre { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:.8rem;
  overflow-x:auto; font-size:.85rem; }
details summary { cursor:pointer; font-weight:600; }
.sr-only { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0);
  white-space:nowrap; }
footer { color:var(--muted); font-size:.85rem; border-top:1px solid var(--line); margin-top:2.5rem;
  padding-top:.6rem; }
@media (max-width:600px) { body { font-size:15px; } main { padding:.6rem; } h1 { font-size:1.35rem;
  } }
@media print { nav { display:none; } .verdict { break-inside:avoid; } figure { break-inside:avoid;
  } }
"""


@dataclass(frozen=True)
class Image:
    """An image in the report folder: relative href, pixel size, alt text, caption."""

    href: str
    width: int
    height: int
    alt: str
    caption: str


@dataclass(frozen=True)
class ProgramLink:
    """An exported program: relative href, shown name, format name, size in bytes."""

    href: str
    name: str
    format: str
    size_bytes: int


def _e(text: Any) -> str:
    return escape(str(text), quote=True)


def _img(image: Image, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return (
        f'<figure{attr}><img src="{_e(image.href)}" width="{image.width}" height="{image.height}" '
        f'alt="{_e(image.alt)}" loading="eager" decoding="sync">'
        f"<figcaption>{_e(image.caption)}</figcaption></figure>"
    )


def level_badge(level: str | None) -> str:
    key = "none" if level is None else level
    text = "none" if level is None else level
    return f'<span class="level lv-{key}" title="ISO 5817 level">{_e(text)}</span>'


def _fmt(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def _verdict(verdict: Verdict) -> str:
    cls, badge = {True: ("pass", "PASS"), False: ("fail", "FAIL"), None: ("info", "INFO")}[verdict.passed]
    cards = []
    for item in verdict.items:
        mark = ""
        if item.ok is not None:
            mark = (
                '<span class="ok" aria-label="meets target">✔</span> '
                if item.ok
                else '<span class="notok" aria-label="misses target">✘</span> '
            )
        target = f'<span class="target">target {_e(item.target)}</span>' if item.target else ""
        cards.append(
            f'<div class="card"><dt>{_e(item.label)}</dt><dd>{mark}{_e(item.value)}{target}</dd></div>'
        )
    return (
        f'<section id="summary" class="verdict {cls}" aria-labelledby="summary-h">'
        '<h2 id="summary-h" class="sr-only">Summary</h2>'
        f'<p class="headline"><span class="badge">{badge}</span>{_e(verdict.headline)}</p>'
        f'<dl class="cards">{"".join(cards)}</dl></section>'
    )


_RANK = {"B": 0, "C": 1, "D": 2, None: 3}


def imperfection_summary(imperfections: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Runs grouped by (ISO 6520 code, side): count, total length, worst run (largest size; smallest
    angle for toe angles) and the worst ISO 5817 level a run alone meets; worst level first."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for imp in imperfections:
        key = (str(imp["iso6520_code"]), str(imp.get("side") or ""))
        g = groups.setdefault(
            key, {"code": key[0], "side": key[1], "runs": 0, "length_mm": 0.0, "worst": imp, "level_rank": 0}
        )
        g["runs"] += 1
        g["length_mm"] += float(imp.get("length_mm", 0.0))
        angle = imp.get("unit") == "deg"
        size, worst = float(imp["size_mm"]), float(g["worst"]["size_mm"])
        worse = size < worst if angle else size > worst
        if worse:
            g["worst"] = imp
        g["level_rank"] = max(g["level_rank"], _RANK.get(imp.get("level"), 0))
    return sorted(groups.values(), key=lambda g: (-g["level_rank"], g["code"], g["side"]))


def _imperfections(trace: WeldTrace) -> str:
    if not trace.imperfections:
        return "<p>No imperfections reported.</p>"
    items = []
    for g in imperfection_summary(trace.imperfections):
        w = g["worst"]
        side = f", side {g['side']}" if g["side"] else ""
        unit = w.get("unit", "mm")
        runs = f"{g['runs']} run{'s' if g['runs'] > 1 else ''}"
        length = f" over {g['length_mm']:.0f} mm" if g["length_mm"] > 0 else ""
        worst = "smallest" if unit == "deg" else "worst"
        items.append(
            f"<li><strong>{_e(g['code'])}</strong> {_e(iso6520_name(g['code']))}{_e(side)}: {runs}{length}; "
            f"{worst} {float(w['size_mm']):.2f} {_e(unit)} at s = {float(w['s_mm']):.1f} mm</li>"
        )
    return f'<ul class="imps">{"".join(items)}</ul>'


def _weld_card(trace: WeldTrace, gif: Image | None) -> str:
    media = _img(gif, "anim") if gif is not None else "<p>(no animation rendered)</p>"
    return (
        f"<div><h3>{_e(trace.label.capitalize())}: level {level_badge(trace.iso5817_level)}</h3>{media}"
        f"<p>Quality score {trace.quality_score:.3f}; mean heat input {trace.heat_input_kj_mm:.2f} kJ/mm; "
        f"{trace.length_mm:.0f} mm of seam.</p>{_imperfections(trace)}</div>"
    )


def _section(anchor: str, title: str, body: str) -> str:
    return (
        f'<section id="{anchor}" aria-labelledby="{anchor}-h">'
        f'<h2 id="{anchor}-h">{_e(title)}</h2>{body}</section>'
    )


def _table(caption: str, header: Sequence[tuple[str, bool]], rows: Sequence[str]) -> str:
    """A captioned table; ``header`` holds (escaped html, numeric) per column; ``rows`` are <tr> html."""
    num_cls = ' class="num"'
    head = "".join(f'<th scope="col"{num_cls if num else ""}>{h}</th>' for h, num in header)
    return (
        f'<div class="table-wrap"><table><caption>{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _num(text: str) -> str:
    return f'<td class="num">{text}</td>'


def _metric_row(metric: Metric) -> str:
    unit = f" ({_e(metric.unit)})" if metric.unit else ""
    delta = metric.policy - metric.master
    verdict = ""
    if metric.better and delta != 0.0:
        good = (delta > 0) == (metric.better == "higher")
        verdict = " ✔" if good else " ✘"
    return (
        f'<tr><th scope="row">{_e(metric.name)}{unit}</th>'
        + _num(_fmt(metric.policy, metric.digits))
        + _num(_fmt(metric.master, metric.digits))
        + _num(f"{delta:+.{metric.digits}f}{verdict}")
        + "</tr>"
    )


def _share(count: int, total: int) -> str:
    return _num(f"{count} ({100 * count / total:.0f} %)")


def _evaluation(data: ReportData, levels_chart: Image | None) -> str:
    ev = data.evaluation
    if ev is None:
        return ""
    p, m = ev.policy, ev.master
    rows = [
        Metric("mean quality score", p.quality_mean, m.quality_mean),
        Metric("quality score std", p.quality_std, m.quality_std, better="lower"),
    ]
    for lv in ("B", "C", "D"):
        pr, mr = 100 * p.pass_rate(lv), 100 * m.pass_rate(lv)
        rows.append(Metric(f"pass rate, level ≥ {lv}", pr, mr, "%", digits=1))
    if p.completed is not None and m.completed is not None:
        pc, mc = 100 * p.completed / p.episodes, 100 * m.completed / m.episodes
        rows.append(Metric("completion rate", pc, mc, "%", digits=1))
    rows.extend(ev.metrics)
    seeds = f" {_e(ev.seeds)}" if ev.seeds else ""
    metrics = _table(
        f"Metrics on the held-out seams: policy (n = {p.episodes}) vs master (n = {m.episodes}).{seeds} "
        "✔/✘: policy better/worse.",
        [("metric", False), ("policy", True), ("master", True), ("policy − master", True)],
        [_metric_row(r) for r in rows],
    )
    levels = _table(
        "ISO 5817 level distribution (welds, share)",
        [("level", False), ("policy", True), ("master", True)],
        [
            f'<tr><th scope="row">{level_badge(None if k == "none" else k)}</th>'
            f"{_share(p.level_counts[k], p.episodes)}{_share(m.level_counts[k], m.episodes)}</tr>"
            for k in LEVEL_KEYS
        ],
    )
    codes = sorted(set(p.defect_counts) | set(m.defect_counts), key=lambda c: (len(c), c))
    if codes:
        defects = _table(
            "Imperfections by ISO 6520 code: welds showing each (count, share)",
            [("ISO 6520", False), ("imperfection", False), ("policy", True), ("master", True)],
            [
                f'<tr><th scope="row">{_e(c)}</th><td>{_e(iso6520_name(c))}</td>'
                f"{_share(p.defect_counts.get(c, 0), p.episodes)}"
                f"{_share(m.defect_counts.get(c, 0), m.episodes)}</tr>"
                for c in codes
            ],
        )
    else:
        defects = "<p>No imperfections on any held-out weld, policy or master.</p>"
    chart = _img(levels_chart) if levels_chart is not None else ""
    body = f'{metrics}<div class="pair"><div>{levels}</div><div>{chart}</div></div>{defects}'
    return _section("evaluation", "Evaluation on held-out seams", body)


def _programs(programs: Sequence[ProgramLink]) -> str:
    if not programs:
        return _section("programs", "Exported programs", "<p>No programs were exported in this run.</p>")
    table = _table(
        "The policy's weld as robot programs (validated before writing)",
        [("file", False), ("format", False), ("size (KiB)", True)],
        [
            f'<tr><td><a href="{_e(pl.href)}">{_e(pl.name)}</a></td><td>{_e(pl.format)}</td>'
            f"{_num(f'{pl.size_bytes / 1024:.1f}')}</tr>"
            for pl in programs
        ],
    )
    return _section("programs", "Exported programs", table)


def _extra(
    index: int, title: str, paragraphs: Sequence[str], images: Sequence[Image], table: Sequence[Sequence[str]]
) -> str:
    body = "".join(f"<p>{_e(p)}</p>" for p in paragraphs)
    body += "".join(_img(i) for i in images)
    if table:
        rows = ["<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in table[1:]]
        body += _table(_e(title), [(_e(c), False) for c in table[0]], rows)
    return _section(f"extra-{index}", title, body)


def _config(config: Mapping[str, Any], config_hash: str) -> str:
    text = yaml.safe_dump(_plain(config), sort_keys=False, allow_unicode=True, default_flow_style=False)
    body = (
        f"<p>Config hash <code>{_e(config_hash)}</code>; every artifact of this run carries it.</p>"
        f"<details><summary>Resolved config (YAML)</summary><pre>{_e(text)}</pre></details>"
    )
    return _section("config", "Run configuration", body)


def _plain(value: Any) -> Any:
    """A YAML-safe copy (mappings, sequences, scalars; anything else as its string)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def render_page(
    data: ReportData,
    verdict: Verdict,
    figures: Mapping[str, Image],
    gifs: Mapping[str, Image | None],
    programs: Sequence[ProgramLink],
    extras: Sequence[Sequence[Image]],
) -> str:
    """The whole page. ``figures`` keys: "bead", "torch", optional "levels"; ``gifs`` keys: "policy",
    "master"; ``extras`` holds the images of each extra section, in order."""
    run = data.run
    seam = f" on {_e(run.seam)}" if run.seam else ""
    nav_items = [
        ("summary", "Summary"),
        ("welds", "The welds"),
        ("bead", "Bead along the seam"),
        ("torch", "Torch parameters"),
    ]
    if data.evaluation is not None:
        nav_items.append(("evaluation", "Evaluation"))
    nav_items.append(("programs", "Programs"))
    nav_items += [(f"extra-{i}", s.title) for i, s in enumerate(data.extra_sections)]
    nav_items.append(("config", "Configuration"))
    nav = "".join(f'<li><a href="#{a}">{_e(t)}</a></li>' for a, t in nav_items)
    extra_html = "".join(
        _extra(i, s.title, s.paragraphs, imgs, s.table)
        for i, (s, imgs) in enumerate(zip(data.extra_sections, extras, strict=True))
    )
    welds = (
        "<p>The same seam welded by the learned policy and by the master demonstrator, rendered by the "
        "cell; the bead is coloured by ISO 5817 level.</p>"
        f'<div class="pair">{_weld_card(data.policy, gifs.get("policy"))}'
        f"{_weld_card(data.master, gifs.get('master'))}</div>"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="weldcraft {_e(run.version)}">
<title>{_e(run.title)}{seam}: policy vs master</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header class="top">
<h1>{_e(run.title)}{seam}: the policy's weld beside the master's</h1>
<p class="meta">weldcraft {_e(run.version)} · {_e(run.date)} · config <code>{_e(run.config_hash)}</code></p>
<nav aria-label="Sections"><ul>{nav}</ul></nav>
</header>
{_verdict(verdict)}
{_section("welds", "The welds", welds)}
{_section("bead", "Bead geometry and ISO 5817 level along the seam", _img(figures["bead"]))}
{_section("torch", "Torch parameters, policy vs master", _img(figures["torch"]))}
{_evaluation(data, figures.get("levels"))}
{_programs(programs)}
{extra_html}
{_config(run.config, run.config_hash)}
<footer>Generated by weldcraft {_e(run.version)}. ISO 5817 levels and ISO 6520 codes come from weldcraft's
process model (see docs/process_model.md); they grade a simulated weld, not a real one.</footer>
</main>
</body>
</html>
"""
