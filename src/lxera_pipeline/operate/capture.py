"""What a rolled-back transaction wrote, found before it rolls back.

`pg_stat_xact_user_tables` names the tables the transaction touched; the row versions it wrote are
the visible rows whose xmin is our own (REPEATABLE READ makes that exact, savepoints included); the
version each updated row replaced is read by key from a second connection, which still sees the
committed state; rows only that second connection sees with our transaction in xmax were deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from psycopg import AsyncConnection, sql
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from lxera_pipeline.db.queries import load_query

Row = dict[str, Any]
ChangeKind = Literal["insert", "update", "delete", "write"]
EVENTS_TABLE = "pipeline.events"
DELIVERIES_TABLE = "pipeline.deliveries"


@dataclass
class RowChange:
    table: str
    kind: ChangeKind
    key: Row
    row: Row
    changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class Capture:
    changes: list[RowChange] = field(default_factory=list)

    def of_table(self, table: str) -> list[RowChange]:
        return [change for change in self.changes if change.table == table]

    @property
    def events(self) -> list[Row]:
        return [change.row for change in self.of_table(EVENTS_TABLE) if change.kind == "insert"]

    @property
    def deliveries(self) -> list[Row]:
        return [c.row for c in self.of_table(DELIVERIES_TABLE) if c.kind == "insert"]

    @property
    def data_changes(self) -> list[RowChange]:
        """Changes outside the pipeline's own bookkeeping tables."""
        return [c for c in self.changes if not c.table.startswith("pipeline.")]


async def _all(conn: AsyncConnection[DictRow], query: Any, params: Row | None = None) -> list[Row]:
    cursor = await conn.execute(query, params)
    return [dict(row) for row in await cursor.fetchall()]


async def _key_columns(conn: AsyncConnection[DictRow], relation: str) -> list[str]:
    rows = await _all(conn, load_query("ops_primary_key_columns"), {"relation": relation})
    return [str(row["column_name"]) for row in rows]


def _template(name: str, ident: sql.Identifier, keys: list[str]) -> Any:
    key_list = sql.SQL(", ").join(sql.Identifier(key) for key in keys)
    return load_query(name).format(relation=ident, key_columns=key_list)


async def _by_key(
    conn: AsyncConnection[DictRow], ident: sql.Identifier, keys: list[str], key: Row
) -> Row | None:
    rows = await _all(conn, _template("ops_row_by_key", ident, keys), {"key": Jsonb(key)})
    return rows[0]["row"] if rows else None


def _diff(old: Row, new: Row) -> dict[str, tuple[Any, Any]]:
    return {col: (old.get(col), value) for col, value in new.items() if old.get(col) != value}


@dataclass
class _Table:
    relation: str
    ident: sql.Identifier
    keys: list[str]
    deleted: int


async def _table_changes(
    inside: AsyncConnection[DictRow], outside: AsyncConnection[DictRow], table: _Table, top: str
) -> list[RowChange]:
    written = await _all(inside, _template("ops_rows_written_in_xact", table.ident, table.keys))
    changes: list[RowChange] = []
    seen: list[Row] = []
    for item in written:
        row: Row = item["row"]
        key = {k: row.get(k) for k in table.keys}
        seen.append(key)
        if not table.keys:
            changes.append(RowChange(table.relation, "write", key, row))
            continue
        old = await _by_key(outside, table.ident, table.keys, key)
        if old is None:
            changes.append(RowChange(table.relation, "insert", key, row))
        elif _diff(old, row):
            changes.append(RowChange(table.relation, "update", key, row, _diff(old, row)))
    if table.deleted and table.keys:
        changes += await _deleted(inside, outside, table, top, seen)
    return changes


async def _deleted(
    inside: AsyncConnection[DictRow],
    outside: AsyncConnection[DictRow],
    table: _Table,
    top: str,
    seen: list[Row],
) -> list[RowChange]:
    query = _template("ops_rows_removed_after_xid", table.ident, table.keys)
    found: list[RowChange] = []
    for item in await _all(outside, query, {"top": int(top)}):
        key = {k: item["row"].get(k) for k in table.keys}
        if key in seen or await _by_key(inside, table.ident, table.keys, key) is not None:
            continue  # updated (already listed) or only locked
        found.append(RowChange(table.relation, "delete", key, item["row"]))
    return found


async def capture_changes(
    inside: AsyncConnection[DictRow], outside: AsyncConnection[DictRow]
) -> Capture:
    """Every row the open transaction on ``inside`` wrote, compared with the committed state."""
    xid_rows = await _all(inside, load_query("ops_current_xid"))
    top = xid_rows[0]["xid"] if xid_rows else None
    if top is None:
        return Capture()
    capture = Capture()
    for touched in await _all(inside, load_query("ops_touched_tables")):
        relation = str(touched["relation"])
        ident = sql.Identifier(str(touched["schema_name"]), str(touched["table_name"]))
        table = _Table(
            relation, ident, await _key_columns(inside, relation), int(touched["deleted"])
        )
        capture.changes += await _table_changes(inside, outside, table, str(top))
    return capture
