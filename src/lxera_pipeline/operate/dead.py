"""`dead list` and `dead retry`: the dead letters, and handing them back to the daemons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import click
import psycopg
from psycopg.rows import DictRow
from rich.table import Column

from lxera_pipeline.db.locks import lock_params
from lxera_pipeline.db.queries import load_query
from lxera_pipeline.operate.common import (
    OpsInputError,
    UnknownIdError,
    check_table,
    clip,
    clock,
    console,
    one_day,
    ops_table,
    uuid_column,
    when,
)

Row = dict[str, Any]


@dataclass(frozen=True)
class DeadFilter:
    handler: str | None = None
    table: str | None = None
    entity: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    delivery_ids: tuple[int, ...] | None = None

    @property
    def is_empty(self) -> bool:
        return all(value is None for value in self.params().values())

    def params(self) -> dict[str, Any]:
        ids = list(self.delivery_ids) if self.delivery_ids else None
        return {
            "handler": self.handler,
            "table": self.table,
            "entity": self.entity,
            "since": self.since,
            "until": self.until,
            "delivery_ids": ids,
        }


def _query(name: str) -> Any:
    return load_query(name).format(filter=load_query("ops_dead_filter"))


def list_dead(conn: psycopg.Connection[DictRow], flt: DeadFilter, limit: int = 100) -> list[Row]:
    if limit < 1:
        raise OpsInputError(f"--limit: must be at least 1, got {limit}")
    check_table(conn, flt.table)
    return [
        dict(r) for r in conn.execute(_query("ops_list_dead"), {**flt.params(), "limit": limit})
    ]


def retry_dead(
    conn: psycopg.Connection[DictRow],
    flt: DeadFilter,
    *,
    everything: bool,
    by: str,
    reason: str | None,
) -> list[Row]:
    """Put the chosen dead deliveries back to pending (one transaction); returns them."""
    if flt.is_empty and not everything:
        raise OpsInputError("dead retry: name deliveries (--delivery), a filter, or --all")
    check_table(conn, flt.table)
    params = {**flt.params(), "worker": f"cli:{by}", "by": by, "reason": reason}
    with conn.transaction():
        rows = [dict(r) for r in conn.execute(_query("ops_retry_dead"), params)]
        if rows:  # one wake-up is enough: a woken daemon claims everything that is due
            conn.execute(
                load_query("ops_notify_if_armed"),
                {"event_id": rows[0]["event_id"], "table": rows[0]["table_name"], **lock_params()},
            )
    missing = sorted(set(flt.delivery_ids or ()) - {int(r["delivery_id"]) for r in rows})
    if missing and not rows:
        raise UnknownIdError(f"no dead delivery with id {', '.join(map(str, missing))}")
    return rows


def print_dead(rows: list[Row]) -> None:
    """The dead deliveries as a table, then each distinct last error once."""
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


def print_retried(rows: list[Row], asked: tuple[int, ...]) -> None:
    """What `dead retry` sent back, and which asked-for ids were not dead."""
    missing = sorted(set(asked) - {int(row["delivery_id"]) for row in rows})
    for row in rows:
        click.echo(
            f"delivery {row['delivery_id']} ({row['handler']}, event {row['event_id']}) "
            f"is pending again after {row['previous_attempts']} attempts"
        )
    if missing:
        click.echo(f"not dead (left alone): {', '.join(map(str, missing))}", err=True)
    click.echo(f"{len(rows)} dead deliveries sent back to the queue")
