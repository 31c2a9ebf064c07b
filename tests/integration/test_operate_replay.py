"""`replay` for real: replay deliveries that run like any other and are audited as replays, and
the refusal of an event whose entity has moved on."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner, Result

from lxera_pipeline.cli import cli
from tests.integration.operate_support import (
    BEHAVIOUR,
    GRADER,
    new_content,
    run_daemon,
    seed_company,
    set_status,
    subscribe_test_handlers,
)


def invoke(dsn: str, *args: str) -> Result:
    env = {"DATABASE_URL": dsn, "COLUMNS": "250", "LXERA_LOG_LEVEL": "warning"}
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def graded(db_dsn: str) -> dict[str, Any]:
    """A content row graded once (one assessment) and approved."""
    subscribe_test_handlers(db_dsn)
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        content = new_content(conn, seed_company(conn))
        set_status(conn, content, "quality_check")
        gate = conn.execute("select max(event_id) from pipeline.events").fetchone()
    run_daemon(db_dsn)
    assert gate is not None
    return {"dsn": db_dsn, "content": content, "gate": int(gate[0])}


def count(dsn: str, query: str, *params: Any) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(query, params).fetchone()
    assert row is not None
    return int(row[0])


def test_replay_of_a_moved_on_entity_is_refused_with_the_reason(graded: dict[str, Any]) -> None:
    dsn, gate = graded["dsn"], graded["gate"]
    result = invoke(dsn, "replay", "--event", str(gate), "--reason", "regrade")
    assert result.exit_code == 4, result.output
    assert f"event {gate} moved cm_module_content {graded['content']} to 'quality_check'" in (
        result.output
    )
    assert "is now 'approved'" in result.output
    assert "--force" in result.output
    assert count(dsn, "select count(*) from pipeline.deliveries where is_replay") == 0


def test_replay_requires_a_reason(graded: dict[str, Any]) -> None:
    result = invoke(graded["dsn"], "replay", "--event", str(graded["gate"]), "--force")
    assert result.exit_code == 2
    assert "--reason is required" in result.output


def test_forced_replay_runs_again_and_is_audited_as_replay(graded: dict[str, Any]) -> None:
    dsn, gate = graded["dsn"], graded["gate"]
    result = invoke(
        dsn,
        "replay",
        "--event",
        str(gate),
        "--reason",
        "scorer fixed",
        "--force",
        "--by",
        "alice",
        "--json",
    )
    assert result.exit_code == 0, result.output
    [created] = json.loads(result.output)
    assert created["handler"] == GRADER
    assert created["event_id"] == gate
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "select state, is_replay, replay_of, replay_by, replay_reason from pipeline.deliveries"
            " where delivery_id = %s",
            (created["delivery_id"],),
        ).fetchone()
        original = conn.execute(
            "select delivery_id from pipeline.deliveries where event_id = %s and not is_replay",
            (gate,),
        ).fetchone()
    assert original is not None
    assert row == ("pending", True, original[0], "alice", "scorer fixed")

    again = invoke(dsn, "replay", "--event", str(gate), "--reason", "twice")
    assert again.exit_code == 4
    assert "already has pending delivery" in again.output

    assert run_daemon(dsn) == 1
    content = graded["content"]
    assert (
        count(dsn, "select count(*) from cm_quality_assessments where content_id = %s", content)
        == 2
    )
    assert (
        count(
            dsn,
            "select count(*) from pipeline.audit_log where delivery_id = %s"
            " and is_replay and outcome = 'succeeded'",
            created["delivery_id"],
        )
        == 1
    )
    assert count(dsn, "select count(*) from pipeline.audit_log where not is_replay") == 1
    shown = invoke(dsn, "timeline", str(content))
    assert "optest.grader (replay by alice): done in" in shown.output


def test_replay_of_an_entity_still_in_place(db_dsn: str) -> None:
    """Content stuck in quality_check after its grader died replays without --force."""
    subscribe_test_handlers(db_dsn)
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        content = new_content(conn, seed_company(conn))
        set_status(conn, content, "quality_check")
    BEHAVIOUR.broken = True
    try:
        run_daemon(db_dsn)
    finally:
        BEHAVIOUR.broken = False
    result = invoke(
        db_dsn,
        "replay",
        "--entity",
        str(content),
        "--status",
        "quality_check",
        "--reason",
        "grader fixed",
        "--by",
        "bob",
    )
    assert result.exit_code == 0, result.output
    assert "1 replay deliveries by bob: grader fixed" in result.output
    assert run_daemon(db_dsn) == 1
    assert (
        count(
            db_dsn,
            "select count(*) from cm_module_content where content_id = %s and status = 'approved'",
            content,
        )
        == 1
    )
    [dead] = json.loads(invoke(db_dsn, "dead", "list", "--json").output)
    assert dead["replay_state"] == "done"
    assert dead["replayed_by_delivery"] is not None
