"""Helpers of the daemon integration tests: an in-process daemon, writing events, waiting."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID, uuid4

import anyio
import psycopg
from psycopg.rows import dict_row

from lxera_pipeline.handlers.registry import registry
from lxera_pipeline.listeners.config import DaemonConfig, HandlerSet
from lxera_pipeline.listeners.daemon import Daemon
from tests.integration import daemon_handlers
from tests.support.events import record_events_query

FAST: dict[str, Any] = {
    "pool_size": 2,
    "poll_seconds": 30.0,  # far beyond every wait here: only NOTIFY, kicks or catch-up wake it
    "probe_seconds": 30.0,
    "lease_seconds": 5.0,
    "heartbeat_seconds": 1.0,
    "retry_base_seconds": 0.2,
    "retry_max_seconds": 2.0,
    "shutdown_grace_seconds": 2.0,
    "reconnect_max_seconds": 0.3,
}
Row = dict[str, Any]


def itest_handlers() -> HandlerSet:
    return HandlerSet.of(registry.select(daemon_handlers.GROUP))


def daemon_config(dsn: str, **overrides: Any) -> DaemonConfig:
    return DaemonConfig(dsn=dsn, listen_dsn=dsn, **{**FAST, **overrides})


@asynccontextmanager
async def running_daemon(
    dsn: str, handlers: HandlerSet | None = None, **overrides: Any
) -> AsyncIterator[Daemon]:
    """A daemon serving the itest handlers, started and listening; stopped on exit."""
    daemon = Daemon(daemon_config(dsn, **overrides), handlers or itest_handlers())
    async with anyio.create_task_group() as group:
        await group.start(daemon.run)
        await eventually(lambda: daemon.parts.listener.alive, "the listener to connect")
        try:
            yield daemon
        finally:
            daemon.request_stop("test over")


async def eventually(
    check: Callable[[], Any | Awaitable[Any]], what: str, within: float = 10.0
) -> Any:
    """Poll ``check`` (sync or async) until truthy; fail naming ``what`` after ``within`` s."""
    with anyio.move_on_after(within):
        while True:
            value = check()
            if isinstance(value, Awaitable):
                value = await value
            if value:
                return value
            await anyio.sleep(0.02)
    raise AssertionError(f"timed out after {within}s waiting for {what}")


async def rows(dsn: str, query: str, params: Any = None) -> list[Row]:
    async with await psycopg.AsyncConnection.connect(
        dsn, autocommit=True, row_factory=dict_row
    ) as conn:
        cursor = await conn.execute(query, params)
        return await cursor.fetchall() if cursor.description else []


async def record(
    dsn: str,
    status: str,
    entity: UUID | None = None,
    snapshot: dict[str, Any] | None = None,
    old: str | None = None,
) -> int:
    """One event on ``itest_jobs`` (its own transaction); returns the event id."""
    [row] = await rows(
        dsn,
        record_events_query("select %s::uuid, %s::text, %s::text, %s::jsonb"),
        (entity or uuid4(), old, status, json.dumps(snapshot or {})),
    )
    return int(row["id"])


async def route(dsn: str) -> int:
    """Fan committed events out into deliveries, as a daemon's claim does first."""
    [row] = await rows(dsn, "select pipeline.route_events() as routed")
    return int(row["routed"])


async def deliveries(dsn: str, handler: str | None = None) -> list[Row]:
    return await rows(
        dsn,
        "select * from pipeline.deliveries where %(h)s::text is null or handler = %(h)s "
        "order by delivery_id",
        {"h": handler},
    )


async def audit(dsn: str, handler: str | None = None) -> list[Row]:
    return await rows(
        dsn,
        "select * from pipeline.audit_log where %(h)s::text is null or handler = %(h)s "
        "order by audit_id",
        {"h": handler},
    )


async def states(dsn: str) -> dict[str, int]:
    found = await rows(dsn, "select state, count(*) as n from pipeline.deliveries group by state")
    return {row["state"]: row["n"] for row in found}


async def done_count(dsn: str) -> int:
    return (await states(dsn)).get("done", 0)


async def done_at_least(dsn: str, count: int) -> bool:
    return await done_count(dsn) >= count


async def in_state(dsn: str, state: str, count: int = 1) -> bool:
    return (await states(dsn)).get(state, 0) >= count
