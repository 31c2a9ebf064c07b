"""`archive content` / `archive restore`: a published module's whole family leaves the workflow
tables and comes back byte for byte; the moves are audited; modules that are not safe to move
stay, with the reason; a restore that would leave dangling references is refused whole."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from psycopg.rows import DictRow, dict_row

from lxera_pipeline.cli import cli
from lxera_pipeline.operate.archive import archive_content, restore_content
from lxera_pipeline.operate.common import RefusedError, UnknownIdError
from tests.integration.schema_rows import insert_row, seed_company, set_column
from tests.support.routing import route

FAMILY = (
    "cm_module_content",
    "cm_quality_assessments",
    "cm_enhancement_sessions",
    "mm_multimedia_sessions",
    "mm_multimedia_assets",
    "mm_slide_presentations",
    "mm_audio_narrations",
)
KEYS = {
    "cm_module_content": "content_id",
    "cm_quality_assessments": "assessment_id",
    "cm_enhancement_sessions": "session_id",
    "mm_multimedia_sessions": "session_id",
    "mm_multimedia_assets": "asset_id",
    "mm_slide_presentations": "presentation_id",
    "mm_audio_narrations": "narration_id",
}
LATER = datetime.now(UTC) + timedelta(days=400)  # "now" for the archiver: everything is old
AGE = timedelta(days=365)

Conn = psycopg.Connection[Any]


def _walk(conn: Conn, table: str, key: uuid.UUID, column: str, *statuses: str) -> None:
    for status in statuses:
        assert set_column(conn, table, key, column, status) == 1


def _published_module(conn: Conn) -> dict[str, uuid.UUID]:
    """A company whose plan is delivered and whose module is published with media under it."""
    ids = seed_company(conn)
    content = ids["cm_module_content"]
    session = ids["mm_multimedia_sessions"]
    insert_row(
        conn,
        "mm_multimedia_assets",
        ids,
        asset_type="slide",
        slide_number=1,
        duration_seconds=12.5,
        generation_config=json.dumps({"fps": 2}),
    )
    insert_row(conn, "cm_quality_assessments", ids, overall_score=9.25)
    set_column(conn, "cm_module_content", content, "created_by", ids["users"])
    _walk(conn, "cm_module_content", content, "status", "quality_check", "approved", "published")
    _walk(conn, "mm_multimedia_sessions", session, "status", "processing", "completed")
    plan = ids["cm_course_plans"]
    _walk(
        conn,
        "cm_course_plans",
        plan,
        "status",
        "completed",
        "researching",
        "producing",
        "delivered",
    )
    route(conn)
    conn.execute("update pipeline.deliveries set state = 'done' where state = 'pending'")
    return ids


def _snapshot(conn: Conn, content: uuid.UUID) -> dict[str, list[Any]]:
    """Every row of the module's family as JSON, in key order."""
    out: dict[str, list[Any]] = {}
    for table in FAMILY:
        rows = conn.execute(
            f"select to_jsonb(t) from public.{table} t where t.content_id = %s"
            f" order by t.{KEYS[table]}",
            (content,),
        ).fetchall()
        out[table] = [row[0] for row in rows]
    return out


def _count(conn: Conn, query: str, *args: Any) -> int:
    row = conn.execute(query, args).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def ops(db_dsn: str) -> Any:
    with psycopg.connect(db_dsn, autocommit=True, row_factory=dict_row) as conn:
        yield conn


def test_archive_and_restore_round_trip_loses_nothing(
    db: Conn, ops: psycopg.Connection[DictRow]
) -> None:
    ids = _published_module(db)
    other = _published_module(db)  # a second company's module, archived and restored alongside
    content = ids["cm_module_content"]
    before = _snapshot(db, content)
    assert [len(before[t]) for t in FAMILY] == [1, 2, 1, 1, 2, 1, 1]
    events = _count(db, "select count(*) from pipeline.events")

    report = archive_content(ops, AGE, actor="ops-alice", now=LATER)

    assert {c.content_id for c in report.archived} == {content, other["cm_module_content"]}
    assert report.kept == []
    assert report.rows["mm_multimedia_assets"] == 4
    assert all(rows == [] for rows in _snapshot(db, content).values())
    archived = _count(
        db,
        "select (row_counts->>'mm_multimedia_assets')::int from pipeline.content_archive"
        " where content_id = %s",
        content,
    )
    assert archived == 2
    assert (
        _count(
            db,
            "select count(*) from public.cm_course_plans where plan_id = %s",
            ids["cm_course_plans"],
        )
        == 1
    )  # the plan stays

    assert restore_content(ops, str(content), actor="ops-bob")["mm_multimedia_assets"] == 2

    assert _snapshot(db, content) == before
    assert _count(db, "select count(*) from pipeline.events") == events  # no workflow restarted
    assert (
        _count(db, "select count(*) from pipeline.content_archive where content_id = %s", content)
        == 0
    )
    log = db.execute(
        "select action, actor, row_counts from pipeline.content_archive_log"
        " where content_id = %s order by log_id",
        (content,),
    ).fetchall()
    assert [(a, who) for a, who, _ in log] == [("archive", "ops-alice"), ("restore", "ops-bob")]
    assert log[0][2] == log[1][2] == {t: len(before[t]) for t in FAMILY}
    # The restored module is a normal row again: the state machine still guards it.
    with pytest.raises(psycopg.errors.CheckViolation):
        set_column(db, "cm_module_content", content, "status", "draft")


def test_modules_that_are_not_safe_to_move_stay_with_the_reason(
    db: Conn, ops: psycopg.Connection[DictRow]
) -> None:
    busy = _published_module(db)["cm_module_content"]
    ids = _published_module(db)
    old = ids["cm_module_content"]
    insert_row(db, "cm_module_content", ids, parent_content_id=old, version_number=2)
    draft = seed_company(db)["cm_module_content"]
    db.execute(
        "update pipeline.deliveries set state = 'pending' where delivery_id ="
        " (select max(delivery_id) from pipeline.deliveries where entity_id = %s)",
        (busy,),
    )
    before = {c: _snapshot(db, c) for c in (busy, old, draft)}

    dry = archive_content(ops, AGE, actor="ops", dry_run=True, now=LATER)
    real = archive_content(ops, AGE, actor="ops", now=LATER)

    for report in (dry, real):
        assert report.archived == []
        assert {c.content_id: c.blocker for c in report.kept} == {
            busy: "it has unfinished deliveries",
            old: "a newer version refers to it",
        }
    assert {c: _snapshot(db, c) for c in (busy, old, draft)} == before
    assert _count(db, "select count(*) from pipeline.content_archive_log") == 0
    assert archive_content(ops, AGE, actor="ops").kept == []  # nothing is that old yet


def test_a_dry_run_moves_nothing(db: Conn, ops: psycopg.Connection[DictRow]) -> None:
    content = _published_module(db)["cm_module_content"]
    before = _snapshot(db, content)
    report = archive_content(ops, AGE, actor="ops", dry_run=True, now=LATER)
    assert [c.content_id for c in report.archived] == [content]
    assert _snapshot(db, content) == before
    assert _count(db, "select count(*) from pipeline.content_archive") == 0


def test_a_restore_that_would_dangle_is_refused_whole(
    db: Conn, ops: psycopg.Connection[DictRow]
) -> None:
    ids = _published_module(db)
    content = ids["cm_module_content"]
    archive_content(ops, AGE, actor="ops", now=LATER)
    db.execute("delete from public.users where id = %s", (ids["users"],))  # created_by

    with pytest.raises(RefusedError, match="cm_module_content_created_by_fkey"):
        restore_content(ops, str(content), actor="ops")

    assert all(rows == [] for rows in _snapshot(db, content).values())
    assert (
        _count(db, "select count(*) from pipeline.content_archive where content_id = %s", content)
        == 1
    )
    with pytest.raises(UnknownIdError):
        restore_content(ops, str(uuid.uuid4()), actor="ops")


def test_archive_commands(db: Conn, db_dsn: str) -> None:
    content = _published_module(db)["cm_module_content"]
    before = _snapshot(db, content)
    time.sleep(1.1)
    env = {"DATABASE_URL": db_dsn, "LXERA_LOG_LEVEL": "warning"}
    runner = CliRunner()

    dry = runner.invoke(cli, ["archive", "content", "--older-than", "1s", "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert f"would archive {content}" in dry.output
    done = runner.invoke(cli, ["archive", "content", "--older-than", "1s", "--json"], env=env)
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["rows"]["cm_module_content"] == 1
    listed = runner.invoke(cli, ["archive", "list"], env=env)
    assert str(content) in listed.output

    restored = runner.invoke(cli, ["archive", "restore", str(content)], env=env)
    assert restored.exit_code == 0, restored.output
    assert _snapshot(db, content) == before
    again = runner.invoke(cli, ["archive", "restore", str(content)], env=env)
    assert again.exit_code == 3
    assert "not in the archive" in again.output
    bad = runner.invoke(cli, ["archive", "content", "--older-than", "soon"], env=env)
    assert bad.exit_code == 2


def test_a_module_whose_rows_a_writer_holds_is_kept_as_busy(
    db: Conn, db_dsn: str, ops: psycopg.Connection[DictRow]
) -> None:
    content = _published_module(db)["cm_module_content"]
    before = _snapshot(db, content)
    with psycopg.connect(db_dsn) as writer:  # a handler's open transaction on the module
        writer.execute(
            "select 1 from public.cm_module_content where content_id = %s for update", (content,)
        )
        report = archive_content(ops, AGE, actor="ops", now=LATER)
        writer.rollback()
    assert [(c.content_id, c.blocker) for c in report.kept] == [
        (content, "busy: a concurrent writer holds its rows; run again")
    ]
    assert _snapshot(db, content) == before
