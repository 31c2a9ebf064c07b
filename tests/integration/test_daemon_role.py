"""The daemon runs as a login user in the least-privilege role `lxera_daemon` (migration
20261125000730): the whole two-module workflow completes, and the role cannot create objects, read
personal or auth data, or touch what only `migrate` and the operator commands may."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import psycopg
import psycopg.conninfo
import pytest
from psycopg import AsyncConnection

from lxera_pipeline.cli.demo.daemon import in_process_daemon
from lxera_pipeline.cli.demo.seed import seed_course
from lxera_pipeline.handlers.workflow.resources import build_resources
from tests.acceptance.support import free_port, wait_until
from tests.integration.workflow_support import TWO_MODULES, fetch, plan_settled, workflow_settings
from tests.security.cli_support import CLI, clean_env


@pytest.fixture
def daemon_dsn(db_dsn: str) -> Iterator[str]:
    """A login user that is a member of lxera_daemon, as deploy/README.md creates one."""
    user = f"lxera_t_daemon_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute(f"create role {user} login password 'unused' in role lxera_daemon")
    try:
        yield psycopg.conninfo.make_conninfo(db_dsn, user=user)
    finally:
        with psycopg.connect(db_dsn, autocommit=True) as conn:
            conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where usename = %s",
                (user,),
            )
            conn.execute(f"drop role {user}")


def test_the_workflow_completes_as_the_daemon_role(
    db_dsn: str, daemon_dsn: str, tmp_path: Path
) -> None:
    settings = workflow_settings(daemon_dsn, tmp_path)

    async def drive() -> uuid.UUID:
        resources = build_resources(settings)
        async with (
            await AsyncConnection.connect(db_dsn, autocommit=True) as owner,
            in_process_daemon(settings, daemon_dsn, resources),
        ):
            seeded = await seed_course(owner, TWO_MODULES)
            with anyio.fail_after(150):
                while not await plan_settled(owner, seeded.plan_id):  # noqa: ASYNC110
                    await anyio.sleep(0.2)
            return seeded.plan_id

    plan_id = anyio.run(drive)
    [plan] = fetch(
        db_dsn, "select status from cm_course_plans where plan_id = %(p)s", {"p": plan_id}
    )
    assert plan["status"] == "delivered"
    states = fetch(db_dsn, "select state, count(*) as n from pipeline.deliveries group by state")
    assert {row["state"] for row in states} == {"done"}, states
    sessions = fetch(db_dsn, "select status from mm_multimedia_sessions")
    assert [row["status"] for row in sessions] == ["completed", "completed"]
    users = fetch(db_dsn, "select distinct worker from pipeline.audit_log")
    assert users, "no attempt was recorded"


REFUSED = [
    "create table public.daemon_made (id int)",
    "create table pipeline.daemon_made (id int)",
    "create function public.daemon_fn() returns int language sql as 'select 1'",
    "select email from public.users",
    "select phone from public.users",
    "select learning_preferences from public.users",
    "select * from public.companies",
    "select auth.uid()",
    "select * from pipeline.schema_migrations",
    "select * from pipeline.pruned_partitions",
    "select * from pipeline.events_default",
    "select pipeline.create_log_partition('events', now() + interval '400 days')",
    "delete from pipeline.deliveries",
    "delete from pipeline.audit_log",
    "delete from public.cm_module_content",
    "insert into pipeline.events (table_name) values ('x')",
    "update public.users set full_name = 'x'",
    "truncate pipeline.subscriptions",
    "select pipeline.allow_transitions('cm_course_plans', 'status', array[['a', 'b']])",
    "set role postgres",
    "alter table public.cm_course_plans disable row level security",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_the_daemon_role_is_refused(daemon_dsn: str, statement: str) -> None:
    with (
        psycopg.connect(daemon_dsn, autocommit=True) as conn,
        pytest.raises(
            (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedTable)
        ) as refused,
    ):
        conn.execute(statement)
    if isinstance(refused.value, psycopg.errors.UndefinedTable):
        pytest.fail(f"{statement!r} names a table that does not exist: {refused.value}")


def test_the_daemon_role_is_no_superuser_and_does_not_bypass_row_level_security(
    daemon_dsn: str,
) -> None:
    """So the workflow above ran through lxera_daemon's grants and policies, nothing wider."""
    with psycopg.connect(daemon_dsn, autocommit=True) as conn:
        row = conn.execute(
            "select r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,"
            " pg_has_role(current_user, 'lxera_daemon', 'usage')"
            " from pg_roles r where r.rolname = current_user"
        ).fetchone()
    assert row == (False, False, False, False, True)


INIT_SCRIPT = (
    Path(__file__).resolve().parents[2] / "deploy" / "postgres-init" / "10-daemon-login.sh"
)


@pytest.mark.skipif(shutil.which("psql") is None, reason="psql is not installed")
def test_the_compose_init_script_creates_a_daemon_login(db_dsn: str) -> None:
    params = psycopg.conninfo.conninfo_to_dict(db_dsn)
    user = f"lxera_t_login_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "POSTGRES_USER": str(params.get("user") or "postgres"),
        "POSTGRES_DB": str(params["dbname"]),
        "PGHOST": str(params.get("host") or "127.0.0.1"),
        "PGPORT": str(params.get("port") or "5432"),
        "LXERA_DAEMON_USER": user,
        "LXERA_DAEMON_PASSWORD": "it's-a-pass'word",  # quoted by psql, not by the shell
    }
    try:
        subprocess.run(["sh", str(INIT_SCRIPT)], env=env, check=True, capture_output=True)
        login = psycopg.conninfo.make_conninfo(db_dsn, user=user)
        with psycopg.connect(login, autocommit=True) as conn:
            assert conn.execute(
                "select pg_has_role(current_user, 'lxera_daemon', 'usage'), rolcanlogin"
                " from pg_roles where rolname = current_user"
            ).fetchone() == (True, True)
            conn.execute("select count(*) from public.cm_course_plans").fetchone()
    finally:
        with psycopg.connect(db_dsn, autocommit=True) as conn:
            conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where usename = %s",
                (user,),
            )
            conn.execute(f"drop role if exists {user}")


# Tables the daemon never touches directly: the migration history, the pruned partitions and the
# content archive (prune and archive run as the owner), the router's state (changed only inside
# the SECURITY DEFINER router), the dashboard's tables (the daemon reads the paused handlers
# through their view) and the companies.
OWNER_ONLY = {
    "pipeline.schema_migrations",
    "pipeline.pruned_partitions",
    "pipeline.content_archive",
    "pipeline.content_archive_log",
    "pipeline.operator_actions",
    "pipeline.paused_groups",
    "pipeline.router_state",
    "public.companies",
    # written by SECURITY DEFINER triggers and the operator commands (docs/roadmap.md)
    "public.cm_module_content_revisions",
    "public.mm_media_versions",
    "public.mm_rendering_queue",
    "public.mm_video_analytics",
}


def test_every_table_is_granted_to_the_daemon_or_deliberately_not(db_dsn: str) -> None:
    """A table or view added by a later migration must be granted to lxera_daemon (in that
    migration) or be listed in OWNER_ONLY here: the least privilege is decided for each, never by
    chance."""
    rows = fetch(
        db_dsn,
        "select format('%%s.%%s', schemaname, tablename) as name,"
        " has_table_privilege('lxera_daemon', format('%%I.%%I', schemaname, tablename), 'select')"
        " or has_any_column_privilege('lxera_daemon', format('%%I.%%I', schemaname, tablename),"
        " 'select') as granted"
        " from (select schemaname, tablename from pg_tables union all"
        " select schemaname, viewname from pg_views) t"
        " where schemaname in ('pipeline', 'public')"
        # a partition is read through its partitioned table, whose grants are the ones checked
        " and not (select c.relispartition from pg_class c"
        " where c.oid = format('%%I.%%I', schemaname, tablename)::regclass)",
    )
    undecided = sorted(r["name"] for r in rows if not r["granted"] and r["name"] not in OWNER_ONLY)
    assert undecided == [], f"neither granted to lxera_daemon nor listed as owner-only: {undecided}"
    granted_owner_only = sorted(r["name"] for r in rows if r["granted"] and r["name"] in OWNER_ONLY)
    assert granted_owner_only == []


def test_the_real_daemon_process_runs_as_the_daemon_role(daemon_dsn: str, tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(tmp_path / "data", DATABASE_URL=daemon_dsn, LXERA_HTTP_PORT=str(port))
    proc = subprocess.Popen(
        [CLI, "run", "--handlers", "content"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: _ready(port, proc), 30, "the daemon's /readyz")
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output.decode(errors="replace")[-3000:]


def _ready(port: int, proc: subprocess.Popen[bytes]) -> bool:
    if proc.poll() is not None:
        raise AssertionError(f"the daemon exited with {proc.returncode}")
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_the_daemon_role_keeps_log_partitions_ahead(daemon_dsn: str) -> None:
    """The daemon's side task runs pipeline.ensure_log_partitions() under its own role: the
    function (security definer) creates what is missing; the role itself creates nothing."""
    with psycopg.connect(daemon_dsn, autocommit=True) as conn:
        created = conn.execute("select pipeline.ensure_log_partitions(9)").fetchall()
        again = conn.execute("select pipeline.ensure_log_partitions(9)").fetchall()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("create table pipeline.events_p29991231 (like pipeline.events)")
    assert len(created) == 4  # days 8 and 9 of both logs
    assert again == []
