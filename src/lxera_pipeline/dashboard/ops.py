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
from lxera_pipeline.handlers.registry import load_builtin_handlers, registry
from lxera_pipeline.handlers.workflow.resources import build_resources
from lxera_pipeline.operate.common import (
    EventFilter,
    OpsInputError,
    RefusedError,
    UnknownIdError,
)
from lxera_pipeline.operate.dead import DeadFilter, retry_dead
from lxera_pipeline.operate.replay import (
    DryRunItem,
    DryRunResult,
    ReplayRequest,
    ReplaySelection,
    dry_run,
    plan_dry_run,
    replay,
)
from lxera_pipeline.operate.tail import TailFeed
from lxera_pipeline.operate.timeline import Timeline, build_timeline
from lxera_pipeline.settings import Settings

Row = dict[str, Any]
OperatorError = (OpsInputError, RefusedError, UnknownIdError)

__all__ = [
    "DryRunItem",
    "DryRunResult",
    "OperatorError",
    "Timeline",
    "UnknownIdError",
    "dry_run_items",
    "dry_run_results",
    "live_feed",
    "module_timeline",
    "replay_event",
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


def dry_run_items(conn: psycopg.Connection[DictRow], delivery_id: int) -> list[DryRunItem]:
    """What a replay of this delivery would run: its event, for its handler only."""
    row = conn.execute(load_query("dash_delivery_event"), {"delivery": delivery_id}).fetchone()
    if row is None:
        raise UnknownIdError(f"no delivery with id {delivery_id}")
    load_builtin_handlers()
    selection = ReplaySelection(event_id=int(row["event_id"]), handler=str(row["handler"]))
    return plan_dry_run(conn, selection, registry)


async def dry_run_results(
    dsn: str, settings: Settings, items: list[DryRunItem], time_limit: float
) -> list[DryRunResult]:
    """Run the handlers in a rolled-back transaction with recording ports (`replay --dry-run`).
    The storage is built local: the dry run records its calls instead of uploading."""
    resources = build_resources(settings.model_copy(update={"storage_backend": "local"}))
    return await dry_run(dsn, items, resources, time_limit)


def replay_event(
    conn: psycopg.Connection[DictRow], event_id: int, *, by: str, reason: str
) -> list[Row]:
    """Replay one event to its subscribed handlers (refused when its entity has moved on or a
    delivery is still open), audited with who and why (one transaction)."""
    with conn.transaction():
        created = replay(conn, ReplaySelection(event_id=event_id), ReplayRequest(by, reason))
        conn.execute(
            load_query("dash_record_action"),
            {
                "actor": by,
                "action": "replay",
                "target": str(event_id),
                "reason": reason,
                "detail": Jsonb({"deliveries": [int(row["delivery_id"]) for row in created]}),
            },
        )
    return created
