"""Small periodic tasks that run beside a daemon (`run`, the demo's in-process daemon) without
loading the operator commands: the analytics refresh."""

from __future__ import annotations

import time

import anyio
import psycopg

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.log import get_logger

log = get_logger(__name__)


async def refresh_analytics_every(dsn: str, seconds: float) -> None:
    """Refresh the analytics views (``pipeline.refresh_analytics()``) every ``seconds`` until
    cancelled. A failed refresh is logged (its type only) and tried again next period; it never
    stops the daemon."""
    while True:
        await anyio.sleep(seconds)
        started = time.perf_counter()
        try:
            async with await psycopg.AsyncConnection.connect(
                dsn, autocommit=True, application_name="lxera-pipeline:analytics"
            ) as conn:
                cur = await conn.execute(load_query("analytics_refresh"))
                row = await cur.fetchone()
        except Exception as exc:
            log.warning("analytics.refresh_failed", error=type(exc).__name__)
            continue
        took = round(time.perf_counter() - started, 3)
        log.info("analytics.refreshed", refreshed=bool(row and row[0]), seconds=took)
