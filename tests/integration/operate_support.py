"""Shared pieces of the operator-command tests: rows, a test quality-gate handler on a private
registry, its subscription, database fingerprints, and a minimal in-test delivery runner.

The runner stands in for the daemon's (it claims due pending deliveries one at a time, runs the
handler with a context whose ``transaction()`` marks the delivery done and writes the audit row in
the same commit, and retries or dead-letters on failure); it exists so these tests exercise replays
and dead-letter retries end to end without starting a daemon process.
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import AsyncConnection, sql
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import Jsonb

from lxera_pipeline.events.models import StatusEvent, parse_event
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import Registry
from lxera_pipeline.handlers.sync import sync_subscriptions_sync

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


@dataclass
class MiniContext:
    event: StatusEvent
    delivery: dict[str, Any]
    dsn: str
    resources: Any = None
    notes: dict[str, Any] = field(default_factory=dict)
    committed: bool = False

    @property
    def delivery_id(self) -> int:
        return int(self.delivery["delivery_id"])

    @property
    def attempt(self) -> int:
        return int(self.delivery["attempts"])

    @property
    def is_replay(self) -> bool:
        return bool(self.delivery["is_replay"])

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection[DictRow]]:
        async with await AsyncConnection.connect(
            self.dsn, autocommit=True, row_factory=dict_row
        ) as conn:
            yield conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection[DictRow]]:
        async with self.connection() as conn, conn.transaction():
            await conn.execute(
                "select set_config('pipeline.causation_id', %s, true),"
                " set_config('pipeline.correlation_id', %s, true)",
                (str(self.event.event_id), str(self.event.correlation_id)),
            )
            yield conn
            await finish(conn, self, "succeeded", None, None)
            self.committed = True

    def note(self, **detail: Any) -> None:
        self.notes.update(detail)


async def finish(
    conn: AsyncConnection[DictRow],
    ctx: MiniContext,
    outcome: str,
    error: str | None,
    trace: str | None,
) -> None:
    delivery = ctx.delivery
    state = {"succeeded": "done", "dead": "dead", "failed": "pending"}[outcome]
    await conn.execute(
        "update pipeline.deliveries set state = %s, last_error = coalesce(%s, last_error),"
        " finished_at = case when %s in ('done', 'dead') then now() end where delivery_id = %s",
        (state, error, state, delivery["delivery_id"]),
    )
    await conn.execute(
        "insert into pipeline.audit_log (delivery_id, event_id, handler, attempt, outcome,"
        " is_replay, worker, entity_id, correlation_id, started_at, error, traceback, detail)"
        " values (%s, %s, %s, %s, %s, %s, 'test-runner', %s, %s, now(), %s, %s, %s)",
        (
            delivery["delivery_id"],
            delivery["event_id"],
            delivery["handler"],
            delivery["attempts"],
            outcome,
            delivery["is_replay"],
            delivery["entity_id"],
            ctx.event.correlation_id,
            error,
            trace,
            Jsonb(ctx.notes),
        ),
    )


async def _claim(conn: AsyncConnection[DictRow], names: list[str]) -> dict[str, Any] | None:
    cur = await conn.execute(
        "update pipeline.deliveries d set state = 'running', attempts = attempts + 1"
        " where delivery_id = (select delivery_id from pipeline.deliveries"
        "  where state = 'pending' and handler = any(%s) and run_after <= now()"
        "  order by delivery_id limit 1 for update skip locked)"
        " returning d.*",
        (names,),
    )
    return await cur.fetchone()


async def run_pending(dsn: str, registry: Registry = test_registry) -> int:
    """Run every due pending delivery of the registry's handlers; returns how many attempts."""
    attempts = 0
    async with await AsyncConnection.connect(dsn, autocommit=True, row_factory=dict_row) as conn:
        while (delivery := await _claim(conn, [spec.name for spec in registry])) is not None:
            attempts += 1
            cur = await conn.execute(
                "select * from pipeline.events where event_id = %s", (delivery["event_id"],)
            )
            event = parse_event(dict(await cur.fetchone() or {}))
            ctx = MiniContext(event, dict(delivery), dsn)
            spec = registry.get(delivery["handler"])
            assert spec is not None
            try:
                await spec.func(ctx)
            except Exception as exc:
                dead = delivery["attempts"] >= delivery["max_attempts"]
                async with conn.transaction():
                    await finish(
                        conn, ctx, "dead" if dead else "failed", str(exc), traceback.format_exc()
                    )
    return attempts
