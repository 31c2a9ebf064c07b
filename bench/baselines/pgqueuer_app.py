"""PgQueuer baseline: a no-op entrypoint and its worker.

    python -m bench.baselines.pgqueuer_app --dsn DSN [--batch-size N] [--max-concurrent N]

Default durability (every table logged), psycopg driver. The worker runs until SIGTERM;
``pgqueuer_log`` rows (status, created) give the drain window.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import psycopg
from pgqueuer import Job, PsycopgDriver, Queries, QueueManager

from bench.start_log import record_start

ENTRYPOINT = "bench_noop"
DRAIN_WINDOW = """
select extract(epoch from min(created) filter (where status = 'picked'))::float8,
       extract(epoch from max(created) filter (where status = 'successful'))::float8,
       count(*) filter (where status = 'successful')
  from pgqueuer_log
"""


async def connect(dsn: str) -> psycopg.AsyncConnection[tuple[Any, ...]]:
    return await psycopg.AsyncConnection.connect(dsn, autocommit=True)


async def install(dsn: str) -> None:
    async with await connect(dsn) as conn:
        await Queries(PsycopgDriver(conn)).install()


async def enqueue(dsn: str, seqs: Sequence[int], chunk: int = 1000) -> None:
    """Enqueue one no-op job per seq (the drain backlog), in batches of ``chunk``."""
    async with await connect(dsn) as conn:
        queries = Queries(PsycopgDriver(conn))
        for start in range(0, len(seqs), chunk):
            part = seqs[start : start + chunk]
            await queries.enqueue(
                [ENTRYPOINT] * len(part), [str(seq).encode() for seq in part], [0] * len(part)
            )


def build_manager(conn: psycopg.AsyncConnection[tuple[Any, ...]]) -> QueueManager:
    manager = QueueManager(Queries(PsycopgDriver(conn)))

    @manager.entrypoint(ENTRYPOINT)
    async def bench_noop(job: Job) -> None:
        record_start("pgqueuer", int(job.payload or b"0"))

    return manager


async def work(dsn: str, batch_size: int, max_concurrent: int | None) -> None:
    async with await connect(dsn) as conn:
        manager = build_manager(conn)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, manager.shutdown.set)
        await manager.run(
            dequeue_timeout=timedelta(seconds=2),
            batch_size=batch_size,
            max_concurrent_tasks=max_concurrent,
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="PgQueuer no-op worker")
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--max-concurrent", type=int, default=0, help="0: unlimited")
    args = parser.parse_args(argv)
    asyncio.run(work(args.dsn, args.batch_size, args.max_concurrent or None))


if __name__ == "__main__":
    main()
