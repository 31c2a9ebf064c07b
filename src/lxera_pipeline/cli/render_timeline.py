"""Human output of `timeline`."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.table import Table
from rich.text import Text

from lxera_pipeline.cli.render import clip, console, seconds, stream, time_column, transition, when
from lxera_pipeline.listeners.ops.timeline import Timeline, TimelineStep

Row = dict[str, Any]


def _work(step: TimelineStep) -> str:
    """What the handlers did with the event: per handler its outcomes and last error."""
    lines = []
    for handler in dict.fromkeys(row["handler"] for row in step.deliveries):
        audit = [row for row in step.audit if row["handler"] == handler]
        outcomes = Counter(row["outcome"] for row in audit)
        took = sum(float(row["duration_ms"]) for row in audit) / 1000
        state = [d["state"] for d in step.deliveries if d["handler"] == handler][-1]
        summary = ", ".join(f"{name} x{n}" if n > 1 else name for name, n in outcomes.items())
        replay = " (replayed)" if any(row["is_replay"] for row in audit) else ""
        line = f"{handler}: {state}{replay} [{summary or 'not run yet'}] {seconds(took)}"
        errors = [row["error"] for row in audit if row["error"]]
        lines.append(line + (f"\n  last error: {clip(errors[-1], 70)}" if errors else ""))
    return "\n".join(lines) or "-"


def _history(timeline: Timeline) -> Table:
    table = Table(
        "event",
        time_column(),
        "+",
        "what",
        "entity",
        "handlers",
        title=f"Timeline of {timeline.entity_id}",
        title_justify="left",
    )
    for step in timeline.steps:
        event = step.event
        mark = "  " * step.depth + ("└ " if step.depth else "")
        own = "bold" if event["entity_id"] == timeline.entity_id else ""
        what = Text(f"{mark}{stream(event)} {transition(event)}", style=own)
        table.add_row(
            str(event["event_id"]),
            when(event["committed_at"]),
            seconds(step.since_previous_seconds),
            what,
            str(event["entity_id"])[:8],
            _work(step),
        )
    return table


def _standing(timeline: Timeline) -> Table:
    table = Table(
        "table", "entity", "status now", title="Where it stands now", title_justify="left"
    )
    for now in timeline.now:
        column = "" if now.column == "status" else f".{now.column}"
        table.add_row(f"{now.table}{column}", str(now.entity_id), now.describe())
    return table


def timeline_view(timeline: Timeline) -> None:
    out = console()
    out.print(_history(timeline))
    out.print(f"{len(timeline.steps)} events over {seconds(timeline.span_seconds) or '0ms'}")
    out.print(_standing(timeline))
