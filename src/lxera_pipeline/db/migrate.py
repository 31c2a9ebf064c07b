"""Apply the plain-SQL migrations in `migrations/`, one transaction per file.

* An advisory lock makes concurrent runs wait for each other instead of racing.
* ``pipeline.schema_migrations`` records every applied file with its SHA-256; a file edited after
  it was applied is refused by name.
* Every file is also recorded in ``supabase_migrations.schema_migrations`` (the Supabase CLI's
  history table), so `supabase db push` sees the same history and the files apply with either tool.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.db.server import check_version

MIGRATION_NAME = re.compile(r"^(?P<version>\d{14})_(?P<name>[a-z0-9_]+)\.sql$")
LOCK_KEY = 0x6C786572  # "lxer"


class MigrationError(RuntimeError):
    """A migration file or the applied history is not what it must be."""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


@dataclass(frozen=True)
class MigrationReport:
    applied: list[str]
    already: list[str]


def migrations_dir() -> Path:
    """The source tree's `migrations/`, or the copy packaged inside the wheel."""
    source = Path(__file__).resolve().parents[3] / "migrations"
    if source.is_dir():
        return source
    return Path(__file__).resolve().parents[1] / "_migrations"


def discover(directory: Path | None = None) -> list[Migration]:
    directory = directory or migrations_dir()
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(
                f"{path.name}: migration file names must be <14-digit UTC timestamp>_<name>.sql"
            )
        found.append(Migration(match["version"], match["name"], path, path.read_text()))
    return found


def _split_statements(sql: str) -> list[str]:
    """Rough statement list for the Supabase history row (informational only)."""
    return [part.strip() for part in sql.split(";\n") if part.strip()]


def _applied(conn: psycopg.Connection[tuple[str, str]]) -> dict[str, str]:
    rows = conn.execute("select version, checksum from pipeline.schema_migrations").fetchall()
    return {version: checksum for version, checksum in rows}


def _recorded_by_supabase(conn: psycopg.Connection[tuple[str, str]]) -> set[str]:
    rows = conn.execute("select version from supabase_migrations.schema_migrations").fetchall()
    return {row[0] for row in rows}


def _apply_one(conn: psycopg.Connection[tuple[str, str]], migration: Migration, run: bool) -> None:
    started = time.perf_counter()
    with conn.transaction():
        if run:
            conn.execute(migration.sql.encode())
        conn.execute(
            load_query("record_migration"),
            {
                "version": migration.version,
                "name": migration.name,
                "checksum": migration.checksum,
                "statements": _split_statements(migration.sql),
                "duration_ms": int((time.perf_counter() - started) * 1000),
            },
        )


def migrate(dsn: str, directory: Path | None = None) -> MigrationReport:
    """Apply every pending migration; refuse edited ones. Idempotent."""
    migrations = discover(directory)
    with psycopg.connect(dsn, autocommit=True, application_name="lxera-pipeline:migrate") as conn:
        check_version(conn.info.server_version)
        conn.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
        try:
            conn.execute(load_query("bootstrap_migrations"))
            applied = _applied(conn)
            from_cli = _recorded_by_supabase(conn)
            report = MigrationReport(applied=[], already=[])
            for migration in migrations:
                known = applied.get(migration.version)
                if known is not None:
                    if known != migration.checksum:
                        raise MigrationError(
                            f"{migration.path.name} was edited after it was applied "
                            f"(checksum {known[:12]}… in the database, {migration.checksum[:12]}… "
                            "on disk); write a new migration instead of changing an applied one"
                        )
                    report.already.append(migration.path.name)
                    continue
                _apply_one(conn, migration, run=migration.version not in from_cli)
                report.applied.append(migration.path.name)
            return report
        finally:
            conn.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))
