"""`events list` and `events show ID`."""

from __future__ import annotations

from typing import Any

import click

from lxera_pipeline.cli.common import print_json
from lxera_pipeline.cli.ops_common import (
    connect,
    dsn_from_settings,
    event_filter_options,
    operator_errors,
    pop_event_filter,
)
from lxera_pipeline.cli.render_events import event_detail, events_table
from lxera_pipeline.listeners.ops.events import list_events, show_event


@click.group("events")
def events_group() -> None:
    """Read the event log: what happened, and what the handlers did about it."""


@events_group.command("list")
@event_filter_options
@click.option("--limit", default=50, show_default=True, help="Newest N matching events.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def events_list(limit: int, as_json: bool, **filters: Any) -> None:
    """List events (oldest first of the newest --limit) with their delivery states."""
    with operator_errors():
        flt = pop_event_filter(filters)
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            rows = list_events(conn, flt, limit)
    if as_json:
        print_json(rows)
    else:
        events_table(rows)


@events_group.command("show")
@click.argument("event_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def events_show(event_id: int, as_json: bool) -> None:
    """One event: its deliveries, every audit row (errors, tracebacks), its cause and effects."""
    with operator_errors():
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            detail = show_event(conn, event_id)
    if as_json:
        print_json(detail.as_dict())
    else:
        event_detail(detail)
