"""The rendering queue: a company admin sets its own sessions' priority (and only its own), the
queue rows follow; with one media worker, renders run by priority then age (the claim orders
pending deliveries by priority, then delivery id)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import psycopg
import pytest
from click.testing import CliRunner

from lxera_pipeline.cli import cli
from lxera_pipeline.cli.demo.daemon import in_process_daemon
from lxera_pipeline.cli.demo.seed import seed_course
from lxera_pipeline.handlers.workflow.resources import build_resources
from tests.integration.schema_rows import Conn, acting_as, seed_company, set_column
from tests.integration.workflow_support import course, fetch, module, workflow_settings


def _claims(role: str, ids: dict[str, Any]) -> dict[str, Any]:
    return {"sub": str(ids["users"]), "role": role, "company_id": str(ids["companies"])}


def test_a_company_admin_sets_its_own_sessions_priority(schema_db: Conn) -> None:
    mine, theirs = seed_company(schema_db), seed_company(schema_db)
    table = "mm_multimedia_sessions"
    with acting_as(schema_db, "authenticated", _claims("company_admin", mine)) as conn:
        assert set_column(conn, table, mine[table], "render_priority", 80) == 1
        assert set_column(conn, table, theirs[table], "render_priority", 80) == 0
        with pytest.raises(psycopg.errors.CheckViolation, match="render_priority"):
            set_column(conn, table, mine[table], "render_priority", 101)
    with acting_as(schema_db, "authenticated", _claims("learner", mine)) as conn:
        assert set_column(conn, table, mine[table], "render_priority", 80) == 0


def test_the_queue_follows_the_session_priority(schema_db: Conn) -> None:
    ids = seed_company(schema_db)
    session = ids["mm_multimedia_sessions"]
    schema_db.execute(
        "insert into pipeline.deliveries (event_id, handler, entity_id, max_attempts)"
        " values (0, 'media.video', %s, 3)",
        (session,),
    )
    with acting_as(schema_db, "authenticated", _claims("company_admin", ids)) as conn:
        set_column(conn, "mm_multimedia_sessions", session, "render_priority", 60)
        row = conn.execute(
            "select kind, status, priority from mm_rendering_queue where session_id = %s",
            (session,),
        ).fetchone()
        assert row == ("video", "queued", 60)
    with acting_as(schema_db, "authenticated", _claims("learner", seed_company(schema_db))) as c:
        assert c.execute(
            "select count(*) from mm_rendering_queue where session_id = %s", (session,)
        ).fetchone() == (0,)


def test_routing_and_a_priority_change_set_the_sessions_delivery_priority(
    db: Conn, db_dsn: str
) -> None:
    """A session event is fanned out at the session's render_priority; a change moves the
    session's pending deliveries, not its finished ones nor another session's; a replay of the
    session's event is claimed at the session's priority."""
    ids, other = seed_company(db), seed_company(db)
    session = ids["mm_multimedia_sessions"]
    db.execute(
        "insert into pipeline.subscriptions (handler, handler_group, table_name, status_column,"
        " from_status, to_status, max_attempts)"
        " values ('itest.render', 'elsewhere', 'mm_multimedia_sessions', 'current_stage',"
        " '*', '*', 3)"
    )
    db.execute("select pipeline.route_events()")  # the inserts' events: priority 0
    db.execute("update pipeline.deliveries set state = 'done' where handler = 'itest.render'")
    set_column(db, "mm_multimedia_sessions", session, "render_priority", 70)
    for key in (session, other["mm_multimedia_sessions"]):
        set_column(db, "mm_multimedia_sessions", key, "current_stage", "script_generation")
    db.execute("select pipeline.route_events()")

    def priorities() -> list[tuple[Any, ...]]:
        return db.execute(
            "select entity_id = %s, state, priority from pipeline.deliveries"
            " where handler = 'itest.render' order by delivery_id",
            (session,),
        ).fetchall()

    assert priorities() == [
        (True, "done", 0),
        (False, "done", 0),
        (True, "pending", 70),  # routed at the session's priority
        (False, "pending", 0),
    ]
    set_column(db, "mm_multimedia_sessions", session, "render_priority", 20)
    assert priorities() == [
        (True, "done", 0),
        (False, "done", 0),
        (True, "pending", 20),  # followed the change
        (False, "pending", 0),
    ]
    db.execute("update pipeline.deliveries set state = 'done' where handler = 'itest.render'")
    replay = ["replay", "--entity", str(session), "--status", "script_generation"]
    replay += ["--handler", "itest.render", "--reason", "t"]
    replayed = CliRunner().invoke(cli, replay, env={"DATABASE_URL": db_dsn})
    assert replayed.exit_code == 0, replayed.output
    assert db.execute(
        "select entity_id, priority from pipeline.deliveries where is_replay"
    ).fetchall() == [(session, 20)]


async def _wait(check: Any, seconds: float = 180.0) -> None:
    with anyio.fail_after(seconds):
        while not await anyio.to_thread.run_sync(check):  # noqa: ASYNC110 - polls the database
            await anyio.sleep(0.3)


@pytest.mark.anyio
async def test_one_media_worker_renders_by_priority_then_age(db_dsn: str, tmp_path: Path) -> None:
    """Three sessions wait for the one media worker, oldest with the lowest priority: the
    highest priority finishes first, the oldest last."""
    settings = workflow_settings(db_dsn, tmp_path)
    titles = ("Low first", "Middle", "High last")
    demo = course(*(module(title, "full") for title in titles))
    async with await psycopg.AsyncConnection.connect(db_dsn, autocommit=True) as conn:
        async with in_process_daemon(settings, db_dsn, build_resources(settings), "content"):
            seeded = await seed_course(conn, demo)

            def all_waiting() -> bool:
                rows = fetch(
                    db_dsn,
                    "select count(*) as n from mm_multimedia_sessions"
                    " where current_stage = 'script_generation'",
                )
                return rows == [{"n": 3}]

            await _wait(all_waiting)
        order = fetch(
            db_dsn,
            "select s.session_id, s.module_name from mm_multimedia_sessions s"
            " order by s.created_at, s.session_id",
        )
        for priority, row in zip((0, 50, 100), order, strict=True):
            await conn.execute(
                "update mm_multimedia_sessions set render_priority = %s where session_id = %s",
                (priority, row["session_id"]),
            )
        one_worker = settings.model_copy(update={"concurrency": 1, "prefetch": 0})
        async with in_process_daemon(one_worker, db_dsn, build_resources(one_worker), "media"):

            def all_done() -> bool:
                rows = fetch(
                    db_dsn,
                    "select count(*) as n from mm_multimedia_sessions where status = 'completed'",
                )
                return rows == [{"n": 3}]

            await _wait(all_done)
    finished = fetch(
        db_dsn,
        "select module_name from mm_multimedia_sessions order by completed_at",
    )
    assert [row["module_name"] for row in finished] == [row["module_name"] for row in order][::-1]
    assert seeded.plan_id is not None
    listing = CliRunner().invoke(cli, ["renders", "--json"], env={"DATABASE_URL": db_dsn})
    assert listing.exit_code == 0, listing.output
