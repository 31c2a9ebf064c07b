"""The migration runner: edited files refused by name, concurrent runs serialised, reruns no-ops,
history shared with the Supabase CLI, and Supabase's own auth objects never replaced."""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from lxera_pipeline.db.migrate import (
    MigrationError,
    MigrationReport,
    discover,
    migrate,
    migrations_dir,
)
from tests.integration.schema_rows import TABLES
from tests.support import servers


def _names() -> list[str]:
    return [migration.path.name for migration in discover()]


def test_a_second_run_applies_nothing(db_dsn: str) -> None:
    report = migrate(db_dsn)
    assert report == MigrationReport(applied=[], already=_names())


def test_every_file_is_recorded_for_the_supabase_cli(db: psycopg.Connection[tuple[str]]) -> None:
    rows = db.execute("select version from supabase_migrations.schema_migrations").fetchall()
    assert sorted(row[0] for row in rows) == [m.version for m in discover()]


def test_an_edited_applied_file_is_refused_by_name(db_dsn: str, tmp_path: Path) -> None:
    copy = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), copy)
    edited = copy / "20261125000210_workflow_tables.sql"
    edited.write_text(edited.read_text() + "\n-- an afterthought\n")
    with pytest.raises(MigrationError, match=r"^20261125000210_workflow_tables\.sql was edited"):
        migrate(db_dsn, copy)


def test_concurrent_runs_do_not_race(empty_dsn: str) -> None:
    reports: list[MigrationReport] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            reports.append(migrate(empty_dsn))
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sorted(len(report.applied) for report in reports) == [0, len(_names())]
    with psycopg.connect(empty_dsn) as conn:
        row = conn.execute("select count(*) from pipeline.schema_migrations").fetchone()
    assert row == (len(_names()),)


def test_supabase_auth_objects_are_kept(empty_dsn: str) -> None:
    """On Supabase auth.jwt() exists already: the shim must leave it alone."""
    with psycopg.connect(empty_dsn, autocommit=True) as conn:
        conn.execute("create schema auth")
        conn.execute(
            "create function auth.jwt() returns jsonb language sql stable "
            "as $$ select '{\"platform\": true}'::jsonb $$"
        )
    migrate(empty_dsn)
    with psycopg.connect(empty_dsn, autocommit=True) as conn:
        assert conn.execute("select auth.jwt()").fetchone() == ({"platform": True},)
        claims = f'{{"sub": "{uuid.UUID(int=7)}"}}'
        conn.execute("select set_config('request.jwt.claims', %s, false)", (claims,))
        assert conn.execute("select auth.uid()").fetchone() == (uuid.UUID(int=7),)


def test_the_auth_shim_can_run_again_unchanged(db: psycopg.Connection[tuple[object, ...]]) -> None:
    """Nothing in the shim is created twice or replaced when its objects exist."""
    shim = next(m for m in discover() if m.name == "auth_shim")
    query = "select oid from pg_proc where pronamespace = 'auth'::regnamespace order by oid"
    before = db.execute(query).fetchall()
    db.execute(shim.sql.encode())
    assert db.execute(query).fetchall() == before
    claims = '{"sub": "00000000-0000-0000-0000-000000000007", "role": "learner"}'
    with db.transaction(force_rollback=True):
        db.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
        row = db.execute("select auth.uid(), auth.role(), auth.jwt() ->> 'role'").fetchone()
    assert row == (uuid.UUID(int=7), "learner", "learner")


SUPABASE_LIKE_AUTH = """
create schema auth authorization {auth_owner};
grant usage on schema auth to anon, authenticated, service_role, {owner};
set role {auth_owner};
create function auth.jwt() returns jsonb language sql stable
    as $$ select nullif(current_setting('request.jwt.claims', true), '')::jsonb $$;
create function auth.uid() returns uuid language sql stable
    as $$ select (auth.jwt() ->> 'sub')::uuid $$;
create function auth.role() returns text language sql stable
    as $$ select auth.jwt() ->> 'role' $$;
reset role;
"""


@pytest.fixture
def supabase_like_dsn(pg_server: servers.TestServer, template_db: str) -> Iterator[str]:
    """A database owned by a non-superuser whose `auth` schema belongs to another role, as the
    `postgres` role and `supabase_auth_admin` are on a Supabase project (the API roles exist)."""
    tag = uuid.uuid4().hex[:10]
    owner, auth_owner, name = f"lxera_owner_{tag}", f"lxera_auth_{tag}", f"lxera_sb_{tag}"
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as admin:
        admin.execute(f"create role {owner} login nosuperuser nocreaterole")
        admin.execute(f"create role {auth_owner} nologin")
        admin.execute(f"create database {name} owner {owner}")
    with psycopg.connect(pg_server.dsn_for(name), autocommit=True) as conn:
        conn.execute(SUPABASE_LIKE_AUTH.format(auth_owner=auth_owner, owner=owner).encode())
    try:
        yield psycopg.conninfo.make_conninfo(pg_server.dsn_for(name), user=owner)
    finally:
        pg_server.drop_database(name)
        with psycopg.connect(pg_server.admin_dsn, autocommit=True) as admin:
            admin.execute(f"drop role {owner}")
            admin.execute(f"drop role {auth_owner}")


def test_migrations_apply_without_superuser_on_a_supabase_like_database(
    supabase_like_dsn: str,
) -> None:
    assert migrate(supabase_like_dsn).applied == _names()
    with psycopg.connect(supabase_like_dsn) as conn:
        owners = conn.execute(
            "select distinct pg_get_userbyid(proowner) from pg_proc "
            "where pronamespace = 'auth'::regnamespace"
        ).fetchall()
        assert [row[0] for row in owners] == [conn.info.user.replace("owner", "auth")]
        tables = conn.execute(
            "select tablename from pg_tables where schemaname = 'public' and tableowner = %s",
            (conn.info.user,),
        ).fetchall()
        assert {row[0] for row in tables} >= set(TABLES)
