"""The quality gate's decision: approve, send back for revision, or fail after the last try."""

from __future__ import annotations

import pytest

from lxera_pipeline.generators.types import DimensionScores, QualityReport
from lxera_pipeline.handlers.workflow.quality import verdict


def report(score: float, completeness: float = 9.0) -> QualityReport:
    dims = DimensionScores(
        accuracy=score,
        clarity=score,
        completeness=completeness,
        engagement=score,
        personalization=score,
    )
    return QualityReport(overall_score=score, dimensions=dims, section_scores={}, feedback="")


@pytest.mark.parametrize(
    ("priority", "score", "passed"),
    [
        ("critical", 8.0, True),
        ("critical", 7.9, False),
        ("high", 7.5, True),
        ("high", 7.4, False),
        ("medium", 7.0, True),
        ("low", 6.5, True),
        ("low", 6.4, False),
    ],
)
def test_thresholds_follow_the_priority(priority: str, score: float, passed: bool) -> None:
    decision = verdict(report(score), priority, 0, 2)  # type: ignore[arg-type]
    assert decision.passed is passed
    assert decision.status == ("approved" if passed else "revision")


def test_low_completeness_is_not_approved_whatever_the_score() -> None:
    assert verdict(report(9.5, completeness=6.9), "low", 0, 2).status == "revision"


def test_revisions_until_the_limit_then_failed_with_the_reason() -> None:
    assert [verdict(report(5.0), "medium", n, 2).status for n in range(3)] == [
        "revision",
        "revision",
        "failed",
    ]
    failed = verdict(report(5.0), "medium", 2, 2)
    assert failed.failure_reason is not None
    assert "5.0" in failed.failure_reason
    assert "medium threshold 7.0" in failed.failure_reason
    assert verdict(report(5.0), "medium", 0, 0).status == "failed"
    assert verdict(report(7.2), "medium", 2, 2).status == "approved"
