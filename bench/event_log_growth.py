"""Routing and claim cost as the event log grows (issue 13, point 3).

A scratch database gets a tracked table of its own, one subscription, and ten old daily
partitions of ``pipeline.events``. Each cycle inserts a batch of status changes (the real
generated trigger writes the events), then times what a daemon's claim sends: ``route_events`` +
``claim_deliveries`` in one pipelined round trip (the named queries of ``listeners/store.py``, on
a control connection with JIT off as the daemon's), and completes what it claimed. It runs with a
small log first (the baseline), then after bulk-loading historic events into the old partitions
(``generate_series``; ``--sizes``, default 1M then 10M in total), and prints each phase's median
and p95 as a ratio to the baseline of the same run. The baseline is a small log, not an empty one
(``--baseline``, 10,000 historic events): the planner's statistics of empty tables make other
plans, which would be a comparison of plans, not of log sizes. Before each phase the log is
vacuumed and analysed, as autovacuum leaves old partitions, and a CHECKPOINT puts the bulk load's
WAL behind it (the admin DSN's role needs pg_checkpoint or superuser).

    python -m bench.event_log_growth                      # full size (a few minutes)
    python -m bench.event_log_growth --sizes 2000,20000   # CI size
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg.rows import dict_row

from bench.common import (
    ADMIN_DSN,
    Figure,
    bench_sql,
    median,
    migrated_database_dsn,
    percentile,
    print_figures,
    ratio,
    scratch_database,
)
from lxera_pipeline.db.locks import SERVED_CLASS
from lxera_pipeline.db.queries import load_query

HANDLER = "bench.growth"
OLD_DAYS = range(11, 21)  # ten daily partitions (within 31 days, so daily, not monthly)
CHUNK = 1_000_000
WARM_DELIVERIES = 2_000
SQL = "event_log_growth.sql"


def _load(conn: psycopg.Connection[dict[str, object]], first: int, last: int) -> None:
    """Historic events ``first``..``last`` spread over the old partitions' days."""
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=max(OLD_DAYS)
    )
    slots = len(OLD_DAYS) * 86_400
    floor = conn.execute(bench_sql(SQL, "xid_floor")).fetchone() or {"floor": 4}
    xid_span = max(1, int(str(floor["floor"])) - 3)
    for lo in range(first, last + 1, CHUNK):
        hi = min(last, lo + CHUNK - 1)
        with conn.transaction():
            conn.execute(
                bench_sql(SQL, "bulk_events"),
                {
                    "start": start,
                    "slots": slots,
                    "step": "1 second",
                    "first": lo,
                    "last": hi,
                    "xid_span": xid_span,
                },
            )


def _cycle(
    writer: psycopg.Connection[dict[str, object]],
    control: psycopg.Connection[dict[str, object]],
    batch: int,
) -> float:
    """Write ``batch`` changes, then time one route+claim; complete what it claimed."""
    writer.execute(bench_sql(SQL, "write_jobs"), {"n": batch})
    params = {
        "handlers": [HANDLER],
        "leases": [30.0],
        "lease": 30.0,
        "limit": batch,
        "worker": "bench",
        "served_lock_class": SERVED_CLASS,
    }
    started = time.perf_counter()
    with control.pipeline():
        control.execute(load_query("route_served_events"), {"handlers": [HANDLER]})
        claiming = control.execute(load_query("claim_deliveries"), params)
    rows = claiming.fetchall()
    took = time.perf_counter() - started
    if len(rows) != batch:
        raise RuntimeError(f"claimed {len(rows)} of {batch} deliveries")
    control.execute(bench_sql(SQL, "complete"), {"ids": [row["delivery_id"] for row in rows]})
    return took * 1000


def _measure(
    writer: psycopg.Connection[dict[str, object]],
    control: psycopg.Connection[dict[str, object]],
    batch: int,
    cycles: int,
) -> list[float]:
    for _ in range(max(20, cycles // 5)):  # warm up: caches, plans
        _cycle(writer, control, batch)
    return [_cycle(writer, control, batch) for _ in range(cycles)]


def run(
    sizes: Sequence[int],
    cycles: int,
    batches: Sequence[int],
    admin_dsn: str,
    baseline_size: int = 10_000,
) -> list[Figure]:
    figures: list[Figure] = []
    with scratch_database("log_growth", admin_dsn=admin_dsn) as dsn:
        migrated_database_dsn(dsn)
        with psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as setup:
            setup.execute(bench_sql(SQL, "setup"))
            for days in OLD_DAYS:
                setup.execute(bench_sql(SQL, "old_partition"), {"days_ago": days})
        with (
            psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as writer,
            psycopg.connect(
                dsn, autocommit=True, row_factory=dict_row, options="-c jit=off"
            ) as control,
        ):
            # Some finished deliveries first: a claim planned on an empty deliveries table
            # scans it (the daemon analyses it after a burst for the same reason).
            for _ in range(WARM_DELIVERIES // max(batches)):
                _cycle(writer, control, max(batches))
            baseline: dict[int, tuple[float, float]] = {}
            loaded = 0
            phases = [(f"small log ({baseline_size:,})", baseline_size)]
            phases += [(f"{n:,} events", n) for n in sizes]
            for phase, size in phases:
                if size > loaded:
                    began = time.perf_counter()
                    _load(writer, loaded + 1, size)
                    print(f"loaded {size - loaded:,} events in {time.perf_counter() - began:.0f}s")
                    loaded = size
                writer.execute(bench_sql(SQL, "analyze_log"))
                writer.execute(bench_sql(SQL, "checkpoint"))
                shape = writer.execute(bench_sql(SQL, "log_size")).fetchone() or {}
                for batch in batches:
                    times = _measure(writer, control, batch, cycles)
                    mid, p95 = median(times), percentile(times, 0.95)
                    base = baseline.setdefault(batch, (mid, p95))
                    note = (
                        f"{shape.get('events', 0):,} events in {shape.get('partitions')} partitions"
                    )
                    figures.append(
                        Figure(
                            phase,
                            f"route+claim of {batch}, median @ {phase}",
                            mid,
                            "ms",
                            "small log",
                            ratio(mid, base[0]),
                            note,
                        )
                    )
                    figures.append(
                        Figure(
                            phase,
                            f"route+claim of {batch}, p95 @ {phase}",
                            p95,
                            "ms",
                            "small log",
                            ratio(p95, base[1]),
                            note,
                        )
                    )
    print_figures("Route + claim as the event log grows", figures)
    return figures


def main(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000", help="Log sizes to grow to.")
    parser.add_argument("--baseline", type=int, default=10_000, help="Events of the small log.")
    parser.add_argument("--cycles", type=int, default=300, help="Measured cycles per point.")
    parser.add_argument("--batches", default="1,50", help="Events per cycle.")
    parser.add_argument("--admin-dsn", default=ADMIN_DSN)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    batches = [int(b) for b in args.batches.split(",")]
    if not 0 < args.baseline < sizes[0]:
        parser.error("--baseline must be positive and below the smallest of --sizes")
    return run(sizes, args.cycles, batches, args.admin_dsn, args.baseline)


if __name__ == "__main__":
    main()
