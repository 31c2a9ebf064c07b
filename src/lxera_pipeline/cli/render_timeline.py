"""Human output of `timeline`."""

from __future__ import annotations

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
from lxera_pipeline.listeners.ops.timeline import Timeline, TimelineStep

Row = dict[str, Any]


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


def _history(timeline: Timeline) -> Table:
    day = one_day([step.event["committed_at"] for step in timeline.steps])
    stamp = clock if day else when
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
    for step in timeline.steps:
        event = step.event
        own = "bold" if event["entity_id"] == timeline.entity_id else ""
        table.add_row(
            str(event["event_id"]),
            stamp(event["committed_at"]),
            seconds(step.since_previous_seconds),
            str(event["causation_id"] or ""),
            Text(f"{stream(event)}\n  {transition(event)}", style=own),
            str(event["entity_id"])[:8],
            _work(step),
        )
    return table


def _standing(timeline: Timeline) -> Table:
    table = ops_table("table", "entity", "status now", title="Where it stands now")
    for now in timeline.now:
        column = "" if now.column == "status" else f".{now.column}"
        table.add_row(f"{now.table}{column}", str(now.entity_id), now.describe())
    return table


def timeline_view(timeline: Timeline) -> None:
    out = console()
    out.print(_history(timeline))
    out.print(f"{len(timeline.steps)} events over {seconds(timeline.span_seconds) or '0ms'}")
    out.print(_standing(timeline))
