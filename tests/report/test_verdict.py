"""The summary verdict: pass/fail against the learning issue's targets, with the numbers it shows."""

from __future__ import annotations

import dataclasses

from weldcraft.report import EvalStats, Evaluation, ReportData, Targets, compute_verdict


def test_fixture_policy_misses_target(report_data: ReportData) -> None:
    # The fixture's policy weld fails level D; 9 of its 10 evaluation welds are that weld.
    verdict = compute_verdict(report_data)
    assert verdict.passed is False
    assert report_data.evaluation is not None
    assert report_data.evaluation.policy.pass_rate("C") == 0.1
    assert "misses the target: level ≥ C on 10 % of 10 held-out seams (target 90 %)" in verdict.headline
    assert verdict.items[0].ok is False and verdict.items[0].value.startswith("policy 10 % (1/10)")


def test_policy_meeting_targets_passes(report_data: ReportData) -> None:
    policy = EvalStats(episodes=50, level_counts={"B": 30, "C": 16, "D": 4}, quality_mean=0.76)
    master = EvalStats(episodes=50, level_counts={"B": 50}, quality_mean=0.82)
    data = dataclasses.replace(report_data, evaluation=Evaluation(policy, master))
    verdict = compute_verdict(data)
    assert verdict.passed is True  # 46/50 = 92 % >= 90 %; 0.76/0.82 = 92.7 % >= 90 %
    assert "level ≥ C on 92 % of 50 held-out seams" in verdict.headline
    assert "quality 93 % of the master's" in verdict.headline
    strict = dataclasses.replace(data, targets=Targets(level="B", min_pass_rate=0.9))
    assert compute_verdict(strict).passed is False  # only 60 % reach B


def test_quality_ratio_alone_can_fail(report_data: ReportData) -> None:
    policy = EvalStats(episodes=10, level_counts={"C": 10}, quality_mean=0.60)
    master = EvalStats(episodes=10, level_counts={"B": 10}, quality_mean=0.90)
    verdict = compute_verdict(dataclasses.replace(report_data, evaluation=Evaluation(policy, master)))
    assert verdict.passed is False
    quality = next(i for i in verdict.items if i.label == "Mean quality vs master")
    assert quality.ok is False and quality.value == "0.600 / 0.900 = 67 %"


def test_without_evaluation_no_claim(report_data: ReportData) -> None:
    verdict = compute_verdict(dataclasses.replace(report_data, evaluation=None))
    assert verdict.passed is None
    assert "the policy's weld reached level none (fails D), the master's B" in verdict.headline
