"""The KEDA queries of deploy/k8s, run against a migrated database: each counts its handler group's
open deliveries and the deliveries routing will create for it, nothing else; and the function
runs for a role that may do nothing but call it."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from psycopg import errors, sql

from tests.support.events import record_events_query
from tests.support.k8s import TARGETS, keda_queries, kubectl, render
from tests.support.routing import route

SESSIONS = "mm_multimedia_sessions"
CONTENT = "cm_module_content"

Conn = psycopg.Connection[Any]


def _event(conn: Conn, table: str, column: str, old: str | None, new: str) -> int:
    query = record_events_query(
        "select %s::uuid, %s::text, %s::text, '{}'::jsonb", table=table, column=column
    )
    row = conn.execute(query, (uuid.uuid4(), old, new)).fetchone()
    assert row is not None
    return int(row[0])


def _set_state(conn: Conn, event_id: int, state: str) -> None:
    conn.execute(
        "update pipeline.deliveries set state = %s,"
        " lease_until = case when %s = 'running' then now() + interval '1 minute' end"
        " where event_id = %s",
        (state, state, event_id),
    )


def _count(conn: Conn, query: str) -> int:
    row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture(scope="module")
def queries() -> dict[str, str]:
    if kubectl() is None:
        pytest.skip(
            "kubectl is not installed: the KEDA queries are read from the rendered manifests"
        )
    return {
        name.removeprefix("lxera-pipeline-"): query
        for name, query in keda_queries(render(TARGETS["production"])).items()
    }


def _mixed_work(db: Conn) -> None:
    """Routed media work in every state, routed content work, then unrouted events."""
    media = [_event(db, SESSIONS, "current_stage", None, "script_generation") for _ in range(4)]
    content = [_event(db, SESSIONS, "status", None, "started") for _ in range(2)]  # media.begin
    db.execute(
        "insert into pipeline.subscriptions (handler, handler_group, table_name, from_status,"
        " to_status, max_attempts) values ('itest.other', 'other', 'itest_jobs', '*', '*', 3)"
    )
    _event(db, "itest_jobs", "status", None, "queued")  # another group's work
    assert route(db) == 7
    _set_state(db, media[1], "running")
    _set_state(db, media[2], "done")
    _set_state(db, media[3], "dead")
    _set_state(db, content[1], "skipped")
    # Not routed yet: two media events, one content event, one that no handler wants.
    _event(db, SESSIONS, "current_stage", "script_generation", "slide_generation")
    _event(db, SESSIONS, "status", "failed", "processing")  # media.retry
    _event(db, CONTENT, "status", None, "draft")  # content.write
    _event(db, CONTENT, "status", "approved", "published")  # no subscription


def test_each_query_counts_its_groups_open_and_unrouted_work(
    db: Conn, queries: dict[str, str]
) -> None:
    assert set(queries) == {"content", "media"}
    assert {g: _count(db, q) for g, q in queries.items()} == {"content": 0, "media": 0}
    _mixed_work(db)
    # media: 1 pending + 1 running + 2 unrouted; content: 1 pending + 1 unrouted.
    expected = {"content": 2, "media": 4}
    assert {g: _count(db, q) for g, q in queries.items()} == expected
    assert _count(db, "select pipeline.pending_work('other')") == 1
    assert _count(db, "select pipeline.pending_work('nobody')") == 0

    # Routing moves the unrouted work into deliveries: the counts do not change.
    assert route(db) == 3
    assert {g: _count(db, q) for g, q in queries.items()} == expected

    db.execute(
        "update pipeline.deliveries set state = 'done' where state in ('pending', 'running')"
    )
    assert {g: _count(db, q) for g, q in queries.items()} == {"content": 0, "media": 0}


def test_inactive_subscriptions_and_uncommitted_events_are_not_work(
    db: Conn, db_dsn: str, queries: dict[str, str]
) -> None:
    with psycopg.connect(db_dsn) as writer:  # an open transaction: its event is invisible
        _event(writer, SESSIONS, "current_stage", None, "video_assembly")
        assert _count(db, queries["media"]) == 0
        writer.commit()
    assert _count(db, queries["media"]) == 1
    db.execute("update pipeline.subscriptions set active = false where handler = 'media.video'")
    assert _count(db, queries["media"]) == 0


def test_a_role_that_may_only_call_it_counts_but_reads_nothing(
    db: Conn, queries: dict[str, str]
) -> None:
    _event(db, SESSIONS, "current_stage", None, "uploading")
    role = sql.Identifier(f"keda_probe_{uuid.uuid4().hex[:8]}")
    db.execute(sql.SQL("create role {} nologin").format(role))
    try:
        db.execute(sql.SQL("grant usage on schema pipeline to {}").format(role))
        db.execute(
            sql.SQL("grant execute on function pipeline.pending_work(text) to {}").format(role)
        )
        with db.transaction():
            db.execute(sql.SQL("set local role {}").format(role))
            assert _count(db, queries["media"]) == 1
            with pytest.raises(errors.InsufficientPrivilege), db.transaction():
                db.execute("select count(*) from pipeline.events")
        with db.transaction():
            db.execute(sql.SQL("set local role {}").format(role))
            db.execute("create temporary table deliveries (state text)")  # cannot shadow
            assert _count(db, queries["media"]) == 1
    finally:
        db.execute(sql.SQL("drop owned by {}").format(role))
        db.execute(sql.SQL("drop role {}").format(role))


def test_public_cannot_call_it(db: Conn) -> None:
    row = db.execute(
        "select has_function_privilege('public', 'pipeline.pending_work(text)', 'execute')"
    ).fetchone()
    assert row == (False,)
