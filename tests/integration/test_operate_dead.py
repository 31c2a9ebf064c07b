"""`dead list` / `dead retry`: a dead delivery goes back to pending, audited, and to done once its
handler is fixed."""

from __future__ import annotations

import json
from typing import Any

import psycopg
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


def delivery(dsn: str, delivery_id: int) -> tuple[Any, ...]:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "select state, attempts, last_error is not null from"
            " pipeline.deliveries where delivery_id = %s",
            (delivery_id,),
        ).fetchone()
    assert row is not None
    return tuple(row)


def test_dead_retry_brings_a_dead_delivery_back_to_done(db_dsn: str) -> None:
    subscribe_test_handlers(db_dsn)
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        content = new_content(conn, seed_company(conn))
        set_status(conn, content, "quality_check")
    BEHAVIOUR.broken = True
    try:
        assert run_daemon(db_dsn) == 2  # max_attempts=2, then dead
    finally:
        BEHAVIOUR.broken = False

    listed = invoke(db_dsn, "dead", "list", "--handler", GRADER, "--json")
    [dead] = json.loads(listed.output)
    assert dead["entity_id"] == str(content)
    assert dead["attempts"] == 2
    assert "grader bug" in dead["last_error"]
    table = invoke(db_dsn, "dead", "list")
    assert "1 dead deliveries" in table.output
    assert "grader bug" in table.output

    retried = invoke(
        db_dsn,
        "dead",
        "retry",
        "--delivery",
        str(dead["delivery_id"]),
        "--reason",
        "grader fixed",
        "--by",
        "carol",
    )
    assert retried.exit_code == 0, retried.output
    assert "is pending again after 2 attempts" in retried.output
    assert delivery(db_dsn, dead["delivery_id"]) == ("pending", 0, True)
    with psycopg.connect(db_dsn) as conn:
        audit = conn.execute(
            "select outcome, worker, detail->>'action', detail->>'by', detail->>'reason'"
            " from pipeline.audit_log where delivery_id = %s order by audit_id desc limit 1",
            (dead["delivery_id"],),
        ).fetchone()
    assert audit == ("released", "cli:carol", "dead_retry", "carol", "grader fixed")

    assert run_daemon(db_dsn) == 1
    assert delivery(db_dsn, dead["delivery_id"])[:2] == ("done", 1)
    assert json.loads(invoke(db_dsn, "dead", "list", "--json").output) == []
    again = invoke(db_dsn, "dead", "retry", "--delivery", str(dead["delivery_id"]))
    assert again.exit_code == 3


def test_dead_retry_all(db_dsn: str) -> None:
    subscribe_test_handlers(db_dsn)
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        company = seed_company(conn)
        for name in ("A", "B"):
            set_status(conn, new_content(conn, company, name), "quality_check")
    BEHAVIOUR.broken = True
    try:
        run_daemon(db_dsn)
    finally:
        BEHAVIOUR.broken = False
    result = invoke(db_dsn, "dead", "retry", "--all", "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)) == 2
    assert run_daemon(db_dsn) == 2
