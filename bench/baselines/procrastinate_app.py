"""Procrastinate baseline: a no-op task and its worker.

    python -m bench.baselines.procrastinate_app --dsn DSN [--concurrency N]

The worker runs until SIGTERM; jobs are kept (``delete_jobs="never"``) so their
``procrastinate_events`` rows give the drain window.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

import procrastinate
from procrastinate.types import JSONDict

from bench.start_log import record_start

TASK = "bench_noop"
DRAIN_WINDOW = """
select extract(epoch from min(at) filter (where type = 'started'))::float8,
       extract(epoch from max(at) filter (where type = 'succeeded'))::float8,
       count(*) filter (where type = 'succeeded')
  from procrastinate_events
"""


async def bench_noop(seq: int) -> None:
    record_start("procrastinate", seq)


def build_app(dsn: str) -> procrastinate.App:
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=dsn))
    app.task(name=TASK)(bench_noop)
    return app


async def install(dsn: str) -> None:
    app = build_app(dsn)
    async with app.open_async():
        await app.schema_manager.apply_schema_async()


async def defer(dsn: str, seqs: Sequence[int], chunk: int = 1000) -> None:
    """Enqueue one no-op job per seq (the drain backlog), in batches of ``chunk``."""
    app = build_app(dsn)
    async with app.open_async():
        task = app.tasks[TASK]
        for start in range(0, len(seqs), chunk):
            batch: list[JSONDict] = [{"seq": seq} for seq in seqs[start : start + chunk]]
            await task.batch_defer_async(*batch)


async def work(dsn: str, concurrency: int) -> None:
    app = build_app(dsn)
    async with app.open_async():
        await app.run_worker_async(concurrency=concurrency, wait=True, delete_jobs="never")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Procrastinate no-op worker")
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args(argv)
    asyncio.run(work(args.dsn, args.concurrency))


if __name__ == "__main__":
    main()
