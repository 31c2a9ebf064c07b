"""`replay`: choose events, check that replaying them still makes sense, create replay deliveries.

A replay is a new ``pipeline.deliveries`` row (``is_replay``, ``replay_of`` = the original
delivery, ``replay_by``, ``replay_reason``) that the daemons claim and run like any other and audit
as a replay. An event whose entity has moved on (its status now differs from the event's
``new_status``) is refused unless forced, and so is one that already has a pending delivery for
that handler; the whole request is refused or carried out as one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.ops.errors import OpsInputError, RefusedError, UnknownIdError
from lxera_pipeline.listeners.ops.events import filtered_query
from lxera_pipeline.listeners.ops.filters import EventFilter, check_table
from lxera_pipeline.listeners.ops.status import current_status, key_columns

Row = dict[str, Any]


@dataclass(frozen=True)
class ReplaySelection:
    """Which events to replay (and optionally which handler only)."""

    event_id: int | None = None
    flt: EventFilter = field(default_factory=EventFilter)
    handler: str | None = None
    limit: int = 100


def select_events(conn: psycopg.Connection[DictRow], selection: ReplaySelection) -> list[Row]:
    """The chosen events in id order; refuses an empty selection or one over the limit."""
    if selection.event_id is None and selection.flt.is_empty:
        raise OpsInputError(
            "replay: choose events with --event, --entity, --type or --since/--until"
        )
    check_table(conn, selection.flt.table)
    params = {
        **selection.flt.params(),
        "event_id": selection.event_id,
        "limit": selection.limit + 1,
    }
    rows = [dict(r) for r in conn.execute(filtered_query("ops_replay_events"), params)]
    if not rows:
        what = (
            f"event {selection.event_id}" if selection.event_id else "no event matches the filter"
        )
        raise UnknownIdError(
            f"nothing to replay: {what} not found"
            if selection.event_id
            else f"nothing to replay: {what}"
        )
    if len(rows) > selection.limit:
        raise RefusedError(
            f"more than {selection.limit} events match; narrow the selection or raise --limit"
        )
    return rows


def subscribed(conn: psycopg.Connection[DictRow], event: Row, handler: str | None) -> list[Row]:
    """Active subscriptions that match the event (the daemons' fan-out rule)."""
    rows = [dict(r) for r in conn.execute(load_query("ops_subscribed_handlers"), event)]
    return [row for row in rows if handler is None or row["handler"] == handler]


def moved_on(
    conn: psycopg.Connection[DictRow], event: Row, keys: dict[tuple[str, str], str]
) -> str | None:
    """Why the entity no longer stands where the event left it, or None if it does."""
    now = current_status(
        conn, event["table_name"], event["status_column"], event["entity_id"], keys
    )
    if now.exists and now.status == event["new_status"]:
        return None
    return (
        f"event {event['event_id']} moved {event['table_name']} {event['entity_id']} to "
        f"{event['new_status']!r}, but its {event['status_column']} is now "
        f"{now.describe()!r}; the handler would act on a state that no longer holds"
    )


@dataclass
class ReplayRequest:
    by: str
    reason: str
    force: bool = False


def _plan(
    conn: psycopg.Connection[DictRow], events: list[Row], handler: str | None, force: bool
) -> tuple[list[tuple[Row, Row]], list[str]]:
    keys, plan, refusals = key_columns(conn), [], []
    for event in events:
        conn.execute(load_query("ops_share_lock_event"), {"event_id": event["event_id"]})
        if _unrouted(conn, event):
            refusals.append(f"event {event['event_id']} is not routed yet; try again shortly")
            continue
        reason = moved_on(conn, event, keys)
        if reason and not force:
            refusals.append(reason)
        for sub in subscribed(conn, event, handler):
            params = {"event_id": event["event_id"], "handler": sub["handler"]}
            open_row = conn.execute(load_query("ops_open_delivery"), params).fetchone()
            if open_row and not force:
                refusals.append(
                    f"event {event['event_id']} already has {open_row['state']} "
                    f"delivery {open_row['delivery_id']} for {sub['handler']}"
                )
            plan.append((event, sub))
    return plan, refusals


def _unrouted(conn: psycopg.Connection[DictRow], event: Row) -> bool:
    """Its deliveries do not exist yet: a replay now would double the original delivery."""
    row = conn.execute(load_query("ops_unrouted_event"), {"event_id": event["event_id"]}).fetchone()
    return bool(row and row["unrouted"])


def _insert(conn: psycopg.Connection[DictRow], event: Row, sub: Row, request: ReplayRequest) -> Row:
    params = {"event_id": event["event_id"], "handler": sub["handler"]}
    original = conn.execute(load_query("ops_original_delivery"), params).fetchone()
    row = conn.execute(
        load_query("ops_insert_replay_delivery"),
        {
            **params,
            "entity_id": event["entity_id"],
            "max_attempts": sub["max_attempts"],
            "replay_of": original["delivery_id"] if original else None,
            "replay_by": request.by,
            "replay_reason": request.reason,
        },
    ).fetchone()
    assert row is not None
    return {
        "delivery_id": row["delivery_id"],
        "event_id": event["event_id"],
        "handler": sub["handler"],
        "entity_id": event["entity_id"],
        "replay_of": original["delivery_id"] if original else None,
    }


def replay(
    conn: psycopg.Connection[DictRow], selection: ReplaySelection, request: ReplayRequest
) -> list[Row]:
    """Create replay deliveries for the selection (all or nothing); returns them."""
    if not request.reason.strip():
        raise OpsInputError("replay: --reason is required (say why this is replayed)")
    with conn.transaction():
        conn.execute(load_query("route_events"))  # the originals' deliveries first
        events = select_events(conn, selection)
        plan, refusals = _plan(conn, events, selection.handler, request.force)
        if refusals:
            raise RefusedError("refused (use --force to replay anyway): " + "; ".join(refusals))
        if not plan:
            only = f" named {selection.handler!r}" if selection.handler else ""
            raise RefusedError(
                f"nothing to replay: no active handler{only} subscribes to "
                f"event(s) {', '.join(str(e['event_id']) for e in events)}"
            )
        created = [_insert(conn, event, sub, request) for event, sub in plan]
        conn.execute(
            load_query("ops_notify_if_armed"),
            {"event_id": events[0]["event_id"], "table": events[0]["table_name"]},
        )
    return created
