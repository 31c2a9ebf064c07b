"""Every status column of every workflow table emits exactly one event per change, in the writer's
transaction, and wakes an armed LISTEN connection with an ids-only NOTIFY."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from lxera_pipeline.events.statuses import STATUS_SETS, UPDATE_ONLY_COLUMNS, allowed_next
from tests.integration.schema_rows import KEYS, Conn, insert_row, seed_company, set_column

CAUSATION = 4242
# Columns whose row insert records a 'created' event (UPDATE_ONLY_COLUMNS record changes only).
INSERT_TRACKED = [key for key in STATUS_SETS if key not in UPDATE_ONLY_COLUMNS]
EVENT_COLUMNS = (
    "event_id, event_type, status_column, entity_id, company_id, old_status, new_status, "
    "snapshot, causation_id, correlation_id"
)


@pytest.fixture
def listener(schema_dsn: str) -> Iterator[Conn]:
    """A LISTEN connection, not yet armed for wake-ups."""
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        conn.execute("listen pipeline_events")
        yield conn


def _arm(listener: Conn) -> None:
    """Arm as a waiting daemon does: writers NOTIFY only while a listener is armed."""
    _wait_until_nobody_is_armed(listener)
    assert listener.execute("select pipeline.arm_wakeup()").fetchone() == (True,)


def _events(conn: Conn, entity: uuid.UUID, column: str) -> list[dict[str, Any]]:
    cursor = conn.cursor(row_factory=dict_row)
    return cursor.execute(
        sql.SQL(
            "select {} from pipeline.events where entity_id = %s and status_column = %s "
            "order by event_id"
        ).format(sql.SQL(EVENT_COLUMNS)),
        (entity, column),
    ).fetchall()


def _notifies(
    listener: Conn, timeout: float, stop_after: int | None = None
) -> list[psycopg.Notify]:
    return list(listener.notifies(timeout=timeout, stop_after=stop_after))


def _unsnapshotted_columns(conn: Conn, table: str) -> set[str]:
    rows = conn.execute(
        "select column_name from information_schema.columns where table_schema = 'public' "
        "and table_name = %s and data_type in ('text', 'json', 'jsonb', 'ARRAY')",
        (table,),
    ).fetchall()
    return {row[0] for row in rows}


def _assert_wake_up(notes: list[psycopg.Notify], event_id: int, table: str) -> None:
    assert len(notes) == 1
    assert notes[0].channel == "pipeline_events"
    assert json.loads(notes[0].payload) == {"event_id": event_id, "table": table}
    assert len(notes[0].payload.encode()) < 8000


@pytest.mark.parametrize("key", INSERT_TRACKED, ids=lambda key: ".".join(key))
def test_a_status_change_emits_one_event_and_one_wake_up(
    schema_db: Conn, listener: Conn, key: tuple[str, str]
) -> None:
    table, column = key
    ids = seed_company(schema_db)
    _arm(listener)
    row = insert_row(schema_db, table, ids)
    [created] = _events(schema_db, row, column)
    assert created["event_type"] == f"{table}.created"
    assert created["old_status"] is None
    assert created["correlation_id"] == row
    tracked = sum(1 for other in INSERT_TRACKED if other[0] == table)
    woken = _notifies(listener, 2.0, stop_after=tracked)
    _assert_wake_up(
        [n for n in woken if str(created["event_id"]) in n.payload], created["event_id"], table
    )

    first = created["new_status"]
    target = allowed_next(table, column, first)[0]
    with schema_db.transaction():
        schema_db.execute("select set_config('pipeline.causation_id', %s, true)", (str(CAUSATION),))
        set_column(schema_db, table, row, column, target)
    [changed] = _events(schema_db, row, column)[1:]
    assert changed["event_type"] == f"{table}.status_changed"
    assert (changed["old_status"], changed["new_status"]) == (first, target)
    assert (changed["entity_id"], changed["company_id"]) == (row, ids["companies"])
    assert changed["causation_id"] == CAUSATION
    snapshot = changed["snapshot"]
    assert "company_id" in snapshot
    assert "updated_at" in snapshot
    assert KEYS[table] not in snapshot
    assert not set(snapshot) & _unsnapshotted_columns(schema_db, table)
    _assert_wake_up(_notifies(listener, 2.0, stop_after=1), changed["event_id"], table)
    assert _notifies(listener, 0.05) == []


@pytest.mark.parametrize("key", INSERT_TRACKED, ids=lambda key: ".".join(key))
def test_unchanged_or_rolled_back_status_emits_nothing(
    schema_db: Conn, listener: Conn, key: tuple[str, str]
) -> None:
    table, column = key
    ids = seed_company(schema_db)
    row = ids[table]
    _arm(listener)
    before = _events(schema_db, row, column)
    current = before[-1]["new_status"]
    set_column(schema_db, table, row, column, current)
    set_column(schema_db, table, row, "created_at", before[-1]["snapshot"]["created_at"])
    with schema_db.transaction(force_rollback=True):
        set_column(schema_db, table, row, column, allowed_next(table, column, current)[0])
    assert _events(schema_db, row, column) == before
    assert _notifies(listener, 0.2) == []


def test_a_writer_without_an_armed_listener_does_not_notify(
    schema_db: Conn, schema_dsn: str
) -> None:
    ids = seed_company(schema_db)
    _wait_until_nobody_is_armed(schema_db)
    with psycopg.connect(schema_dsn, autocommit=True) as unarmed:
        unarmed.execute("listen pipeline_events")
        set_column(
            schema_db, "cm_module_content", ids["cm_module_content"], "status", "quality_check"
        )
        assert _notifies(unarmed, 0.2) == []
    assert len(_events(schema_db, ids["cm_module_content"], "status")) == 2


def _wait_until_nobody_is_armed(conn: Conn) -> None:
    """A closed listener's backend releases its lock when it exits, a moment after the close."""
    deadline = time.monotonic() + 5
    while conn.execute("select pipeline.wakeup_armed()").fetchone() == (True,):
        assert time.monotonic() < deadline, "a listener stayed armed"
        time.sleep(0.01)


@pytest.mark.parametrize("key", sorted(UPDATE_ONLY_COLUMNS), ids=lambda key: ".".join(key))
def test_an_update_only_column_records_changes_but_no_insert(
    schema_db: Conn, key: tuple[str, str]
) -> None:
    table, column = key
    ids = seed_company(schema_db)
    row = ids[table]
    assert _events(schema_db, row, column) == []
    first = allowed_next(table, column, None)[0]
    target = allowed_next(table, column, first)[0]
    set_column(schema_db, table, row, column, target)
    [changed] = _events(schema_db, row, column)
    assert (changed["old_status"], changed["new_status"]) == (first, target)
    assert changed["event_type"] == f"{table}.status_changed"
