"""Quality assessments of module content: store one, read the latest or all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data import validation as v
from lxera_pipeline.data.content_models import QualityAssessment
from lxera_pipeline.data.errors import DataValidationError
from lxera_pipeline.data.statements import fetch_all, fetch_one, jsonb

DIMENSIONS = ("accuracy", "clarity", "completeness", "engagement", "personalization")


def _texts(argument: str, values: Sequence[str]) -> list[str]:
    if isinstance(values, str) or not all(isinstance(value, str) for value in values):
        raise DataValidationError(argument, values, "a sequence of strings")
    return list(values)


def _assessment_params(
    content_id: UUID,
    overall_score: float,
    passed: bool,
    section_scores: Mapping[str, float],
    dimension_scores: Mapping[str, float | None],
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "content_id": v.check_uuid("content_id", content_id),
        "overall_score": v.check_score("overall_score", overall_score),
        "passed": bool(passed),
        "section_scores": jsonb(v.check_scores("section_scores", dict(section_scores))),
    }
    if params["overall_score"] is None:
        raise DataValidationError("overall_score", None, "a number between 0 and 10")
    for dimension in DIMENSIONS:
        name = f"{dimension}_score"
        params[name] = v.check_score(name, dimension_scores.get(dimension))
    return params


async def store_quality_assessment(
    conn: AsyncConnection[Any],
    content_id: UUID,
    *,
    overall_score: float,
    passed: bool,
    section_scores: Mapping[str, float] | None = None,
    accuracy_score: float | None = None,
    clarity_score: float | None = None,
    completeness_score: float | None = None,
    engagement_score: float | None = None,
    personalization_score: float | None = None,
    quality_feedback: str | None = None,
    word_count_assessment: Mapping[str, Any] | None = None,
    critical_issues: Sequence[str] = (),
    improvement_suggestions: Sequence[str] = (),
    sections_needing_work: Sequence[str] = (),
    requires_revision: bool | None = None,
    module_context: Mapping[str, Any] | None = None,
    assessment_duration_seconds: int | None = None,
) -> QualityAssessment:
    """Insert an assessment of the content (company taken from the content row), and stamp the
    content's last_quality_check and section_quality_scores in the same statement. Scores are
    0-10 (stored with one decimal); ``requires_revision`` defaults to ``not passed``."""
    dimensions = {
        "accuracy": accuracy_score,
        "clarity": clarity_score,
        "completeness": completeness_score,
        "engagement": engagement_score,
        "personalization": personalization_score,
    }
    params = _assessment_params(content_id, overall_score, passed, section_scores or {}, dimensions)
    params |= {
        "quality_feedback": quality_feedback,
        "word_count_assessment": jsonb(
            v.check_object("word_count_assessment", word_count_assessment) or {}
        ),
        "critical_issues": _texts("critical_issues", critical_issues),
        "improvement_suggestions": _texts("improvement_suggestions", improvement_suggestions),
        "sections_needing_work": v.check_sections(
            _texts("sections_needing_work", sections_needing_work), "sections_needing_work"
        ),
        "requires_revision": (not passed) if requires_revision is None else requires_revision,
        "module_context": jsonb(v.check_object("module_context", module_context)),
        "assessment_duration_seconds": v.check_count(
            "assessment_duration_seconds", assessment_duration_seconds
        ),
    }
    row = await fetch_one(conn, "insert_quality_assessment", params)
    return QualityAssessment.from_found(row, "cm_module_content", content_id)


async def get_latest_assessment(
    conn: AsyncConnection[Any], content_id: UUID
) -> QualityAssessment | None:
    """The content's newest assessment, or None if it was never assessed."""
    params = {"content_id": v.check_uuid("content_id", content_id)}
    return QualityAssessment.from_optional(
        await fetch_one(conn, "select_latest_quality_assessment", params)
    )


async def list_assessments(conn: AsyncConnection[Any], content_id: UUID) -> list[QualityAssessment]:
    """Every assessment of the content, oldest first."""
    params = {"content_id": v.check_uuid("content_id", content_id)}
    return QualityAssessment.from_rows(await fetch_all(conn, "list_quality_assessments", params))
