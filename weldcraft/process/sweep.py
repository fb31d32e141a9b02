"""ISO 5817 level map of a weld over travel speed x CTWD, and its plot (``docs/img/iso_level_map.png``).

``iso_level_map()`` grades a uniform weld (every segment at the same settings, ideal pose otherwise) for
each cell of a travel-speed x CTWD grid, by default a PB fillet on 8 mm plate with ``WPS()``;
``plot_iso_level_map(data, path)`` draws the levels with each failing region labelled by its dominant
ISO 6520 code. The welder's picture: a level-B window around the nominal settings, undersized welds and
undercut (5213, 5011) on the fast side, lack of side-wall fusion (4011) where fast meets a long CTWD,
convex beads with steep toes and oversized throats (505, 5214) on the slow side, porosity (2011) at long
CTWD.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from weldcraft.errors import UserError
from weldcraft.fileio import atomic_path
from weldcraft.process.grading import grade_weld
from weldcraft.process.model import ProcessModel, SegmentInputs
from weldcraft.seams import WPS, JointKind, JointSpec, WeldingPosition
from weldcraft.types import FloatArray, IntArray, PathLikeStr

_LEVEL_LABELS = ("B", "C", "D", "none")
_LEVEL_COLOURS = ("#2e9d4a", "#f2d43d", "#f08c2b", "#c8312b")
_CODE_NAMES = {
    "5011": "undercut",
    "502": "excess weld metal",
    "503": "convexity",
    "504": "excess penetration",
    "505": "toe angle",
    "510": "burn-through",
    "511": "unfilled groove",
    "512": "asymmetry",
    "5213": "throat too small",
    "5214": "throat too large",
    "617": "root gap",
    "4011": "lack of fusion",
    "4021": "root not fused",
    "2011": "porosity",
}


@dataclass(frozen=True)
class IsoLevelMap:
    """Grades over a grid: arrays of shape (n_ctwd, n_speed).

    Attributes:
        travel_speed_mm_s: (n_speed,) grid of travel speeds.
        ctwd_mm: (n_ctwd,) grid of CTWDs.
        level: int64 level index per cell (0 B, 1 C, 2 D, 3 none).
        quality: the weld's quality score per cell.
        dominant_code: ISO 6520 code setting each cell's level ("" for level B).
        title: description of the weld (joint, position, WPS).
        nominal: (travel speed, CTWD) of the WPS.
    """

    travel_speed_mm_s: FloatArray
    ctwd_mm: FloatArray
    level: IntArray
    quality: FloatArray
    dominant_code: tuple[tuple[str, ...], ...]
    title: str
    nominal: tuple[float, float]

    def b_window_mm_s(self, ctwd_mm: float) -> tuple[float, float] | None:
        """Smallest and largest level-B travel speed on the grid row nearest ``ctwd_mm`` (None if none)."""
        row = int(np.argmin(np.abs(self.ctwd_mm - ctwd_mm)))
        speeds = self.travel_speed_mm_s[self.level[row] == 0]
        return (float(speeds.min()), float(speeds.max())) if speeds.size else None


def iso_level_map(
    wps: WPS | None = None,
    joint: JointSpec | None = None,
    position: WeldingPosition | str | None = None,
    *,
    travel_speeds_mm_s: FloatArray | None = None,
    ctwds_mm: FloatArray | None = None,
    seam_length_mm: float = 200.0,
    segment_length_mm: float = 10.0,
) -> IsoLevelMap:
    """Grade uniform welds over travel speed x CTWD (default 2.5-13 mm/s x 8-30 mm, 43 x 45 cells).

    The design throat is that of ``ProcessModel`` at the WPS's nominal settings (fixed over the map).
    """
    wps = wps or WPS()
    joint = joint or JointSpec(JointKind.FILLET, 8.0)
    speeds = (
        np.linspace(2.5, 13.0, 43) if travel_speeds_mm_s is None else np.asarray(travel_speeds_mm_s, float)
    )
    ctwds = np.linspace(8.0, 30.0, 45) if ctwds_mm is None else np.asarray(ctwds_mm, float)
    if speeds.ndim != 1 or ctwds.ndim != 1 or speeds.size == 0 or ctwds.size == 0:
        raise UserError("travel_speeds_mm_s and ctwds_mm must be non-empty 1-D arrays")
    if not 0.0 < segment_length_mm < seam_length_mm:
        raise UserError(
            f"need 0 < segment_length_mm < seam_length_mm, got {segment_length_mm}, {seam_length_mm}"
        )
    model = ProcessModel(wps, joint, position)
    n_seg = int(round(seam_length_mm / segment_length_mm))
    s_mm = (np.arange(n_seg, dtype=np.float64) + 0.5) * segment_length_mm
    grid_c, grid_v = np.meshgrid(ctwds, speeds, indexing="ij")
    cells = grid_v.size
    inputs = SegmentInputs.from_wps(wps, cells, travel_speed_mm_s=grid_v.ravel(), ctwd_mm=grid_c.ravel())
    beads = model.evaluate(inputs)
    level = np.zeros(cells, dtype=np.int64)
    quality = np.zeros(cells)
    codes: list[str] = []
    repeat = np.zeros(n_seg, dtype=np.int64)
    for i in range(cells):
        grade = grade_weld(beads.select(repeat + i), s_mm, joint)
        level[i] = ("B", "C", "D", None).index(grade.iso5817_level)
        quality[i] = grade.quality_score
        codes.append(grade.dominant_code or "")
    shape = grid_v.shape
    code_rows = tuple(tuple(codes[r * shape[1] : (r + 1) * shape[1]]) for r in range(shape[0]))
    title = (
        f"{joint.kind.value} t={joint.thickness_mm:g} mm, {model.position.value}, "
        f"wire {wps.wire_diameter_mm:g} mm, "
        f"WFS {wps.wire_feed_m_min:g} m/min, {wps.voltage_v:g} V, push {wps.travel_angle_deg:g} deg"
    )
    return IsoLevelMap(
        travel_speed_mm_s=speeds,
        ctwd_mm=ctwds,
        level=level.reshape(shape),
        quality=quality.reshape(shape),
        dominant_code=code_rows,
        title=title,
        nominal=(wps.travel_speed_mm_s, wps.ctwd_mm),
    )


def plot_iso_level_map(data: IsoLevelMap, path: PathLikeStr) -> Path:
    """Draw the map (matplotlib, Agg) and write it atomically as a PNG; returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch
    from scipy import ndimage

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    v, c = data.travel_speed_mm_s, data.ctwd_mm
    fig, ax = plt.subplots(figsize=(9.0, 6.2), dpi=120)
    cmap = ListedColormap(_LEVEL_COLOURS)
    ax.pcolormesh(
        v, c, data.level, cmap=cmap, norm=BoundaryNorm([-0.5, 0.5, 1.5, 2.5, 3.5], 4), shading="nearest"
    )
    codes = np.array(data.dominant_code, dtype=object)
    for code in sorted({x for row in data.dominant_code for x in row if x}):
        labels, count = ndimage.label(codes == code)
        for region in range(1, count + 1):
            mask = labels == region
            if mask.sum() < 6:
                continue
            rows, cols = np.nonzero(mask)
            # label at the region cell nearest its centroid, so it stays inside non-convex regions
            k = int(np.argmin((rows - rows.mean()) ** 2 + (cols - cols.mean()) ** 2))
            ax.text(
                v[cols[k]],
                c[rows[k]],
                f"{code}\n{_CODE_NAMES.get(code, '')}",
                ha="center",
                va="center",
                fontsize=8,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "alpha": 0.75, "lw": 0},
            )
    b_cols = np.nonzero((data.level == 0).any(axis=0))[0]
    if b_cols.size:
        rows, cols = np.nonzero(data.level == 0)
        k = int(np.argmin((rows - rows.mean()) ** 2 + (cols - cols.mean()) ** 2))
        ax.text(
            v[cols[k]], c[rows[k]] + 2.0, "level B", ha="center", fontsize=10, weight="bold", color="white"
        )
    ax.plot(*data.nominal, marker="*", ms=14, color="black", ls="none", label="WPS nominal")
    ax.set_xlabel("travel speed (mm/s)")
    ax.set_ylabel("CTWD (mm)")
    ax.set_title(f"ISO 5817 quality level\n{data.title}", fontsize=10)
    handles: list[Any] = [
        Patch(color=col, label=f"level {lab}") for col, lab in zip(_LEVEL_COLOURS, _LEVEL_LABELS, strict=True)
    ]
    handles.append(ax.lines[0])
    ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.85)
    fig.tight_layout()
    try:
        with atomic_path(out) as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
    return out
