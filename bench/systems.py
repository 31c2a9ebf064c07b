"""The three systems under test, behind one interface: set up a database, enqueue, run workers.

``ours``: status UPDATEs on bench_items (the trigger writes event + delivery), drained by
``lxera-pipeline run`` daemons. ``procrastinate`` / ``pgqueuer``: their own enqueue API and
worker with a no-op task. Each knows how to read its drain window from its own tables.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg

from bench.baselines import pgqueuer_app, procrastinate_app
from bench.common import bench_sql, migrated_database_dsn
from bench.processes import daemon_command, module_command

PROCRASTINATE_FINISHES = """
select extract(epoch from at)::float8 from procrastinate_events
 where type = 'succeeded' order by at
"""
PGQUEUER_FINISHES = """
select extract(epoch from created)::float8 from pgqueuer_log
 where status = 'successful' order by created
"""
OURS_FINISHES = """
select extract(epoch from finished_at)::float8 from pipeline.audit_log
 where outcome = 'succeeded' order by finished_at
"""
STARTS = {
    "ours": "select extract(epoch from min(started_at))::float8 from pipeline.audit_log",
    "procrastinate": "select extract(epoch from min(at))::float8 from procrastinate_events"
    " where type = 'started'",
    "pgqueuer": "select extract(epoch from min(created))::float8 from pgqueuer_log"
    " where status = 'picked'",
}
FINISHES = {
    "ours": OURS_FINISHES,
    "procrastinate": PROCRASTINATE_FINISHES,
    "pgqueuer": PGQUEUER_FINISHES,
}
DONE = {
    "ours": "select count(*) from pipeline.audit_log where outcome = 'succeeded'",
    "procrastinate": "select count(*) from procrastinate_jobs where status = 'succeeded'",
    "pgqueuer": "select count(*) from pgqueuer_log where status = 'successful'",
}


@dataclass(frozen=True)
class Config:
    """One system in one configuration: what to run and how many worker processes."""

    system: str  # ours | procrastinate | pgqueuer
    label: str
    processes: int = 1
    args: tuple[str, ...] = ()

    def commands(self, dsn: str) -> list[list[str]]:
        if self.system == "ours":
            return [daemon_command(self.args) for _ in range(self.processes)]
        module = f"bench.baselines.{self.system}_app"
        return [module_command(module, ["--dsn", dsn, *self.args])] * self.processes

    def env(self, dsn: str) -> dict[str, str]:
        return {"DATABASE_URL": dsn, "LXERA_LOG_FORMAT": "json"}


def install(system: str, dsn: str) -> None:
    """Create what ``system`` needs in an empty database."""
    if system == "ours":
        from bench import noop_handlers
        from lxera_pipeline.handlers.registry import registry
        from lxera_pipeline.handlers.sync import sync_subscriptions_sync

        migrated_database_dsn(dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(bench_sql("bench_items.sql", "table"))
        spec = registry.get(noop_handlers.HANDLER)
        assert spec is not None
        sync_subscriptions_sync(dsn, [spec])
    elif system == "procrastinate":
        asyncio.run(procrastinate_app.install(dsn))
    else:
        asyncio.run(pgqueuer_app.install(dsn))


def enqueue_backlog(system: str, dsn: str, count: int, *, analyze: bool = True) -> None:
    """``count`` units of work committed while no worker runs; then ANALYZE (the statistics
    autovacuum gathers while a backlog builds up over more than a minute) unless told not to."""
    _enqueue(system, dsn, count)
    if analyze:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("analyze")


def _enqueue(system: str, dsn: str, count: int) -> None:
    if system == "ours":
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(bench_sql("bench_items.sql", "backlog").format(n=count))
    elif system == "procrastinate":
        asyncio.run(procrastinate_app.defer(dsn, list(range(count))))
    else:
        asyncio.run(pgqueuer_app.enqueue(dsn, list(range(count))))


def done_count(conn: psycopg.Connection[tuple[int]], system: str) -> int:
    row = conn.execute(DONE[system]).fetchone()
    return int(row[0]) if row else 0


def drain_window(dsn: str, system: str, upto: int) -> tuple[float, float, int]:
    """(first start, finish of the ``upto``-th completion, completions counted) in unix s."""
    with psycopg.connect(dsn) as conn:
        start_row = conn.execute(STARTS[system]).fetchone()
        finishes: Sequence[tuple[float]] = conn.execute(FINISHES[system]).fetchall()
    if not start_row or start_row[0] is None or not finishes:
        return 0.0, 0.0, 0
    counted = min(upto, len(finishes))
    return float(start_row[0]), float(finishes[counted - 1][0]), counted
