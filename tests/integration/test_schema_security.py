"""Row-level security through the Supabase API roles: company isolation on every table, learners
read-only, company admins write their own company, anon nothing, service_role and super admins all,
and the `pipeline` schema out of every API role's reach."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from psycopg import errors, sql

from tests.integration.schema_rows import (
    COMPANY_TABLES,
    KEYS,
    TABLES,
    Conn,
    acting_as,
    insert_row,
    seed_company,
    set_column,
)

Ids = dict[str, uuid.UUID]


@pytest.fixture(scope="module")
def companies(schema_db: Conn) -> tuple[Ids, Ids]:
    """Companies A and B, each with one row in every table."""
    return seed_company(schema_db), seed_company(schema_db)


def _claims(role: str, ids: Ids, **extra: Any) -> dict[str, Any]:
    return {"sub": str(ids["users"]), "role": role, "company_id": str(ids["companies"]), **extra}


def _visible(conn: Conn, table: str, ids: Ids) -> int:
    statement = sql.SQL("select count(*) from public.{} where {} = %s").format(
        sql.Identifier(table), sql.Identifier(KEYS[table])
    )
    row = conn.execute(statement, (ids[table],)).fetchone()
    assert row is not None
    return int(row[0])


def _deleted(conn: Conn, table: str, ids: Ids) -> int:
    statement = sql.SQL("delete from public.{} where {} = %s").format(
        sql.Identifier(table), sql.Identifier(KEYS[table])
    )
    return conn.execute(statement, (ids[table],)).rowcount


# Rows only the pipeline creates: a NOT NULL column of each is daemon-owned (no API INSERT).
PIPELINE_INSERTED = ("cm_quality_assessments", "mm_multimedia_assets")


def _insert_refused(conn: Conn, table: str, parents: Ids) -> None:
    reason = "permission denied" if table in PIPELINE_INSERTED else "row-level"
    with pytest.raises(errors.InsufficientPrivilege, match=reason), conn.transaction():
        insert_row(conn, table, parents)


def _touch(conn: Conn, table: str, ids: Ids) -> int:
    return set_column(conn, table, ids[table], "updated_at", "2001-01-01T00:00:00Z")


@pytest.mark.parametrize("table", COMPANY_TABLES)
def test_a_learner_reads_its_company_and_writes_nothing(
    schema_db: Conn, companies: tuple[Ids, Ids], table: str
) -> None:
    mine, theirs = companies
    with acting_as(schema_db, "authenticated", _claims("learner", mine)) as conn:
        assert (_visible(conn, table, mine), _visible(conn, table, theirs)) == (1, 0)
        assert (_touch(conn, table, mine), _touch(conn, table, theirs)) == (0, 0)
        assert (_deleted(conn, table, mine), _deleted(conn, table, theirs)) == (0, 0)
        _insert_refused(conn, table, mine)
        _insert_refused(conn, table, theirs)


@pytest.mark.parametrize("table", COMPANY_TABLES)
def test_a_company_admin_writes_its_company_only(
    schema_db: Conn, companies: tuple[Ids, Ids], table: str
) -> None:
    mine, theirs = companies
    with acting_as(schema_db, "authenticated", _claims("company_admin", mine)) as conn:
        assert (_visible(conn, table, mine), _visible(conn, table, theirs)) == (1, 0)
        assert (_touch(conn, table, mine), _touch(conn, table, theirs)) == (1, 0)
        if table in PIPELINE_INSERTED:
            _insert_refused(conn, table, mine)
        else:
            insert_row(conn, table, mine)
        _insert_refused(conn, table, theirs)
        assert (_deleted(conn, table, mine), _deleted(conn, table, theirs)) == (1, 0)


@pytest.mark.parametrize("table", TABLES)
def test_super_admin_and_service_role_see_every_company(
    schema_db: Conn, companies: tuple[Ids, Ids], table: str
) -> None:
    mine, theirs = companies
    super_admin = {"sub": str(uuid.uuid4()), "role": "super_admin"}
    with acting_as(schema_db, "authenticated", super_admin) as conn:
        assert (_visible(conn, table, mine), _visible(conn, table, theirs)) == (1, 1)
        assert _touch(conn, table, theirs) == 1
    with acting_as(schema_db, "service_role") as conn:
        assert (_visible(conn, table, mine), _visible(conn, table, theirs)) == (1, 1)


@pytest.mark.parametrize("table", TABLES)
def test_anon_sees_nothing(schema_db: Conn, companies: tuple[Ids, Ids], table: str) -> None:
    mine, _ = companies
    with acting_as(schema_db, "anon") as conn:
        assert _visible(conn, table, mine) == 0
        assert _touch(conn, table, mine) == 0


def test_supporting_tables_follow_their_own_rules(
    schema_db: Conn, companies: tuple[Ids, Ids]
) -> None:
    mine, theirs = companies
    colleague = insert_row(schema_db, "users", mine)
    with acting_as(schema_db, "authenticated", _claims("learner", mine)) as conn:
        assert [_visible(conn, "companies", ids) for ids in companies] == [1, 0]
        assert [_visible(conn, "users", ids) for ids in companies] == [1, 0]
        assert [_visible(conn, "employees", ids) for ids in companies] == [1, 0]
        assert _visible(conn, "users", {"users": colleague}) == 0
        assert (_touch(conn, "companies", mine), _touch(conn, "users", mine)) == (0, 0)
    with acting_as(schema_db, "authenticated", _claims("company_admin", mine)) as conn:
        assert _visible(conn, "users", {"users": colleague}) == 1
        assert (_touch(conn, "companies", mine), _touch(conn, "users", theirs)) == (0, 0)
        with pytest.raises(errors.CheckViolation, match="users_role_company_check"):
            set_column(conn, "users", colleague, "role", "super_admin")


def test_claims_may_come_from_app_metadata(schema_db: Conn, companies: tuple[Ids, Ids]) -> None:
    """A real Supabase token: top-level role is the PostgreSQL role, the app's role is elsewhere."""
    mine, theirs = companies
    metadata = {"role": "company_admin", "company_id": str(mine["companies"])}
    claims = {"sub": str(mine["users"]), "role": "authenticated", "app_metadata": metadata}
    with acting_as(schema_db, "authenticated", claims) as conn:
        table = "cm_module_content"
        assert (_visible(conn, table, mine), _visible(conn, table, theirs)) == (1, 0)
        assert _touch(conn, table, mine) == 1


def test_api_roles_cannot_reach_the_pipeline_schema(schema_db: Conn) -> None:
    for role in ("anon", "authenticated"):
        row = schema_db.execute(
            "select has_schema_privilege(%s, 'pipeline', 'usage')", (role,)
        ).fetchone()
        assert row == (False,)
    with (
        acting_as(schema_db, "authenticated", {"role": "super_admin"}) as conn,
        pytest.raises(errors.InsufficientPrivilege, match="pipeline"),
    ):
        conn.execute("select count(*) from pipeline.events")


def test_an_api_users_status_change_still_records_its_event(
    schema_db: Conn, companies: tuple[Ids, Ids]
) -> None:
    mine, _ = companies
    content = mine["cm_module_content"]
    with acting_as(schema_db, "authenticated", _claims("company_admin", mine)) as conn:
        set_column(conn, "cm_module_content", content, "status", "quality_check")
        conn.execute("reset role")
        row = conn.execute(
            "select count(*) from pipeline.events where entity_id = %s "
            "and new_status = 'quality_check'",
            (content,),
        ).fetchone()
        assert row == (1,)
