"""The partitioned event and audit logs: partitions exist ahead (migration, `partitions ensure`,
the daemon's side task), rows the default partition caught move into ranged partitions, routing,
claims, replay and timelines work across a partition boundary, and the migration carries a
populated database's rows over."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import psycopg
from click.testing import CliRunner
from psycopg.rows import dict_row

from lxera_pipeline.cli import cli
from lxera_pipeline.cli.side_tasks import start_side_tasks
from lxera_pipeline.db.migrate import migrate, migrations_dir
from lxera_pipeline.operate.replay import ReplayRequest, ReplaySelection, replay
from lxera_pipeline.operate.timeline import build_timeline
from lxera_pipeline.settings import Settings
from tests.integration.operate_support import (
    GRADER,
    new_content,
    run_daemon,
    seed_company,
    set_status,
    subscribe_test_handlers,
)
from tests.integration.partition_support import ago, partition_of, partitions, put_event

Conn = psycopg.Connection[dict[str, Any]]
PARTITIONED = "20261125001200_partitioned_event_log.sql"


def days_covered(conn: Any, parent: str) -> set[datetime]:
    """The UTC days (their midnights) from today on that a ranged partition of ``parent`` covers."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    covered = set()
    for p in partitions(conn):
        if p["parent"] != parent or p["is_default"]:
            continue
        for i in range(60):
            day = today + timedelta(days=i)
            if p["range_from"] <= day and day + timedelta(days=1) <= p["range_to"]:
                covered.add(day)
    return covered


def ahead(days: int) -> set[datetime]:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return {today + timedelta(days=i) for i in range(days + 1)}


def test_the_migration_leaves_daily_partitions_ahead(db: Any) -> None:
    for parent in ("events", "audit_log"):
        assert ahead(7) <= days_covered(db, parent)
        assert [p["partition_name"] for p in partitions(db) if p["is_default"]] == [
            "audit_log_default",
            "events_default",
        ]


def test_routing_is_set_to_keep_its_generic_plans(db: Any) -> None:
    """A large log made each routing replan its statements over every partition
    (bench/results/event-log-growth.md measures the effect); the function keeps generic plans."""
    row = db.execute(
        "select proconfig from pg_proc where oid = 'pipeline.route_events(text[])'::regprocedure"
    ).fetchone()
    assert row is not None
    assert "plan_cache_mode=force_generic_plan" in row[0]


def test_partitions_ensure_creates_what_is_missing_once(db_dsn: str, db: Any) -> None:
    env = {"DATABASE_URL": db_dsn, "LXERA_LOG_LEVEL": "warning"}
    result = CliRunner().invoke(cli, ["partitions", "ensure", "--ahead", "10"], env=env)
    assert result.exit_code == 0, result.output
    assert "created 6 partitions" in result.output  # days 8, 9, 10 of both logs
    for parent in ("events", "audit_log"):
        assert ahead(10) <= days_covered(db, parent)
    result = CliRunner().invoke(cli, ["partitions", "ensure", "--ahead", "10"], env=env)
    assert "created 0 partitions" in result.output
    result = CliRunner().invoke(cli, ["partitions", "list", "--json"], env=env)
    assert result.exit_code == 0
    assert "events_default" in result.output
    result = CliRunner().invoke(cli, ["partitions", "ensure", "--ahead", "1000"], env=env)
    assert result.exit_code == 2
    assert "--ahead: must be 0 to 366 days" in result.output


def test_the_daemon_side_task_creates_partitions_ahead(db_dsn: str, db: Any) -> None:
    for p in partitions(db):
        if not p["is_default"] and p["range_from"] > datetime.now(UTC) + timedelta(days=2):
            db.execute(f"drop table pipeline.{p['partition_name']}")
    assert not ahead(7) <= days_covered(db, "events")

    async def run_briefly() -> None:
        async with anyio.create_task_group() as group:
            # What `run` and the in-process daemon start beside the daemon.
            settings = Settings(
                analytics_refresh_seconds=0,
                partition_maintenance_seconds=3600.0,
                partition_ahead_days=7,
            )
            start_side_tasks(group, db_dsn, settings)
            with anyio.fail_after(20):
                while not ahead(7) <= days_covered(db, "audit_log"):  # noqa: ASYNC110
                    await anyio.sleep(0.05)
            group.cancel_scope.cancel()

    anyio.run(run_briefly)
    assert ahead(7) <= days_covered(db, "events")


def test_rows_the_default_caught_move_into_a_partition_of_their_own(db: Any) -> None:
    event = put_event(db, ago(200))
    assert partition_of(db, "events", "event_id", event) == "pipeline.events_default"
    before = db.execute("select to_jsonb(e) from pipeline.events e where event_id = %s", (event,))
    row_before = before.fetchone()
    db.execute("select pipeline.ensure_log_partitions(7)")
    moved = partition_of(db, "events", "event_id", event)
    assert moved is not None
    assert moved != "pipeline.events_default"
    [part] = [p for p in partitions(db) if f"pipeline.{p['partition_name']}" == moved]
    assert part["range_to"] - part["range_from"] >= timedelta(days=28)  # old: a month
    after = db.execute("select to_jsonb(e) from pipeline.events e where event_id = %s", (event,))
    assert after.fetchone() == row_before
    assert db.execute("select count(*) from pipeline.events_default").fetchone() == (0,)


def test_routing_claims_replay_and_timeline_across_a_partition_boundary(db_dsn: str) -> None:
    subscribe_test_handlers(db_dsn)
    with psycopg.connect(db_dsn, autocommit=True, row_factory=dict_row) as conn:
        content = new_content(conn, seed_company(conn))
        yesterday = put_event(conn, ago(1), content)  # draft -> quality_check, a day ago
        conn.execute("select pipeline.ensure_log_partitions(7)")
        set_status(conn, content, "quality_check")  # today's event of the same entity
        [today] = [
            r["event_id"]
            for r in conn.execute(
                "select event_id from pipeline.events where entity_id = %s and event_id > %s"
                " and new_status = 'quality_check'",
                (content, yesterday),
            )
        ]
        first, second = (
            partition_of(conn, "events", "event_id", yesterday),
            partition_of(conn, "events", "event_id", today),
        )
        assert first != second
        assert "pipeline.events_default" not in (first, second)
    assert run_daemon(db_dsn) == 2  # both routed and claimed, in event order
    with psycopg.connect(db_dsn, autocommit=True, row_factory=dict_row) as conn:
        done = conn.execute(
            "select d.event_id, d.state, count(a.*) as attempts from pipeline.deliveries d"
            " join pipeline.audit_log a on a.delivery_id = d.delivery_id"
            " where d.handler = %s group by 1, 2 order by 1",
            (GRADER,),
        ).fetchall()
        assert done == [
            {"event_id": yesterday, "state": "done", "attempts": 1},
            {"event_id": today, "state": "done", "attempts": 1},
        ]
        timeline = build_timeline(conn, content)
        ids = [step.event["event_id"] for step in timeline.steps]
        assert yesterday in ids
        assert today in ids
        created = replay(
            conn,
            ReplaySelection(event_id=yesterday),
            ReplayRequest(by="test", reason="across partitions", force=True),
        )
        assert [r["event_id"] for r in created] == [yesterday]


def _populate(conn: Any) -> dict[str, Any]:
    """Events over three months and their audit rows, written before the partitioning."""
    ids = []
    for days in (95, 40, 3, 0):
        entity = uuid.uuid4()
        row = conn.execute(
            "insert into pipeline.events (event_type, table_name, status_column, entity_id,"
            " new_status, correlation_id, actor_role, committed_at)"
            " values ('x.created', 'x', 'status', %s, 'new', %s, 'postgres',"
            " now() - make_interval(days => %s)) returning event_id",
            (entity, entity, days),
        ).fetchone()
        ids.append(row[0])
        conn.execute(
            "insert into pipeline.audit_log (delivery_id, event_id, handler, attempt, outcome,"
            " worker, started_at, finished_at)"
            " values (1, %s, 'h', 1, 'succeeded', 'w', now(), now() - make_interval(days => %s))",
            (row[0], days),
        )
    return {"ids": ids}


def _dump(conn: psycopg.Connection[Any], table: str, key: str) -> list[Any]:
    query = f"select to_jsonb(t) from pipeline.{table} t order by {key}"
    return list(conn.execute(query).fetchall())


def test_the_migration_carries_a_populated_log_over(empty_dsn: str, tmp_path: Path) -> None:
    before_dir = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), before_dir)
    (before_dir / PARTITIONED).unlink()
    migrate(empty_dsn, before_dir)
    with psycopg.connect(empty_dsn, autocommit=True) as conn:
        seeded = _populate(conn)
        events, audit = _dump(conn, "events", "1"), _dump(conn, "audit_log", "1")
    migrate(empty_dsn)
    with psycopg.connect(empty_dsn, autocommit=True) as conn:
        assert _dump(conn, "events", "1") == events
        assert _dump(conn, "audit_log", "1") == audit
        homes = [partition_of(conn, "events", "event_id", i) for i in seeded["ids"]]
        assert "pipeline.events_default" not in homes
        assert len(set(homes)) == 4
        assert conn.execute("select count(*) from pipeline.events_default").fetchone() == (0,)
        assert conn.execute("select count(*) from pipeline.audit_log_default").fetchone() == (0,)
        new = put_event(conn, datetime.now(UTC))
        assert new > max(seeded["ids"])  # the id sequence goes on
        assert conn.execute("select to_regclass('pipeline.events_archive')").fetchone() == (None,)
        conn.execute("select count(*) from pipeline.unrouted_events()")
        conn.execute("select pipeline.refresh_analytics()")
        assert ahead(7) <= days_covered(conn, "events")
