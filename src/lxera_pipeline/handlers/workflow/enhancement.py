"""The enhancement loop: a module sent to 'revision' is researched again and rewritten.

- ``content.open_enhancement`` (cm_module_content ``* -> revision``): opens a
  cm_enhancement_sessions row ('started') for the latest assessment's sections needing work, with
  quality_assessment_id, word_count_before and quality_score_before.
- ``enhancement.research`` (cm_enhancement_sessions ``new -> started``): the researcher port looks
  at the module again; its new findings are merged into the content's research_context and the
  session moves to 'research_complete'.
- The rewrite and the hand-back to the quality gate are in `enhancement_steps.py`.

A step that runs out of attempts fails the session and the content (``fail_enhancement``).
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

from lxera_pipeline.data.assessments import get_latest_assessment
from lxera_pipeline.data.content import get_module_content
from lxera_pipeline.data.enhancements import (
    advance_enhancement_session,
    create_enhancement_session,
    get_enhancement_session,
)
from lxera_pipeline.data.failures import fail_open_content, fail_open_enhancement
from lxera_pipeline.data.vocabulary import SECTION_NAMES
from lxera_pipeline.data.workflow import lock_content, lock_enhancement, set_research_context
from lxera_pipeline.events.models import StatusEvent
from lxera_pipeline.generators.types import CoursePlanInput
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import registry
from lxera_pipeline.handlers.workflow.common import (
    content_learner,
    entity_id,
    limits_of,
    moved_on,
    skip,
    stable_id,
)
from lxera_pipeline.handlers.workflow.content import CONTENT, fail_content
from lxera_pipeline.handlers.workflow.inputs import content_module, content_research, merge_research
from lxera_pipeline.handlers.workflow.resources import resources_of

ENHANCEMENTS = "cm_enhancement_sessions"
OPEN_STATUSES = ("started", "research_complete", "content_enhanced")


async def fail_enhancement(conn: AsyncConnection[Any], event: StatusEvent, error: str) -> None:
    """on_dead hook: the session and the content it was improving become 'failed' (plain SQL on
    ids and statuses: it works on rows that do not parse)."""
    _, content_id = await fail_open_enhancement(conn, event.entity_id, error)
    if content_id is not None:
        reason = f"enhancement {event.entity_id} failed: {error}"
        await fail_open_content(conn, content_id, ("revision",), reason)


@registry.handler(
    "content.open_enhancement",
    table=CONTENT,
    transition="* -> revision",
    group="content",
    on_dead=fail_content,
)
async def open_enhancement(ctx: HandlerContext) -> None:
    content_id = entity_id(ctx)
    async with ctx.transaction() as conn:
        content = await lock_content(conn, content_id)
        if content is None or content.status != "revision":
            return skip(ctx, moved_on(CONTENT, content_id, "revision", content))
        assessment = await get_latest_assessment(conn, content_id)
        needing = list(assessment.sections_needing_work) if assessment else []
        session = await create_enhancement_session(
            conn,
            content_id=content_id,
            sections_to_enhance=needing or list(SECTION_NAMES),
            quality_assessment_id=assessment.assessment_id if assessment else None,
            session_id=stable_id("enhancement", content_id, ctx.event.event_id),
        )
        ctx.note(session_id=str(session.session_id), sections=session.sections_to_enhance)


@registry.handler(
    "enhancement.research",
    table=ENHANCEMENTS,
    transition="new -> started",
    group="content",
    on_dead=fail_enhancement,
)
async def research_again(ctx: HandlerContext) -> None:
    session_id = entity_id(ctx)
    async with ctx.connection() as conn:
        session = await get_enhancement_session(conn, session_id)
        content = None if session is None else await get_module_content(conn, session.content_id)
        if session is None or content is None or session.status != "started":
            return skip(ctx, moved_on(ENHANCEMENTS, session_id, "started", session))
        learner = await content_learner(conn, content)
    limits = limits_of(ctx)
    module = content_module(content, limits)
    request = CoursePlanInput(course_title=module.title, learner=learner, modules=[module])
    result = await resources_of(ctx).researcher.research(request)
    known = content_research(content, limits)
    fresh = result.findings.get(module.title) or known
    merged = merge_research(known, fresh)
    async with ctx.transaction() as conn:
        locked = await lock_enhancement(conn, session_id)
        if locked is None or locked.status != "started":
            return skip(ctx, moved_on(ENHANCEMENTS, session_id, "started", locked))
        await set_research_context(conn, content.content_id, merged.model_dump(mode="json"))
        await advance_enhancement_session(
            conn, session_id, "research_complete", research_conducted=True
        )
        ctx.note(new_points=len(merged.key_points) - len(known.key_points))
