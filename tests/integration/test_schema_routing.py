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

from tests.integration.schema_rows import Conn
from tests.support.events import record_events_query
from tests.support.routing import route

TABLE = "rtest_items"
RECORD = record_events_query("select %s::uuid, 'a'::text, %s::text, '{}'::jsonb", table=TABLE)
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
                conn.execute(RECORD, (entity, rng.choice("bc")))
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
    """A writer transaction that wrote one event (of an entity of its own) and stays open."""
    with psycopg.connect(schema_dsn) as conn:
        row = conn.execute(RECORD, (uuid.uuid4(), "b")).fetchone()
        assert row is not None
        yield conn, int(row[0])


def _deliveries(conn: Conn) -> list[tuple[Any, ...]]:
    return conn.execute(
        "select d.delivery_id, d.event_id, d.handler, d.entity_id from pipeline.deliveries d"
        " where d.handler like 'rtest.%' order by d.delivery_id"
    ).fetchall()


def _expected(conn: Conn) -> list[tuple[Any, ...]]:
    """(event, handler, entity) for every committed rtest event and matching subscription."""
    return conn.execute(
        "select e.event_id, s.handler, e.entity_id from pipeline.events e"
        " join pipeline.subscriptions s on s.table_name = e.table_name"
        " and (s.to_status = '*' or s.to_status = e.new_status)"
        " where e.table_name = %s order by e.event_id, s.handler",
        (TABLE,),
    ).fetchall()


def _order_problems(found: list[tuple[Any, ...]]) -> list[str]:
    """Deliveries (in delivery_id order) whose event precedes an earlier delivery's event of the
    same entity and handler: per-entity commit order broken."""
    last: dict[tuple[Any, Any], int] = {}
    problems = []
    for event, handler, entity in found:
        previous = last.get((entity, handler), 0)
        if event < previous:
            problems.append(f"{handler} {entity}: event {event} after {previous}")
        last[(entity, handler)] = event
    return problems


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
    stop.set()
    for thread in routers:
        thread.join()
    route(schema_db)  # alone now: no other router can make it skip
    # The open writer holds back nothing but its own event: everything committed is routed.
    before_commit = [
        (event, handler, entity) for _, event, handler, entity in _deliveries(schema_db)
    ]
    assert sorted(before_commit) == _expected(schema_db)
    assert held_event not in {event for event, _, _ in before_commit}
    holder.commit()
    route(schema_db)  # the held event's transaction has ended: it is routed now

    assert checks
    assert set(checks) == {0}  # never a delivery whose event was not committed
    found = [(event, handler, entity) for _, event, handler, entity in _deliveries(schema_db)]
    assert sorted(found) == _expected(schema_db)  # each committed event once per matching handler
    assert len(found) == len(set(found))
    assert _order_problems(found) == []  # in each entity's commit order
    assert held_event in {event for event, _, _ in found[len(before_commit) :]}
    assert schema_db.execute(ORPHANS).fetchone() == (0,)  # rolled-back events: no delivery


def test_an_entity_waiting_behind_an_open_writer_is_routed_in_its_commit_order(
    schema_db: Conn, schema_dsn: str, entities: list[uuid.UUID]
) -> None:
    """The open writer's entity: a later writer waits on the row lock; once the first commits,
    both events are routed, the first one's first, while another entity was never held back."""
    held, other = entities[3], entities[4]
    route(schema_db)
    with psycopg.connect(schema_dsn) as first, psycopg.connect(schema_dsn) as second:
        first.execute(f"select 1 from public.{TABLE}_locks where id = %s for update", (held,))
        first_row = first.execute(RECORD, (held, "b")).fetchone()
        assert first_row is not None
        done = threading.Event()

        def later_writer() -> None:
            second.execute(f"select 1 from public.{TABLE}_locks where id = %s for update", (held,))
            second.execute(RECORD, (held, "c"))
            second.commit()
            done.set()

        thread = threading.Thread(target=later_writer)
        thread.start()
        schema_db.execute(RECORD, (other, "b"))  # autocommit: another entity, committed now
        assert route(schema_db) == 2
        assert not done.wait(0.3)  # the later writer of the held entity waits for the row lock
        first.commit()
        thread.join(10)
        assert done.is_set()
    route(schema_db)
    held_events = [
        event
        for _, event, handler, entity in _deliveries(schema_db)
        if entity == held and handler == "rtest.all" and event >= int(first_row[0])
    ]
    assert held_events == sorted(held_events)
    assert len(held_events) == 2
    assert held_events[0] == int(first_row[0])


def test_a_temporary_relation_cannot_change_what_the_router_reads(
    schema_dsn: str, schema_db: Conn, entities: list[uuid.UUID]
) -> None:
    """route_events() runs with a pinned search_path and qualified names: temporary tables named
    like the catalogs and the pipeline's own tables (searched first for relations unless the path
    names pg_temp) are not what it reads."""
    route(schema_db)
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        conn.execute("create temporary table pg_locks (locktype text, classid oid, objid oid)")
        conn.execute("create temporary table router_state (last_snapshot pg_snapshot)")
        conn.execute("insert into router_state values (pg_current_snapshot())")
        conn.execute("create temporary table events (like pipeline.events)")
        conn.execute("create temporary table deliveries (like pipeline.deliveries)")
        conn.execute("set search_path = pg_temp, pipeline, public")
        conn.execute(RECORD, (entities[5], "b"))
        assert route(conn) == 2
        assert conn.execute("select count(*) from pg_temp.deliveries").fetchone() == (0,)
    assert route(schema_db) == 0


def test_the_writer_creates_no_delivery(schema_db: Conn, entities: list[uuid.UUID]) -> None:
    before = len(_deliveries(schema_db))
    schema_db.execute(RECORD, (entities[0], "b"))
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
        schema_db.execute(RECORD, (entities[1], "b"))
        assert route(schema_db) == 2
        tables = [
            json.loads(n.payload)["table"] for n in listener.notifies(timeout=2, stop_after=2)
        ]
        listener.execute("select pipeline.disarm_wakeup()")
    assert tables == [TABLE, "pipeline.deliveries"]


def test_a_router_serving_the_new_deliveries_handlers_does_not_wake_a_standby(
    schema_dsn: str, schema_db: Conn, entities: list[uuid.UUID]
) -> None:
    """A daemon routes naming the handlers it serves: deliveries only for those are claimed by
    it at once, so no NOTIFY reaches an armed standby; one outside them does."""
    with psycopg.connect(schema_dsn, autocommit=True) as listener:
        listener.execute("listen pipeline_events")
        route(schema_db)
        assert listener.execute("select pipeline.arm_wakeup()").fetchone() == (True,)
        served = "select pipeline.route_events(%s::text[])"
        schema_db.execute(RECORD, (entities[1], "b"))
        assert schema_db.execute(served, (["rtest.all", "rtest.b"],)).fetchone() == (2,)
        schema_db.execute(RECORD, (entities[1], "c"))
        assert schema_db.execute(served, (["rtest.b"],)).fetchone() == (1,)
        tables = [
            json.loads(n.payload)["table"] for n in listener.notifies(timeout=2, stop_after=3)
        ]
        listener.execute("select pipeline.disarm_wakeup()")
    assert tables == [TABLE, TABLE, "pipeline.deliveries"]


WRITER_LOCKS = (
    "select objid, mode from pg_locks where locktype = 'advisory'"
    " and classid = pipeline.lock_key('pipeline') and objsubid = 2 and pid = pg_backend_pid()"
    " order by objid"
)


def test_a_writer_holds_at_most_the_wake_key_and_notifies_only_a_listener_that_waits(
    schema_dsn: str, schema_db: Conn
) -> None:
    """The generated trigger: one AFTER trigger (no separate guard); the wake key shared when no
    listener is armed (no NOTIFY), no lock and a NOTIFY at commit when one is."""
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
            assert writer.execute(WRITER_LOCKS).fetchall() == []
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


def test_events_a_router_transaction_wrote_itself_are_routed_after_it_commits(
    schema_dsn: str, schema_db: Conn, entities: list[uuid.UUID]
) -> None:
    """A snapshot counts its own transaction as ended; the router must not, or an event the same
    transaction writes after routing would never be routed."""
    route(schema_db)
    with psycopg.connect(schema_dsn) as conn:
        conn.execute(RECORD, (entities[6], "b"))
        assert route(conn) == 0
        conn.execute(RECORD, (entities[6], "c"))
        assert route(conn) == 0
        conn.commit()
    assert route(schema_db) == 3


def test_every_security_definer_function_of_the_pipeline_pins_its_search_path(
    schema_db: Conn,
) -> None:
    """The generated emit_* trigger functions are the measured exception (fully qualified bodies,
    tests/integration/test_schema_emit_search_path.py)."""
    unpinned = schema_db.execute(
        "select p.proname from pg_proc p where p.pronamespace = 'pipeline'::regnamespace"
        " and p.prosecdef and p.proname not like 'emit\\_%'"
        " and not exists (select 1 from unnest(p.proconfig) c where c like 'search\\_path=%')"
    ).fetchall()
    assert unpinned == []


def test_no_separate_guard_trigger_or_function_is_left(schema_db: Conn) -> None:
    assert schema_db.execute(
        "select count(*) from pg_trigger where tgname like '%\\_guard'"
    ).fetchone() == (0,)
    assert schema_db.execute(
        "select count(*) from pg_proc where pronamespace = 'pipeline'::regnamespace"
        " and proname like 'guard\\_%'"
    ).fetchone() == (0,)


def test_routing_reads_events_through_the_txid_index_even_under_generic_plans(
    schema_db: Conn,
) -> None:
    """The daemon's control connections force generic plans, and the planner has no range
    statistics for xid8: routing and the unrouted count must still never scan every event."""
    schema_db.execute(
        "do $$ begin for i in 1..300 loop"
        " insert into pipeline.events (event_type, table_name, status_column, entity_id,"
        " new_status, correlation_id, actor_role)"
        " select 'x', 'rtest_bulk', 'status', gen_random_uuid(), 'b', gen_random_uuid(), 'r'"
        " from generate_series(1, 100); commit; end loop; end $$"
    )
    schema_db.execute("analyze pipeline.events")
    route(schema_db)
    schema_db.execute(RECORD, (uuid.uuid4(), "b"))
    # The backend's pending statistics may still hold scans of earlier statements (they are
    # flushed at most once a second), so the check counts the scans these statements add.
    seq_scans = (
        "select seq_scan from pg_stat_xact_user_tables where relid = 'pipeline.events'::regclass"
    )
    with schema_db.transaction():
        schema_db.execute("set local plan_cache_mode = force_generic_plan")
        before = schema_db.execute(seq_scans).fetchone()
        for _ in range(7):  # past the plan cache's five custom plans
            route(schema_db)
        assert schema_db.execute("select count(*) from pipeline.unrouted_events()").fetchone() == (
            0,
        )
        after = schema_db.execute(seq_scans).fetchone()
    assert before is not None
    assert after == before


def test_the_lock_keys_of_sql_and_python_agree(schema_db: Conn) -> None:
    from lxera_pipeline.db import locks

    row = schema_db.execute(
        "select pipeline.lock_key('pipeline'), pipeline.lock_key('wake'),"
        " pipeline.lock_key('router'), pipeline.lock_key('handlers')"
    ).fetchone()
    assert row == (locks.PIPELINE_CLASS, locks.WAKE, locks.ROUTER, locks.SERVED_CLASS)
    with pytest.raises(errors.InvalidParameterValue, match="no advisory lock is named"):
        schema_db.execute("select pipeline.lock_key('route')")
