"""The demo's (and the workflow tests') seed: a company, a learner and a ready course plan.

Every run gets its own company domain, e-mail and session id (a short random run id), so a
second run never collides with what an earlier one left behind. The plan is inserted as
'planning' and then moved to 'completed': that status change alone starts the workflow.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data.plans import create_course_plan, set_plan_status
from lxera_pipeline.data.statements import fetch_one

DEMO_MODULES: tuple[dict[str, Any], ...] = (
    {
        "title": "Pivot tables for monthly reporting",
        "description": "Summarise and compare a month of transactions in minutes.",
        "learning_objectives": ["Build a pivot table", "Filter and group report data"],
        "key_topics": ["pivot tables", "report filters"],
        "duration_minutes": 20,
        "priority": "high",
    },
    {
        "title": "Clean data before you analyse it",
        "description": "Find and fix the errors that distort a report.",
        "learning_objectives": ["Spot duplicates and gaps", "Document each cleaning step"],
        "key_topics": ["data cleaning", "validation rules"],
        "duration_minutes": 20,
        "priority": "medium",
        "demo_quality": "draft",
    },
)


@dataclass(frozen=True)
class DemoCourse:
    """Who learns what: the learner and the plan's modules (course_structure["modules"])."""

    learner_name: str = "Zoë Martínez"
    role: str = "Financial Analyst"
    department: str = "Finance"
    career_goal: str = "Lead the monthly reporting process"
    key_tools: tuple[str, ...] = ("Excel", "Power BI")
    course_title: str = "Reporting essentials"
    modules: tuple[dict[str, Any], ...] = DEMO_MODULES
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))


@dataclass(frozen=True)
class Seeded:
    run_id: str
    company_id: UUID
    user_id: UUID
    employee_id: UUID
    plan_id: UUID


async def _insert(conn: AsyncConnection[Any], query: str, params: dict[str, Any]) -> UUID:
    row = await fetch_one(conn, query, params)
    if row is None:
        raise RuntimeError(f"seed query {query} returned no id")
    return UUID(str(row["id"]))


async def seed_learner(conn: AsyncConnection[Any], course: DemoCourse) -> tuple[UUID, UUID, UUID]:
    """A company, a learner user and their employee row; returns their ids."""
    run = course.run_id
    company = await _insert(
        conn, "demo_insert_company", {"name": f"Demo Co {run}", "domain": f"demo-{run}.example"}
    )
    place = {"company_id": company, "position": course.role, "department": course.department}
    user = await _insert(
        conn,
        "demo_insert_learner",
        {**place, "email": f"learner-{run}@demo-{run}.example", "full_name": course.learner_name},
    )
    employee = await _insert(
        conn,
        "demo_insert_employee",
        {
            **place,
            "user_id": user,
            "career_goal": course.career_goal,
            "skill_level": "intermediate",
            "key_tools": list(course.key_tools),
        },
    )
    return company, user, employee


async def seed_course(conn: AsyncConnection[Any], course: DemoCourse) -> Seeded:
    """Seed the learner and a plan, then mark the plan 'completed' (which starts the workflow).

    ``conn`` must be in autocommit mode (or the caller commits): the plan's status change is the
    event the daemon reacts to."""
    company, user, employee = await seed_learner(conn, course)
    plan = await create_course_plan(
        conn,
        company_id=company,
        employee_id=employee,
        employee_name=course.learner_name,
        session_id=f"demo-{course.run_id}",
        course_title=course.course_title,
        course_structure={"modules": [dict(module) for module in course.modules]},
        employee_profile={"role": course.role, "department": course.department},
        course_duration_weeks=1,
    )
    await set_plan_status(conn, plan.plan_id, "completed")
    return Seeded(course.run_id, company, user, employee, plan.plan_id)
