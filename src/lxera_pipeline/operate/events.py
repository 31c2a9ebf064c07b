"""`events list` and `events show`: reading the event log with its deliveries and audit rows, and
printing it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg
from psycopg.rows import DictRow
from rich.panel import Panel
from rich.table import Column, Table

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.operate.common import (
    EventFilter,
    OpsInputError,
    UnknownIdError,
    check_table,
    clip,
    clock,
    console,
    filtered_query,
    one_day,
    ops_table,
    states,
    stream,
    time_column,
    transition,
    uuid_column,
    when,
)

Row = dict[str, Any]


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
        raise UnknownIdError(_missing(conn, event_id))
    return dict(row)


def _missing(conn: psycopg.Connection[DictRow], event_id: int) -> str:
    """Why an id is not in the log: pruned with a partition (archived where), or unknown."""
    pruned = conn.execute(load_query("pruned_event"), {"event_id": event_id}).fetchall()
    if not pruned:
        return f"no event with id {event_id}"
    notes = []
    for p in pruned:
        where = (
            f"archived to {p['archive_path']}"
            if p["archive_path"]
            else "kept as the detached table pipeline." + p["partition_name"]
            if p["detached"]
            else "pruned without archive"
        )
        notes.append(
            f"event {event_id} was pruned with partition {p['partition_name']} (committed "
            f"{when(p['range_from'])} .. {when(p['range_to'])}) on {when(p['pruned_at'])} by "
            f"{p['pruned_by']}: {where}"
        )
    return "; ".join(notes)


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


def events_table(rows: list[Row]) -> None:
    day = one_day([row["committed_at"] for row in rows])
    stamp = clock if day else when
    table = ops_table(
        "event",
        time_column(),
        Column("table", no_wrap=True),
        uuid_column(),
        Column("transition", no_wrap=True),
        Column("deliveries", no_wrap=True),
        title=f"{len(rows)} events" + (f" on {day}" if day else ""),
    )
    for row in rows:
        table.add_row(
            str(row["event_id"]),
            stamp(row["committed_at"]),
            stream(row),
            str(row["entity_id"]),
            transition(row),
            states(row["delivery_states"]),
        )
    console().print(table)


def _facts(event: Row, cause: Row | None) -> Table:
    facts = Table.grid(padding=(0, 2))
    for name, value in (
        ("entity", f"{event['entity_id']} ({event['table_name']}.{event['status_column']})"),
        ("company", event["company_id"] or "-"),
        ("committed", when(event["committed_at"])),
        ("correlation", event["correlation_id"]),
        ("caused by", _cause(cause)),
        ("actor", event["actor_role"]),
        ("snapshot", clip(json.dumps(event["snapshot"], default=str), 200)),
    ):
        facts.add_row(name, str(value))
    return facts


def _cause(cause: Row | None) -> str:
    if cause is None:
        return "- (a direct change, not made by a handler)"
    if cause.get("pruned"):
        return f"event {cause['event_id']} (pruned)"
    return f"event {cause['event_id']}: {stream(cause)} {cause['entity_id']} {transition(cause)}"


def _deliveries(rows: list[Row]) -> Table:
    table = ops_table(
        "delivery", "handler", "state", "attempts", "replay", "last error", title="Deliveries"
    )
    for row in rows:
        replay = f"of {row['replay_of']} by {row['replay_by']}" if row["is_replay"] else ""
        table.add_row(
            str(row["delivery_id"]),
            row["handler"],
            row["state"],
            f"{row['attempts']}/{row['max_attempts']}",
            replay,
            clip(row["last_error"], 100),
        )
    return table


def _audit(rows: list[Row]) -> Table:
    fixed = [
        Column(name, no_wrap=True)
        for name in (
            "audit",
            "delivery",
            "handler",
            "try",
            "outcome",
            "replay",
            "worker",
            "started",
            "took",
        )
    ]
    table = ops_table(*fixed, "error", title="Audit log")
    for row in rows:
        table.add_row(
            str(row["audit_id"]),
            str(row["delivery_id"]),
            row["handler"],
            str(row["attempt"]),
            row["outcome"],
            "yes" if row["is_replay"] else "",
            clip(row["worker"], 18),
            clock(row["started_at"]),
            f"{row['duration_ms']:.0f}ms",
            clip(str(row["error"] or "").split(":")[0], 30),
        )
    return table


def _audit_errors(rows: list[Row]) -> list[str]:
    """The full error texts of the audit rows, each once, with the attempts that raised it."""
    seen: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        if row.get("error"):
            seen.setdefault((row["handler"], row["error"]), []).append(str(row["attempt"]))
    return [
        f"error of {handler} (attempt {', '.join(tries)}): {error}"
        for (handler, error), tries in seen.items()
    ]


def _tracebacks(rows: list[Row]) -> list[Panel]:
    """Each distinct traceback once, titled with the attempts that raised it."""
    seen: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        if row.get("traceback"):
            key = (row["handler"], row["traceback"].rstrip())
            seen.setdefault(key, []).append(str(row["attempt"]))
    return [
        Panel(
            text, title=f"traceback of {handler} (attempt {', '.join(tries)})", title_align="left"
        )
        for (handler, text), tries in seen.items()
    ]


def _caused(rows: list[Row]) -> Table:
    table = ops_table(
        "event", time_column(), "table", uuid_column(), "transition", title="Events it caused"
    )
    for row in rows:
        table.add_row(
            str(row["event_id"]),
            when(row["committed_at"]),
            stream(row),
            str(row["entity_id"]),
            transition(row),
        )
    return table


def event_detail(detail: EventDetail) -> None:
    out, event = console(), detail.event
    out.print(
        f"Event {event['event_id']}  {event['event_type']}  {transition(event)}", style="bold"
    )
    out.print(_facts(event, detail.cause))
    out.print(_deliveries(detail.deliveries) if detail.deliveries else "No deliveries.")
    out.print(_audit(detail.audit) if detail.audit else "No audit rows.")
    for line in _audit_errors(detail.audit):
        out.print(line)
    for panel in _tracebacks(detail.audit):
        out.print(panel)
    out.print(_caused(detail.caused) if detail.caused else "It caused no events.")
