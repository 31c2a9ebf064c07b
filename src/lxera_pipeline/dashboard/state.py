"""What every request handler of the dashboard shares: settings, auth, connections, the hub."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio
import psycopg
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

from lxera_pipeline.dashboard.auth import Auth
from lxera_pipeline.dashboard.hub import EventHub
from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.config import DaemonConfig, new_worker_id
from lxera_pipeline.listeners.connection import Connector, application_name
from lxera_pipeline.settings import Settings

Row = dict[str, Any]
T = TypeVar("T")
# Connections of one dashboard process, whatever the number of browsers: the LISTEN connection,
# the async pool (pages and the hub's reads), the connector's control pool, and a small
# synchronous pool for the operator tools (timeline, dead-letter retry), run in threads.
PAGE_POOL_SIZE = 3
TOOL_POOL_SIZE = 2


@dataclasses.dataclass
class Dashboard:
    settings: Settings
    dsn: str
    auth: Auth
    connector: Connector
    hub: EventHub
    tools: ConnectionPool[psycopg.Connection[DictRow]]

    @property
    def media_root(self) -> Path:
        return self.settings.media_root

    async def rows(self, name: str, params: dict[str, Any] | None = None) -> list[Row]:
        async with self.connector.pool.connection() as conn:
            cursor = await conn.execute(load_query(name), params or {})
            return [dict(row) for row in await cursor.fetchall()]

    async def row(self, name: str, params: dict[str, Any] | None = None) -> Row | None:
        found = await self.rows(name, params)
        return found[0] if found else None

    async def tool(self, work: Callable[[psycopg.Connection[DictRow]], T]) -> T:
        """Run an operator tool (synchronous psycopg) on the tool pool, in a worker thread."""

        def run() -> T:
            with self.tools.connection() as conn:
                return work(conn)

        return await anyio.to_thread.run_sync(run)


def _config(settings: Settings, dsn: str) -> DaemonConfig:
    base = DaemonConfig.from_settings(settings, dsn, f"dashboard-{new_worker_id()}")
    return dataclasses.replace(base, pool_size=PAGE_POOL_SIZE, poll_seconds=1.0)


@asynccontextmanager
async def open_dashboard(settings: Settings, dsn: str) -> AsyncIterator[Dashboard]:
    """Open the pools, start the hub; close everything on exit."""
    config = _config(settings, dsn)
    tools: ConnectionPool[psycopg.Connection[DictRow]] = ConnectionPool(
        dsn,
        connection_class=psycopg.Connection[DictRow],
        kwargs={
            "autocommit": True,
            "row_factory": dict_row,
            "application_name": application_name(config.worker_id, "tools"),
        },
        min_size=TOOL_POOL_SIZE,
        max_size=TOOL_POOL_SIZE,
        open=False,
    )
    async with Connector(config) as connector:
        await anyio.to_thread.run_sync(lambda: tools.open(wait=True, timeout=30.0))
        hub = EventHub(connector, poll_seconds=config.poll_seconds)
        dashboard = Dashboard(settings, dsn, Auth(settings.dashboard_token), connector, hub, tools)
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(hub.run)
                yield dashboard
                hub.close()
        finally:
            await anyio.to_thread.run_sync(tools.close)
