"""`prune`: finished events past the retention go (optionally archived); pending, running and
dead work stays with all of its deliveries and audit rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from click.testing import CliRunner
from psycopg.rows import dict_row

from lxera_pipeline.cli import cli
from lxera_pipeline.operate.prune import prune
from tests.integration.operate_support import (
    BEHAVIOUR,
    new_content,
    run_daemon,
    seed_company,
    set_status,
    subscribe_test_handlers,
)
from tests.support.routing import route

LATER = datetime.now(UTC) + timedelta(days=60)


def seed(dsn: str) -> dict[str, Any]:
    """done: graded and approved; dead: grader died; pending: never run; running: claimed."""
    subscribe_test_handlers(dsn)
    ids: dict[str, Any] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        company = seed_company(conn)
        for name in ("done", "dead", "pending", "running"):
            ids[name] = new_content(conn, company, name)
        set_status(conn, ids["done"], "quality_check")
        run_daemon(dsn)
        BEHAVIOUR.broken = True
        try:
            set_status(conn, ids["dead"], "quality_check")
            run_daemon(dsn)
        finally:
            BEHAVIOUR.broken = False
        set_status(conn, ids["pending"], "quality_check")
        set_status(conn, ids["running"], "quality_check")
        route(conn)  # no daemon runs now: fan the last two events out here
        conn.execute(
            "update pipeline.deliveries set state = 'running', attempts = 1 where entity_id = %s",
            (ids["running"],),
        )
    return ids


def snapshot(dsn: str, entity: Any) -> tuple[int, int, int]:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "select (select count(*) from pipeline.events where entity_id = %(e)s),"
            " (select count(*) from pipeline.deliveries where entity_id = %(e)s),"
            " (select count(*) from pipeline.audit_log where entity_id = %(e)s)",
            {"e": entity},
        ).fetchone()
    assert row is not None
    return (int(row[0]), int(row[1]), int(row[2]))


def test_prune_keeps_pending_running_and_dead_work(db_dsn: str) -> None:
    ids = seed(db_dsn)
    kept = {name: snapshot(db_dsn, ids[name]) for name in ("dead", "pending", "running")}
    assert kept["dead"] == (2, 1, 2)
    with psycopg.connect(db_dsn, autocommit=True, row_factory=dict_row) as conn:
        assert prune(conn, timedelta(days=30)).events == 0  # nothing is old yet
        report = prune(conn, timedelta(days=30), batch_size=2, now=LATER)
    # done: 3 events (created, quality_check, approved); the others: their creation event only
    assert (report.events, report.deliveries, report.audit_rows) == (6, 1, 1)
    assert report.batches == 3
    assert report.archived_rows == 0
    assert snapshot(db_dsn, ids["done"]) == (0, 0, 0)
    for name in ("dead", "pending", "running"):
        events, deliveries, audit = kept[name]
        assert snapshot(db_dsn, ids[name]) == (events - 1, deliveries, audit)


def test_prune_archive_copies_before_deleting(db_dsn: str) -> None:
    ids = seed(db_dsn)
    with psycopg.connect(db_dsn, autocommit=True, row_factory=dict_row) as conn:
        before = conn.execute(
            "select * from pipeline.events where entity_id = %s order by 1", (ids["done"],)
        ).fetchall()
        conn.execute(
            "update pipeline.deliveries set priority = 7 where entity_id = %s", (ids["done"],)
        )
        deliveries = conn.execute(
            "select * from pipeline.deliveries where entity_id = %s order by 1", (ids["done"],)
        ).fetchall()
        report = prune(conn, timedelta(days=30), archive=True, now=LATER)
        archived = conn.execute(
            "select * from pipeline.events_archive where entity_id = %s order by 1", (ids["done"],)
        ).fetchall()
        archived_deliveries = conn.execute(
            "select * from pipeline.deliveries_archive where entity_id = %s order by 1",
            (ids["done"],),
        ).fetchall()
        counts = conn.execute(
            "select (select count(*) from pipeline.deliveries_archive) as d,"
            " (select count(*) from pipeline.audit_log_archive) as a"
        ).fetchone()
    assert report.archived_rows == report.events + report.deliveries + report.audit_rows
    assert [{k: v for k, v in row.items() if k != "archived_at"} for row in archived] == before
    assert [row["priority"] for row in deliveries] == [7]
    assert [
        {k: v for k, v in row.items() if k != "archived_at"} for row in archived_deliveries
    ] == deliveries
    assert counts == {"d": 1, "a": 1}


def test_prune_command(db_dsn: str) -> None:
    seed(db_dsn)
    env = {"DATABASE_URL": db_dsn, "LXERA_LOG_LEVEL": "warning"}
    result = CliRunner().invoke(cli, ["prune", "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["events"] == 0
    assert report["archive"] is False
    cutoff = datetime.fromisoformat(report["cutoff"])
    assert abs((datetime.now(UTC) - cutoff) - timedelta(days=30)) < timedelta(minutes=1)
    result = CliRunner().invoke(cli, ["prune", "--older-than", "12h"], env=env)
    assert result.exit_code == 0
    assert "deleted 0 events" in result.output
