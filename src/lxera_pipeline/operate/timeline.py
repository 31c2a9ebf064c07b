"""`timeline ENTITY`: one entity's history (events, deliveries, attempts) and where it stands now,
and printing it."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import DictRow
from rich.table import Column, Table
from rich.text import Text

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.operate.common import (
    CurrentStatus,
    UnknownIdError,
    clip,
    clock,
    console,
    current_status,
    key_columns,
    one_day,
    ops_table,
    seconds,
    stream,
    time_column,
    transition,
    when,
)

Row = dict[str, Any]


@dataclass
class TimelineStep:
    """One event of the timeline with the handler work it started."""

    event: Row
    depth: int
    since_previous_seconds: float | None
    deliveries: list[Row] = field(default_factory=list)
    audit: list[Row] = field(default_factory=list)


@dataclass
class Timeline:
    entity_id: UUID
    steps: list[TimelineStep]
    now: list[CurrentStatus]

    @property
    def span_seconds(self) -> float:
        if not self.steps:
            return 0.0
        first, last = self.steps[0].event, self.steps[-1].event
        return float((last["committed_at"] - first["committed_at"]).total_seconds())


def _grouped(rows: list[Row]) -> dict[int, list[Row]]:
    groups: dict[int, list[Row]] = {}
    for row in rows:
        groups.setdefault(int(row["event_id"]), []).append(row)
    return groups


def _depths(events: list[Row]) -> dict[int, int]:
    """Causation depth inside the timeline: an event's cause (if shown) sits one level up."""
    depths: dict[int, int] = {}
    for event in events:
        cause = event["causation_id"]
        depths[event["event_id"]] = depths[cause] + 1 if cause in depths else 0
    return depths


def _steps(events: list[Row], deliveries: list[Row], audit: list[Row]) -> list[TimelineStep]:
    by_delivery, by_audit, depths = _grouped(deliveries), _grouped(audit), _depths(events)
    steps: list[TimelineStep] = []
    previous = None
    for event in events:
        gap = (event["committed_at"] - previous).total_seconds() if previous else None
        steps.append(
            TimelineStep(
                event,
                depths[event["event_id"]],
                gap,
                by_delivery.get(event["event_id"], []),
                by_audit.get(event["event_id"], []),
            )
        )
        previous = event["committed_at"]
    return steps


def _standing(conn: psycopg.Connection[DictRow], events: list[Row]) -> list[CurrentStatus]:
    keys = key_columns(conn)
    seen: dict[tuple[str, str, UUID], None] = {}
    for event in events:
        seen.setdefault((event["table_name"], event["status_column"], event["entity_id"]), None)
    return [current_status(conn, table, column, entity, keys) for table, column, entity in seen]


def build_timeline(conn: psycopg.Connection[DictRow], entity_id: UUID) -> Timeline:
    """Every event related to ``entity_id`` in commit order, its handler work, and status now."""
    events = [
        dict(r) for r in conn.execute(load_query("ops_timeline_events"), {"entity": entity_id})
    ]
    if not any(
        event["entity_id"] == entity_id or event["correlation_id"] == entity_id for event in events
    ):
        raise UnknownIdError(f"no events for entity {entity_id}")
    ids = [event["event_id"] for event in events]
    deliveries = [
        dict(r) for r in conn.execute(load_query("ops_deliveries_for_events"), {"event_ids": ids})
    ]
    audit = [dict(r) for r in conn.execute(load_query("ops_audit_for_events"), {"event_ids": ids})]
    return Timeline(entity_id, _steps(events, deliveries, audit), _standing(conn, events))


MAX_ROWS_LISTED = 3


def _attempts(delivery: Row, audit: list[Row]) -> list[Row]:
    """The delivery's tries (a release back to the queue is not one)."""
    mine = [row for row in audit if row["delivery_id"] == delivery["delivery_id"]]
    return [row for row in mine if row["outcome"] != "released"]


def _state(delivery: Row, tries: list[Row]) -> str:
    count, took = len(tries), sum(float(row["duration_ms"]) for row in tries) / 1000
    state = str(delivery["state"])
    if state == "done":
        again = f" after {count} tries" if count > 1 else ""
        left = next(
            (str(row["detail"]["skipped"]) for row in tries if "skipped" in (row["detail"] or {})),
            None,
        )
        return f"done{again} in {seconds(took) or '0ms'}" + (
            f" (left alone: {left})" if left else ""
        )
    if state == "dead":
        return f"DEAD after {count} tries"
    return state + (f" ({count} tries so far)" if count else "")


def _delivery(delivery: Row, audit: list[Row]) -> str:
    tries = _attempts(delivery, audit)
    label = delivery["handler"]
    if delivery["is_replay"]:
        label += f" (replay by {delivery['replay_by']})"
    line = f"{label}: {_state(delivery, tries)}"
    errors = [row["error"] for row in tries if row["error"]]
    if errors and delivery["state"] != "done":
        line += f"\n  {clip(errors[-1], 90)}"
    return line


def _work(step: TimelineStep) -> str:
    """What the handlers did with the event: one line per delivery (replays included)."""
    return "\n".join(_delivery(d, step.audit) for d in step.deliveries) or "-"


def _similar(a: TimelineStep, b: TimelineStep) -> bool:
    """Two events a row-by-row write produced together (e.g. one asset row per slide)."""
    keys = ("table_name", "status_column", "old_status", "new_status", "causation_id")
    return (
        all(a.event[key] == b.event[key] for key in keys) and not a.deliveries and not b.deliveries
    )


def _grouped_steps(steps: list[TimelineStep]) -> list[list[TimelineStep]]:
    """Consecutive similar events of different rows, shown as one line."""
    groups: list[list[TimelineStep]] = []
    for step in steps:
        if groups and _similar(groups[-1][-1], step):
            groups[-1].append(step)
        else:
            groups.append([step])
    return groups


def _row(group: list[TimelineStep], timeline: Timeline, stamp: Any) -> list[str | Text]:
    first, last = group[0].event, group[-1].event
    own = "bold" if first["entity_id"] == timeline.entity_id else ""
    many = len(group) > 1
    return [
        f"{first['event_id']}-{last['event_id']}" if many else str(first["event_id"]),
        stamp(first["committed_at"]),
        seconds(group[0].since_previous_seconds),
        str(first["causation_id"] or ""),
        Text(
            f"{stream(first)}\n  {transition(first)}" + (f" (x{len(group)})" if many else ""),
            style=own,
        ),
        f"{len(group)} rows" if many else str(first["entity_id"])[:8],
        _work(group[0]),
    ]


def _history(timeline: Timeline) -> Table:
    day = one_day([step.event["committed_at"] for step in timeline.steps])
    table = ops_table(
        "event",
        time_column(),
        "+",
        "cause",
        Column("what", no_wrap=True),
        "entity",
        "handlers",
        title=f"Timeline of {timeline.entity_id}" + (f" ({day})" if day else ""),
    )
    for group in _grouped_steps(timeline.steps):
        table.add_row(*_row(group, timeline, clock if day else when))
    return table


def _standing_table(timeline: Timeline) -> Table:
    """Every row involved and its status now; tables with many rows as counts per status."""
    table = ops_table("table", "entity", "status now", title="Where it stands now")
    by_table: dict[str, list[CurrentStatus]] = {}
    for now in timeline.now:
        suffix = "" if now.column == "status" else f".{now.column}"
        by_table.setdefault(f"{now.table}{suffix}", []).append(now)
    for name, rows in by_table.items():
        if len(rows) > MAX_ROWS_LISTED:
            counts = Counter(row.describe() for row in rows)
            summary = ", ".join(f"{status} {n}" for status, n in counts.most_common())
            table.add_row(name, f"{len(rows)} rows", summary)
            continue
        for now in rows:
            table.add_row(name, str(now.entity_id), now.describe())
    return table


def timeline_view(timeline: Timeline) -> None:
    out = console()
    out.print(_history(timeline))
    out.print(f"{len(timeline.steps)} events over {seconds(timeline.span_seconds) or '0ms'}")
    out.print(_standing_table(timeline))


def timeline_json(timeline: Timeline) -> dict[str, Any]:
    """The timeline as plain data (`timeline --json`)."""
    return {
        "entity_id": timeline.entity_id,
        "span_seconds": timeline.span_seconds,
        "steps": [asdict(step) for step in timeline.steps],
        "now": [asdict(now) for now in timeline.now],
    }
