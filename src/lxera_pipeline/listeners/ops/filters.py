"""Parsing and checking the filters the operator commands share (table, ids, times, states)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.ops.errors import OpsInputError

DELIVERY_STATES = ("pending", "running", "done", "dead", "skipped")
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
