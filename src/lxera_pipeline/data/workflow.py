"""Reads and writes only the workflow handlers need: row locks, the learner, plan outcomes.

The lock functions take ``SELECT ... FOR UPDATE`` on one row inside the caller's transaction, so a
handler can re-check the status it acts on right before it writes (a replayed or duplicate event
then finds the row moved on and leaves it alone).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data import validation as v
from lxera_pipeline.data.content_models import EnhancementSession, ModuleContent
from lxera_pipeline.data.media_models import MultimediaSession
from lxera_pipeline.data.plan_models import CoursePlan, ResearchResult
from lxera_pipeline.data.statements import Row, fetch_one, jsonb


async def _locked(conn: AsyncConnection[Any], query: str, key: str, value: UUID) -> Row | None:
    return await fetch_one(conn, query, {key: v.check_uuid(key, value)})


async def lock_plan(conn: AsyncConnection[Any], plan_id: UUID) -> CoursePlan | None:
    return CoursePlan.from_optional(await _locked(conn, "lock_course_plan", "plan_id", plan_id))


async def lock_research(conn: AsyncConnection[Any], research_id: UUID) -> ResearchResult | None:
    row = await _locked(conn, "lock_research_result", "research_id", research_id)
    return ResearchResult.from_optional(row)


async def lock_content(conn: AsyncConnection[Any], content_id: UUID) -> ModuleContent | None:
    row = await _locked(conn, "lock_module_content", "content_id", content_id)
    return ModuleContent.from_optional(row)


async def lock_enhancement(
    conn: AsyncConnection[Any], session_id: UUID
) -> EnhancementSession | None:
    row = await _locked(conn, "lock_enhancement_session", "session_id", session_id)
    return EnhancementSession.from_optional(row)


async def lock_session(conn: AsyncConnection[Any], session_id: UUID) -> MultimediaSession | None:
    row = await _locked(conn, "lock_multimedia_session", "session_id", session_id)
    return MultimediaSession.from_optional(row)


async def employee_learner(conn: AsyncConnection[Any], employee_id: UUID) -> Row | None:
    """full_name, role, department, skill_level, career_goal, key_tools of an employee."""
    params = {"employee_id": v.check_uuid("employee_id", employee_id)}
    return await fetch_one(conn, "select_employee_learner", params)


@dataclass(frozen=True)
class PlanOutcome:
    """How a plan's current modules stand."""

    total: int
    published: int
    failed: int

    @property
    def settled(self) -> bool:
        """Every module is published or failed (and there is at least one)."""
        return self.total > 0 and self.published + self.failed == self.total


async def plan_outcome(conn: AsyncConnection[Any], plan_id: UUID) -> PlanOutcome:
    params = {"plan_id": v.check_uuid("plan_id", plan_id)}
    row = await fetch_one(conn, "plan_content_outcome", params)
    assert row is not None  # an aggregate always returns one row
    return PlanOutcome(row["total"], row["published"], row["failed"])


async def set_research_context(
    conn: AsyncConnection[Any], content_id: UUID, research_context: Mapping[str, Any]
) -> ModuleContent:
    """Replace the research a module is written from (an enhancement's fresh findings)."""
    params = {
        "content_id": v.check_uuid("content_id", content_id),
        "research_context": jsonb(
            v.check_object("research_context", research_context, required=True)
        ),
    }
    row = await fetch_one(conn, "update_content_research_context", params)
    return ModuleContent.from_found(row, "cm_module_content", params["content_id"])


async def record_enhancement(
    conn: AsyncConnection[Any], content_id: UUID, session_id: UUID, sections: Sequence[str]
) -> ModuleContent:
    """Count one enhancement per listed section and append the session to the history."""
    params = {
        "content_id": v.check_uuid("content_id", content_id),
        "session_id": v.check_uuid("session_id", session_id),
        "sections": v.check_sections(list(sections), "sections"),
    }
    row = await fetch_one(conn, "record_content_enhancement", params)
    return ModuleContent.from_found(row, "cm_module_content", params["content_id"])
