"""Report records validate themselves and compute the figures the verdict relies on."""

from __future__ import annotations

import numpy as np
import pytest

from weldcraft.errors import DataError
from weldcraft.report import EvalStats, Evaluation, Metric, ReportData, Targets, WeldTrace, level_counts_from


def _trace(**over: object) -> WeldTrace:
    n = 4
    base: dict[str, object] = {
        "label": "policy",
        "s_mm": np.array([0.0, 10.0, 20.0, 30.0]),
        "level": np.array([0, 1, 2, -1]),
        "iso5817_level": "D",
        "quality_score": 0.4,
    }
    for name in (
        "width_mm",
        "reinforcement_mm",
        "penetration_mm",
        "ctwd_mm",
        "work_angle_deg",
        "travel_angle_deg",
        "travel_speed_mm_s",
        "lateral_offset_mm",
    ):
        base[name] = np.ones(n)
    base.update(over)
    return WeldTrace(**base)  # type: ignore[arg-type]


def test_trace_arrays_are_read_only_copies() -> None:
    width = np.array([8.0, 8.1, 8.2, 8.3])
    tr = _trace(width_mm=width)
    width[0] = 99.0
    assert tr.width_mm[0] == 8.0
    assert not tr.width_mm.flags.writeable
    assert tr.length_mm == 30.0


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"s_mm": np.array([0.0, 10.0, 10.0, 30.0])}, "strictly increasing"),
        ({"level": np.array([0, 1, 4, 0])}, "level must hold"),
        ({"width_mm": np.ones(3)}, r"policy.width_mm must have shape \(4,\)"),
        ({"ctwd_mm": np.array([15.0, np.nan, 15.0, 15.0])}, r"ctwd_mm\[1\] is not finite"),
        ({"iso5817_level": "A"}, "must be B, C, D or None"),
        ({"quality_score": 1.5}, "quality_score"),
        ({"imperfections": ({"iso6520_code": "5011", "s_mm": 3.0},)}, "lacks size_mm"),
    ],
)
def test_trace_rejects_bad_input(over: dict[str, object], message: str) -> None:
    with pytest.raises(DataError, match=message):
        _trace(**over)


def test_eval_stats_pass_rates() -> None:
    stats = EvalStats(episodes=20, level_counts={"B": 11, "C": 6, "D": 2, "none": 1}, quality_mean=0.7)
    assert stats.pass_rate("B") == pytest.approx(0.55)
    assert stats.pass_rate("C") == pytest.approx(0.85)
    assert stats.pass_rate("D") == pytest.approx(0.95)


def test_eval_stats_counts_must_sum_to_episodes() -> None:
    with pytest.raises(DataError, match="sum to episodes=10"):
        EvalStats(episodes=10, level_counts={"B": 5, "C": 4}, quality_mean=0.8)
    with pytest.raises(DataError, match="keys must be"):
        EvalStats(episodes=1, level_counts={"A": 1}, quality_mean=0.8)
    with pytest.raises(DataError, match="defect_counts"):
        EvalStats(episodes=2, level_counts={"B": 2}, quality_mean=0.8, defect_counts={"5011": 3})


def test_level_counts_from_levels() -> None:
    assert level_counts_from(["B", "B", None, "C"]) == {"B": 2, "C": 1, "D": 0, "none": 1}
    with pytest.raises(DataError):
        level_counts_from(["E"])


def test_evaluation_accepts_metric_mapping() -> None:
    stats = EvalStats(episodes=1, level_counts={"B": 1}, quality_mean=0.9)
    ev = Evaluation(stats, stats, metrics={"path RMS": (0.4, 0.1)})  # type: ignore[arg-type]
    assert ev.metrics == (Metric("path RMS", 0.4, 0.1),)


def test_report_data_validates_windows_and_targets() -> None:
    from weldcraft.report import RunInfo

    run = RunInfo("0.1.0", {}, "h", "2025-01-01")
    with pytest.raises(DataError, match="torch_windows key 'speed'"):
        ReportData(run, _trace(), _trace(label="master"), torch_windows={"speed": (1.0, 2.0)})
    with pytest.raises(DataError, match="lo < hi"):
        ReportData(run, _trace(), _trace(label="master"), torch_windows={"ctwd_mm": (20.0, 10.0)})
    with pytest.raises(DataError, match="Targets.level"):
        Targets(level="A")


def test_stats_from_welds_counts_levels_codes_completion() -> None:
    from weldcraft.report.adapters import stats_from_welds

    welds = [
        {"iso5817_level": "B", "quality_score": 0.9, "completed": True, "imperfections": []},
        {
            "iso5817_level": None,
            "quality_score": 0.1,
            "completed": False,
            "imperfections": [{"iso6520_code": "4011"}, {"iso6520_code": "4011"}, {"iso6520_code": "5011"}],
        },
        {
            "iso5817_level": "C",
            "quality_score": 0.65,
            "completed": True,
            "imperfections": [{"iso6520_code": "5011"}],
        },
    ]
    stats = stats_from_welds(welds)
    assert stats.level_counts == {"B": 1, "C": 1, "D": 0, "none": 1}
    assert stats.defect_counts == {"4011": 1, "5011": 2}  # welds showing the code, not runs
    assert stats.quality_mean == pytest.approx(0.55) and stats.completed == 2
    assert stats.pass_rate("C") == pytest.approx(2 / 3)
