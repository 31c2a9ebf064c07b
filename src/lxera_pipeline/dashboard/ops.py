"""The dashboard's one window onto the operator tools (timeline, dead letters, the tail feed).

Every import of the operator code lives here, so the pages and the stream depend on this module
only; the tools themselves are the CLI's, unchanged.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.ops.dead import DeadFilter, retry_dead
from lxera_pipeline.listeners.ops.errors import OpsInputError, RefusedError, UnknownIdError
from lxera_pipeline.listeners.ops.filters import EventFilter
from lxera_pipeline.listeners.ops.tail import TailFeed
from lxera_pipeline.listeners.ops.timeline import Timeline, build_timeline

Row = dict[str, Any]
OperatorError = (OpsInputError, RefusedError, UnknownIdError)

__all__ = [
    "OperatorError",
    "Timeline",
    "UnknownIdError",
    "live_feed",
    "module_timeline",
    "retry_dead_letters",
]


def live_feed(lookback_seconds: float) -> TailFeed:
    """The feed the stream's hub reads: every event, none missed when it commits late."""
    return TailFeed(EventFilter(), lookback_seconds)


def module_timeline(conn: psycopg.Connection[DictRow], content_id: UUID) -> Timeline | None:
    """The module's causation chain as `timeline` prints it, or None before its first event."""
    try:
        return build_timeline(conn, content_id)
    except UnknownIdError:
        return None


def retry_dead_letters(
    conn: psycopg.Connection[DictRow],
    delivery_ids: list[int],
    *,
    by: str,
    reason: str,
) -> list[Row]:
    """Send dead deliveries back to the queue, audited with who and why (one transaction)."""
    with conn.transaction():
        rows = retry_dead(
            conn,
            DeadFilter(delivery_ids=tuple(delivery_ids)),
            everything=False,
            by=by,
            reason=reason,
        )
        retried = [int(row["delivery_id"]) for row in rows]
        conn.execute(
            load_query("dash_record_action"),
            {
                "actor": by,
                "action": "dead_retry",
                "target": ",".join(map(str, retried))[:1000],
                "reason": reason,
                "detail": Jsonb({"asked": delivery_ids}),
            },
        )
    return rows
