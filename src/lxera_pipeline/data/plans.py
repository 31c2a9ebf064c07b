"""Course plans: create, read, move through their state machine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data import validation as v
from lxera_pipeline.data.plan_models import CoursePlan
from lxera_pipeline.data.statements import fetch_one, insert_or_fetch, jsonb

PLANS = "cm_course_plans"
JsonMap = Mapping[str, Any]


async def create_course_plan(
    conn: AsyncConnection[Any],
    *,
    company_id: UUID,
    employee_id: UUID,
    employee_name: str,
    session_id: str,
    course_title: str | None = None,
    course_structure: JsonMap | None = None,
    prioritized_gaps: JsonMap | None = None,
    research_strategy: JsonMap | None = None,
    learning_path: JsonMap | None = None,
    employee_profile: JsonMap | None = None,
    total_modules: int | None = None,
    course_duration_weeks: int | None = None,
    status: str = "planning",
    metadata: JsonMap | None = None,
    plan_id: UUID | None = None,
) -> CoursePlan:
    """Insert a plan (status 'planning' or 'completed'). With ``plan_id`` the call is idempotent:
    an existing plan with that id is returned unchanged."""
    params: dict[str, Any] = {
        "plan_id": v.check_optional_uuid("plan_id", plan_id),
        "company_id": v.check_uuid("company_id", company_id),
        "employee_id": v.check_uuid("employee_id", employee_id),
        "employee_name": v.check_text("employee_name", employee_name),
        "session_id": v.check_text("session_id", session_id),
        "course_title": course_title,
        "total_modules": v.check_count("total_modules", total_modules),
        "course_duration_weeks": v.check_count("course_duration_weeks", course_duration_weeks),
        "status": v.check_status(PLANS, "status", status),
    }
    for name, value in (
        ("course_structure", course_structure),
        ("prioritized_gaps", prioritized_gaps),
        ("research_strategy", research_strategy),
        ("learning_path", learning_path),
        ("employee_profile", employee_profile),
        ("metadata", metadata),
    ):
        params[name] = jsonb(v.check_object(name, value) or {})
    row = await insert_or_fetch(conn, "insert_course_plan", "select_course_plan", params, "plan_id")
    assert row is not None  # a plan has no parent row: the insert or the select found it
    return CoursePlan.from_row(row)


async def get_course_plan(conn: AsyncConnection[Any], plan_id: UUID) -> CoursePlan | None:
    params = {"plan_id": v.check_uuid("plan_id", plan_id)}
    return CoursePlan.from_optional(await fetch_one(conn, "select_course_plan", params))


async def set_plan_status(
    conn: AsyncConnection[Any],
    plan_id: UUID,
    status: str,
    *,
    error_message: str | None = None,
    course_title: str | None = None,
    course_structure: JsonMap | None = None,
    total_modules: int | None = None,
) -> CoursePlan:
    """Move a plan to ``status`` (the database refuses illegal transitions), optionally recording
    the outline; ``error_message`` is kept only while the plan is 'failed'."""
    params = {
        "plan_id": v.check_uuid("plan_id", plan_id),
        "status": v.check_status(PLANS, "status", status),
        "error_message": error_message,
        "course_title": course_title,
        "course_structure": jsonb(v.check_object("course_structure", course_structure)),
        "total_modules": v.check_count("total_modules", total_modules),
    }
    row = await fetch_one(conn, "update_course_plan_status", params)
    return CoursePlan.from_found(row, PLANS, plan_id)
