"""The summary verdict at the top of the report: a pure function of `ReportData`.

The verdict checks the policy against `Targets` (defaults: the learning issue's acceptance figures, level
>= C on >= 90 % of the held-out seams and mean quality >= 0.9 x the master's) on the held-out evaluation.
Without an evaluation it only states the one weld shown and makes no pass/fail claim.
"""

from __future__ import annotations

from dataclasses import dataclass

from weldcraft.regress.iso6520 import ISO6520_NAMES, iso6520_name
from weldcraft.report.data import ReportData, WeldTrace

__all__ = ["ISO6520_NAMES", "Verdict", "VerdictItem", "compute_verdict", "iso6520_name"]


@dataclass(frozen=True)
class VerdictItem:
    """One line of the summary: a label, its value as text, and whether it meets its target (None: info)."""

    label: str
    value: str
    ok: bool | None = None
    target: str = ""


@dataclass(frozen=True)
class Verdict:
    """passed: True/False against the targets, None when there is no held-out evaluation."""

    passed: bool | None
    headline: str
    items: tuple[VerdictItem, ...]


def _level(trace: WeldTrace) -> str:
    return "none (fails D)" if trace.iso5817_level is None else trace.iso5817_level


def _pct(x: float) -> str:
    return f"{100.0 * x:.0f} %"


def compute_verdict(data: ReportData) -> Verdict:
    """The verdict of a report (module docstring)."""
    p, m = data.policy, data.master
    shown = VerdictItem(
        "Weld shown",
        f"policy level {_level(p)} (quality {p.quality_score:.2f}); "
        f"master level {_level(m)} (quality {m.quality_score:.2f})",
    )
    ev = data.evaluation
    if ev is None:
        return Verdict(
            None,
            f"No held-out evaluation in this run: the policy's weld reached level {_level(p)}, "
            f"the master's {_level(m)}.",
            (shown,),
        )
    t = data.targets
    rate = ev.policy.pass_rate(t.level)
    rate_ok = rate >= t.min_pass_rate
    ratio = ev.policy.quality_mean / ev.master.quality_mean if ev.master.quality_mean > 0 else float("inf")
    ratio_ok = ratio >= t.min_quality_ratio
    n_pass = round(rate * ev.policy.episodes)
    items = [
        VerdictItem(
            f"Level ≥ {t.level} (held-out seams)",
            f"policy {_pct(rate)} ({n_pass}/{ev.policy.episodes}); "
            f"master {_pct(ev.master.pass_rate(t.level))}",
            rate_ok,
            f"≥ {_pct(t.min_pass_rate)}",
        ),
        VerdictItem(
            "Mean quality vs master",
            f"{ev.policy.quality_mean:.3f} / {ev.master.quality_mean:.3f} = {_pct(ratio)}",
            ratio_ok,
            f"≥ {_pct(t.min_quality_ratio)}",
        ),
    ]
    for lv in ("B", "C"):
        if lv != t.level:
            items.append(
                VerdictItem(
                    f"Level ≥ {lv}",
                    f"policy {_pct(ev.policy.pass_rate(lv))}; master {_pct(ev.master.pass_rate(lv))}",
                )
            )
    items.append(shown)
    passed = rate_ok and ratio_ok
    word = "meets" if passed else "misses"
    headline = (
        f"The policy {word} the target: level ≥ {t.level} on {_pct(rate)} of "
        f"{ev.policy.episodes} held-out seams (target {_pct(t.min_pass_rate)}), "
        f"mean quality {_pct(ratio)} of the master's (target {_pct(t.min_quality_ratio)})."
    )
    return Verdict(passed, headline, tuple(items))
