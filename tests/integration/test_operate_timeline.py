"""`timeline`: an entity's history across tables through causation and correlation."""

from __future__ import annotations

import json
import uuid
from typing import Any

import psycopg
from click.testing import CliRunner
from psycopg.rows import dict_row

from lxera_pipeline.cli import cli
from lxera_pipeline.operate.timeline import build_timeline
from tests.integration.operate_support import run_daemon, set_status, subscribe_test_handlers
from tests.integration.schema_rows import insert_row

Conn = psycopg.Connection[Any]


def last_event(conn: Conn) -> int:
    row = conn.execute("select max(event_id) from pipeline.events").fetchone()
    assert row is not None
    return int(row[0])


def as_handler(conn: Conn, cause: int, correlation: uuid.UUID) -> None:
    conn.execute(
        "select set_config('pipeline.causation_id', %s, true),"
        " set_config('pipeline.correlation_id', %s, true)",
        (str(cause), str(correlation)),
    )


def build_chain(dsn: str) -> dict[str, Any]:
    """plan -> (handler) two modules -> one graded and approved -> (handler) its session."""
    subscribe_test_handlers(dsn)
    ids: dict[str, Any] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in ("companies", "users", "employees", "cm_course_plans"):
            ids[table] = insert_row(conn, table, ids)
        plan = ids["cm_course_plans"]
        conn.execute("update cm_course_plans set status = 'completed' where plan_id = %s", (plan,))
        ids["plan_done"] = last_event(conn)
        with conn.transaction():
            as_handler(conn, ids["plan_done"], plan)
            ids["content"] = insert_row(conn, "cm_module_content", ids)
            ids["sibling"] = insert_row(conn, "cm_module_content", ids, module_name="Other")
        with conn.transaction():
            conn.execute("select set_config('pipeline.correlation_id', %s, true)", (str(plan),))
            set_status(conn, ids["content"], "quality_check")
    run_daemon(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        ids["approved"] = last_event(conn)
        with conn.transaction():
            as_handler(conn, ids["approved"], plan)
            ids["cm_module_content"] = ids["content"]
            ids["session"] = insert_row(conn, "mm_multimedia_sessions", ids)
        started = last_event(conn)
        with conn.transaction():  # downstream work touches the plan (as publishing does)
            as_handler(conn, started, plan)
            conn.execute(
                "update cm_course_plans set status = 'researching' where plan_id = %s", (plan,)
            )
    return ids


def test_timeline_follows_the_chain_across_tables(db_dsn: str) -> None:
    ids = build_chain(db_dsn)
    with psycopg.connect(db_dsn, autocommit=True, row_factory=dict_row) as conn:
        timeline = build_timeline(conn, ids["content"])
        whole = build_timeline(conn, ids["cm_course_plans"])
    steps = [
        (s.event["table_name"], s.event["old_status"], s.event["new_status"], s.depth)
        for s in timeline.steps
    ]
    assert steps == [
        ("cm_course_plans", "planning", "completed", 0),
        ("cm_module_content", None, "draft", 1),
        ("cm_module_content", "draft", "quality_check", 0),
        ("cm_module_content", "quality_check", "approved", 1),
        ("mm_multimedia_sessions", None, "initialization", 2),
        ("mm_multimedia_sessions", None, "started", 2),
        ("cm_course_plans", "completed", "researching", 3),
    ]
    assert timeline.steps[0].since_previous_seconds is None
    assert all(
        s.since_previous_seconds is not None and s.since_previous_seconds >= 0
        for s in timeline.steps[1:]
    )
    gate = timeline.steps[2]
    assert [(a["handler"], a["outcome"]) for a in gate.audit] == [("optest.grader", "succeeded")]
    now = {(n.table, n.column): n.status for n in timeline.now}
    assert now == {
        ("cm_course_plans", "status"): "researching",
        ("cm_module_content", "status"): "approved",
        ("mm_multimedia_sessions", "status"): "started",
        ("mm_multimedia_sessions", "current_stage"): "initialization",
    }
    entities = {s.event["entity_id"] for s in whole.steps}
    assert {ids["sibling"], ids["content"], ids["session"], ids["cm_course_plans"]} <= entities
    assert ids["sibling"] not in {s.event["entity_id"] for s in timeline.steps}


def test_timeline_command_output(db_dsn: str) -> None:
    ids = build_chain(db_dsn)
    env = {"DATABASE_URL": db_dsn, "COLUMNS": "250", "LXERA_LOG_LEVEL": "warning"}
    result = CliRunner().invoke(cli, ["timeline", str(ids["content"])], env=env)
    assert result.exit_code == 0, result.output
    assert "Where it stands now" in result.output
    assert "quality_check -> approved" in result.output
    assert "optest.grader: done in " in result.output
    assert "mm_multimedia_sessions.current_stage" in result.output
    data = json.loads(
        CliRunner().invoke(cli, ["timeline", str(ids["content"]), "--json"], env=env).output
    )
    assert len(data["steps"]) == 7
    assert data["entity_id"] == str(ids["content"])
