"""Matplotlib figures of the report, written as PNG files (Agg canvas; no pyplot global state).

Each ``plot_*`` function draws one figure of policy vs master along the seam (x = arc length s in mm) and
returns a `Rendered` record with the file name, alt text (numbers a screen-reader user needs) and caption.
Colours: policy solid blue, master dashed black (distinguishable without colour); ISO 5817 levels from a
colour-blind-safe palette (Okabe-Ito). PNG metadata carries no software version, so the same data gives
the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from weldcraft.fileio import write_bytes_atomic
from weldcraft.report.data import BEAD_SERIES, LEVEL_KEYS, TORCH_SERIES, Evaluation, ReportData, WeldTrace
from weldcraft.types import FloatArray

POLICY_STYLE = {"color": "#0072B2", "linestyle": "-", "linewidth": 1.6}
MASTER_STYLE = {"color": "#1a1a1a", "linestyle": "--", "linewidth": 1.3}
#: Colours of the per-segment level index -1 (arc off), 0 B, 1 C, 2 D, 3 none (Okabe-Ito palette).
LEVEL_COLOURS = ("#d9d9d9", "#009E73", "#F0E442", "#E69F00", "#D55E00")
LEVEL_LABELS = ("arc off", "B", "C", "D", "none")
DPI = 100
FIG_WIDTH_IN = 9.0
ROW_HEIGHT_IN = 1.6


@dataclass(frozen=True)
class Rendered:
    """A figure written into the report folder: file name (relative), alt text, caption."""

    filename: str
    alt: str
    caption: str


def _save(fig: Figure, path: Path) -> None:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    write_bytes_atomic(path, buf.getvalue())


def _range_text(values: FloatArray) -> str:
    return f"{values.min():.2f} to {values.max():.2f} (mean {values.mean():.2f})"


def _welded(trace: WeldTrace, series: FloatArray) -> FloatArray:
    on = trace.level >= 0
    return series[on] if on.any() else series


def level_shares(trace: WeldTrace) -> dict[str, float]:
    """Share of the welded length (by segment count) at each per-segment level; keys as LEVEL_KEYS."""
    on = trace.level[trace.level >= 0]
    n = max(on.shape[0], 1)
    return {key: float(np.sum(on == k)) / n for k, key in enumerate(LEVEL_KEYS)}


def _readable_limits(ax: object) -> None:
    """No offset notation; a flat series gets a visible span instead of a zoom on rounding noise."""
    ax.yaxis.get_major_formatter().set_useOffset(False)  # type: ignore[attr-defined]
    lo, hi = ax.get_ylim()  # type: ignore[attr-defined]
    mid = 0.5 * (lo + hi)
    span = max(0.1 * max(abs(mid), 1.0), 1e-9)
    if hi - lo < 0.2 * span:
        ax.set_ylim(mid - span / 2, mid + span / 2)  # type: ignore[attr-defined]


def _level_strip(ax: object, policy: WeldTrace, master: WeldTrace) -> None:
    cmap = ListedColormap(list(LEVEL_COLOURS))
    for row, trace in enumerate((master, policy)):
        s = trace.s_mm
        mid = 0.5 * (s[1:] + s[:-1])
        edges = np.concatenate(([2 * s[0] - mid[0]], mid, [2 * s[-1] - mid[-1]]))
        ax.pcolormesh(  # type: ignore[attr-defined]
            edges, [row, row + 0.8], (trace.level + 1)[None, :], cmap=cmap, vmin=-0.5, vmax=4.5
        )
    ax.set_yticks([0.4, 1.4], labels=[master.label, policy.label])  # type: ignore[attr-defined]
    ax.set_ylim(-0.1, 1.9)  # type: ignore[attr-defined]
    ax.set_ylabel("ISO 5817")  # type: ignore[attr-defined]
    handles = [Patch(color=c, label=lab) for c, lab in zip(LEVEL_COLOURS, LEVEL_LABELS, strict=True)]
    ax.get_figure().legend(  # type: ignore[attr-defined]
        handles=handles, ncols=5, loc="lower center", frameon=False, fontsize=8
    )


def _series_figure(
    data: ReportData,
    series: dict[str, tuple[str, bool]],
    path: Path,
    with_levels: bool,
    windows: dict[str, tuple[float, float]],
) -> list[str]:
    p, m = data.policy, data.master
    names = [n for n in series if getattr(p, n) is not None or getattr(m, n) is not None]
    rows = len(names) + (1 if with_levels else 0)
    ratios = [1.0] * len(names) + ([0.55] if with_levels else [])
    # Fixed margins in inches instead of constrained layout (which doubles the drawing time).
    top_in, bottom_in = 0.4, (0.95 if with_levels else 0.6)
    height_in = ROW_HEIGHT_IN * sum(ratios) * 1.12 + top_in + bottom_in
    fig = Figure(figsize=(FIG_WIDTH_IN, height_in))
    axes = fig.subplots(
        rows,
        1,
        sharex=True,
        squeeze=False,
        gridspec_kw={
            "height_ratios": ratios,
            "left": 0.95 / FIG_WIDTH_IN,
            "right": 1.0 - 0.15 / FIG_WIDTH_IN,
            "top": 1.0 - top_in / height_in,
            "bottom": bottom_in / height_in,
            "hspace": 0.12,
        },
    )[:, 0]
    descriptions = []
    for ax, name in zip(axes, names, strict=False):
        label = series[name][0]
        if name in windows:
            lo, hi = windows[name]
            ax.axhspan(lo, hi, color="#009E73", alpha=0.10, linewidth=0)
        parts = []
        for trace, style in ((p, POLICY_STYLE), (m, MASTER_STYLE)):
            values = getattr(trace, name)
            if values is None:
                continue
            ax.plot(trace.s_mm, values, label=trace.label, **style)
            parts.append(f"{trace.label} {_range_text(_welded(trace, values))}")
        ax.set_ylabel(label, fontsize=9)
        _readable_limits(ax)
        ax.grid(True, alpha=0.3)
        window = f"; good window {windows[name][0]:g} to {windows[name][1]:g}" if name in windows else ""
        descriptions.append(f"{label}: {', '.join(parts)}{window}")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncols=2, fontsize=9, frameon=False)
    if with_levels:
        _level_strip(axes[-1], p, m)
        shares = [
            f"{t.label} level B on {100 * level_shares(t)['B']:.0f} % of the welded segments" for t in (p, m)
        ]
        descriptions.append("ISO 5817 level strip: " + ", ".join(shares))
    axes[-1].set_xlabel("arc length along the seam s (mm)")
    _save(fig, path)
    return descriptions


def plot_bead(data: ReportData, path: Path) -> Rendered:
    """Bead width, reinforcement, throat, penetration and the per-segment ISO 5817 level along the seam."""
    desc = _series_figure(data, dict(BEAD_SERIES), path, True, {})
    alt = "Bead geometry along the seam, policy (solid blue) versus master (dashed black). " + "; ".join(desc)
    caption = (
        "Bead geometry along the seam (mm) from the process model, and the ISO 5817 level of each "
        "segment (bottom strip). Solid blue: policy; dashed black: master."
    )
    return Rendered(path.name, alt + ".", caption)


def plot_torch(data: ReportData, path: Path) -> Rendered:
    """CTWD, work and travel angles, travel speed, lateral offset and weave width along the seam."""
    desc = _series_figure(data, dict(TORCH_SERIES), path, False, dict(data.torch_windows))
    alt = "Torch parameters along the seam, policy (solid blue) versus master (dashed black). " + "; ".join(
        desc
    )
    caption = (
        "Torch parameters along the seam: CTWD (mm), absolute work angle (deg), travel angle (deg, positive "
        "= push), travel speed (mm/s), lateral offset from the joint (mm, positive towards side B) and weave "
        "width (mm). Green bands: good process windows (DESIGN §4)."
    )
    return Rendered(path.name, alt + ".", caption)


def plot_levels(evaluation: Evaluation, path: Path) -> Rendered:
    """Grouped bars: share of held-out welds per ISO 5817 level, policy vs master."""
    fig = Figure(figsize=(6.0, 3.2))
    ax = fig.subplots(gridspec_kw={"left": 0.12, "right": 0.98, "top": 0.96, "bottom": 0.16})
    x = np.arange(len(LEVEL_KEYS), dtype=np.float64)
    parts = []
    for offset, (label, stats, colour) in zip(
        (-0.2, 0.2),
        (("policy", evaluation.policy, "#0072B2"), ("master", evaluation.master, "#555555")),
        strict=True,
    ):
        shares = np.array([stats.level_counts[k] / stats.episodes for k in LEVEL_KEYS]) * 100.0
        bars = ax.bar(x + offset, shares, width=0.38, label=f"{label} (n = {stats.episodes})", color=colour)
        ax.bar_label(bars, fmt="%.0f", fontsize=8)
        parts.append(
            f"{label}: " + ", ".join(f"{k} {v:.0f} %" for k, v in zip(LEVEL_KEYS, shares, strict=True))
        )
    ax.set_xticks(x, labels=["B", "C", "D", "none"])
    ax.set_xlabel("ISO 5817 quality level")
    ax.set_ylabel("held-out welds (%)")
    ax.set_ylim(0, 112)
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", alpha=0.3)
    _save(fig, path)
    alt = "Bar chart of the ISO 5817 level distribution on the held-out seams. " + "; ".join(parts) + "."
    caption = "ISO 5817 level of each held-out weld, policy beside master (share of welds, %)."
    return Rendered(path.name, alt, caption)


PLOTTERS: dict[str, Callable[[ReportData, Path], Rendered]] = {
    "bead_geometry.png": plot_bead,
    "torch_parameters.png": plot_torch,
}
