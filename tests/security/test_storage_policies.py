"""Supabase Storage policies: a company reaches only its own folder of the media bucket.

The migration applies only where a `storage` schema exists. The test builds a stand-in of
Supabase's (``storage.objects`` with row-level security, ``storage.foldername``), applies the
migration's body again, and acts as each company's users through the ``authenticated`` role.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors

from tests.integration.schema_rows import Conn, acting_as
from tests.support import servers

MIGRATION = Path(__file__).resolve().parents[2] / "migrations/20261125000720_storage_policies.sql"
BUCKET = "multimedia-assets"
STAND_IN = """
create schema storage;
create table storage.objects (
    id uuid primary key default gen_random_uuid(),
    bucket_id text not null,
    name text not null,
    owner uuid,
    created_at timestamptz not null default now(),
    metadata jsonb,
    unique (bucket_id, name)
);
alter table storage.objects enable row level security;
create function storage.foldername(name text) returns text[]
language sql immutable as $$
    select (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1]
$$;
grant usage on schema storage to anon, authenticated, service_role;
grant select, insert, update, delete on storage.objects to anon, authenticated, service_role;
"""
A, B = str(uuid.uuid4()), str(uuid.uuid4())


@pytest.fixture(scope="module")
def storage_db(pg_server: servers.TestServer, template_db: str) -> Iterator[Conn]:
    """A clone with the stand-in storage schema, the migration applied, one object per company."""
    name = f"lxera_st_{uuid.uuid4().hex[:12]}"
    pg_server.clone_database(template_db, name)
    try:
        with psycopg.connect(pg_server.dsn_for(name), autocommit=True) as conn:
            conn.execute(STAND_IN)
            conn.execute(MIGRATION.read_text())
            for company in (A, B):
                conn.execute(
                    "insert into storage.objects (bucket_id, name) values (%s, %s)",
                    (BUCKET, f"{company}/video/whole_module/20261125T144500Z_intro.mp4"),
                )
            yield conn
    finally:
        pg_server.drop_database(name)


def _claims(role: str, company: str | None) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": str(uuid.uuid4()), "role": role}
    if company is not None:
        claims["company_id"] = company
    return claims


def _visible(conn: Conn, company: str) -> int:
    row = conn.execute(
        "select count(*) from storage.objects where bucket_id = %s and name like %s",
        (BUCKET, f"{company}/%"),
    ).fetchone()
    assert row is not None
    return int(row[0])


def _put(conn: Conn, company: str, bucket: str = BUCKET) -> None:
    conn.execute(
        "insert into storage.objects (bucket_id, name) values (%s, %s)",
        (bucket, f"{company}/slide/intro/{uuid.uuid4().hex}.png"),
    )


def _refused(conn: Conn, company: str, bucket: str = BUCKET) -> None:
    with pytest.raises(errors.InsufficientPrivilege, match="row-level"), conn.transaction():
        _put(conn, company, bucket)


def _changed(conn: Conn, company: str, statement: str) -> int:
    return conn.execute(statement, (f"{company}/%",)).rowcount


def test_without_a_storage_schema_the_migration_changes_nothing(
    db: psycopg.Connection[Any],
) -> None:
    assert db.execute("select to_regclass('storage.objects')").fetchone() == (None,)
    db.execute(MIGRATION.read_text())
    assert db.execute(
        "select count(*) from pg_policies where schemaname = 'storage'"
    ).fetchone() == (0,)


def test_a_company_admin_reaches_its_own_folder_only(storage_db: Conn) -> None:
    with acting_as(storage_db, "authenticated", _claims("company_admin", A)) as conn:
        assert (_visible(conn, A), _visible(conn, B)) == (1, 0)
        _put(conn, A)
        _refused(conn, B)
        _refused(conn, A, bucket="another-bucket")
        rename = "update storage.objects set name = name || '.x' where name like %s"
        assert (_changed(conn, B, rename), _changed(conn, A, rename)) == (0, 2)
        delete = "delete from storage.objects where name like %s"
        assert (_changed(conn, B, delete), _changed(conn, A, delete)) == (0, 2)
        moved = f"update storage.objects set name = '{B}/' || name where name like %s"
        _put(conn, A)
        with pytest.raises(errors.InsufficientPrivilege, match="row-level"):
            _changed(conn, A, moved)
    assert (_visible(storage_db, A), _visible(storage_db, B)) == (1, 1)


def test_a_learner_reads_its_folder_and_writes_nothing(storage_db: Conn) -> None:
    with acting_as(storage_db, "authenticated", _claims("learner", A)) as conn:
        assert (_visible(conn, A), _visible(conn, B)) == (1, 0)
        _refused(conn, A)
        delete = "delete from storage.objects where name like %s"
        assert _changed(conn, A, delete) == 0


def test_anon_and_claimless_users_see_nothing(storage_db: Conn) -> None:
    with acting_as(storage_db, "anon") as conn:
        assert (_visible(conn, A), _visible(conn, B)) == (0, 0)
        _refused(conn, A)
    with acting_as(storage_db, "authenticated", _claims("company_admin", None)) as conn:
        assert (_visible(conn, A), _visible(conn, B)) == (0, 0)
        _refused(conn, A)


def test_a_super_admin_and_the_service_role_see_every_company(storage_db: Conn) -> None:
    with acting_as(storage_db, "authenticated", _claims("super_admin", None)) as conn:
        assert (_visible(conn, A), _visible(conn, B)) == (1, 1)
        _put(conn, B)
    with acting_as(storage_db, "service_role") as conn:
        assert (_visible(conn, A), _visible(conn, B)) == (1, 1)
