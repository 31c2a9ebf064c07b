"""Write the registry's subscriptions into `pipeline.subscriptions`.

The status trigger fans each event out into one delivery per matching active subscription, so the
subscriptions must be in the database before events happen: `migrate` and every daemon start sync
them. Subscriptions of handlers this build does not know are left as they are (their deliveries
wait for a daemon that serves them).
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.handlers.registry import HandlerSpec

DEFAULT_MAX_ATTEMPTS = 5


def _rows(specs: Iterable[HandlerSpec], default_attempts: int) -> list[dict[str, object]]:
    return [
        {
            "handler": spec.name,
            "handler_group": spec.group,
            "table_name": spec.table,
            "status_column": spec.status_column,
            "from_status": spec.from_status,
            "to_status": spec.to_status,
            "max_attempts": spec.max_attempts or default_attempts,
        }
        for spec in specs
    ]


def sync_subscriptions_sync(
    dsn: str, specs: Iterable[HandlerSpec], default_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> int:
    """Upsert every spec's subscription; returns how many were written."""
    rows = _rows(specs, default_attempts)
    with psycopg.connect(dsn, application_name="lxera-pipeline:sync") as conn, conn.cursor() as cur:
        cur.executemany(load_query("upsert_subscription"), rows)
    return len(rows)


async def sync_subscriptions(
    conn: psycopg.AsyncConnection[object], specs: Iterable[HandlerSpec], default_attempts: int
) -> int:
    rows = _rows(specs, default_attempts)
    async with conn.cursor() as cur:
        await cur.executemany(load_query("upsert_subscription"), rows)
    return len(rows)
