"""Every on-dead hook records the failure on its entity even when the row does not parse.

Rows whose JSON a row model refuses (as a `course_structure` of `[]` was before the shape
constraints: the constraint is dropped here to replay it) make a step dead-letter; its hook
must still leave the plan, research, module or enhancement session 'failed' with a reason, run
by the real workflow handlers. Rows are put into mid-workflow statuses with triggers off
(session_replication_role = replica), as if earlier steps had run."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import AsyncConnection
from psycopg.rows import dict_row

from lxera_pipeline.events.models import parse_event
from lxera_pipeline.handlers.workflow.content import fail_settling_plan
from lxera_pipeline.handlers.workflow.media_session import fail_session
from tests.integration.workflow_support import fetch
from tests.security.support import nothing_open, people, run_daemon_until, settings_for

Row = dict[str, Any]


def _drop_shape_checks(dsn: str, *columns: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for qualified in columns:
            table, column = qualified.split(".")
            conn.execute(f"alter table public.{table} drop constraint {table}_{column}_shape_check")


async def _sql(conn: AsyncConnection[Any], query: str, replica: bool = False, **params: Any) -> Row:
    """Run one statement (with triggers off when ``replica``); the row it returned, if any."""
    async with conn.transaction():
        if replica:
            await conn.execute("set local session_replication_role = replica")
        cur = await conn.execute(query, params)
        row = await cur.fetchone() if cur.description else None
    return dict(zip([c.name for c in cur.description or []], row or (), strict=False))


async def _plan(conn: AsyncConnection[Any], status: str, structure: str) -> Row:
    company, employee = await people(conn)
    return await _sql(
        conn,
        "insert into public.cm_course_plans (company_id, employee_id, employee_name, session_id,"
        " course_title, course_structure, status) values (%(c)s, %(e)s, 'Zoë', 's-dead', 'Course',"
        " %(s)s::jsonb, %(st)s) returning plan_id, company_id",
        replica=status not in ("planning", "completed"),
        c=company,
        e=employee,
        s=structure,
        st=status,
    )


async def _content(
    conn: AsyncConnection[Any], plan: Row, status: str, spec: str, replica: bool
) -> UUID:
    row = await _sql(
        conn,
        "insert into public.cm_module_content (company_id, plan_id, module_name, employee_name,"
        " session_id, module_spec, status) values (%(c)s, %(p)s, 'Budgets', 'Zoë', 's-dead',"
        " %(s)s::jsonb, %(st)s) returning content_id",
        replica=replica,
        c=plan["company_id"],
        p=plan["plan_id"],
        s=spec,
        st=status,
    )
    return UUID(str(row["content_id"]))


def _dead(dsn: str, handler: str) -> bool:
    rows = fetch(
        dsn,
        "select 1 from pipeline.deliveries where handler = %(h)s and state = 'dead'",
        {"h": handler},
    )
    return bool(rows) and nothing_open(dsn)


def _hook_ran_cleanly(dsn: str, handler: str) -> None:
    [audit] = fetch(
        dsn,
        "select error, detail from pipeline.audit_log where handler = %(h)s and outcome = 'dead'",
        {"h": handler},
    )
    assert "on_dead_error" not in audit["detail"]
    assert "ValidationError" in audit["error"]  # the row did not parse


def _one(dsn: str, query: str, **params: Any) -> Row:
    [row] = fetch(dsn, query, params)
    return row


INTERNAL = "internal error (ValidationError); the details are in the pipeline's dead letter"


@pytest.mark.anyio
async def test_a_plan_whose_structure_does_not_parse_ends_failed(
    db_dsn: str, tmp_path: Path
) -> None:
    """The issue's case: course_structure `[]`; the plan used to stay 'completed'."""
    _drop_shape_checks(db_dsn, "cm_course_plans.course_structure")
    made: Row = {}

    async def setup(conn: AsyncConnection[Any]) -> None:
        made.update(await _plan(conn, "planning", "[]"))
        await _sql(conn, "update public.cm_course_plans set status = 'completed'")

    await run_daemon_until(
        db_dsn, settings_for(db_dsn, tmp_path), setup, lambda: _dead(db_dsn, "plan.start_research")
    )
    _hook_ran_cleanly(db_dsn, "plan.start_research")
    plan = _one(db_dsn, "select status, error_message from cm_course_plans")
    assert plan == {"status": "failed", "error_message": INTERNAL}
    assert fetch(db_dsn, "select 1 from cm_research_results") == []


@pytest.mark.anyio
async def test_research_that_does_not_parse_fails_itself_and_its_plan(
    db_dsn: str, tmp_path: Path
) -> None:
    _drop_shape_checks(db_dsn, "cm_research_results.execution_metrics")

    async def setup(conn: AsyncConnection[Any]) -> None:
        plan = await _plan(conn, "researching", '{"modules": [{"title": "Budgets"}]}')
        research = await _sql(
            conn,
            "insert into public.cm_research_results (company_id, plan_id, session_id,"
            " execution_metrics, status) values (%(c)s, %(p)s, 's-dead', '[]', 'failed')"
            " returning research_id",
            replica=True,
            c=plan["company_id"],
            p=plan["plan_id"],
        )
        await _sql(
            conn,
            "update public.cm_research_results set status = 'started' where research_id = %(r)s",
            r=research["research_id"],
        )

    await run_daemon_until(
        db_dsn, settings_for(db_dsn, tmp_path), setup, lambda: _dead(db_dsn, "research.rerun")
    )
    _hook_ran_cleanly(db_dsn, "research.rerun")
    research = _one(db_dsn, "select status, error_message from cm_research_results")
    assert research == {"status": "failed", "error_message": INTERNAL}
    plan = _one(db_dsn, "select status, error_message from cm_course_plans")
    assert plan == {"status": "failed", "error_message": INTERNAL}


@pytest.mark.anyio
async def test_a_module_that_does_not_parse_fails_and_settles_its_unparseable_plan(
    db_dsn: str, tmp_path: Path
) -> None:
    _drop_shape_checks(db_dsn, "cm_module_content.module_spec", "cm_course_plans.course_structure")

    async def setup(conn: AsyncConnection[Any]) -> None:
        plan = await _plan(conn, "producing", "[]")
        await _content(conn, plan, "draft", "[]", replica=False)

    def settled() -> bool:
        plan = fetch(db_dsn, "select status from cm_course_plans")
        return _dead(db_dsn, "content.write") and plan[0]["status"] == "failed"

    await run_daemon_until(db_dsn, settings_for(db_dsn, tmp_path), setup, settled)
    _hook_ran_cleanly(db_dsn, "content.write")
    content = _one(db_dsn, "select status, failure_reason from cm_module_content")
    assert content == {
        "status": "failed",
        "failure_reason": f"new -> draft handling gave up: {INTERNAL}",
    }
    plan = _one(db_dsn, "select status, error_message from cm_course_plans")
    assert plan == {
        "status": "failed",
        "error_message": "all 1 modules failed their quality gate or production",
    }


@pytest.mark.anyio
async def test_approved_content_that_does_not_parse_fails_when_media_cannot_start(
    db_dsn: str, tmp_path: Path
) -> None:
    _drop_shape_checks(db_dsn, "cm_module_content.module_spec")

    async def setup(conn: AsyncConnection[Any]) -> None:
        plan = await _plan(conn, "producing", '{"modules": [{"title": "Budgets"}]}')
        content = await _content(conn, plan, "quality_check", "[]", replica=True)
        await _sql(
            conn,
            "update public.cm_module_content set status = 'approved' where content_id = %(c)s",
            c=content,
        )

    await run_daemon_until(
        db_dsn, settings_for(db_dsn, tmp_path), setup, lambda: _dead(db_dsn, "content.start_media")
    )
    _hook_ran_cleanly(db_dsn, "content.start_media")
    content = _one(db_dsn, "select status, failure_reason from cm_module_content")
    assert content["status"] == "failed"
    assert content["failure_reason"].endswith(INTERNAL)


@pytest.mark.anyio
async def test_an_enhancement_of_a_module_that_does_not_parse_fails_both(
    db_dsn: str, tmp_path: Path
) -> None:
    _drop_shape_checks(db_dsn, "cm_module_content.module_spec")
    made: Row = {}

    async def setup(conn: AsyncConnection[Any]) -> None:
        plan = await _plan(conn, "producing", '{"modules": [{"title": "Budgets"}]}')
        content = await _content(conn, plan, "revision", "[]", replica=True)
        made.update(
            await _sql(
                conn,
                "insert into public.cm_enhancement_sessions (content_id, company_id)"
                " values (%(c)s, %(co)s) returning session_id",
                c=content,
                co=plan["company_id"],
            )
        )

    await run_daemon_until(
        db_dsn, settings_for(db_dsn, tmp_path), setup, lambda: _dead(db_dsn, "enhancement.research")
    )
    _hook_ran_cleanly(db_dsn, "enhancement.research")
    session = _one(db_dsn, "select status, success, error_details from cm_enhancement_sessions")
    assert session == {"status": "failed", "success": False, "error_details": INTERNAL}
    content = _one(db_dsn, "select status, failure_reason from cm_module_content")
    assert content == {
        "status": "failed",
        "failure_reason": f"enhancement {made['session_id']} failed: {INTERNAL}",
    }


@pytest.mark.anyio
async def test_a_plan_that_could_not_be_settled_is_failed_by_the_hook(db_dsn: str) -> None:
    """content.settle_plan's hook (its handler reads only ids and statuses, so the hook is
    called directly here) fails a producing plan whose row does not parse."""
    _drop_shape_checks(db_dsn, "cm_course_plans.course_structure")
    async with await AsyncConnection.connect(db_dsn, autocommit=True) as conn:
        plan = await _plan(conn, "producing", "[]")
        content = await _content(conn, plan, "draft", "{}", replica=False)
        cur = await conn.cursor(row_factory=dict_row).execute(
            "select * from pipeline.events where entity_id = %(c)s", {"c": content}
        )
        event = parse_event(dict((await cur.fetchall())[-1]))
        async with conn.transaction():
            await fail_settling_plan(conn, event, INTERNAL)
    plan_row = _one(db_dsn, "select status, error_message from cm_course_plans")
    assert plan_row == {
        "status": "failed",
        "error_message": f"settling the plan after a failed module gave up: {INTERNAL}",
    }


@pytest.mark.anyio
async def test_a_media_session_that_does_not_parse_is_failed_by_its_hook(db_dsn: str) -> None:
    """The media stages' hook (fail_session) marks a session failed, prefixed with its stage,
    although its generation_config no longer parses as the row model's object."""
    _drop_shape_checks(db_dsn, "mm_multimedia_sessions.generation_config")
    async with await AsyncConnection.connect(db_dsn, autocommit=True) as conn:
        plan = await _plan(conn, "producing", '{"modules": [{"title": "Budgets"}]}')
        content = await _content(conn, plan, "draft", "{}", replica=False)
        session = await _sql(
            conn,
            "insert into public.mm_multimedia_sessions (company_id, content_id, module_name,"
            " employee_name) values (%(co)s, %(c)s, 'Budgets', 'Zoë') returning session_id",
            co=plan["company_id"],
            c=content,
        )
        await _sql(
            conn,
            "update public.mm_multimedia_sessions set status = 'processing',"
            " current_stage = 'audio_generation', generation_config = '[]'::jsonb"
            " where session_id = %(s)s",
            replica=True,
            s=session["session_id"],
        )
        cur = await conn.cursor(row_factory=dict_row).execute(
            "select * from pipeline.events where entity_id = %(s)s", {"s": session["session_id"]}
        )
        event = parse_event(dict((await cur.fetchall())[-1]))
        async with conn.transaction():
            await fail_session(conn, event, INTERNAL)
    row = _one(db_dsn, "select status, error_details from mm_multimedia_sessions")
    assert row == {"status": "failed", "error_details": f"audio_generation: {INTERNAL}"}
