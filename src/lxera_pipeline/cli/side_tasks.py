"""Small periodic tasks that run beside a daemon (`run`, the demo's in-process daemon) without
loading the operator commands: the analytics refresh and the log partitions kept ahead."""

from __future__ import annotations

import time
from typing import Any

import anyio
import psycopg
from anyio.abc import TaskGroup

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.log import get_logger
from lxera_pipeline.settings import Settings

log = get_logger(__name__)


async def _every(
    dsn: str,
    seconds: float,
    task: str,
    query: str,
    params: dict[str, Any] | None = None,
    *,
    at_start: bool = False,
    done: str = "done",
) -> None:
    """Run the named query (its own connection, autocommit) every ``seconds`` until cancelled,
    first at once when ``at_start``. A failure is logged as ``<task>.<query>_failed`` (its type
    only) and tried again next period; it never stops the daemon. Success logs ``<task>.<done>``
    with the first column of the rows."""
    first = at_start
    while True:
        if not first:
            await anyio.sleep(seconds)
        first = False
        started = time.perf_counter()
        try:
            async with await psycopg.AsyncConnection.connect(
                dsn, autocommit=True, application_name=f"lxera-pipeline:{task}"
            ) as conn:
                cur = await conn.execute(load_query(query), params)
                rows = [row[0] for row in await cur.fetchall()]
        except Exception as exc:
            log.warning(f"{task}.{query.removeprefix(task + '_')}_failed", error=type(exc).__name__)
            continue
        took = round(time.perf_counter() - started, 3)
        log.info(f"{task}.{done}", result=rows, seconds=took)


async def refresh_analytics_every(dsn: str, seconds: float) -> None:
    """Refresh the analytics views (``pipeline.refresh_analytics()``) every ``seconds``; the
    result logged is whether this call refreshed (another daemon's may be running)."""
    await _every(dsn, seconds, "analytics", "analytics_refresh", done="refreshed")


async def keep_partitions_ahead_every(dsn: str, seconds: float, ahead_days: int) -> None:
    """Create the event and audit log partitions ``ahead_days`` ahead
    (``pipeline.ensure_log_partitions()``) at once and then every ``seconds``; the result logged
    is the partitions created."""
    await _every(
        dsn,
        seconds,
        "partitions",
        "partitions_ensure",
        {"ahead": ahead_days},
        at_start=True,
        done="ensured",
    )


def start_side_tasks(group: TaskGroup, dsn: str, settings: Settings) -> None:
    """Start in ``group`` the side tasks the settings turn on: the analytics refresh (every
    LXERA_ANALYTICS_REFRESH_SECONDS) and the log partitions kept ahead (at start, then every
    LXERA_PARTITION_MAINTENANCE_SECONDS); 0 turns either off."""
    if settings.analytics_refresh_seconds > 0:
        group.start_soon(refresh_analytics_every, dsn, settings.analytics_refresh_seconds)
    if settings.partition_maintenance_seconds > 0:
        group.start_soon(
            keep_partitions_ahead_every,
            dsn,
            settings.partition_maintenance_seconds,
            settings.partition_ahead_days,
        )
