"""Human output of `replay` (dry run and real) and the JSON form of a dry run."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.text import Text
from rich.tree import Tree

from lxera_pipeline.cli.render import clip, console, ops_table, stream, transition
from lxera_pipeline.listeners.ops.capture import RowChange
from lxera_pipeline.listeners.ops.dry_run import DryRunResult

Row = dict[str, Any]
HIDDEN = {"created_at", "updated_at"}


def _values(row: Row, limit: int = 8) -> str:
    shown = [
        f"{k}={clip(v, 40)}"
        for k, v in row.items()
        if v not in (None, [], {}, "") and k not in HIDDEN
    ]
    more = f", … {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more


def _change(change: RowChange) -> str:
    key = ", ".join(f"{k}={v}" for k, v in change.key.items())
    if change.kind == "update":
        diffs = "; ".join(
            f"{col}: {clip(old, 30)!s} -> {clip(new, 30)!s}"
            for col, (old, new) in change.changed.items()
            if col not in HIDDEN
        )
        return f"update {change.table} ({key}): {diffs}"
    if change.kind == "delete":
        return f"delete {change.table} ({key})"
    return f"{change.kind} {change.table}: {_values(change.row)}"


def _events(tree: Tree, result: DryRunResult) -> None:
    deliveries = result.capture.deliveries
    for event in result.capture.events:
        handlers = [d["handler"] for d in deliveries if d["event_id"] == event["event_id"]]
        tree.add(
            f"would emit {stream(event)} {transition(event)} for {event['entity_id']}"
            f" -> deliveries: {', '.join(handlers) or 'none'}"
        )


def _result_tree(result: DryRunResult) -> Tree:
    event = result.event
    tree = Tree(
        Text.assemble(
            (f"event {event['event_id']}", "bold"),
            f" {stream(event)} {transition(event)} ({event['entity_id']}) -> handler ",
            (result.handler, "bold"),
            f": {result.outcome} in {result.duration_ms:.0f}ms",
        )
    )
    if result.moved_on:
        tree.add(Text.assemble(("warning: ", "yellow"), result.moved_on))
    if result.error:
        tree.add(Text.assemble(("error: ", "red"), result.error))
    if result.capture_note:
        tree.add(result.capture_note)
    for change in result.capture.data_changes:
        tree.add("would " + _change(change))
    _events(tree, result)
    for call in result.port_calls:
        tree.add(
            f"port {call.port}.{call.method}({', '.join(call.arguments)})"
            f" -> {call.error or call.result}"
        )
    for file in result.files:
        tree.add(f"would write file {file['path']} ({file['size']} bytes)")
    if result.notes:
        tree.add(f"audit notes: {clip(result.notes, 120)}")
    if result.outcome == "succeeded" and not result.capture.changes:
        tree.add("would write nothing")
    return tree


def dry_run_view(results: list[DryRunResult]) -> None:
    out = console()
    for result in results:
        out.print(_result_tree(result))
        if result.traceback:
            out.print(result.traceback.rstrip(), style="dim")
    out.print(
        f"Dry run of {len(results)} handler call(s): everything was rolled back; "
        "nothing was written, uploaded or kept on disk."
    )


def dry_run_json(results: list[DryRunResult]) -> list[dict[str, Any]]:
    items = []
    for result in results:
        data = asdict(result)
        data["events"], data["deliveries"] = result.capture.events, result.capture.deliveries
        items.append(data)
    return items


def replay_view(created: list[Row], by: str, reason: str) -> None:
    table = ops_table(
        "delivery",
        "event",
        "handler",
        "entity",
        "replay of",
        title=f"{len(created)} replay deliveries by {by}: {reason}",
    )
    for row in created:
        table.add_row(
            str(row["delivery_id"]),
            str(row["event_id"]),
            row["handler"],
            str(row["entity_id"]),
            str(row["replay_of"] or "-"),
        )
    out = console()
    out.print(table)
    out.print("A running daemon serving these handlers picks them up like any other delivery.")
