"""`partitions list` and `partitions ensure`: the partitions of the event and audit logs, as the
catalog states them (``pipeline.log_partitions()``), and creating them ahead
(``pipeline.ensure_log_partitions()``; the daemon does it every
LXERA_PARTITION_MAINTENANCE_SECONDS)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.rows import DictRow
from rich.table import Column

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.operate.common import OpsInputError, console, ops_table

MAX_AHEAD_DAYS = 366
Row = dict[str, Any]


def list_partitions(conn: psycopg.Connection[DictRow]) -> list[Row]:
    return [dict(row) for row in conn.execute(load_query("partitions_list")).fetchall()]


def ensure_partitions(conn: psycopg.Connection[DictRow], ahead_days: int) -> list[str]:
    """Create the missing partitions from today to ``ahead_days`` ahead (and move rows the
    default partitions caught into ranged ones); the names created."""
    if not 0 <= ahead_days <= MAX_AHEAD_DAYS:
        raise OpsInputError(f"--ahead: must be 0 to {MAX_AHEAD_DAYS} days, got {ahead_days}")
    with conn.transaction():
        rows = conn.execute(load_query("partitions_ensure"), {"ahead": ahead_days}).fetchall()
    return [str(row["created"]) for row in rows]


def _size(value: int | None) -> str:
    amount = float(value or 0)
    for unit in ("B", "kB", "MB", "GB"):
        if amount < 1024 or unit == "GB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} TB"


def _bound(value: datetime | None) -> str:
    """A bound in UTC to the minute (partitions start and end on UTC days)."""
    return "-" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def partitions_table(rows: list[Row]) -> None:
    table = ops_table(
        Column("partition", no_wrap=True),
        Column("from (UTC)", no_wrap=True),
        Column("to (UTC)", no_wrap=True),
        Column("rows (est.)", justify="right", no_wrap=True),
        Column("size", justify="right", no_wrap=True),
        title=f"{len(rows)} partitions of pipeline.events and pipeline.audit_log",
    )
    for row in rows:
        estimate = row["rows_estimate"]
        table.add_row(
            row["partition_name"],
            "default" if row["is_default"] else _bound(row["range_from"]),
            "" if row["is_default"] else _bound(row["range_to"]),
            "?" if estimate is None or estimate < 0 else str(estimate),
            _size(row["total_bytes"]),
        )
    console().print(table)
