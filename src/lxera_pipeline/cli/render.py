"""Formatting helpers the operator commands' human output shares (rich)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Column, Table

Row = dict[str, Any]


def console() -> Console:
    return Console(highlight=False, soft_wrap=False, markup=False)


def when(value: datetime | None) -> str:
    """A timestamp in local time to the millisecond."""
    if value is None:
        return "-"
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def clock(value: datetime | None) -> str:
    return when(value)[11:] if value else "-"


def seconds(value: float | None) -> str:
    """A duration for humans: 840ms, 12.4s, 3m05s, 2h10m."""
    if value is None:
        return ""
    if value < 1:
        return f"{value * 1000:.0f}ms"
    if value < 60:
        return f"{value:.1f}s"
    if value < 3600:
        return f"{int(value // 60)}m{int(value % 60):02d}s"
    return f"{int(value // 3600)}h{int(value % 3600 // 60):02d}m"


def transition(event: Row) -> str:
    return f"{event.get('old_status') or 'new'} -> {event['new_status']}"


def stream(event: Row) -> str:
    column = event.get("status_column") or "status"
    suffix = "" if column == "status" else f".{column}"
    return f"{event['table_name']}{suffix}"


def states(summary: dict[str, int] | None) -> str:
    """``{"done": 2, "dead": 1}`` -> ``done 2, dead 1`` in a fixed order."""
    if not summary:
        return "-"
    order = ("pending", "running", "done", "dead", "skipped")
    return ", ".join(f"{state} {summary[state]}" for state in order if summary.get(state))


def clip(text: Any, limit: int = 60) -> str:
    value = "" if text is None else str(text)
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def uuid_column(header: str = "entity") -> Column:
    """A column that shows whole UUIDs (operators copy them into the next command)."""
    return Column(header, no_wrap=True, min_width=36)


def time_column(header: str = "committed") -> Column:
    return Column(header, no_wrap=True)


def ops_table(*columns: str | Column, title: str | None = None) -> Table:
    """A borderless table (copy-paste friendly: no vertical rules around the ids)."""
    return Table(
        *columns,
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )


def one_day(values: list[datetime]) -> str | None:
    """The local date when all ``values`` fall on it (then a clock time is enough), else None."""
    days = {value.astimezone().date().isoformat() for value in values}
    return days.pop() if len(days) == 1 else None
