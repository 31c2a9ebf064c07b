"""The worker connection pool: dict rows, TCP keepalives, a named application, checked connections.

Connections are in autocommit mode: a read runs on its own, and writes that must commit together
go inside ``async with conn.transaction():`` (the handlers' fenced transaction does this).
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from lxera_pipeline.data.errors import DataValidationError
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

# Detect a dead peer (pooler restart, dropped NAT entry) in about a minute instead of hours.
KEEPALIVES: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}

Pool = AsyncConnectionPool[AsyncConnection[DictRow]]


def connection_kwargs(application_name: str) -> dict[str, Any]:
    """Connection arguments every pooled connection gets."""
    return {
        **KEEPALIVES,
        "application_name": application_name,
        "autocommit": True,
        "row_factory": dict_row,
    }


def _check_sizes(min_size: int, max_size: int) -> None:
    if min_size < 0:
        raise DataValidationError("min_size", min_size, "an integer >= 0")
    if max_size < max(min_size, 1):
        raise DataValidationError("max_size", max_size, f"an integer >= {max(min_size, 1)}")


async def open_pool(
    dsn: str,
    *,
    min_size: int = 1,
    max_size: int = 8,
    application_name: str = "lxera-pipeline",
    connect_wait_seconds: float = 30.0,
) -> Pool:
    """Open a pool of autocommit dict-row connections and wait until ``min_size`` are ready.

    Every connection is checked (a ``SELECT 1`` round trip) before it is handed out, so a
    connection broken while idle is replaced instead of failing the caller. Close the pool with
    ``await pool.close()`` (or use it as ``async with``).
    """
    _check_sizes(min_size, max_size)
    pool: Pool = AsyncConnectionPool(
        dsn,
        connection_class=AsyncConnection[DictRow],
        kwargs=connection_kwargs(application_name),
        min_size=min_size,
        max_size=max_size,
        check=AsyncConnectionPool.check_connection,
        name=application_name,
        timeout=connect_wait_seconds,
        open=False,
    )
    await pool.open(wait=min_size > 0, timeout=connect_wait_seconds)
    log.info("pool.opened", application_name=application_name, min_size=min_size, max_size=max_size)
    return pool
