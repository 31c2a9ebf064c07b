"""Rows placed at chosen times in the partitioned logs, for the partition and prune tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

NOW = datetime.now(UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def put_event(
    conn: psycopg.Connection[Any],
    at: datetime,
    entity: uuid.UUID | None = None,
    *,
    old: str | None = "draft",
    new: str = "quality_check",
) -> int:
    """An event of cm_module_content committed at ``at`` (written directly: the trigger stamps
    the clock)."""
    entity = entity or uuid.uuid4()
    row = conn.execute(
        "insert into pipeline.events (event_type, table_name, status_column, entity_id,"
        " old_status, new_status, correlation_id, actor_role, committed_at)"
        " values ('cm_module_content.status_changed', 'cm_module_content', 'status', %s, %s,"
        " %s, %s, 'postgres', %s) returning event_id",
        (entity, old, new, entity, at),
    ).fetchone()
    assert row is not None
    return int(row[0] if isinstance(row, tuple) else row["event_id"])


def put_delivery(
    conn: psycopg.Connection[Any], event_id: int, state: str = "done", handler: str = "h.test"
) -> int:
    row = conn.execute(
        "insert into pipeline.deliveries (event_id, handler, entity_id, state, attempts,"
        " max_attempts, finished_at)"
        " select e.event_id, %s, e.entity_id, %s, 1, 3, case when %s in ('done', 'dead')"
        " then now() end from pipeline.events e where e.event_id = %s returning delivery_id",
        (handler, state, state, event_id),
    ).fetchone()
    assert row is not None
    return int(row[0] if isinstance(row, tuple) else row["delivery_id"])


def put_audit(conn: psycopg.Connection[Any], event_id: int, delivery_id: int, at: datetime) -> int:
    row = conn.execute(
        "insert into pipeline.audit_log (delivery_id, event_id, handler, attempt, outcome,"
        " worker, started_at, finished_at)"
        " values (%s, %s, 'h.test', 1, 'succeeded', 'w-test', %s, %s) returning audit_id",
        (delivery_id, event_id, at, at),
    ).fetchone()
    assert row is not None
    return int(row[0] if isinstance(row, tuple) else row["audit_id"])


def settle(conn: psycopg.Connection[Any]) -> None:
    """Move rows the default partitions caught into partitions of their own, and route."""
    conn.execute("select pipeline.ensure_log_partitions(7)")
    conn.execute("select pipeline.route_events()")


def partition_of(conn: psycopg.Connection[Any], table: str, key: str, row_id: int) -> str | None:
    row = conn.execute(
        f"select tableoid::regclass::text from pipeline.{table} where {key} = %s",
        (row_id,),
    ).fetchone()
    return None if row is None else str(row[0] if isinstance(row, tuple) else row["tableoid"])


def partitions(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    return cur.execute("select * from pipeline.log_partitions()").fetchall()
