"""`tail`: print events as they commit."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import anyio
import click

from lxera_pipeline.cli.ops_common import (
    connect,
    dsn_from_settings,
    event_filter_options,
    operator_errors,
    pop_event_filter,
)
from lxera_pipeline.cli.render_events import tail_line
from lxera_pipeline.listeners.ops.filters import check_table
from lxera_pipeline.listeners.ops.tail import TailFeed, TailOptions, TailSession, follow
from lxera_pipeline.log import configure_logging

INTERNAL = ("matches", "snap_xmin", "snap_xmax")
READY = "tailing pipeline events (Ctrl-C to stop)"


def _printer(as_json: bool) -> Any:
    def print_row(row: dict[str, Any]) -> None:
        if as_json:
            data = {key: value for key, value in row.items() if key not in INTERNAL}
            click.echo(json.dumps(data, default=str))
        else:
            click.echo(tail_line(row))

    return print_row


@click.command("tail")
@event_filter_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option(
    "--poll",
    "poll_seconds",
    type=click.FloatRange(min=0.05),
    default=0.5,
    show_default=True,
    help="Fallback poll interval when no NOTIFY comes.",
)
@click.option(
    "--lookback",
    "lookback_seconds",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="Seconds an event id may commit after a higher one and still be printed "
    "(longer-running writers are followed through their snapshot anyway).",
)
@click.option("--max-events", type=click.IntRange(min=1), help="Stop after printing N events.")
@click.option("--duration", type=click.FloatRange(min=0), help="Stop after this many seconds.")
def tail_command(
    as_json: bool,
    poll_seconds: float,
    lookback_seconds: float,
    max_events: int | None,
    duration: float | None,
    **filters: Any,
) -> None:
    """Follow events live as they commit (LISTEN on pipeline_events, with a poll fallback).
    With --since, first prints the matching events since then. Ctrl-C stops."""
    options = TailOptions(poll_seconds, lookback_seconds, max_events, duration)
    with operator_errors():
        flt = pop_event_filter(filters)
        settings, dsn = dsn_from_settings()
        if settings.log_level == "info":  # the listener's connect lines would drown the events
            configure_logging(settings.log_format, "warning")
        with connect(dsn) as conn:
            check_table(conn, flt.table)
        session = TailSession(
            TailFeed(flt, lookback_seconds),
            options,
            _printer(as_json),
            ready=lambda: click.echo(READY, err=True),
        )
        with contextlib.suppress(KeyboardInterrupt):
            anyio.run(follow, settings, dsn, session)
