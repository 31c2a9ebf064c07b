"""Deliveries are created by ``pipeline.route_events()`` (a daemon's claim calls it first), not
by the status trigger. Tests that look at deliveries without a daemon route first; tests that wait
for a daemon to finish count unrouted events as open work."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import AsyncConnection

ROUTE = "select pipeline.route_events()"
UNROUTED = "select count(*) from pipeline.unrouted_events()"


def route(conn: psycopg.Connection[Any]) -> int:
    """Route every committed event (nothing when another router runs at the same moment)."""
    row = conn.execute(ROUTE).fetchone()
    return int(row[0]) if row else 0


def route_dsn(dsn: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return route(conn)


async def route_async(conn: AsyncConnection[Any]) -> int:
    cursor = await conn.execute(ROUTE)
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def unrouted_async(conn: AsyncConnection[Any]) -> int:
    """Committed events no router has fanned out yet (0 once routing caught up)."""
    cursor = await conn.execute(UNROUTED)
    row = await cursor.fetchone()
    return int(row[0]) if row else 0
