"""Shared pieces of the operator-command tests: rows, a test quality-gate handler on a private
registry, its subscription, database fingerprints, and running its deliveries.

Deliveries are run by the real daemon, in-process, serving only the test handler (:func:`drain`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import anyio
import psycopg
from psycopg import AsyncConnection, sql

from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import Registry
from lxera_pipeline.handlers.sync import sync_subscriptions_sync
from lxera_pipeline.listeners.config import DaemonConfig, HandlerSet
from lxera_pipeline.listeners.daemon import Daemon
from lxera_pipeline.settings import Settings
from tests.support.routing import unrouted_async

GRADER = "optest.grader"


@dataclass
class GraderBehaviour:
    """Switches for the test handler: fail (a bug) until fixed; the score it gives."""

    broken: bool = False
    score: float = 8.5
    calls: int = 0


BEHAVIOUR = GraderBehaviour()
test_registry = Registry()


@test_registry.handler(
    GRADER,
    table="cm_module_content",
    transition="* -> quality_check",
    group="optest",
    max_attempts=2,
)
async def grade(ctx: HandlerContext) -> None:
    """Store an assessment and approve the content (a stand-in for the real quality gate)."""
    BEHAVIOUR.calls += 1
    if BEHAVIOUR.broken:
        raise RuntimeError("grader bug: division by zero in section weights")
    async with ctx.connection() as conn:
        cur = await conn.execute(
            "select company_id from cm_module_content where content_id = %s", (ctx.event.entity_id,)
        )
        company = (await cur.fetchone() or {}).get("company_id")
    async with ctx.transaction() as conn:
        await conn.execute(
            "insert into cm_quality_assessments (content_id, company_id, overall_score, passed,"
            " quality_feedback) values (%s, %s, %s, true, 'clear and complete')",
            (ctx.event.entity_id, company, BEHAVIOUR.score),
        )
        await conn.execute(
            "update cm_module_content set status = 'approved' where content_id = %s",
            (ctx.event.entity_id,),
        )
    ctx.note(score=BEHAVIOUR.score)


def subscribe_test_handlers(dsn: str) -> None:
    """Only the test handler is subscribed in this database."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("update pipeline.subscriptions set active = false")
    sync_subscriptions_sync(dsn, list(test_registry))


def seed_company(conn: psycopg.Connection[Any]) -> uuid.UUID:
    tag = uuid.uuid4().hex[:10]
    row = conn.execute(
        "insert into companies (name, domain) values (%s, %s) returning id",
        (f"Company {tag}", f"{tag}.example"),
    ).fetchone()
    assert row is not None
    return uuid.UUID(str(row[0] if isinstance(row, tuple) else row["id"]))


def new_content(
    conn: psycopg.Connection[Any], company: uuid.UUID, name: str = "Budgeting"
) -> uuid.UUID:
    row = conn.execute(
        "insert into cm_module_content (company_id, module_name, employee_name, session_id,"
        " introduction) values (%s, %s, 'Ada Lovelace', 's-1', 'Hello Ada') returning content_id",
        (company, name),
    ).fetchone()
    assert row is not None
    return uuid.UUID(str(row[0] if isinstance(row, tuple) else row["content_id"]))


def set_status(conn: psycopg.Connection[Any], content: uuid.UUID, status: str) -> None:
    conn.execute(
        "update cm_module_content set status = %s where content_id = %s", (status, content)
    )


def fingerprint(dsn: str) -> dict[str, tuple[int, str]]:
    """Row count and md5 of the ordered rows of every table in public and pipeline."""
    result: dict[str, tuple[int, str]] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        tables = conn.execute(
            "select schemaname, tablename from pg_tables"
            " where schemaname in ('public', 'pipeline') order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            ident = sql.Identifier(schema, table)
            row = conn.execute(
                sql.SQL(
                    "select count(*), coalesce(md5(string_agg(t::text, '|' order by t::text)), '')"
                    " from {} t"
                ).format(ident)
            ).fetchone()
            assert row is not None
            result[f"{schema}.{table}"] = (int(row[0]), str(row[1]))
    return result


def daemon_settings(dsn: str) -> Settings:
    """Quick retries and polls so a test daemon drains in well under a second."""
    return Settings(
        database_url=dsn,
        poll_seconds=0.2,
        retry_base_seconds=0.05,
        retry_max_seconds=0.2,
        lease_seconds=10.0,
        heartbeat_seconds=2.0,
        probe_seconds=5.0,
        log_level="warning",
        http_port=None,
    )


async def _open_work(dsn: str) -> int:
    async with await AsyncConnection.connect(dsn, autocommit=True) as conn:
        if await unrouted_async(conn):  # the daemon has not fanned every event out yet
            return 1
        cur = await conn.execute(
            "select count(*) from pipeline.deliveries"
            " where state in ('pending', 'running') and handler = any(%s)",
            ([spec.name for spec in test_registry],),
        )
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def _until_no_open_work(dsn: str) -> None:
    while True:
        if not await _open_work(dsn):
            return
        await anyio.sleep(0.05)


async def drain(dsn: str, time_limit: float = 30.0) -> None:
    """Run the daemon in-process, serving only the test handlers, until none of their deliveries
    is pending or running (retries included: a broken grader ends dead)."""
    config = DaemonConfig.from_settings(daemon_settings(dsn), dsn)
    daemon = Daemon(config, HandlerSet.of(list(test_registry)))
    async with anyio.create_task_group() as group:
        await group.start(daemon.run)
        try:
            with anyio.fail_after(time_limit):
                await _until_no_open_work(dsn)
        finally:
            daemon.request_stop("test drained")


def run_daemon(dsn: str) -> int:
    """Drain the test handler's deliveries with the daemon; returns how many calls it made."""
    before = BEHAVIOUR.calls
    anyio.run(drain, dsn)
    return BEHAVIOUR.calls - before
