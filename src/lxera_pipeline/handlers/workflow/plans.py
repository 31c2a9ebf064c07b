"""Course plans: a ready plan starts its research; a plan whose modules are all settled is done.

- ``plan.start_research`` (cm_course_plans ``* -> completed``): creates the plan's
  cm_research_results row ('started') and moves the plan to 'researching'. A course_structure
  without usable modules fails the plan at once, with the reason in error_message.
- :func:`settle_plan` (called when a module is published or fails): once every module of the plan
  is published or failed the plan becomes 'delivered' ('failed' when no module was published).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data.plans import get_course_plan, set_plan_status
from lxera_pipeline.data.research import create_research_result
from lxera_pipeline.data.workflow import lock_plan, plan_outcome
from lxera_pipeline.events.models import StatusEvent
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import registry
from lxera_pipeline.handlers.workflow.common import entity_id, moved_on, skip, stable_id
from lxera_pipeline.handlers.workflow.inputs import CourseStructureError, plan_modules
from lxera_pipeline.log import get_logger

log = get_logger(__name__)
PLANS = "cm_course_plans"


async def fail_plan(conn: AsyncConnection[Any], event: StatusEvent, error: str) -> None:
    """on_dead hook: a plan whose step ran out of attempts becomes 'failed' with the reason."""
    plan = await lock_plan(conn, event.entity_id)
    if plan is not None and plan.status in ("completed", "researching", "producing"):
        await set_plan_status(conn, plan.plan_id, "failed", error_message=error[:2000])


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
        modules, problem = plan_modules(plan.course_structure), None
    except CourseStructureError as exc:
        modules, problem = [], str(exc)
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
    plan = await lock_plan(conn, plan_id)
    if plan is None or plan.status != "producing":
        return None
    outcome = await plan_outcome(conn, plan_id)
    if not outcome.settled:
        return None
    if outcome.published == 0:
        reason = f"all {outcome.total} modules failed their quality gate or production"
        await set_plan_status(conn, plan_id, "failed", error_message=reason)
        return "failed"
    await set_plan_status(conn, plan_id, "delivered")
    log.info("plan.delivered", plan_id=str(plan_id), published=outcome.published)
    return "delivered"
