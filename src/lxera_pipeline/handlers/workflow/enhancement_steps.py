"""The enhancement loop, continued: rewrite the weak sections, finish, hand back to the gate.

- ``enhancement.enhance`` (cm_enhancement_sessions ``* -> research_complete``): the enhancer port
  rewrites the session's sections_to_enhance (the others stay as they are); the content's
  section_enhancement_count and enhancement_history record it; session -> 'content_enhanced'.
- ``enhancement.complete`` (``* -> content_enhanced``): session -> 'completed' with
  word_count_after and integration_completed (completed_at, duration, success are stamped).
- ``enhancement.return_to_gate`` (``* -> completed``): the content goes back to 'quality_check'.
"""

from __future__ import annotations

from lxera_pipeline.data.assessments import list_assessments
from lxera_pipeline.data.content import get_module_content, set_content_status, update_sections
from lxera_pipeline.data.enhancements import advance_enhancement_session, get_enhancement_session
from lxera_pipeline.data.workflow import lock_content, lock_enhancement, record_enhancement
from lxera_pipeline.generators.types import SECTION_NAMES, SectionName
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import registry
from lxera_pipeline.handlers.workflow.common import (
    content_learner,
    entity_id,
    limits_of,
    moved_on,
    skip,
)
from lxera_pipeline.handlers.workflow.enhancement import ENHANCEMENTS, fail_enhancement
from lxera_pipeline.handlers.workflow.inputs import (
    assessment_report,
    content_module,
    content_research,
    content_sections,
)
from lxera_pipeline.handlers.workflow.resources import resources_of


class MissingAssessmentError(LookupError):
    """An enhancement session whose content has no quality assessment to work from."""


@registry.handler(
    "enhancement.enhance",
    table=ENHANCEMENTS,
    transition="* -> research_complete",
    group="content",
    on_dead=fail_enhancement,
)
async def enhance(ctx: HandlerContext) -> None:
    session_id = entity_id(ctx)
    async with ctx.connection() as conn:
        session = await get_enhancement_session(conn, session_id)
        content = None if session is None else await get_module_content(conn, session.content_id)
        if session is None or content is None or session.status != "research_complete":
            return skip(ctx, moved_on(ENHANCEMENTS, session_id, "research_complete", session))
        learner = await content_learner(conn, content)
        assessments = await list_assessments(conn, content.content_id)
    chosen = [a for a in assessments if a.assessment_id == session.quality_assessment_id]
    if not (chosen or assessments):
        raise MissingAssessmentError(f"content {content.content_id} has no quality assessment")
    wanted: list[SectionName] = [s for s in SECTION_NAMES if s in session.sections_to_enhance]
    report = assessment_report((chosen or assessments)[-1])
    report = report.model_copy(update={"sections_needing_work": wanted})
    limits = limits_of(ctx)
    improved = await resources_of(ctx).enhancer.enhance(
        content_module(content, limits),
        content_sections(content, limits),
        report,
        content_research(content, limits),
        learner,
    )
    async with ctx.transaction() as conn:
        locked = await lock_enhancement(conn, session_id)
        if locked is None or locked.status != "research_complete":
            return skip(ctx, moved_on(ENHANCEMENTS, session_id, "research_complete", locked))
        await update_sections(conn, content.content_id, {s: improved.get(s) for s in wanted})
        await record_enhancement(conn, content.content_id, session_id, wanted)
        await advance_enhancement_session(
            conn, session_id, "content_enhanced", content_regenerated=True
        )
        ctx.note(sections=wanted)


@registry.handler(
    "enhancement.complete",
    table=ENHANCEMENTS,
    transition="* -> content_enhanced",
    group="content",
    on_dead=fail_enhancement,
)
async def complete(ctx: HandlerContext) -> None:
    session_id = entity_id(ctx)
    async with ctx.transaction() as conn:
        session = await lock_enhancement(conn, session_id)
        if session is None or session.status != "content_enhanced":
            return skip(ctx, moved_on(ENHANCEMENTS, session_id, "content_enhanced", session))
        content = await get_module_content(conn, session.content_id)
        words = content.total_word_count if content else None
        await advance_enhancement_session(
            conn, session_id, "completed", integration_completed=True, word_count_after=words
        )
        ctx.note(word_count_before=session.word_count_before, word_count_after=words)


@registry.handler(
    "enhancement.return_to_gate",
    table=ENHANCEMENTS,
    transition="* -> completed",
    group="content",
    on_dead=fail_enhancement,
)
async def return_to_gate(ctx: HandlerContext) -> None:
    session_id = entity_id(ctx)
    async with ctx.transaction() as conn:
        session = await get_enhancement_session(conn, session_id)
        content = None if session is None else await lock_content(conn, session.content_id)
        if session is None or content is None or content.status != "revision":
            return skip(ctx, moved_on("cm_module_content", session_id, "revision", content))
        await set_content_status(conn, content.content_id, "quality_check")
