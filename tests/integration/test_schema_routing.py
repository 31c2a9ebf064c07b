"""pipeline.route_events(): deliveries are created by the router, never by the writer, for exactly
the committed events, once each, never before their commit, in per-entity event order; and the
generated guard follows pipeline.allow_transitions."""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import errors

from lxera_pipeline.db.locks import PIPELINE_CLASS
from tests.integration.schema_rows import Conn
from tests.support.routing import route

TABLE = "rtest_items"
RECORD = "select pipeline.record_event(%s, 'status', %s, null, 'a', %s, '{}'::jsonb)"
ORPHANS = (
    "select count(*) from pipeline.deliveries d where d.handler like 'rtest.%%'"
    " and not exists (select 1 from pipeline.events e where e.event_id = d.event_id)"
)


@pytest.fixture(scope="module")
def entities(schema_db: Conn) -> list[uuid.UUID]:
    """Rows whose lock serialises the writers of one entity; two test subscriptions."""
    schema_db.execute(f"create table public.{TABLE}_locks (id uuid primary key)")
    ids = [uuid.uuid4() for _ in range(8)]
    for entity in ids:
        schema_db.execute(f"insert into public.{TABLE}_locks values (%s)", (entity,))
    schema_db.execute(
        "insert into pipeline.subscriptions (handler, handler_group, table_name, from_status,"
        " to_status, max_attempts) values"
        " ('rtest.all', 'rtest', %s, '*', '*', 3), ('rtest.b', 'rtest', %s, '*', 'b', 3)",
        (TABLE, TABLE),
    )
    return ids


def _write(dsn: str, entities: list[uuid.UUID], seed: int, transactions: int) -> None:
    rng = random.Random(seed)
    with psycopg.connect(dsn) as conn:
        for n in range(transactions):
            entity = rng.choice(entities)
            conn.execute(f"select 1 from public.{TABLE}_locks where id = %s for update", (entity,))
            for _ in range(rng.randint(1, 3)):
                conn.execute(RECORD, (TABLE, entity, rng.choice("bc")))
            if n % 5 == 4:
                conn.rollback()
            else:
                conn.commit()


def _route_until(dsn: str, stop: threading.Event, checks: list[int]) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        while not stop.is_set():
            route(conn)
            row = conn.execute(ORPHANS).fetchone()
            checks.append(int(row[0]) if row else -1)


@pytest.fixture
def held_open(schema_dsn: str, entities: list[uuid.UUID]) -> Iterator[tuple[Conn, int]]:
    """A writer transaction that wrote one event and stays open."""
    with psycopg.connect(schema_dsn) as conn:
        row = conn.execute(RECORD, (TABLE, uuid.uuid4(), "b")).fetchone()
        assert row is not None
        yield conn, int(row[0])


def _routed_upto(conn: Conn) -> int:
    row = conn.execute("select routed_upto from pipeline.router_state").fetchone()
    assert row is not None
    return int(row[0])


def _deliveries(conn: Conn) -> list[tuple[Any, ...]]:
    return conn.execute(
        "select d.delivery_id, d.event_id, d.handler, d.entity_id from pipeline.deliveries d"
        " where d.handler like 'rtest.%' order by d.delivery_id"
    ).fetchall()


def test_concurrent_writers_and_routers_route_every_committed_event_once_in_order(
    schema_db: Conn, schema_dsn: str, entities: list[uuid.UUID], held_open: tuple[Conn, int]
) -> None:
    holder, held_event = held_open
    stop, checks = threading.Event(), list[int]()
    routers = [
        threading.Thread(target=_route_until, args=(schema_dsn, stop, checks)) for _ in range(3)
    ]
    writers = [
        threading.Thread(target=_write, args=(schema_dsn, entities, seed, 25)) for seed in range(6)
    ]
    for thread in routers + writers:
        thread.start()
    for thread in writers:
        thread.join()
    assert _routed_upto(schema_db) < held_event  # the open writer holds the horizon back
    holder.commit()
    stop.set()
    for thread in routers:
        thread.join()
    route(schema_db)  # the held event's vxid is gone: its candidate is complete
    route(schema_db)  # and everything after it

    assert checks
    assert set(checks) == {0}  # never a delivery whose event was not committed
    expected = schema_db.execute(
        "select e.event_id, s.handler, e.entity_id from pipeline.events e"
        " join pipeline.subscriptions s on s.table_name = e.table_name"
        " and (s.to_status = '*' or s.to_status = e.new_status)"
        " where e.table_name = %s order by e.event_id, s.handler",
        (TABLE,),
    ).fetchall()
    found = [(event, handler, entity) for _, event, handler, entity in _deliveries(schema_db)]
    assert found == expected  # each committed event once per matching handler, in event order
    assert held_event in {event for event, _, _ in found}
    assert schema_db.execute(ORPHANS).fetchone() == (0,)  # rolled-back events: no delivery


def test_the_writer_creates_no_delivery(schema_db: Conn, entities: list[uuid.UUID]) -> None:
    before = len(_deliveries(schema_db))
    schema_db.execute(RECORD, (TABLE, entities[0], "b"))
    assert len(_deliveries(schema_db)) == before
    route(schema_db)
    assert len(_deliveries(schema_db)) == before + 2


def test_the_router_refuses_repeatable_read_and_needs_an_uncached_sequence(
    schema_dsn: str, schema_db: Conn
) -> None:
    assert schema_db.execute(
        "select seqcache from pg_sequence where seqrelid = 'pipeline.events_event_id_seq'::regclass"
    ).fetchone() == (1,)
    with psycopg.connect(schema_dsn) as conn:
        conn.execute("set transaction isolation level repeatable read")
        with pytest.raises(errors.FeatureNotSupported, match="READ COMMITTED"):
            conn.execute("select pipeline.route_events()")


def test_allow_transitions_regenerates_the_guard_of_a_tracked_column(schema_db: Conn) -> None:
    schema_db.execute("create table public.rtest_guarded (id uuid primary key, status text)")
    schema_db.execute(
        "select pipeline.allow_transitions('rtest_guarded', 'status', %s)", ([["new", "x"]],)
    )
    schema_db.execute("select pipeline.track_status('public.rtest_guarded', 'status', 'id')")
    row_id = uuid.uuid4()
    schema_db.execute("insert into public.rtest_guarded values (%s, 'x')", (row_id,))
    with pytest.raises(errors.CheckViolation, match=r"x -> y \(allowed next: none\)"):
        schema_db.execute("update public.rtest_guarded set status = 'y' where id = %s", (row_id,))
    schema_db.execute(
        "select pipeline.allow_transitions('rtest_guarded', 'status', %s)", ([["x", "y"]],)
    )
    schema_db.execute("update public.rtest_guarded set status = 'y' where id = %s", (row_id,))


def test_routing_wakes_an_armed_listener(
    schema_dsn: str, schema_db: Conn, entities: list[uuid.UUID]
) -> None:
    """Deliveries for handlers another daemon serves: the router's commit wakes that daemon."""
    with psycopg.connect(schema_dsn, autocommit=True) as listener:
        listener.execute("listen pipeline_events")
        route(schema_db)  # nothing left over from earlier tests
        assert listener.execute("select pipeline.arm_wakeup()").fetchone() == (True,)
        schema_db.execute(RECORD, (TABLE, entities[1], "b"))
        assert route(schema_db) == 2
        tables = [
            json.loads(n.payload)["table"] for n in listener.notifies(timeout=2, stop_after=2)
        ]
        listener.execute("select pipeline.disarm_wakeup()")
    assert tables == [TABLE, "pipeline.deliveries"]


WRITER_LOCKS = (
    "select objid, mode from pg_locks where locktype = 'advisory'"
    f" and classid = {PIPELINE_CLASS} and objsubid = 2 and pid = pg_backend_pid() order by objid"
)


def test_a_writer_holds_one_lock_the_wake_key_or_with_a_listener_armed_the_route_key(
    schema_dsn: str, schema_db: Conn
) -> None:
    """The generated trigger: one AFTER trigger (no separate guard), one advisory lock taken
    before the event id: the wake key shared, or the route key when a listener holds the wake
    key (and then a NOTIFY at commit)."""
    schema_db.execute("create table public.rtest_tracked (id uuid primary key, status text)")
    schema_db.execute(
        "select pipeline.allow_transitions('rtest_tracked', 'status', %s)",
        ([["new", "a"], ["a", "b"]],),
    )
    schema_db.execute("select pipeline.track_status('public.rtest_tracked', 'status', 'id')")
    triggers = schema_db.execute(
        "select tgname from pg_trigger where tgrelid = 'public.rtest_tracked'::regclass"
    ).fetchall()
    assert triggers == [("rtest_tracked_status_event",)]
    row_id = uuid.uuid4()
    with psycopg.connect(schema_dsn) as writer:
        writer.execute("insert into public.rtest_tracked values (%s, 'a')", (row_id,))
        assert writer.execute(WRITER_LOCKS).fetchall() == [(1, "ShareLock")]
    with psycopg.connect(schema_dsn, autocommit=True) as listener:
        listener.execute("listen pipeline_events")
        assert listener.execute("select pipeline.arm_wakeup()").fetchone() == (True,)
        with psycopg.connect(schema_dsn) as writer:
            writer.execute("update public.rtest_tracked set status = 'b' where id = %s", (row_id,))
            assert writer.execute(WRITER_LOCKS).fetchall() == [(2, "ShareLock")]
        tables = [
            json.loads(n.payload)["table"] for n in listener.notifies(timeout=2, stop_after=1)
        ]
        listener.execute("select pipeline.disarm_wakeup()")
    assert tables == ["rtest_tracked"]
    events = schema_db.execute(
        "select event_type, old_status, new_status from pipeline.events"
        " where entity_id = %s order by event_id",
        (row_id,),
    ).fetchall()
    assert events == [
        ("rtest_tracked.created", None, "a"),
        ("rtest_tracked.status_changed", "a", "b"),
    ]


def test_with_a_listener_armed_a_writer_in_flight_still_holds_the_horizon_back(
    schema_dsn: str, schema_db: Conn, entities: list[uuid.UUID]
) -> None:
    """The router counts holders of the route key as well as shared holders of the wake key; the
    armed listener's own exclusive hold of the wake key does not stop routing."""
    with psycopg.connect(schema_dsn, autocommit=True) as listener:
        listener.execute("listen pipeline_events")
        route(schema_db)
        assert listener.execute("select pipeline.arm_wakeup()").fetchone() == (True,)
        with psycopg.connect(schema_dsn) as writer:
            row = writer.execute(RECORD, (TABLE, entities[2], "b")).fetchone()
            assert row is not None
            assert writer.execute(WRITER_LOCKS).fetchall() == [(2, "ShareLock")]
            route(schema_db)
            assert _routed_upto(schema_db) < int(row[0])
            writer.commit()
        route(schema_db)
        assert _routed_upto(schema_db) >= int(row[0])
        listener.execute("select pipeline.disarm_wakeup()")


def test_no_separate_guard_trigger_or_function_is_left(schema_db: Conn) -> None:
    assert schema_db.execute(
        "select count(*) from pg_trigger where tgname like '%\\_guard'"
    ).fetchone() == (0,)
    assert schema_db.execute(
        "select count(*) from pg_proc where pronamespace = 'pipeline'::regnamespace"
        " and proname like 'guard\\_%'"
    ).fetchone() == (0,)
