"""Row-level security of the roadmap's tables for every role: company members read their own
company's rows (a learner only its own video views), nobody writes them through the API (the
pipeline and the database do; views are recorded through record_video_view, priorities through
the session), super admins and service_role see every company, anon nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from psycopg import errors, sql

from tests.integration.schema_rows import Conn, acting_as, seed_company

Ids = dict[str, uuid.UUID]
KEYS = {
    "cm_module_content_revisions": "revision_id",
    "mm_script_generations": "generation_id",
    "mm_media_versions": "version_id",
    "mm_video_analytics": "view_id",
    "mm_rendering_queue": "render_id",
}
LEARNER_SUB = uuid.UUID("00000000-0000-4000-8000-00000000abcd")


def _seed(conn: Conn) -> dict[str, Any]:
    """A company with one row in each roadmap table; returns its ids and the rows' keys."""
    ids = seed_company(conn)
    content, session = ids["cm_module_content"], ids["mm_multimedia_sessions"]
    conn.execute(
        "update cm_module_content set introduction = 'edited', version = 2 where content_id = %s",
        (content,),
    )
    conn.execute(
        "insert into mm_script_generations (session_id, content_id, company_id, backend,"
        " prompt_tokens, completion_tokens, total_tokens, token_source, duration_seconds, status)"
        " values (%s, %s, %s, 'rule_based', 3, 2, 5, 'counted', 0.5, 'completed')",
        (session, content, ids["companies"]),
    )
    conn.execute(
        "insert into mm_video_analytics (asset_id, seconds_watched, completed, viewer_id)"
        " values (%s, 1, false, %s)",
        (ids["mm_multimedia_assets"], LEARNER_SUB),
    )
    conn.execute(
        "insert into pipeline.deliveries (event_id, handler, entity_id, max_attempts)"
        " values (0, 'media.slides', %s, 3)",
        (session,),
    )
    rows: dict[str, Any] = {"ids": ids}
    for table, key in KEYS.items():
        column = "session_id" if table.startswith("mm_") else "content_id"
        found = conn.execute(
            sql.SQL("select {} from public.{} where {} = %s").format(
                sql.Identifier(key), sql.Identifier(table), sql.Identifier(column)
            ),
            (session if column == "session_id" else content,),
        ).fetchall()
        assert len(found) == 1, table
        rows[table] = found[0][0]
    return rows


@pytest.fixture(scope="module")
def companies(schema_db: Conn) -> tuple[dict[str, Any], dict[str, Any]]:
    return _seed(schema_db), _seed(schema_db)


def _claims(role: str, seeded: dict[str, Any], sub: uuid.UUID | None = None) -> dict[str, Any]:
    ids = seeded["ids"]
    return {"sub": str(sub or ids["users"]), "role": role, "company_id": str(ids["companies"])}


def _visible(conn: Conn, table: str, seeded: dict[str, Any]) -> int:
    statement = sql.SQL("select count(*) from public.{} where {} = %s").format(
        sql.Identifier(table), sql.Identifier(KEYS[table])
    )
    row = conn.execute(statement, (seeded[table],)).fetchone()
    assert row is not None
    return int(row[0])


def _writes_refused(conn: Conn, table: str, seeded: dict[str, Any]) -> None:
    """UPDATE and DELETE change nothing (no privilege, or no row passes the policy); INSERT
    is refused outright."""
    key = sql.Identifier(KEYS[table])
    for statement in (
        sql.SQL("update public.{} set updated_at = now() where {} = %s"),
        sql.SQL("delete from public.{} where {} = %s"),
    ):
        try:
            with conn.transaction():
                changed = conn.execute(
                    statement.format(sql.Identifier(table), key), (seeded[table],)
                ).rowcount
        except errors.InsufficientPrivilege:
            continue
        assert changed == 0, statement
    with pytest.raises(errors.InsufficientPrivilege), conn.transaction():
        conn.execute(
            sql.SQL("insert into public.{t} ({k}) select {k} from public.{t} where false").format(
                t=sql.Identifier(table), k=key
            )
        )


@pytest.mark.parametrize("table", list(KEYS))
@pytest.mark.parametrize("role", ["learner", "company_admin"])
def test_members_read_their_company_and_write_nothing(
    schema_db: Conn, companies: tuple[dict[str, Any], dict[str, Any]], table: str, role: str
) -> None:
    mine, theirs = companies
    sub = LEARNER_SUB if role == "learner" else None
    with acting_as(schema_db, "authenticated", _claims(role, mine, sub)) as conn:
        assert (_visible(conn, table, mine), _visible(conn, table, theirs)) == (1, 0)
        _writes_refused(conn, table, mine)
        _writes_refused(conn, table, theirs)


def test_a_learner_sees_only_its_own_video_views(
    schema_db: Conn, companies: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    mine, _ = companies
    with acting_as(schema_db, "authenticated", _claims("learner", mine)) as conn:
        assert _visible(conn, "mm_video_analytics", mine) == 0  # another learner's view


@pytest.mark.parametrize("table", list(KEYS))
def test_super_admin_and_service_role_see_every_company(
    schema_db: Conn, companies: tuple[dict[str, Any], dict[str, Any]], table: str
) -> None:
    mine, theirs = companies
    with acting_as(schema_db, "authenticated", {"role": "super_admin"}) as conn:
        assert (_visible(conn, table, mine), _visible(conn, table, theirs)) == (1, 1)
    with acting_as(schema_db, "service_role") as conn:
        assert (_visible(conn, table, mine), _visible(conn, table, theirs)) == (1, 1)


@pytest.mark.parametrize("table", list(KEYS))
def test_anon_sees_and_writes_nothing(
    schema_db: Conn, companies: tuple[dict[str, Any], dict[str, Any]], table: str
) -> None:
    mine, _ = companies
    with acting_as(schema_db, "anon") as conn:
        assert _visible(conn, table, mine) == 0
        _writes_refused(conn, table, mine)


def test_api_roles_cannot_read_the_analytics_views(schema_db: Conn) -> None:
    for role in ("anon", "authenticated"):
        for view in ("analytics_video_views", "analytics_module_views", "analytics_stage_stats"):
            row = schema_db.execute(
                "select has_table_privilege(%s, %s, 'select')", (role, f"pipeline.{view}")
            ).fetchone()
            assert row == (False,)


def test_the_daemon_role_refreshes_the_analytics_and_nothing_more(schema_db: Conn) -> None:
    with schema_db.transaction(force_rollback=True):
        schema_db.execute("set local role lxera_daemon")
        assert schema_db.execute("select pipeline.refresh_analytics()").fetchone() == (True,)
        with pytest.raises(errors.InsufficientPrivilege), schema_db.transaction():
            schema_db.execute("refresh materialized view pipeline.analytics_video_views")
        with pytest.raises(errors.InsufficientPrivilege), schema_db.transaction():
            schema_db.execute("select count(*) from public.mm_media_versions")
