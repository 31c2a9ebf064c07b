"""`events list` and `events show`: reading the event log with its deliveries and audit rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.ops.errors import OpsInputError, UnknownIdError
from lxera_pipeline.listeners.ops.filters import EventFilter, check_table

Row = dict[str, Any]


def filtered_query(name: str) -> Any:
    """The named query with the shared event filter put in its ``{filter}`` slot."""
    return load_query(name).format(filter=load_query("ops_event_filter"))


def list_events(conn: psycopg.Connection[DictRow], flt: EventFilter, limit: int = 50) -> list[Row]:
    """The newest ``limit`` events matching ``flt``, oldest first."""
    if limit < 1:
        raise OpsInputError(f"--limit: must be at least 1, got {limit}")
    check_table(conn, flt.table)
    rows = conn.execute(filtered_query("ops_list_events"), {**flt.params(), "limit": limit})
    return [dict(row) for row in reversed(rows.fetchall())]


@dataclass
class EventDetail:
    """One event and everything about it."""

    event: Row
    deliveries: list[Row] = field(default_factory=list)
    audit: list[Row] = field(default_factory=list)
    cause: Row | None = None
    caused: list[Row] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def get_event(conn: psycopg.Connection[DictRow], event_id: int) -> Row:
    row = conn.execute(load_query("ops_get_event"), {"event_id": event_id}).fetchone()
    if row is None:
        raise UnknownIdError(f"no event with id {event_id}")
    return dict(row)


def show_event(conn: psycopg.Connection[DictRow], event_id: int) -> EventDetail:
    """The event, its deliveries, its audit rows, the event that caused it and those it caused."""
    conn.execute(load_query("route_events"))  # its deliveries, if no daemon routed it yet
    event = get_event(conn, event_id)
    params = {"event_id": event_id}
    cause = None
    if event["causation_id"] is not None:
        found = conn.execute(load_query("ops_get_event"), {"event_id": event["causation_id"]})
        cause_row = found.fetchone()
        cause = (
            dict(cause_row) if cause_row else {"event_id": event["causation_id"], "pruned": True}
        )
    return EventDetail(
        event=event,
        deliveries=[dict(r) for r in conn.execute(load_query("ops_event_deliveries"), params)],
        audit=[dict(r) for r in conn.execute(load_query("ops_event_audit"), params)],
        cause=cause,
        caused=[dict(r) for r in conn.execute(load_query("ops_caused_events"), params)],
    )
