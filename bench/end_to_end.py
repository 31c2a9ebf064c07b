"""End to end: writers and one worker together, ours against PgQueuer, in the same run.

    PYTHONPATH=. .venv/bin/python -m bench.end_to_end [--seconds 60] [--clients 1,16]

Throughput. For each client count, ``clients`` connections commit status changes as fast as they
can for ``--seconds`` while one worker handles them:
  ours      a status UPDATE of a bench_items row (its trigger writes the event); one
            ``lxera-pipeline run --handlers bench.noop_handlers`` daemon, one no-op handler run
            per change;
  pgqueuer  the same UPDATE on a plain copy of bench_items and a PgQueuer enqueue of a no-op job
            in the same transaction; one PgQueuer consumer (``--pgqueuer-batch``).
Handled/s counts the completions that finished while the writers ran; afterwards the backlog
must drain (``--settle`` s at most) and every change must have been handled exactly once (ours:
one delivery per event, done, one succeeded audit row each; PgQueuer: one successful log row per
job, the queue empty).

Latency. At ``--rate`` changes/s (open loop, 8 connections) for ``--latency-seconds``: p99 from
COMMIT returning to the handler's start, both systems writing as above.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
import psycopg
from pgqueuer import PsycopgDriver, Queries

from bench.baselines import pgqueuer_app
from bench.common import (
    ADMIN_DSN,
    BenchError,
    Figure,
    bench_sql,
    markdown_table,
    percentile,
    print_figures,
    ratio,
    scratch_database,
)
from bench.latency import latencies, wait_for_starts
from bench.processes import Workers, backend_cpu_ns, host_busy_seconds, running
from bench.rate_writer import Commit, CommitFactory, write_steadily
from bench.rate_writer import ours as ours_factory
from bench.start_log import ENV_DIR
from bench.systems import Config, done_count, install

SYSTEMS = ("ours", "pgqueuer")
WARMUP_UNITS = 50
READY_TIMEOUT = 60.0
POLL_SECONDS = 0.2
LATENCY_CONNECTIONS = 8
LATENCY_SETTLE = 10.0  # a unit not started this long after the last commit: never
PGQUEUER_HANDLED_BETWEEN = """
select count(*) from pgqueuer_log
 where status = 'successful'
   and created >= to_timestamp(%(start)s) and created < to_timestamp(%(end)s)
"""
PGQUEUER_EXACTLY_ONCE = """
select (select count(*) from pgqueuer_log where status = 'successful') as succeeded,
       (select count(distinct job_id) from pgqueuer_log where status = 'successful') as jobs,
       (select count(*) from pgqueuer) as queued
"""


def pgqueuer_factory(dsn: str) -> CommitFactory:
    """The baseline's writer: UPDATE a bench_items row and enqueue a job, one transaction."""

    @asynccontextmanager
    async def factory() -> AsyncIterator[Commit]:
        async with await pgqueuer_app.connect(dsn) as conn:
            queries = Queries(PsycopgDriver(conn))
            flip = bench_sql("bench_items.sql", "flip")

            async def commit(seq: int) -> None:
                async with conn.transaction():
                    await conn.execute(flip, {"seq": seq, "n": seq % 1000 + 1})
                    await queries.enqueue(pgqueuer_app.ENTRYPOINT, str(seq).encode())

            yield commit

    return factory


FACTORIES = {"ours": ours_factory, "pgqueuer": pgqueuer_factory}


def config(system: str, batch: int) -> Config:
    if system == "ours":
        return Config("ours", "ours, 1 daemon")
    return Config("pgqueuer", f"pgqueuer, batch {batch}", args=("--batch-size", str(batch)))


def prepare(system: str, dsn: str) -> None:
    install(system, dsn)
    if system == "pgqueuer":
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(bench_sql("bench_items.sql", "plain_table"))


async def write_closed_loop(factory: CommitFactory, clients: int, seconds: float) -> int:
    """Each client commits units back to back until ``seconds`` passed; the number committed."""
    deadline = time.monotonic() + seconds
    counts = [0] * clients

    async def client(index: int) -> None:
        rng = random.Random(index)
        async with factory() as commit:
            while time.monotonic() < deadline:
                await commit(rng.randrange(1_000_000_000))
                counts[index] += 1

    async with anyio.create_task_group() as group:
        for index in range(clients):
            group.start_soon(client, index)
    return sum(counts)


def wait_done(dsn: str, system: str, target: int, timeout: float, workers: Workers) -> float:
    """Poll until ``target`` units are handled; the seconds waited (inf on timeout)."""
    started = time.monotonic()
    with psycopg.connect(dsn, autocommit=True) as conn:
        while done_count(conn, system) < target:
            workers.check_alive()
            if time.monotonic() - started > timeout:
                return math.inf
            time.sleep(POLL_SECONDS)
    return time.monotonic() - started


def handled_between(dsn: str, system: str, start: float, end: float) -> int:
    query = (
        bench_sql("bench_items.sql", "handled_between")
        if system == "ours"
        else PGQUEUER_HANDLED_BETWEEN
    )
    with psycopg.connect(dsn) as conn:
        row = conn.execute(query, {"start": start, "end": end}).fetchone()
    return int(row[0]) if row else 0


def exactly_once_problem(dsn: str, system: str, units: int) -> str:
    """'' when every unit was handled exactly once, else what is wrong."""
    with psycopg.connect(dsn) as conn:
        if system == "ours":
            row = conn.execute(bench_sql("bench_items.sql", "exactly_once")).fetchone()
            assert row is not None
            events, deliveries, done, succeeded, audited = (int(v) for v in row)
            if (events, deliveries, done, succeeded, audited) != (units,) * 5:
                return (
                    f"{units} changes: {events} events, {deliveries} deliveries, {done} done, "
                    f"{succeeded} succeeded audit rows over {audited} deliveries"
                )
            return ""
        row = conn.execute(PGQUEUER_EXACTLY_ONCE).fetchone()
        assert row is not None
        succeeded, jobs, queued = (int(v) for v in row)
        if (succeeded, jobs, queued) != (units, units, 0):
            return (
                f"{units} jobs: {succeeded} successful log rows over {jobs} jobs, {queued} queued"
            )
        return ""


@dataclass(frozen=True)
class CpuMark:
    """CPU used so far by the worker (its processes and the backends it had open when the writers
    started; the writers' backends are not among them) and by the whole host."""

    backends: dict[int, int]  # worker backend pid -> on-CPU ns
    processes: float
    host_busy: float

    @classmethod
    def take(cls, pids: Sequence[int], workers: Workers) -> CpuMark:
        return cls(
            {pid: backend_cpu_ns(pid) for pid in pids}, workers.cpu_seconds(), host_busy_seconds()
        )

    def worker_seconds_since(self, earlier: CpuMark) -> float:
        server = sum(
            max(0, ns - earlier.backends.get(pid, ns)) for pid, ns in self.backends.items()
        )
        return server / 1e9 + self.processes - earlier.processes


def worker_backends(dsn: str) -> list[int]:
    """The backends open on the run's database before the writers connect: the worker's."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "select pid from pg_stat_activity"
            " where datname = current_database() and pid <> pg_backend_pid()"
        ).fetchall()
    return [int(pid) for (pid,) in rows]


@dataclass(frozen=True)
class Throughput:
    system: str
    clients: int
    seconds: float
    committed: int
    handled: int
    drain_seconds: float
    problem: str
    worker_cpu: float  # CPU seconds of the worker and its backends while the writers ran
    host_busy: float  # CPU seconds the host spent busy meanwhile (all cores)

    @property
    def handled_per_second(self) -> float:
        return self.handled / self.seconds

    @property
    def committed_per_second(self) -> float:
        return self.committed / self.seconds

    @property
    def worker_us_per_event(self) -> float:
        return self.worker_cpu / self.handled * 1e6 if self.handled else math.nan

    def host_share(self, seconds: float) -> float:
        """``seconds`` of CPU as a share of all the host's cores over the run."""
        return seconds / (self.seconds * (os.cpu_count() or 1))


def throughput(
    system: str, clients: int, seconds: float, settle: float, batch: int, log: Path, admin: str
) -> Throughput:
    cfg = config(system, batch)
    factory = FACTORIES[system]
    with scratch_database(f"e2e_{system}_{clients}", admin_dsn=admin) as dsn:
        prepare(system, dsn)
        with running(cfg.commands(dsn), cfg.env(dsn), log) as workers:
            anyio.run(write_steadily, factory(dsn), 100, WARMUP_UNITS / 100, -WARMUP_UNITS, 1)
            if math.isinf(wait_done(dsn, system, WARMUP_UNITS, READY_TIMEOUT, workers)):
                raise BenchError(f"{cfg.label}: the warm-up was not handled")
            pids = worker_backends(dsn)
            before = CpuMark.take(pids, workers)
            start = time.time()
            committed = anyio.run(write_closed_loop, factory(dsn), clients, seconds)
            end = time.time()
            after = CpuMark.take(pids, workers)
            units = WARMUP_UNITS + committed
            drain = wait_done(dsn, system, units, settle, workers)
        handled = handled_between(dsn, system, start, end)
        problem = exactly_once_problem(dsn, system, units)
    return Throughput(
        system,
        clients,
        end - start,
        committed,
        handled,
        drain,
        problem,
        worker_cpu=after.worker_seconds_since(before),
        host_busy=after.host_busy - before.host_busy,
    )


def writers_alone(system: str, clients: int, seconds: float, admin: str) -> float:
    """The same writers with no worker running: their own ceiling, in commits/s."""
    with scratch_database(f"e2e_alone_{system}_{clients}", admin_dsn=admin) as dsn:
        prepare(system, dsn)
        started = time.monotonic()
        committed = anyio.run(write_closed_loop, FACTORIES[system](dsn), clients, seconds)
        return committed / (time.monotonic() - started)


@dataclass(frozen=True)
class Latency:
    system: str
    rate: int
    samples: int
    late: int
    p50: float
    p99: float


def latency(system: str, rate: int, seconds: float, batch: int, log: Path, admin: str) -> Latency:
    cfg = config(system, batch)
    with (
        tempfile.TemporaryDirectory(prefix="bench-e2e-") as folder_name,
        scratch_database(f"e2e_latency_{system}", admin_dsn=admin) as dsn,
    ):
        folder = Path(folder_name)
        prepare(system, dsn)
        env = {**cfg.env(dsn), ENV_DIR: str(folder)}
        with running(cfg.commands(dsn), env, log) as workers:
            factory = FACTORIES[system](dsn)
            anyio.run(write_steadily, factory, rate, 1.0, 1_000_000, LATENCY_CONNECTIONS)
            if math.isinf(wait_done(dsn, system, rate, READY_TIMEOUT, workers)):
                raise BenchError(f"{cfg.label}: the warm-up was not handled")
            committed = anyio.run(write_steadily, factory, rate, seconds, 0, LATENCY_CONNECTIONS)
            starts = wait_for_starts(folder, list(committed), LATENCY_SETTLE)
            workers.check_alive()
    values = latencies(committed, starts)
    late = sum(1 for value in values if math.isinf(value))
    return Latency(
        system, rate, len(values), late, percentile(values, 0.5), percentile(values, 0.99)
    )


def figures(
    runs: Sequence[Throughput], lags: Sequence[Latency], alone: dict[tuple[str, int], float]
) -> list[Figure]:
    rows: list[Figure] = []
    for clients in sorted({n for _, n in alone}):
        for system in SYSTEMS:
            rows.append(
                Figure(
                    "end_to_end",
                    f"{system}, {clients} writer(s), no worker: commits/s",
                    alone[(system, clients)],
                    "commits/s",
                    "PgQueuer",
                    ratio(alone[(system, clients)], alone[("pgqueuer", clients)]),
                    "the writers' own ceiling (profile)",
                )
            )
    for clients in sorted({r.clients for r in runs}):
        base = next(r for r in runs if r.clients == clients and r.system == "pgqueuer")
        for r in (r for r in runs if r.clients == clients):
            drained = (
                "backlog NOT drained"
                if math.isinf(r.drain_seconds)
                else f"backlog drained {r.drain_seconds:.1f} s after the writers stopped"
            )
            once = r.problem or "every change handled exactly once"
            rows.append(
                Figure(
                    "end_to_end",
                    f"{config(r.system, 0).label.split(',')[0]}, {clients} writer(s): handled/s",
                    r.handled_per_second,
                    "events/s",
                    "PgQueuer",
                    ratio(r.handled_per_second, base.handled_per_second),
                    f"{r.committed:,} committed ({r.committed_per_second:,.0f}/s) in "
                    f"{r.seconds:.1f} s; {drained}; {once}",
                )
            )
        for r in (r for r in runs if r.clients == clients):
            rows.append(
                Figure(
                    "end_to_end",
                    f"{r.system}, {clients} writer(s): worker CPU per handled event",
                    r.worker_us_per_event,
                    "µs",
                    "PgQueuer",
                    ratio(r.worker_us_per_event, base.worker_us_per_event),
                    f"the worker (process and backends) used {r.host_share(r.worker_cpu):.0%} "
                    f"of the host's CPU while the writers ran; the host was "
                    f"{r.host_share(r.host_busy):.0%} busy (writers, their backends, other load)",
                )
            )
    for rate in sorted({lag.rate for lag in lags}):
        base_lag = next(lag for lag in lags if lag.rate == rate and lag.system == "pgqueuer")
        for lag in (lag for lag in lags if lag.rate == rate):
            value = lag.p99 if not math.isinf(lag.p99) else float("nan")
            rows.append(
                Figure(
                    "end_to_end",
                    f"{lag.system} @ {rate}/s: p99 commit->start",
                    value,
                    "ms",
                    "PgQueuer",
                    None
                    if math.isnan(value) or math.isinf(base_lag.p99)
                    else ratio(value, base_lag.p99),
                    f"p50 {lag.p50:.1f} ms; {lag.samples} commits"
                    + (f", {lag.late} never started" if lag.late else ""),
                )
            )
    return rows


def main(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="writers' run per client count")
    parser.add_argument("--clients", default="1,16", help="comma-separated writer connections")
    parser.add_argument("--settle", type=float, default=120.0, help="drain wait after writing")
    parser.add_argument("--rate", type=int, default=1000, help="latency: changes/s")
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--pgqueuer-batch", type=int, default=10)
    parser.add_argument("--log", type=Path, default=None, help="worker output (default: temp)")
    parser.add_argument("--admin-dsn", default=ADMIN_DSN, help="a role that may create databases")
    parser.add_argument("--output", type=Path, default=None, help="also write the table here")
    parser.add_argument(
        "--alone", action="store_true", help="also measure the writers with no worker (profile)"
    )
    args = parser.parse_args(argv)
    began = time.monotonic()
    log = args.log or Path(tempfile.mkdtemp(prefix="bench-e2e-")) / "workers.log"
    clients = [int(c) for c in args.clients.split(",") if c.strip()]
    runs = [
        throughput(system, n, args.seconds, args.settle, args.pgqueuer_batch, log, args.admin_dsn)
        for n in clients
        for system in SYSTEMS
    ]
    lags = [
        latency(system, args.rate, args.latency_seconds, args.pgqueuer_batch, log, args.admin_dsn)
        for system in SYSTEMS
    ]
    alone = {
        (system, n): writers_alone(system, n, min(args.seconds, 10.0), args.admin_dsn)
        for n in (clients if args.alone else [])
        for system in SYSTEMS
    }
    rows = figures(runs, lags, alone)
    title = (
        "End to end: writers and one worker together (ratio to PgQueuer in the same run; "
        "handled/s higher is better, p99 lower is better)"
    )
    print_figures(title, rows)
    if args.output:
        from bench.run_all import environment  # run_all imports this module

        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        command = " ".join(
            [
                "PYTHONPATH=. .venv/bin/python -m bench.end_to_end",
                *(sys.argv[1:] if argv is None else argv),
            ]
        )
        lines = [
            "# End-to-end benchmark",
            "",
            f"Command: `{command}`",
            "",
            *environment(admin_dsn=args.admin_dsn),
            f"- run time {time.monotonic() - began:.0f} s; load average at the end {load}",
            "",
            f"## {title}",
            "",
            markdown_table(rows),
        ]
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text("\n".join(lines) + "\n")
    return rows


if __name__ == "__main__":
    main()
