"""`dead list` and `dead retry`: dead-lettered deliveries, and sending them back to the queue.

A retried delivery goes back to ``pending`` with its attempts reset and its last error kept; an
audit row (outcome ``released``, ``detail.action = "dead_retry"``, who and why) records the retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.ops.errors import OpsInputError, UnknownIdError
from lxera_pipeline.listeners.ops.filters import check_table

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
                {"event_id": rows[0]["event_id"], "table": rows[0]["table_name"]},
            )
    missing = sorted(set(flt.delivery_ids or ()) - {int(r["delivery_id"]) for r in rows})
    if missing and not rows:
        raise UnknownIdError(f"no dead delivery with id {', '.join(map(str, missing))}")
    return rows
