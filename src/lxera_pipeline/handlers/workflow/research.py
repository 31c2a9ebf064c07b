"""Research: fill a plan's research record, then create one module content row per module.

- ``research.run`` (cm_research_results ``new -> started``, and ``failed -> started`` for a retry
  by hand): the researcher port studies every module of the plan; findings, queries and sources
  are stored and the research becomes 'completed'.
- ``research.create_modules`` (``started -> completed``): one cm_module_content row ('draft') per
  module of the plan's course_structure, for the plan's company, with the module spec, its
  findings and its priority; the plan moves to 'producing'.

Both read the plan's course_structure again (a company admin may have changed it meanwhile): one
that no longer passes the input checks fails the research and the plan at once, creating nothing.
"""

from __future__ import annotations

import time
from typing import Any

from psycopg import AsyncConnection

from lxera_pipeline.data.content import create_module_content
from lxera_pipeline.data.failures import fail_open_plan, fail_open_research
from lxera_pipeline.data.plan_models import CoursePlan
from lxera_pipeline.data.plans import get_course_plan, set_plan_status
from lxera_pipeline.data.research import (
    complete_research_result,
    get_research_result,
)
from lxera_pipeline.data.workflow import lock_plan, lock_research
from lxera_pipeline.events.failures import tenant_message
from lxera_pipeline.events.models import StatusEvent
from lxera_pipeline.generators.types import CoursePlanInput, ModuleSpec, ResearchResult
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import registry
from lxera_pipeline.handlers.workflow.common import (
    entity_id,
    limits_of,
    moved_on,
    plan_learner,
    skip,
    stable_id,
)
from lxera_pipeline.handlers.workflow.inputs import CourseStructureError, gap_names
from lxera_pipeline.handlers.workflow.plans import course_modules
from lxera_pipeline.handlers.workflow.resources import resources_of

RESEARCH = "cm_research_results"


async def fail_research(conn: AsyncConnection[Any], event: StatusEvent, error: str) -> None:
    """on_dead hook: the research (if still running) and its plan become 'failed' (plain SQL on
    ids and statuses: it works on rows that do not parse)."""
    _, plan_id = await fail_open_research(conn, event.entity_id, error)
    if plan_id is not None:
        await fail_open_plan(conn, plan_id, ("researching",), error)


async def _refuse_plan(ctx: HandlerContext, plan: CoursePlan, exc: CourseStructureError) -> None:
    """The plan no longer passes the input checks: research and plan fail now, nothing more is
    created (retrying would only find the same problem)."""
    reason = tenant_message(exc)
    async with ctx.transaction() as conn:
        await fail_open_research(conn, entity_id(ctx), reason)
        await fail_open_plan(conn, plan.plan_id, ("researching",), reason)
    ctx.note(failed=reason)


async def plan_input(
    conn: AsyncConnection[Any], plan: CoursePlan, modules: list[ModuleSpec]
) -> CoursePlanInput:
    return CoursePlanInput(
        course_title=plan.course_title or modules[0].title,
        learner=await plan_learner(conn, plan),
        modules=modules,
        prioritized_gaps=gap_names(plan.prioritized_gaps),
    )


async def _record(conn: AsyncConnection[Any], ctx: HandlerContext, result: ResearchResult) -> None:
    findings = {title: found.model_dump(mode="json") for title, found in result.findings.items()}
    await complete_research_result(
        conn,
        entity_id(ctx),
        research_findings=findings,
        module_mappings={title: found.module_title for title, found in result.findings.items()},
        total_topics=result.total_topics,
        total_sources=result.total_sources,
        search_queries=result.search_queries,
        sources_analyzed=result.sources_analyzed,
        execution_metrics={"researcher": type(resources_of(ctx).researcher).__name__},
    )


@registry.handler(
    "research.run",
    table=RESEARCH,
    transition="new -> started",
    group="content",
    on_dead=fail_research,
)
@registry.handler(
    "research.rerun",
    table=RESEARCH,
    transition="failed -> started",
    group="content",
    on_dead=fail_research,
)
async def run_research(ctx: HandlerContext) -> None:
    research_id = entity_id(ctx)
    async with ctx.connection() as conn:
        research = await get_research_result(conn, research_id)
        plan = None if research is None else await get_course_plan(conn, research.plan_id)
        if research is None or plan is None or research.status != "started":
            return skip(ctx, moved_on(RESEARCH, research_id, "started", research))
        try:
            modules = course_modules(plan.course_title, plan.course_structure, limits_of(ctx))
        except CourseStructureError as exc:
            return await _refuse_plan(ctx, plan, exc)
        request = await plan_input(conn, plan, modules)
    started = time.perf_counter()
    result = await resources_of(ctx).researcher.research(request)
    ctx.note(modules=len(result.findings), seconds=round(time.perf_counter() - started, 3))
    async with ctx.transaction() as conn:
        locked = await lock_research(conn, research_id)
        if locked is None or locked.status != "started":
            return skip(ctx, moved_on(RESEARCH, research_id, "started", locked))
        await _record(conn, ctx, result)


@registry.handler(
    "research.create_modules",
    table=RESEARCH,
    transition="started -> completed",
    group="content",
    on_dead=fail_research,
)
async def create_modules(ctx: HandlerContext) -> None:
    research_id = entity_id(ctx)
    async with ctx.connection() as conn:
        research = await get_research_result(conn, research_id)
        plan = None if research is None else await get_course_plan(conn, research.plan_id)
    if research is None or plan is None:
        return skip(ctx, f"{RESEARCH} {research_id} or its plan is gone")
    try:
        modules = course_modules(plan.course_title, plan.course_structure, limits_of(ctx))
    except CourseStructureError as exc:
        return await _refuse_plan(ctx, plan, exc)
    async with ctx.transaction() as conn:
        locked = await lock_plan(conn, plan.plan_id)
        if locked is None or locked.status != "researching":
            return skip(ctx, moved_on("cm_course_plans", plan.plan_id, "researching", locked))
        for module in modules:
            await create_module_content(
                conn,
                company_id=plan.company_id,
                plan_id=plan.plan_id,
                module_id=f"module-{module.module_number}",
                module_name=module.title,
                employee_name=plan.employee_name,
                session_id=plan.session_id,
                module_spec=module.model_dump(mode="json", exclude_none=True),
                research_context=research.research_findings.get(module.title) or {},
                priority_level=module.priority,
                assigned_to=plan.employee_id,
                content_id=stable_id("content", research_id, module.module_number),
            )
        await set_plan_status(conn, plan.plan_id, "producing")
        ctx.note(modules=len(modules))
