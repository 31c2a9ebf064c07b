"""Helpers every workflow handler uses: ids, skipping, loading the learner."""

from __future__ import annotations

import uuid
from typing import Any, Protocol
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data.content_models import ModuleContent
from lxera_pipeline.data.plan_models import CoursePlan
from lxera_pipeline.data.plans import get_course_plan
from lxera_pipeline.data.workflow import employee_learner
from lxera_pipeline.generators.types import Learner
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.workflow.inputs import InputLimits, learner_from
from lxera_pipeline.handlers.workflow.resources import resources_of
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

# Namespace of the deterministic ids the workflow derives from the row and the event that create
# a row, so a replayed or retried creation finds the row it made before instead of adding
# another. The parent's id is part of the name: event ids are only unique within one database,
# and these ids also name work directories and storage keys.
WORKFLOW_NAMESPACE = uuid.UUID("6f0f3c1e-8a51-4c55-9a7e-2b6f4f3c9d10")


def stable_id(kind: str, *parts: object) -> UUID:
    """The same UUID for the same parts, e.g. ``stable_id("media", content_id, event_id)``."""
    return uuid.uuid5(WORKFLOW_NAMESPACE, "/".join([kind, *(str(part) for part in parts)]))


def entity_id(ctx: HandlerContext) -> UUID:
    return ctx.event.entity_id


def limits_of(ctx: HandlerContext) -> InputLimits:
    """The input limits of the daemon's settings (LXERA_MAX_*)."""
    return InputLimits.of(resources_of(ctx).settings)


def skip(ctx: HandlerContext, reason: str) -> None:
    """Leave the row alone (it moved on, or it is gone); the audit row says why."""
    ctx.note(skipped=reason)
    log.info("workflow.skipped", handler_event=ctx.event.event_id, reason=reason)


class HasStatus(Protocol):
    @property
    def status(self) -> str: ...


def moved_on(table: str, key: object, expected: str, row: HasStatus | None) -> str:
    """Why a handler leaves a row alone: it is gone, or no longer in the expected status."""
    return f"{table} {key} is {row.status if row is not None else 'gone'}, not {expected}"


async def plan_learner(conn: AsyncConnection[Any], plan: CoursePlan) -> Learner:
    """The plan's learner from the employee and user rows (the plan's own fields as fallback)."""
    row = await employee_learner(conn, plan.employee_id)
    return learner_from(row, plan.employee_name, plan.employee_profile)


async def content_learner(conn: AsyncConnection[Any], content: ModuleContent) -> Learner:
    """The learner of the content's plan; just the employee name when it has no plan."""
    plan = None if content.plan_id is None else await get_course_plan(conn, content.plan_id)
    if plan is None:
        return learner_from(None, content.employee_name, {})
    return await plan_learner(conn, plan)
