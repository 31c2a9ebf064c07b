"""`GET /api/stream`: events as SSE with their durable id, Last-Event-ID replay then live, the
company filter, and one LISTEN connection per dashboard process whatever the number of clients."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.integration.dashboard_support import Served, read_events, serve
from tests.integration.operate_support import new_content, seed_company, set_status


@pytest.fixture(scope="module")
def served(schema_dsn: str) -> Any:
    with serve(schema_dsn) as served:
        yield served


def _later(seconds: float, work: Any) -> threading.Thread:
    def run() -> None:
        time.sleep(seconds)
        work()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _stream(client: httpx.Client, path: str, **headers: str) -> Any:
    return client.stream("GET", path, headers=headers, timeout=httpx.Timeout(10.0))


def test_live_events_carry_the_durable_id_and_the_change(served: Served, schema_dsn: str) -> None:
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        company = seed_company(conn)
        content = new_content(conn, company)
        with (
            served.client(headers=served.bearer()) as client,
            _stream(client, f"/api/stream?company_id={company}") as response,
        ):
            assert response.headers["content-type"].startswith("text/event-stream")
            writer = _later(0.3, lambda: set_status(conn, content, "quality_check"))
            (event,) = read_events(response, 1)
            writer.join()
        stored = conn.execute(
            "select event_id, committed_at from pipeline.events"
            " where entity_id = %s and new_status = 'quality_check'",
            (content,),
        ).fetchone()
    assert stored is not None
    assert event["id"] == stored[0]
    data = event["data"]
    assert data["event_id"] == stored[0]
    assert (data["table"], data["row_id"], data["company_id"]) == (
        "cm_module_content",
        str(content),
        str(company),
    )
    assert (data["old_status"], data["new_status"]) == ("draft", "quality_check")
    assert data["time"] == stored[1].isoformat()


def test_reconnect_replays_what_was_missed_then_goes_live(served: Served, schema_dsn: str) -> None:
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        company = seed_company(conn)
        first = new_content(conn, company, "First")
        mark = conn.execute(
            "select max(event_id) from pipeline.events where entity_id = %s", (first,)
        ).fetchone()
        assert mark is not None
        # While "disconnected": three more changes of this company.
        set_status(conn, first, "quality_check")
        second = new_content(conn, company, "Second")
        set_status(conn, second, "quality_check")
        missed = [
            row[0]
            for row in conn.execute(
                "select event_id from pipeline.events where company_id = %s and event_id > %s"
                " order by event_id",
                (company, mark[0]),
            )
        ]
        assert len(missed) == 3
        with served.client(headers=served.bearer()) as client:
            path = f"/api/stream?company_id={company}"
            with _stream(client, path, **{"Last-Event-ID": str(mark[0])}) as response:
                writer = _later(0.5, lambda: set_status(conn, first, "approved"))
                events = read_events(response, 4)
                writer.join()
    ids = [e["id"] for e in events]
    assert ids[:3] == missed  # replayed from the table, in order
    assert events[3]["data"]["new_status"] == "approved"  # then live
    assert len(set(ids)) == 4  # nothing twice


def test_the_company_filter_keeps_other_companies_out(served: Served, schema_dsn: str) -> None:
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        mine, other = seed_company(conn), seed_company(conn)
        theirs = new_content(conn, other, "Theirs")
        ours = new_content(conn, mine, "Ours")
        with (
            served.client(headers=served.bearer()) as client,
            _stream(client, f"/api/stream?company_id={mine}") as response,
        ):

            def write() -> None:
                set_status(conn, theirs, "quality_check")
                set_status(conn, ours, "quality_check")

            writer = _later(0.3, write)
            (event,) = read_events(response, 1)
            writer.join()
    assert event["data"]["company_id"] == str(mine)
    assert event["data"]["row_id"] == str(ours)


def _dashboard_connections(dsn: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "select count(*) from pg_stat_activity where datname = current_database()"
            " and application_name like 'lxera-pipeline:dashboard-%%'"
        ).fetchone()
    return int(row[0]) if row else 0


def test_one_listen_connection_serves_every_client(served: Served, schema_dsn: str) -> None:
    before = _dashboard_connections(schema_dsn)
    assert before > 0
    clients = [httpx.Client(base_url=served.url, headers=served.bearer()) for _ in range(25)]
    streams = [c.stream("GET", "/api/stream", timeout=httpx.Timeout(10.0)) for c in clients]
    responses = [s.__enter__() for s in streams]
    try:
        with psycopg.connect(schema_dsn, autocommit=True) as conn:
            company = seed_company(conn)
            content = new_content(conn, company, "Fan out " + uuid.uuid4().hex[:6])
            writer = _later(0.3, lambda: set_status(conn, content, "quality_check"))
            for response in responses:
                events = read_events(response, 2)
                assert any(e["data"]["row_id"] == str(content) for e in events)
            writer.join()
        during = _dashboard_connections(schema_dsn)
    finally:
        for stream in streams:
            stream.__exit__(None, None, None)
        for client in clients:
            client.close()
    assert during == before
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        listeners = conn.execute(
            "select count(*) from pg_stat_activity where datname = current_database()"
            " and application_name like 'lxera-pipeline:dashboard-%%:listener'"
        ).fetchone()
    assert listeners == (1,)


def test_the_stream_needs_auth(served: Served) -> None:
    with served.client() as client:
        assert client.get("/api/stream").status_code == 401
