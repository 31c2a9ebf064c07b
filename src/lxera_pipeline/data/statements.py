"""Run named queries on a caller's connection and return plain dict rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row

from lxera_pipeline.db.queries import load_query

Row = dict[str, Any]
Params = Mapping[str, Any]


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
