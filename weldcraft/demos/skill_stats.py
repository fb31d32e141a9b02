"""ISO 5817 level and quality of Craftsman welds per skill on many random seams (docs/demos.md figures).

    PYTHONPATH=. python -m weldcraft.demos.skill_stats --seams 50 [--env weldcraft/FilletPB-v0]
        [--style zigzag] [--png docs/img/demos_skill_levels.png] [--json out.json]

Every skill welds the same seams (env seeds `seed0 .. seed0 + seams - 1`, default randomization). For
each seam the script also records whether level B is possible at all: ISO 5817 limits the root gap of a
fillet weld (617: h <= 0.5 + 0.1 a at level B), a property of the fit-up that no welding technique
changes, so a seam whose realised gap exceeds that limit anywhere is at best level C. Prints one JSON
object (per-skill level counts, quality statistics, B rate on all seams and on the seams where B is
possible, termination reasons, the master's measured weave) and writes the PNG.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from weldcraft.demos.craftsman.policy import Craftsman
from weldcraft.demos.rollout import craftsman_episode
from weldcraft.demos.weave_analysis import estimate_weave
from weldcraft.fileio import atomic_path, write_text_atomic

SKILL_ORDER = ("master", "competent", "novice")
GRADES = ("B", "C", "D", "None", "incomplete")


@dataclass(frozen=True)
class WeldResult:
    """One weld: seed, skill, ISO level, quality, termination, imperfection codes, B possible, weave.

    `grade` is the ISO level of a completed weld ("B", "C", "D", "None") or "incomplete" when the episode
    ended before the seam did (collision, lost seam, unreachable): an unfinished weld has no level.
    """

    seed: int
    skill: str
    iso_level: str | None
    quality: float
    termination: str
    codes: tuple[str, ...]
    b_possible: bool
    weave_width_mm: float
    weave_frequency_hz: float

    @property
    def grade(self) -> str:
        """ISO level of a completed weld, or "incomplete"."""
        return str(self.iso_level) if self.termination == "seam_complete" else "incomplete"


def b_possible(env: Any) -> bool:
    """False when the realised root gap exceeds ISO 5817 level B's 617 limit anywhere along the seam."""
    from weldcraft.process import iso5817_limit

    e = env.unwrapped
    if not e.job.joint.kind.is_fillet_like:
        return True
    limit = iso5817_limit(
        "incorrect_root_gap_fillet",
        "B",
        thickness_mm=e.job.joint.thickness_mm,
        throat_mm=e.process.design_throat_mm,
    )
    s = np.linspace(0.0, e.job.length_mm, 601)
    return bool(np.max(e.realization.gap_mm(s)) <= limit)


def run(env_id: str, seams: int, style: str, seed0: int = 0) -> list[WeldResult]:
    """Weld `seams` seams with every skill; returns one result per weld."""
    import gymnasium as gym

    import weldcraft  # noqa: F401  (registers the env ids)

    env = gym.make(env_id)
    out: list[WeldResult] = []
    try:
        for skill in SKILL_ORDER:
            craftsman = Craftsman(skill, style, seed=7)
            for k in range(seams):
                demo = craftsman_episode(env, craftsman, seed0 + k)
                m = demo.episode.metadata
                lat = demo.trajectory.lateral_true_mm
                weave = estimate_weave(lat, demo.trajectory.dt_s) if lat.shape[0] >= 8 else None
                out.append(
                    WeldResult(
                        seed=seed0 + k,
                        skill=skill,
                        iso_level=m.iso_level,
                        quality=m.quality_score,
                        termination=str(m.extra.get("termination_reason")),
                        codes=tuple(m.extra.get("imperfection_codes", [])),
                        b_possible=b_possible(env),
                        weave_width_mm=math.nan if weave is None else weave.width_mm,
                        weave_frequency_hz=math.nan if weave is None else weave.frequency_hz,
                    )
                )
    finally:
        env.close()
    return out


def summarize(results: list[WeldResult]) -> dict[str, Any]:
    """Per-skill statistics as JSON values."""
    summary: dict[str, Any] = {}
    for skill in SKILL_ORDER:
        rs = [r for r in results if r.skill == skill]
        if not rs:
            continue
        q = np.array([r.quality for r in rs])
        levels = collections.Counter(r.grade for r in rs)
        feasible = [r for r in rs if r.b_possible]
        codes = collections.Counter(c for r in rs for c in r.codes)
        entry: dict[str, Any] = {
            "welds": len(rs),
            "levels": {k: levels.get(k, 0) for k in GRADES},
            "b_rate": round(levels.get("B", 0) / len(rs), 3),
            "c_or_better_rate": round((levels.get("B", 0) + levels.get("C", 0)) / len(rs), 3),
            "b_possible_seams": len(feasible),
            "b_rate_where_possible": round(sum(r.grade == "B" for r in feasible) / len(feasible), 3)
            if feasible
            else None,
            "quality_mean": round(float(q.mean()), 4),
            "quality_median": round(float(np.median(q)), 4),
            "quality_p10_p90": [round(float(np.percentile(q, 10)), 4), round(float(np.percentile(q, 90)), 4)],
            "terminations": dict(collections.Counter(r.termination for r in rs)),
            "imperfections": dict(codes.most_common()),
        }
        widths = np.array([r.weave_width_mm for r in rs])
        freqs = np.array([r.weave_frequency_hz for r in rs])
        ok = np.isfinite(widths) & (freqs > 0)
        if ok.any():
            entry["weave_width_mm_median"] = round(float(np.median(widths[ok])), 3)
            entry["weave_frequency_hz_median"] = round(float(np.median(freqs[ok])), 3)
        summary[skill] = entry
    return summary


def markdown_table(summary: dict[str, Any]) -> str:
    """The per-skill table of docs/demos.md."""
    head = ["skill", "welds", "B", "C", "D", "below D", "incomplete", "B rate", "B rate where B is possible"]
    head += ["C or better"]
    head += ["quality mean", "quality p10-p90"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for skill, e in summary.items():
        lv = e["levels"]
        p10, p90 = e["quality_p10_p90"]
        rows.append(
            f"| {skill} | {e['welds']} | {lv['B']} | {lv['C']} | {lv['D']} | {lv['None']} | "
            f"{lv['incomplete']} | "
            f"{e['b_rate']:.2f} | "
            f"{e['b_rate_where_possible']} ({e['b_possible_seams']} seams) | {e['c_or_better_rate']:.2f} | "
            f"{e['quality_mean']:.3f} | {p10:.3f}-{p90:.3f} |"
        )
    return "\n".join(rows)


def plot(results: list[WeldResult], path: Path, title: str) -> Path:
    """Two panels: ISO level counts per skill (stacked bars) and quality score per weld (strip plot)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"B": "#2a9d8f", "C": "#e9c46a", "D": "#f4a261", "None": "#e76f51", "incomplete": "#8d99ae"}
    labels = {"B": "level B", "C": "level C", "D": "level D", "None": "below D", "incomplete": "incomplete"}
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    skills = [s for s in SKILL_ORDER if any(r.skill == s for r in results)]
    bottom = np.zeros(len(skills))
    for level in GRADES:
        counts = np.array([sum(r.grade == level for r in results if r.skill == s) for s in skills])
        ax1.bar(skills, counts, bottom=bottom, color=colors[level], label=labels[level])
        bottom += counts
    ax1.set_ylabel("welds")
    ax1.set_title("ISO 5817 level of the weld")
    ax1.legend(fontsize=8)
    rng = np.random.default_rng(0)
    for i, s in enumerate(skills):
        rs = [r for r in results if r.skill == s]
        x = i + rng.uniform(-0.15, 0.15, len(rs))
        ax2.scatter(
            x,
            [r.quality for r in rs],
            s=14,
            c=[colors[r.grade] for r in rs],
            edgecolors="k",
            linewidths=0.3,
        )
    ax2.set_xticks(range(len(skills)), skills)
    ax2.set_ylim(-0.02, 1.02)
    ax2.set_ylabel("quality score")
    ax2.set_title("quality per weld (colour = level)")
    for y in (0.25, 0.5, 0.75):
        ax2.axhline(y, color="0.8", lw=0.8, zorder=0)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="weldcraft/FilletPB-v0")
    parser.add_argument("--seams", type=int, default=50)
    parser.add_argument("--style", default="zigzag")
    parser.add_argument("--seed0", type=int, default=0)
    parser.add_argument("--png", default="docs/img/demos_skill_levels.png")
    parser.add_argument("--json", default=None, help="also write the per-weld results here")
    args = parser.parse_args()
    results = run(args.env, args.seams, args.style, args.seed0)
    summary = summarize(results)
    png = plot(results, Path(args.png), f"Craftsman ({args.style}) on {args.seams} random {args.env} seams")
    if args.json:
        write_text_atomic(args.json, json.dumps([r.__dict__ for r in results], indent=1, default=str) + "\n")
    print(
        json.dumps(
            {"env": args.env, "seams": args.seams, "style": args.style, "png": str(png), "skills": summary}
        )
    )
    print(markdown_table(summary))


if __name__ == "__main__":
    main()
