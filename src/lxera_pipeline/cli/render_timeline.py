"""Human output of `timeline`."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.table import Column, Table
from rich.text import Text

from lxera_pipeline.cli.render import (
    clip,
    clock,
    console,
    one_day,
    ops_table,
    seconds,
    stream,
    time_column,
    transition,
    when,
)
from lxera_pipeline.listeners.ops.status import CurrentStatus
from lxera_pipeline.listeners.ops.timeline import Timeline, TimelineStep

Row = dict[str, Any]
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


def _grouped(steps: list[TimelineStep]) -> list[list[TimelineStep]]:
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
    for group in _grouped(timeline.steps):
        table.add_row(*_row(group, timeline, clock if day else when))
    return table


def _standing(timeline: Timeline) -> Table:
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
    out.print(_standing(timeline))
