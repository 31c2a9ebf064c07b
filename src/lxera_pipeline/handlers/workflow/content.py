"""Module content: the writer fills a draft; a failed module may settle its plan.

- ``content.write`` (cm_module_content ``new -> draft``) and ``content.rewrite``
  (``failed -> draft``, an operator's retry): the content writer port writes the five sections
  from the module spec, its research and the learner; the content moves to 'quality_check'.
- ``content.settle_plan`` (``* -> failed``): a module that failed may be the last one its plan
  waited for (see :func:`~lxera_pipeline.handlers.workflow.plans.settle_plan`).
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

from lxera_pipeline.data.content import get_module_content, set_content_status, update_sections
from lxera_pipeline.data.failures import content_plan_id, fail_open_content, fail_open_plan
from lxera_pipeline.data.workflow import lock_content
from lxera_pipeline.events.models import StatusEvent
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import registry
from lxera_pipeline.handlers.workflow.common import (
    content_learner,
    entity_id,
    limits_of,
    moved_on,
    skip,
)
from lxera_pipeline.handlers.workflow.inputs import content_module, content_research
from lxera_pipeline.handlers.workflow.plans import settle_plan
from lxera_pipeline.handlers.workflow.resources import resources_of

CONTENT = "cm_module_content"
OPEN_STATUSES = ("draft", "quality_check", "revision")


async def fail_content(conn: AsyncConnection[Any], event: StatusEvent, error: str) -> None:
    """on_dead hook: content whose step ran out of attempts becomes 'failed' with the reason."""
    await _fail_if(conn, event, error, OPEN_STATUSES)


async def fail_approved_content(conn: AsyncConnection[Any], event: StatusEvent, error: str) -> None:
    """on_dead hook: approved content whose media could not even be started becomes 'failed'."""
    await _fail_if(conn, event, error, ("approved",))


async def _fail_if(
    conn: AsyncConnection[Any], event: StatusEvent, error: str, statuses: tuple[str, ...]
) -> None:
    """Plain SQL on id and status: it works on a content row that does not parse."""
    reason = f"{event.transition} handling gave up: {error}"
    await fail_open_content(conn, event.entity_id, statuses, reason)


async def fail_settling_plan(conn: AsyncConnection[Any], event: StatusEvent, error: str) -> None:
    """on_dead hook: a plan that could not be settled after its module failed becomes 'failed'."""
    plan_id = await content_plan_id(conn, event.entity_id)
    if plan_id is not None:
        reason = f"settling the plan after a failed module gave up: {error}"
        await fail_open_plan(conn, plan_id, ("producing",), reason)


@registry.handler(
    "content.write",
    table=CONTENT,
    transition="new -> draft",
    group="content",
    on_dead=fail_content,
)
@registry.handler(
    "content.rewrite",
    table=CONTENT,
    transition="failed -> draft",
    group="content",
    on_dead=fail_content,
)
async def write_content(ctx: HandlerContext) -> None:
    content_id = entity_id(ctx)
    async with ctx.connection() as conn:
        content = await get_module_content(conn, content_id)
        if content is None or content.status != "draft":
            return skip(ctx, moved_on(CONTENT, content_id, "draft", content))
        learner = await content_learner(conn, content)
    limits = limits_of(ctx)
    module, research = content_module(content, limits), content_research(content, limits)
    sections = await resources_of(ctx).writer.write(module, research, learner)
    async with ctx.transaction() as conn:
        locked = await lock_content(conn, content_id)
        if locked is None or locked.status != "draft":
            return skip(ctx, moved_on(CONTENT, content_id, "draft", locked))
        written = await update_sections(conn, content_id, sections.model_dump())
        await set_content_status(conn, content_id, "quality_check")
        ctx.note(words=written.total_word_count)


@registry.handler(
    "content.settle_plan",
    table=CONTENT,
    transition="* -> failed",
    group="content",
    on_dead=fail_settling_plan,
)
async def settle_after_failure(ctx: HandlerContext) -> None:
    content_id = entity_id(ctx)
    async with ctx.connection() as conn:
        plan_id = await content_plan_id(conn, content_id)  # ids only: the row may not parse
    if plan_id is None:
        return skip(ctx, f"{CONTENT} {content_id} belongs to no plan")
    async with ctx.transaction() as conn:
        outcome = await settle_plan(conn, plan_id)
        ctx.note(plan=outcome or "unchanged")
