"""What the operator commands share: their errors (each with an exit code), the event filter and
its parsing, where an entity stands now, and the helpers of their human output (rich).

Errors an operator can cause: :class:`OpsInputError` (a bad filter or option, exit code 2),
:class:`UnknownIdError` (no such event, entity or delivery, 3) and :class:`RefusedError` (the
request is understood but would be unsafe, e.g. replaying an event whose entity has moved on, 4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import DictRow
from rich import box
from rich.console import Console
from rich.table import Column, Table

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.store import State


class OpsInputError(ValueError):
    """A filter or option value that cannot be used (exit code 2)."""


class UnknownIdError(LookupError):
    """An event, entity or delivery id that does not exist (exit code 3)."""


class RefusedError(RuntimeError):
    """A request refused because carrying it out would be unsafe (exit code 4)."""


DELIVERY_STATES = tuple(state.value for state in State)
_RELATIVE = re.compile(r"^\s*(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>s|m|min|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
MAX_DURATION_DAYS = 36500  # a hundred years: longer is a typo, and overflows date arithmetic


def parse_duration(text: str, option: str) -> timedelta:
    """``90s``, ``15m``, ``2h``, ``30d``, ``1w`` as a duration."""
    match = _RELATIVE.match(text)
    if not match:
        raise OpsInputError(
            f"{option}: {text!r} is not a duration (use a number and a unit: 90s, 15m, 2h, 30d, 1w)"
        )
    seconds = float(match["amount"]) * _UNIT_SECONDS[match["unit"]]
    if seconds > MAX_DURATION_DAYS * 86400:
        raise OpsInputError(
            f"{option}: {text.strip()!r} is longer than the maximum of {MAX_DURATION_DAYS} days"
        )
    return timedelta(seconds=seconds)


def parse_when(text: str | None, option: str, now: datetime | None = None) -> datetime | None:
    """An ISO 8601 time (local time when it has no offset), ``now``, or a relative ``2h`` (ago)."""
    if text is None or not text.strip():
        return None
    now = now or datetime.now(UTC)
    if text.strip() == "now":
        return now
    if _RELATIVE.match(text):
        return now - parse_duration(text, option)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise OpsInputError(
            f"{option}: {text!r} is neither an ISO time (2026-11-25T14:30, "
            "2026-11-25 14:30+00:00) nor a relative time (90s, 15m, 2h, 7d)"
        ) from None
    return moment if moment.tzinfo else moment.astimezone()


def parse_uuid(text: str | None, option: str) -> UUID | None:
    if text is None:
        return None
    try:
        return UUID(text.strip())
    except ValueError:
        raise OpsInputError(f"{option}: {text!r} is not a UUID") from None


def check_state(state: str | None) -> str | None:
    if state is not None and state not in DELIVERY_STATES:
        raise OpsInputError(
            f"--state: {state!r} is not a delivery state (one of {', '.join(DELIVERY_STATES)})"
        )
    return state


@dataclass(frozen=True)
class EventFilter:
    """Which events a command looks at; every field is optional."""

    table: str | None = None
    entity: UUID | None = None
    company: UUID | None = None
    event_type: str | None = None
    status: str | None = None
    state: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def params(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "entity": self.entity,
            "company": self.company,
            "event_type": self.event_type,
            "status": self.status,
            "state": self.state,
            "since": self.since,
            "until": self.until,
        }

    @property
    def is_empty(self) -> bool:
        return all(value is None for value in self.params().values())


def event_filter(
    *,
    table: str | None = None,
    entity: str | None = None,
    company: str | None = None,
    event_type: str | None = None,
    status: str | None = None,
    state: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> EventFilter:
    """Build an :class:`EventFilter` from command-line strings; OpsInputError names a bad one."""
    start, end = parse_when(since, "--since"), parse_when(until, "--until")
    if start and end and start >= end:
        raise OpsInputError(
            f"--since ({start.isoformat()}) must be before --until ({end.isoformat()})"
        )
    return EventFilter(
        table=table,
        entity=parse_uuid(entity, "--entity"),
        company=parse_uuid(company, "--company"),
        event_type=event_type,
        status=status,
        state=check_state(state),
        since=start,
        until=end,
    )


def known_tables(conn: psycopg.Connection[DictRow]) -> list[str]:
    return [str(row["table_name"]) for row in conn.execute(load_query("ops_known_tables"))]


def check_table(conn: psycopg.Connection[DictRow], table: str | None) -> None:
    """A --table must be one whose status column emits events."""
    if table is None:
        return
    tables = known_tables(conn)
    if table not in tables:
        raise OpsInputError(
            f"--table: {table!r} has no tracked status column "
            f"(known: {', '.join(tables) or 'none yet'})"
        )


@dataclass(frozen=True)
class CurrentStatus:
    """The row's status now; ``exists`` is False when the row (or its table) is gone."""

    table: str
    column: str
    entity_id: UUID
    exists: bool
    status: str | None

    def describe(self) -> str:
        return self.status if self.exists and self.status is not None else "(row not found)"


def key_columns(conn: psycopg.Connection[DictRow]) -> dict[tuple[str, str], str]:
    """(table, status column) -> key column, for every tracked status column."""
    rows = conn.execute(load_query("ops_status_columns")).fetchall()
    return {(str(r["table_name"]), str(r["status_column"])): str(r["key_column"]) for r in rows}


def current_status(
    conn: psycopg.Connection[DictRow],
    table: str,
    column: str,
    entity_id: UUID,
    keys: dict[tuple[str, str], str] | None = None,
) -> CurrentStatus:
    """Read ``table.column`` of the row ``entity_id`` (inside a savepoint when in a transaction)."""
    key = (keys if keys is not None else key_columns(conn)).get((table, column))
    if key is None:
        return CurrentStatus(table, column, entity_id, False, None)
    query = load_query("ops_current_status").format(
        table=sql.Identifier(table),
        status_column=sql.Identifier(column),
        key_column=sql.Identifier(key),
    )
    try:
        with conn.transaction():
            row = conn.execute(query, {"entity": entity_id}).fetchone()
    except psycopg.errors.UndefinedTable:
        return CurrentStatus(table, column, entity_id, False, None)
    if row is None:
        return CurrentStatus(table, column, entity_id, False, None)
    return CurrentStatus(table, column, entity_id, True, row["status"])


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


def filtered_query(name: str) -> Any:
    """The named query with the shared event filter put in its ``{filter}`` slot."""
    return load_query(name).format(filter=load_query("ops_event_filter"))
