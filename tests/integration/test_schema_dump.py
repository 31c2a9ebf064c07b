"""A fresh ``migrate`` yields exactly the checked-in schema.sql (so every migration's effect is
reviewed as a diff of that file)."""

from __future__ import annotations

import difflib

import pytest

from tests.support.schema_dump import (
    REGENERATE,
    SCHEMA_FILE,
    dump_schema,
    find_pg_dump,
    recorded_major,
    server_major,
)


def test_a_fresh_migrate_yields_the_checked_in_schema(db_dsn: str) -> None:
    checked_in = SCHEMA_FILE.read_text()
    major = server_major(db_dsn)
    recorded = recorded_major(checked_in)
    assert recorded is not None, f"{SCHEMA_FILE.name} names no pg_dump major; run {REGENERATE}"
    if recorded != major:
        pytest.skip(
            f"{SCHEMA_FILE.name} was dumped from PostgreSQL {recorded}; this server is {major} "
            "(pg_dump prints other syntax across majors; CI compares on PostgreSQL 15)"
        )
    pg_dump = find_pg_dump(major)
    if pg_dump is None:
        pytest.skip(f"no pg_dump of PostgreSQL {major} on this machine to compare with")
    fresh = dump_schema(db_dsn, pg_dump, major)
    diff = "".join(
        difflib.unified_diff(
            checked_in.splitlines(keepends=True),
            fresh.splitlines(keepends=True),
            "schema.sql (checked in)",
            "schema of a fresh migrate",
            n=2,
        )
    )
    assert not diff, (
        f"the migrations changed the schema: run {REGENERATE} and commit schema.sql\n{diff[:6000]}"
    )
