"""Drain throughput: a backlog committed while no worker runs, drained by each system.

    PYTHONPATH=. .venv/bin/python -m bench.drain [--events 20000]

Ours: 20,000 status UPDATEs (one transaction each, 1,000 entities) with our trigger, drained by
1 and 2 ``lxera-pipeline run --handlers bench.noop_handlers`` daemons; every delivery is checked
done and audited exactly once. Procrastinate: 20,000 deferred no-op jobs, its worker. PgQueuer:
20,000 enqueued no-op jobs, its worker at several batch sizes (the best is its figure). The rate is
completions / (last completion - first start), both read from each system's own tables; peak RSS
of every worker process is sampled with psutil.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.common import (
    BenchError,
    Figure,
    bench_sql,
    database_name,
    print_figures,
    ratio,
    scratch_database,
)
from bench.processes import Workers, running
from bench.systems import Config, done_count, drain_window, enqueue_backlog, install

TIMEOUT_SECONDS = 240.0
POLL_SECONDS = 0.2
OURS = (Config("ours", "ours, 1 daemon"), Config("ours", "ours, 2 daemons", processes=2))
PROCRASTINATE = (
    Config("procrastinate", "procrastinate, concurrency 10", args=("--concurrency", "10")),
)
PGQUEUER = tuple(
    Config("pgqueuer", f"pgqueuer, batch {size}", args=("--batch-size", str(size)))
    for size in (10, 50, 200, 1000)
)


@dataclass(frozen=True)
class DrainResult:
    config: Config
    rate: float
    counted: int
    wall: float
    peak_rss_mb: float
    note: str = ""


def wait_drained(dsn: str, config: Config, target: int, workers: Workers) -> float:
    """Poll until ``target`` completions; returns the wall time waited."""
    started = time.monotonic()
    with psycopg.connect(dsn, autocommit=True) as conn:
        while done_count(conn, config.system) < target:
            if time.monotonic() - started > TIMEOUT_SECONDS:
                raise BenchError(f"{config.label}: not drained within {TIMEOUT_SECONDS:.0f} s")
            workers.check_alive()
            time.sleep(POLL_SECONDS)
    return time.monotonic() - started


def verify_ours(dsn: str, events: int) -> str:
    """Every delivery done, audited once: the exactly-once bookkeeping we claim."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute(bench_sql("bench_items.sql", "drained")).fetchone()
    assert row is not None
    done, deliveries, audited, audited_once = row
    if not done == deliveries == audited == audited_once == events:
        raise BenchError(
            f"ours: {done} done / {deliveries} deliveries / {audited} audit rows / "
            f"{audited_once} distinct, expected {events} each"
        )
    return f"{events} deliveries done, {audited} audit rows, none twice"


def drain(config: Config, dsn: str, target: int, log: Path) -> DrainResult:
    with running(config.commands(dsn), config.env(dsn), log) as workers:
        wall = wait_drained(dsn, config, target, workers)
    first, last, counted = drain_window(dsn, config.system, target)
    peak = max([*workers.peak_rss.values(), *workers.peak_hwm.values(), 0]) / 2**20
    return DrainResult(
        config, counted / (last - first) if last > first else 0.0, counted, wall, peak
    )


def run_ours(events: int, log: Path) -> list[DrainResult]:
    results: list[DrainResult] = []
    with scratch_database("drain_backlog") as template:
        install("ours", template)
        enqueue_backlog("ours", template, events)
        for config in OURS:
            with scratch_database("drain_ours", template=database_name(template)) as dsn:
                result = drain(config, dsn, events, log)
                note = verify_ours(dsn, events)
            results.append(DrainResult(**{**result.__dict__, "note": note}))
    return results


def run_stale(events: int, sample: int, log: Path) -> DrainResult:
    """A burst into a long-lived queue whose statistics say 'nothing pending' (autovacuum has not
    analyzed since the burst): rate over the first ``sample`` completions, 1 daemon."""
    config = Config("ours", "ours, 1 daemon, burst on stale statistics")
    with scratch_database("drain_stale") as dsn:
        install("ours", dsn)
        enqueue_backlog("ours", dsn, events)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(bench_sql("bench_items.sql", "settle_history"))
            conn.execute("vacuum analyze pipeline.deliveries")
        enqueue_backlog("ours", dsn, events, analyze=False)
        result = drain(config, dsn, sample, log)
    note = (
        f"first {sample:,} of {events:,}; {events:,} done deliveries analyzed before the "
        "burst, none after"
    )
    return DrainResult(**{**result.__dict__, "note": note})


def run_baseline(config: Config, events: int, upto: int, log: Path) -> DrainResult:
    with scratch_database(f"drain_{config.system}") as dsn:
        install(config.system, dsn)
        enqueue_backlog(config.system, dsn, events)
        result = drain(config, dsn, upto, log)
    note = f"first {upto:,} of {events:,} completions" if upto < events else ""
    return DrainResult(**{**result.__dict__, "note": note})


def run_drain(events: int, sample: int, stale_sample: int, log: Path) -> list[DrainResult]:
    results = run_ours(events, log)
    if stale_sample > 0:
        results.append(run_stale(events, min(events, stale_sample), log))
    for config in PROCRASTINATE:
        results.append(run_baseline(config, events, min(events, sample), log))
    results += [run_baseline(config, events, events, log) for config in PGQUEUER]
    return results


def figures(results: Sequence[DrainResult]) -> list[Figure]:
    best_pgq = max((r for r in results if r.config.system == "pgqueuer"), key=lambda r: r.rate)
    best_proc = max(
        (r for r in results if r.config.system == "procrastinate"), key=lambda r: r.rate
    )
    rows = [
        Figure(
            "drain",
            r.config.label,
            r.rate,
            "events/s",
            f"PgQueuer best ({best_pgq.config.label})",
            ratio(r.rate, best_pgq.rate),
            "; ".join(
                filter(
                    None,
                    [
                        r.note,
                        f"wall {r.wall:.1f} s incl. start-up",
                        f"peak RSS {r.peak_rss_mb:.0f} MB/process",
                    ],
                )
            ),
        )
        for r in results
    ]
    for r in results:
        if r.config in OURS:
            rows.append(
                Figure(
                    "drain",
                    f"{r.config.label} vs Procrastinate",
                    r.rate,
                    "events/s",
                    best_proc.config.label,
                    ratio(r.rate, best_proc.rate),
                )
            )
            rows.append(
                Figure(
                    "rss",
                    f"{r.config.label}: peak RSS per daemon",
                    r.peak_rss_mb,
                    "MB",
                    f"PgQueuer worker ({best_pgq.peak_rss_mb:.0f} MB)",
                    ratio(r.peak_rss_mb, best_pgq.peak_rss_mb),
                )
            )
    return rows


def main(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="backlog size")
    parser.add_argument(
        "--sample",
        type=int,
        default=4_000,
        help="Procrastinate's rate is timed over its first N completions",
    )
    parser.add_argument(
        "--stale-sample",
        type=int,
        default=1_000,
        help="the stale-statistics run is timed over its first N completions (0: skip it)",
    )
    parser.add_argument("--log", type=Path, default=None, help="worker output (default: temp)")
    args = parser.parse_args(argv)
    log = args.log or Path(tempfile.mkdtemp(prefix="bench-drain-")) / "workers.log"
    rows = figures(run_drain(args.events, args.sample, args.stale_sample, log))
    print_figures(f"Drain throughput ({args.events:,}-event backlog; worker output in {log})", rows)
    return rows


if __name__ == "__main__":
    main()
