"""A hostile tenant against a real daemon: no secret and no host file may come out, and every entity
the tenant broke ends `failed` with a readable reason.

The daemon first carries one course to a published video. Then a company admin, through the API
role (`authenticated` with a company_admin's JWT claims, as PostgREST would run it), changes every
column of every row it can reach to a hostile value (host paths, another company's ids, negative
sizes, empty JSON), inserts a media session whose assets point at host files, and submits plans
that break every limit. A daemon started with known secret values in its environment then runs
until nothing is left to do. Afterwards no column of any table, no stored file and no daemon log
line holds a secret or a host file's contents, and no plan, module or session is left in an
in-progress state or failed without a short reason.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from lxera_pipeline.cli.demo.seed import DemoCourse, Seeded, seed_course
from tests.acceptance.support import (
    FAST_SETTINGS,
    REPO_ROOT,
    Daemon,
    daemon_env,
    fetch,
    free_port,
    scalar,
    wait_until,
)
from tests.integration.schema_rows import KEYS, TABLES, seed_company

pytestmark = pytest.mark.acceptance

MARK = f"zq{uuid.uuid4().hex[:12]}"
SECRETS = {
    "database password": f"dbpw-{MARK}",
    "LXERA_LLM_API_KEY": f"llmkey-{MARK}",
    "LXERA_TTS_API_KEY": f"ttskey-{MARK}",
    "LXERA_SUPABASE_KEY": f"sbkey-{MARK}",
}
HOST_FILE_TEXT = f"host-file-{MARK}"
COURSE = DemoCourse(
    modules=(
        {
            "title": "Variance analysis",
            "key_topics": ["variance analysis", "forecasts"],
            "learning_objectives": ["Explain a budget variance"],
            "demo_quality": "full",
        },
    )
)
# Statuses in which the pipeline still owes an entity work (see events/statuses.py).
IN_PROGRESS: dict[str, tuple[str, tuple[str, ...], str]] = {
    # table: (key column, in-progress statuses, the tenant-visible reason column)
    "cm_course_plans": ("plan_id", ("completed", "researching", "producing"), "error_message"),
    "cm_research_results": ("research_id", ("started",), "error_message"),
    "cm_module_content": (
        "content_id",
        ("draft", "quality_check", "revision", "approved"),
        "failure_reason",
    ),
    "cm_enhancement_sessions": (
        "session_id",
        ("started", "research_complete", "content_enhanced"),
        "error_details",
    ),
    "mm_multimedia_sessions": ("session_id", ("started", "processing"), "error_details"),
}
WORKFLOW_SETTINGS: dict[str, object] = {
    **FAST_SETTINGS,
    "narration_seconds_per_module": 20,
    "handlers": "content,media",
}


def _claims(seeded: Seeded) -> dict[str, str]:
    return {
        "sub": str(seeded.user_id),
        "role": "company_admin",
        "company_id": str(seeded.company_id),
    }


@contextmanager
def as_tenant(dsn: str, claims: dict[str, str]) -> Iterator[psycopg.Connection[Any]]:
    """A connection acting as the API role with the tenant's claims; committed at the end."""
    with psycopg.connect(dsn) as conn:
        conn.execute("set role authenticated")
        conn.execute("select set_config('request.jwt.claims', %s, false)", (json.dumps(claims),))
        yield conn
        conn.commit()


def attempt(conn: psycopg.Connection[Any], statement: sql.SQL | sql.Composed, params: Any) -> bool:
    """Run one hostile statement in a savepoint; True when the database accepted it."""
    try:
        with conn.transaction():
            conn.execute(statement, params)
    except psycopg.Error:
        return False
    return True


def hostile_values(
    conn: psycopg.Connection[Any], table: str, column: str, data_type: str, theirs: dict[str, Any]
) -> list[Any]:
    """What a tenant would try in a column of this type."""
    if data_type in ("text", "character varying"):
        return ["/proc/self/environ", "../../../../../../proc/self/environ", "file:///etc/passwd"]
    if data_type == "jsonb":
        return [json.dumps([]), json.dumps({"modules": [{"title": "/proc/self/environ"}]})]
    if data_type == "uuid":
        target = conn.execute(
            "select c.confrelid::regclass::text from pg_catalog.pg_constraint c "
            "join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1] "
            "where c.contype = 'f' and c.conrelid = %s::regclass and a.attname = %s",
            (f"public.{table}", column),
        ).fetchone()
        if target is None:
            return []
        referenced = str(target[0]).removeprefix("public.")
        return [theirs[referenced]] if referenced in theirs else []
    if data_type in ("integer", "bigint", "numeric", "double precision", "real", "smallint"):
        return [-1, 2_000_000_000]
    if data_type == "boolean":
        return [True, False]
    return []


def fuzz_every_column(dsn: str, claims: dict[str, str], theirs: dict[str, Any]) -> list[str]:
    """Set every column of every reachable row to hostile values; the accepted changes."""
    accepted: list[str] = []
    with as_tenant(dsn, claims) as conn:
        for table in TABLES:
            columns = conn.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'public' and table_name = %s order by ordinal_position",
                (table,),
            ).fetchall()
            key = KEYS[table]
            rows = conn.execute(
                sql.SQL("select {} from public.{}").format(
                    sql.Identifier(key), sql.Identifier(table)
                )
            ).fetchall()
            for (row_key,) in rows:
                for column, data_type in columns:
                    if column == key:
                        continue
                    for value in hostile_values(conn, table, column, data_type, theirs):
                        statement = sql.SQL("update public.{} set {} = %s where {} = %s").format(
                            sql.Identifier(table), sql.Identifier(column), sql.Identifier(key)
                        )
                        if attempt(conn, statement, (value, row_key)):
                            accepted.append(f"{table}.{column}")
    return accepted


def insert_hostile_rows(dsn: str, claims: dict[str, str], seeded: Seeded) -> dict[str, uuid.UUID]:
    """Plans that break every limit, and a media session whose assets point at host files."""
    made: dict[str, uuid.UUID] = {}
    plans = {
        "too_many_modules": {"modules": [{"title": f"Module {i}"} for i in range(10_000)]},
        "empty_structure": [],
        "huge_title": {"modules": [{"title": "T" * 100_000, "key_topics": ["x"]}]},
        "path_title": {"modules": [{"title": "../../../../proc/self/environ"}]},
    }
    with as_tenant(dsn, claims) as conn:
        for name, structure in plans.items():
            plan_id = uuid.uuid4()
            inserted = attempt(
                conn,
                sql.SQL(
                    "insert into public.cm_course_plans (plan_id, company_id, employee_id, "
                    "employee_name, session_id, course_title, course_structure, status) "
                    "values (%s, %s, %s, 'Mallory', %s, %s, %s, 'completed')"
                ),
                (
                    plan_id,
                    seeded.company_id,
                    seeded.employee_id,
                    f"hostile-{name}",
                    name,
                    json.dumps(structure),
                ),
            )
            if inserted:
                made[name] = plan_id
        content = conn.execute(
            "select content_id from public.cm_module_content order by created_at limit 1"
        ).fetchone()
        if content is not None:
            session_id = uuid.uuid4()
            if attempt(
                conn,
                sql.SQL(
                    "insert into public.mm_multimedia_sessions (session_id, company_id, "
                    "content_id, module_name, employee_name, status) "
                    "values (%s, %s, %s, 'Hostile', 'Mallory', 'started')"
                ),
                (session_id, seeded.company_id, content[0]),
            ):
                made["session"] = session_id
                for asset_type in ("slide", "audio", "video", "document"):
                    attempt(
                        conn,
                        sql.SQL(
                            "insert into public.mm_multimedia_assets (company_id, content_id, "
                            "session_id, asset_type, asset_name, file_path, status) "
                            "values (%s, %s, %s, %s, 'x', '/proc/self/environ', 'generated')"
                        ),
                        (seeded.company_id, content[0], session_id, asset_type),
                    )
    return made


def start_daemon(dsn: str, work: Path, name: str) -> Daemon:
    port = free_port()
    settings = {**WORKFLOW_SETTINGS, "storage_dir": work / "media"}
    env = daemon_env(dsn, work / name, port, settings)
    params = conninfo_to_dict(dsn)
    env["DATABASE_URL"] = make_conninfo(dsn, password=SECRETS["database password"])
    if params.get("password"):  # a server that checks passwords keeps its real one
        env["DATABASE_URL"] = dsn
    for key in ("LXERA_LLM_API_KEY", "LXERA_TTS_API_KEY", "LXERA_SUPABASE_KEY"):
        env[key] = SECRETS[key]
    log_path = work / f"{name}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "lxera_pipeline", "run"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    daemon = Daemon(name, proc, log_path, port)
    daemon.wait_ready(60)
    return daemon


def idle_for(dsn: str, seconds: float, timeout: float) -> None:
    """Wait until no delivery is pending or running for ``seconds`` in a row."""
    deadline = time.monotonic() + timeout
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        busy = scalar(
            dsn, "select count(*) from pipeline.deliveries where state in ('pending', 'running')"
        )
        now = time.monotonic()
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= seconds:
            return
        time.sleep(0.25)
    raise AssertionError(f"the daemon did not go idle within {timeout} s")


def leaks_in_database(dsn: str) -> list[str]:
    """Every table (any schema but the catalogs) whose rows mention a secret or the host file."""
    needles = [*SECRETS.values(), HOST_FILE_TEXT, MARK]
    found: list[str] = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        tables = conn.execute(
            "select n.nspname, c.relname from pg_catalog.pg_class c "
            "join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
            "where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', "
            "'information_schema') and n.nspname not like 'pg_toast%%'"
        ).fetchall()
        for schema, table in tables:
            for needle in needles:
                statement = sql.SQL("select count(*) from {}.{} t where t::text like %s").format(
                    sql.Identifier(schema), sql.Identifier(table)
                )
                row = conn.execute(statement, (f"%{needle}%",)).fetchone()
                if row and row[0]:
                    found.append(f"{schema}.{table} holds {needle!r}")
    return found


def leaks_in_files(root: Path) -> list[str]:
    needles = [value.encode() for value in [*SECRETS.values(), HOST_FILE_TEXT]]
    found: list[str] = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            found += [f"{path} holds {needle!r}" for needle in needles if needle in data]
    return found


def stuck_or_silent(dsn: str) -> list[str]:
    problems: list[str] = []
    for table, (key, busy, reason) in IN_PROGRESS.items():
        for row in fetch(dsn, f"select {key} as id, status, {reason} as reason from {table}"):
            if row["status"] in busy:
                problems.append(f"{table} {row['id']} left {row['status']!r}")
            elif row["status"] == "failed":
                text = row["reason"] or ""
                if not text.strip() or len(text) > 500 or "Traceback" in text:
                    problems.append(f"{table} {row['id']} failed without a short reason: {text!r}")
    return problems


def test_a_hostile_tenant_gets_no_secret_and_leaves_every_entity_sane(
    db_dsn: str, tmp_path: Path
) -> None:
    host_file = tmp_path / "host-secret.txt"
    host_file.write_text(HOST_FILE_TEXT)
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        theirs = seed_company(conn)

    async def seed() -> Seeded:
        async with await psycopg.AsyncConnection.connect(db_dsn, autocommit=True) as conn:
            return await seed_course(conn, COURSE)

    seeded = anyio.run(seed)
    first = start_daemon(db_dsn, tmp_path, "first")
    try:
        wait_until(
            lambda: (
                scalar(
                    db_dsn,
                    "select status from cm_course_plans where plan_id = %(p)s",
                    {"p": seeded.plan_id},
                )
                == "delivered"
            ),
            180,
            "the course to be delivered",
        )
    finally:
        first.signal(signal.SIGTERM)
        first.wait_exit(30)

    claims = _claims(seeded)
    accepted = fuzz_every_column(db_dsn, claims, theirs)
    with as_tenant(db_dsn, claims) as conn:
        # Point whatever path column survived at the host file as well.
        for table, column in {tuple(item.split(".")) for item in accepted}:
            if "path" in column or "url" in column:
                attempt(
                    conn,
                    sql.SQL("update public.{} set {} = %s").format(
                        sql.Identifier(table), sql.Identifier(column)
                    ),
                    (str(host_file),),
                )
    made = insert_hostile_rows(db_dsn, claims, seeded)

    second = start_daemon(db_dsn, tmp_path, "second")
    try:
        idle_for(db_dsn, 5, 240)
    finally:
        second.signal(signal.SIGTERM)
        second.wait_exit(30)

    assert leaks_in_database(db_dsn) == []
    assert leaks_in_files(tmp_path / "media") == []
    logs = (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
    assert [name for name, value in SECRETS.items() if value in logs] == []
    assert HOST_FILE_TEXT not in logs
    assert stuck_or_silent(db_dsn) == []
    # An over-limit plan fails naming the limit and makes no child rows.
    if "too_many_modules" in made:
        [plan] = fetch(
            db_dsn,
            "select status, error_message from cm_course_plans where plan_id = %(p)s",
            {"p": made["too_many_modules"]},
        )
        assert plan["status"] == "failed"
        assert "limit" in (plan["error_message"] or "")
        children = scalar(
            db_dsn,
            "select count(*) from cm_module_content where plan_id = %(p)s",
            {"p": made["too_many_modules"]},
        )
        assert children == 0
