"""Run named queries on a caller's connection and return plain dict rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from lxera_pipeline.db.queries import load_query

Row = dict[str, Any]
Params = Mapping[str, Any]


def jsonb(value: object) -> Jsonb | None:
    """A JSON parameter (None stays SQL NULL, so ``coalesce`` keeps the column)."""
    return None if value is None else Jsonb(value)


async def fetch_one(conn: AsyncConnection[Any], name: str, params: Params) -> Row | None:
    """The first row query ``name`` returns, or None."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(load_query(name), params)
        return await cur.fetchone()


async def fetch_all(conn: AsyncConnection[Any], name: str, params: Params) -> list[Row]:
    """Every row query ``name`` returns."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(load_query(name), params)
        return await cur.fetchall()


async def execute(conn: AsyncConnection[Any], name: str, params: Params) -> int:
    """Run query ``name``; returns the number of rows it touched."""
    async with conn.cursor() as cur:
        await cur.execute(load_query(name), params)
        return cur.rowcount


async def fetch_many_params(
    conn: AsyncConnection[Any], name: str, rows: Sequence[Params]
) -> list[Row]:
    """Run query ``name`` once per parameter set in one pipelined batch; rows it returns."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.executemany(load_query(name), rows, returning=True)
        found: list[Row] = []
        while True:
            found.extend(await cur.fetchall())
            if not cur.nextset():
                return found


async def insert_or_fetch(
    conn: AsyncConnection[Any], insert: str, select: str, params: Params, key: str
) -> Row | None:
    """Run an ``insert ... on conflict (key) do nothing returning *``; if it inserted nothing
    because a row with the caller's id already exists, return that row (idempotent create).
    None: nothing was inserted and there is no such row (the parent row is missing)."""
    row = await fetch_one(conn, insert, params)
    if row is not None or params.get(key) is None:
        return row
    return await fetch_one(conn, select, {key: params[key]})
