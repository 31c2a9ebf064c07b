"""`dead list` and `dead retry`."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Column

from lxera_pipeline.cli.common import print_json
from lxera_pipeline.cli.ops_common import connect, dsn_from_settings, operator_errors, operator_name
from lxera_pipeline.cli.render import clip, clock, console, one_day, ops_table, uuid_column, when
from lxera_pipeline.listeners.ops.dead import DeadFilter, list_dead, retry_dead
from lxera_pipeline.listeners.ops.filters import parse_uuid, parse_when


def dead_filter_options(func: Any) -> Any:
    for option in reversed(
        [
            click.option("--handler", help="Only deliveries of this handler."),
            click.option("--table", help="Only deliveries of events of this table."),
            click.option("--entity", help="Only deliveries of this row (UUID)."),
            click.option("--since", help="Dead-lettered from this time (ISO or 2h, 7d)."),
            click.option("--until", help="Dead-lettered before this time."),
        ]
    ):
        func = option(func)
    return func


def _filter(ids: tuple[int, ...], kwargs: dict[str, Any]) -> DeadFilter:
    return DeadFilter(
        handler=kwargs["handler"],
        table=kwargs["table"],
        entity=parse_uuid(kwargs["entity"], "--entity"),
        since=parse_when(kwargs["since"], "--since"),
        until=parse_when(kwargs["until"], "--until"),
        delivery_ids=ids or None,
    )


@click.group("dead")
def dead_group() -> None:
    """Dead-lettered deliveries: list them, send them back to the queue."""


@dead_group.command("list")
@dead_filter_options
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def dead_list(limit: int, as_json: bool, **filters: Any) -> None:
    """Dead deliveries with their event and last error."""
    with operator_errors():
        flt = _filter((), filters)
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            rows = list_dead(conn, flt, limit)
    if as_json:
        print_json(rows)
        return
    day = one_day([row["finished_at"] for row in rows if row["finished_at"]])
    table = ops_table(
        "delivery",
        "event",
        Column("handler", no_wrap=True),
        uuid_column(),
        "tries",
        Column("dead since", no_wrap=True),
        Column("replayed", no_wrap=True),
        title=f"{len(rows)} dead deliveries" + (f" ({day})" if day else ""),
    )
    errors: dict[str, list[str]] = {}
    for row in rows:
        replayed = row["replayed_by_delivery"]
        table.add_row(
            str(row["delivery_id"]),
            str(row["event_id"]),
            row["handler"],
            str(row["entity_id"]),
            f"{row['attempts']}/{row['max_attempts']}",
            (clock if day else when)(row["finished_at"]),
            f"by {replayed} ({row['replay_state']})" if replayed else "-",
        )
        errors.setdefault(clip(row["last_error"], 200), []).append(str(row["delivery_id"]))
    out = console()
    out.print(table)
    for error, ids in errors.items():
        out.print(f"last error of {', '.join(ids)}: {error}")


@dead_group.command("retry")
@click.option(
    "--delivery", "delivery_ids", type=int, multiple=True, help="This dead delivery (repeatable)."
)
@dead_filter_options
@click.option("--all", "everything", is_flag=True, help="Every dead delivery.")
@click.option("--reason", help="Why (kept in the audit row).")
@click.option("--by", help="Who retries (default: the OS user).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def dead_retry(
    delivery_ids: tuple[int, ...],
    everything: bool,
    reason: str | None,
    by: str | None,
    as_json: bool,
    **filters: Any,
) -> None:
    """Send dead deliveries back to pending with their attempts reset (audited)."""
    with operator_errors():
        flt = _filter(delivery_ids, filters)
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            rows = retry_dead(
                conn, flt, everything=everything, by=by or operator_name(), reason=reason
            )
    if as_json:
        print_json(rows)
        return
    missing = sorted(set(delivery_ids) - {int(row["delivery_id"]) for row in rows})
    for row in rows:
        click.echo(
            f"delivery {row['delivery_id']} ({row['handler']}, event {row['event_id']}) "
            f"is pending again after {row['previous_attempts']} attempts"
        )
    if missing:
        click.echo(f"not dead (left alone): {', '.join(map(str, missing))}", err=True)
    click.echo(f"{len(rows)} dead deliveries sent back to the queue")
