"""Course plans: a ready plan starts its research; a plan whose modules are all settled is done.

- ``plan.start_research`` (cm_course_plans ``* -> completed``): creates the plan's
  cm_research_results row ('started') and moves the plan to 'researching'. A course_structure
  without usable modules, or over an input limit (LXERA_MAX_MODULES_PER_PLAN, _TITLE_CHARS,
  _TEXT_CHARS, _JSON_BYTES), fails the plan at once with the reason in error_message and
  creates nothing.
- :func:`settle_plan` (called when a module is published or fails): once every module of the plan
  is published or failed the plan becomes 'delivered' ('failed' when no module was published).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data.failures import fail_open_plan, plan_status_for_update
from lxera_pipeline.data.plans import get_course_plan, set_plan_status
from lxera_pipeline.data.research import create_research_result
from lxera_pipeline.data.workflow import lock_plan, plan_outcome
from lxera_pipeline.events.failures import tenant_message
from lxera_pipeline.events.models import StatusEvent
from lxera_pipeline.generators.types import ModuleSpec
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import registry
from lxera_pipeline.handlers.workflow.common import (
    entity_id,
    limits_of,
    moved_on,
    skip,
    stable_id,
)
from lxera_pipeline.handlers.workflow.inputs import (
    CourseStructureError,
    InputLimits,
    plan_modules,
)
from lxera_pipeline.log import get_logger

log = get_logger(__name__)
PLANS = "cm_course_plans"


OPEN_STATUSES = ("completed", "researching", "producing")


async def fail_plan(conn: AsyncConnection[Any], event: StatusEvent, error: str) -> None:
    """on_dead hook: a plan whose step ran out of attempts becomes 'failed' with the reason
    (plain SQL on id and status: it works on a plan row that does not parse)."""
    await fail_open_plan(conn, event.entity_id, OPEN_STATUSES, error)


def course_modules(
    course_title: str | None, course_structure: object, limits: InputLimits
) -> list[ModuleSpec]:
    """A plan's modules after every input check (title, modules, sizes)."""
    limits.title("course_title", course_title or "")
    return plan_modules(course_structure, limits)


@registry.handler(
    "plan.start_research",
    table=PLANS,
    transition="* -> completed",
    group="content",
    on_dead=fail_plan,
)
async def start_research(ctx: HandlerContext) -> None:
    plan_id = entity_id(ctx)
    async with ctx.connection() as conn:
        plan = await get_course_plan(conn, plan_id)
    if plan is None:
        return skip(ctx, moved_on(PLANS, plan_id, "completed", None))
    try:
        modules = course_modules(plan.course_title, plan.course_structure, limits_of(ctx))
        problem = None
    except CourseStructureError as exc:
        modules, problem = [], tenant_message(exc)
    async with ctx.transaction() as conn:
        locked = await lock_plan(conn, plan_id)
        if locked is None or locked.status != "completed":
            return skip(ctx, moved_on(PLANS, plan_id, "completed", locked))
        if problem is not None:
            await set_plan_status(conn, plan_id, "failed", error_message=problem)
            ctx.note(failed=problem)
            return
        research = await create_research_result(
            conn, plan_id=plan_id, research_id=stable_id("research", plan_id, ctx.event.event_id)
        )
        await set_plan_status(conn, plan_id, "researching", total_modules=len(modules))
        ctx.note(research_id=str(research.research_id), modules=len(modules))


async def settle_plan(conn: AsyncConnection[Any], plan_id: UUID | None) -> str | None:
    """Deliver (or fail) a producing plan whose modules are all published or failed.

    The plan row is locked first, so of two modules settling at once the second waits and then
    counts the first one's new status. Returns the plan's new status, or None if unchanged.
    """
    if plan_id is None:
        return None
    if await plan_status_for_update(conn, plan_id) != "producing":
        return None
    outcome = await plan_outcome(conn, plan_id)
    if not outcome.settled:
        return None
    if outcome.published == 0:
        reason = f"all {outcome.total} modules failed their quality gate or production"
        await fail_open_plan(conn, plan_id, ("producing",), reason)
        return "failed"
    await set_plan_status(conn, plan_id, "delivered")
    log.info("plan.delivered", plan_id=str(plan_id), published=outcome.published)
    return "delivered"
