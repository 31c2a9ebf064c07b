"""An open-loop writer: commits units of work at a steady rate and records each commit time.

Each of ``connections`` workers owns one connection and the ticks ``j, j+K, j+2K, ...`` of the
schedule ``t0 + i / rate``; a late worker commits at once (the schedule does not slip). The commit
time of unit ``seq`` is ``time.time()`` right after its COMMIT returned.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio
import psycopg
from pgqueuer import PsycopgDriver, Queries

from bench.baselines import pgqueuer_app, procrastinate_app
from bench.common import bench_sql

Commit = Callable[[int], Awaitable[None]]
CommitFactory = Callable[[], AbstractAsyncContextManager[Commit]]


async def write_steadily(
    factory: CommitFactory, rate: float, seconds: float, first_seq: int, connections: int
) -> dict[int, float]:
    """Commit ``rate * seconds`` units numbered from ``first_seq``; their commit times."""
    total = int(rate * seconds)
    committed: dict[int, float] = {}
    start = time.monotonic() + 0.05

    async def worker(offset: int) -> None:
        async with factory() as commit:
            for index in range(offset, total, connections):
                delay = start + index / rate - time.monotonic()
                if delay > 0:
                    await anyio.sleep(delay)
                await commit(first_seq + index)
                committed[first_seq + index] = time.time()

    async with anyio.create_task_group() as group:
        for offset in range(connections):
            group.start_soon(worker, offset)
    return committed


def ours(dsn: str) -> CommitFactory:
    """A status UPDATE on bench_items (row ``seq % 1000``) carrying ``seq`` in the row."""

    @asynccontextmanager
    async def factory() -> AsyncIterator[Commit]:
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            query = bench_sql("bench_items.sql", "flip")

            async def commit(seq: int) -> None:
                await conn.execute(query, {"seq": seq, "n": seq % 1000 + 1})

            yield commit

    return factory


def procrastinate(dsn: str) -> CommitFactory:
    """``defer_async`` of the no-op task (one job, one transaction)."""

    @asynccontextmanager
    async def factory() -> AsyncIterator[Commit]:
        app = procrastinate_app.build_app(dsn)
        async with app.open_async():
            task = app.tasks[procrastinate_app.TASK]

            async def commit(seq: int) -> None:
                await task.defer_async(seq=seq)

            yield commit

    return factory


def pgqueuer(dsn: str) -> CommitFactory:
    """``Queries.enqueue`` of one no-op job."""

    @asynccontextmanager
    async def factory() -> AsyncIterator[Commit]:
        async with await pgqueuer_app.connect(dsn) as conn:
            queries = Queries(PsycopgDriver(conn))

            async def commit(seq: int) -> None:
                await queries.enqueue(pgqueuer_app.ENTRYPOINT, str(seq).encode())

            yield commit

    return factory


FACTORIES: dict[str, Callable[[str], CommitFactory]] = {
    "ours": ours,
    "procrastinate": procrastinate,
    "pgqueuer": pgqueuer,
}
