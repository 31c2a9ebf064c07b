"""Where an entity stands now: its status read from its own table via `pipeline.status_columns`."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query


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
