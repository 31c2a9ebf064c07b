"""The quality gate: assess a module, store the assessment, approve it, send it back or fail it.

``content.quality_gate`` (cm_module_content ``* -> quality_check``) runs the quality assessor
port and stores a cm_quality_assessments row (five dimensions weighted 0.25/0.20/0.25/0.15/0.15,
per-section scores, feedback, critical issues, sections needing work; the content's
last_quality_check is stamped in the same statement). Then, by :func:`verdict`:

- the score reaches the threshold of the module's priority (critical 8.0, high 7.5, medium 7.0,
  low 6.5) and completeness is at least 7.0: 'approved';
- otherwise, while fewer than ``settings.max_enhancement_attempts`` enhancements were made
  (``revision_count``): 'revision' with revision_count + 1;
- otherwise: 'failed' with the reason in failure_reason. With the default of 2 a module that never
  passes fails at its third gate, right after its second enhancement.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data.assessments import store_quality_assessment
from lxera_pipeline.data.content import get_module_content, set_content_status
from lxera_pipeline.data.content_models import ModuleContent
from lxera_pipeline.data.workflow import lock_content
from lxera_pipeline.generators.text.quality import passes, threshold_for
from lxera_pipeline.generators.types import Priority, QualityReport
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import registry
from lxera_pipeline.handlers.workflow.common import (
    content_learner,
    entity_id,
    limits_of,
    moved_on,
    skip,
)
from lxera_pipeline.handlers.workflow.content import CONTENT, fail_content
from lxera_pipeline.handlers.workflow.inputs import content_module, content_sections
from lxera_pipeline.handlers.workflow.resources import resources_of
from lxera_pipeline.log import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    status: str  # approved | revision | failed
    failure_reason: str | None = None


def verdict(report: QualityReport, priority: Priority, revisions: int, limit: int) -> Verdict:
    """What the gate does with a report, given the enhancements made so far and the limit."""
    if passes(report, priority):
        return Verdict(True, "approved")
    if revisions < limit:
        return Verdict(False, "revision")
    reason = (
        f"quality score {report.overall_score:.1f} (completeness "
        f"{report.dimensions.completeness:.1f}) is below the {priority} threshold "
        f"{threshold_for(priority):.1f} after {revisions} enhancement attempt(s); "
        f"the maximum is {limit}"
    )
    return Verdict(False, "failed", reason)


@dataclass(frozen=True)
class Assessed:
    """One run of the assessor on one module, and what the gate makes of it."""

    report: QualityReport
    decision: Verdict
    context: dict[str, Any]
    seconds: float


async def assess(ctx: HandlerContext, content: ModuleContent) -> Assessed:
    resources = resources_of(ctx)
    async with ctx.connection() as conn:
        learner = await content_learner(conn, content)
    limits = limits_of(ctx)
    module, priority = content_module(content, limits), content.priority_level
    sections = content_sections(content, limits)
    started = time.perf_counter()
    report = await resources.assessor.assess(sections, module, learner, priority)
    limit = resources.settings.max_enhancement_attempts
    context = {
        "module": module.title,
        "priority": priority,
        "threshold": threshold_for(priority),
        "gate": content.revision_count + 1,
    }
    decision = verdict(report, priority, content.revision_count, limit)
    return Assessed(report, decision, context, time.perf_counter() - started)


async def store(conn: AsyncConnection[Any], content_id: UUID, found: Assessed) -> UUID:
    """The assessment row (which also stamps last_quality_check); returns its id."""
    report, dims = found.report, found.report.dimensions
    row = await store_quality_assessment(
        conn,
        content_id,
        overall_score=report.overall_score,
        passed=found.decision.passed,
        section_scores=report.section_scores,
        accuracy_score=dims.accuracy,
        clarity_score=dims.clarity,
        completeness_score=dims.completeness,
        engagement_score=dims.engagement,
        personalization_score=dims.personalization,
        quality_feedback=report.feedback,
        word_count_assessment=report.word_count_assessment,
        critical_issues=report.critical_issues,
        improvement_suggestions=report.improvement_suggestions,
        sections_needing_work=report.sections_needing_work,
        requires_revision=not found.decision.passed,
        module_context=found.context,
        assessment_duration_seconds=round(found.seconds),
    )
    return row.assessment_id


@registry.handler(
    "content.quality_gate",
    table=CONTENT,
    transition="* -> quality_check",
    group="content",
    on_dead=fail_content,
)
async def quality_gate(ctx: HandlerContext) -> None:
    content_id = entity_id(ctx)
    async with ctx.connection() as conn:
        content = await get_module_content(conn, content_id)
    if content is None or content.status != "quality_check":
        return skip(ctx, moved_on(CONTENT, content_id, "quality_check", content))
    found = await assess(ctx, content)
    decision = found.decision
    async with ctx.transaction() as conn:
        locked = await lock_content(conn, content_id)
        if locked is None or locked.status != "quality_check":
            return skip(ctx, moved_on(CONTENT, content_id, "quality_check", locked))
        assessment_id = await store(conn, content_id, found)
        await set_content_status(
            conn,
            content_id,
            decision.status,
            count_revision=decision.status == "revision",
            failure_reason=decision.failure_reason,
        )
        ctx.note(score=found.report.overall_score, verdict=decision.status)
    log.info(
        "quality.verdict",
        content_id=str(content_id),
        assessment_id=str(assessment_id),
        score=found.report.overall_score,
        verdict=decision.status,
    )
