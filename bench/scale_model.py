"""Scale-out model: N daemons x M events/s, from measured per-event costs, and where PostgreSQL
saturates; checked against a real run of several daemons on this host.

    PYTHONPATH=. .venv/bin/python -m bench.scale_model [--events 40000] [--check-daemons 3]

1. Calibrate (1 daemon): a backlog of status changes is written with the project's trigger (one
   transaction each) and drained by one real `lxera-pipeline run` daemon with the no-op handler.
   Measured: the server CPU per event written (the writer backend's on-CPU time from
   /proc/<pid>/schedstat), the server CPU per delivery handled (routing, claim, completion and
   audit: every backend of the scratch database, same source) and the daemon's own CPU per
   delivery (psutil), over the middle of the drain (start-up excluded).
2. Model: at M events/s with F deliveries per event and handlers of H seconds,
      database cores  = M * (write + F * db)
      daemon load     = M * F * daemon / N   (one asyncio thread: at most 1 core per daemon)
      handler slots   = M * F * H / (N * concurrency)
   The group saturates at the first of: the database's cores, the daemons' cores, their slots.
   Lock waits, I/O and the network are not modelled (they add latency, not CPU); the database
   cores are the ceiling no number of daemons lifts.
3. Check: the same backlog drained by --check-daemons daemons; the model, given the cores the
   other processes on this host left free during that run, predicts the drain rate; the table
   shows both. Needs the PostgreSQL server on this host (BENCH_ADMIN_DSN) and the bench extra.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.common import BenchError, bench_sql, database_name, scratch_database
from bench.processes import Workers, backend_cpu_ns, host_busy_seconds, running
from bench.systems import DONE, Config, install

TIMEOUT_SECONDS = 240.0
POLL_SECONDS = 0.05
WINDOW = (0.1, 0.95)  # the share of the backlog between the two samples


@dataclass(frozen=True)
class Costs:
    """Measured CPU seconds per unit of work."""

    write: float  # server CPU per event written (trigger, event row, locks)
    db: float  # server CPU per delivery handled (route, claim, complete, audit)
    daemon: float  # daemon process CPU per delivery


@dataclass(frozen=True)
class Load:
    daemons: int
    events_per_second: float
    fanout: float = 1.0  # deliveries per event
    handler_seconds: float = 0.0
    concurrency: int = 16


@dataclass(frozen=True)
class Prediction:
    db_cores: float
    daemon_cores_each: float
    slots_used: float
    bottleneck: str
    max_events_per_second: float


def predict(costs: Costs, load: Load, db_cores: float) -> Prediction:
    """What ``load`` costs, and the event rate at which the first resource runs out."""
    per_event_db = costs.write + load.fanout * costs.db
    per_event_daemon = load.fanout * costs.daemon / load.daemons
    per_event_slots = load.fanout * load.handler_seconds / (load.daemons * load.concurrency)
    limits = {"database CPU": db_cores / per_event_db, "daemon CPU": 1.0 / per_event_daemon}
    if per_event_slots > 0:
        limits["handler slots"] = 1.0 / per_event_slots
    bottleneck = min(limits, key=lambda name: limits[name])
    m = load.events_per_second
    return Prediction(
        db_cores=m * per_event_db,
        daemon_cores_each=m * per_event_daemon,
        slots_used=m * per_event_slots,
        bottleneck=bottleneck,
        max_events_per_second=limits[bottleneck],
    )


def drain_rate_on_one_host(costs: Costs, daemons: int, free_cores: float) -> float:
    """A backlog drain where the database and the daemons share ``free_cores`` (this machine):
    deliveries/s is bounded by the shared cores and by one core per daemon."""
    shared = free_cores / (costs.db + costs.daemon)
    return min(shared, daemons / costs.daemon)


# --- measurement ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    at: float
    done: int
    server: dict[int, int]  # backend pid -> on-CPU ns
    daemons: float  # CPU seconds of the daemon processes
    host_busy: float


def _sample(conn: psycopg.Connection[tuple[int]], db: str, workers: Workers) -> Sample:
    row = conn.execute(DONE["ours"]).fetchone()
    pids = conn.execute(
        "select pid from pg_stat_activity where datname = %s and pid <> pg_backend_pid()", (db,)
    ).fetchall()
    return Sample(
        at=time.monotonic(),
        done=int(row[0]) if row else 0,
        server={pid: backend_cpu_ns(pid) for (pid,) in pids},
        daemons=workers.cpu_seconds(),
        host_busy=host_busy_seconds(),
    )


@dataclass(frozen=True)
class Run:
    daemons: int
    deliveries: int
    seconds: float
    server_cpu: float
    daemon_cpu: float
    host_busy: float

    @property
    def rate(self) -> float:
        return self.deliveries / self.seconds

    @property
    def other_cores(self) -> float:
        """Cores busy with anything but this run's backends and daemons (other load)."""
        ours = self.server_cpu + self.daemon_cpu
        return max(0.0, (self.host_busy - ours) / self.seconds)


def drain(dsn: str, daemons: int, events: int, log: Path) -> Run:
    db = database_name(dsn)
    config = Config("ours", f"{daemons} daemons", processes=daemons)
    low, high = (int(events * share) for share in WINDOW)
    samples: list[Sample] = []
    with (
        psycopg.connect(dsn, autocommit=True) as conn,
        running(config.commands(dsn), config.env(dsn), log) as workers,
    ):
        started = time.monotonic()
        for target in (low, high):
            while True:
                sample = _sample(conn, db, workers)
                if sample.done >= target:
                    samples.append(sample)
                    break
                if time.monotonic() - started > TIMEOUT_SECONDS:
                    raise BenchError(f"{daemons} daemons: not drained within {TIMEOUT_SECONDS} s")
                workers.check_alive()
                time.sleep(POLL_SECONDS)
    first, last = samples
    server = sum(ns - first.server.get(pid, 0) for pid, ns in last.server.items()) / 1e9
    return Run(
        daemons=daemons,
        deliveries=last.done - first.done,
        seconds=last.at - first.at,
        server_cpu=server,
        daemon_cpu=last.daemons - first.daemons,
        host_busy=last.host_busy - first.host_busy,
    )


def write_backlog(dsn: str, events: int) -> float:
    """Write the backlog in one backend; returns its server CPU seconds per event."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("select pg_backend_pid()").fetchone()
        assert row is not None
        pid = int(row[0])
        before = backend_cpu_ns(pid)
        if before == 0:
            raise BenchError("the model needs the PostgreSQL server on this host (/proc)")
        conn.execute(bench_sql("bench_items.sql", "backlog").format(n=events))
        spent = (backend_cpu_ns(pid) - before) / 1e9
        conn.execute("analyze")
    return spent / events


def calibrate_and_check(events: int, check_daemons: int, log: Path) -> tuple[Costs, list[Run]]:
    runs: list[Run] = []
    with scratch_database("scale_backlog") as template:
        install("ours", template)
        write = write_backlog(template, events)
        for daemons in (1, check_daemons):
            with scratch_database("scale_drain", template=database_name(template)) as dsn:
                runs.append(drain(dsn, daemons, events, log))
    one = runs[0]
    costs = Costs(
        write=write,
        db=one.server_cpu / one.deliveries,
        daemon=one.daemon_cpu / one.deliveries,
    )
    return costs, runs


# --- report --------------------------------------------------------------------------------------


def model_table(costs: Costs, db_cores: float, fanout: float, handler_seconds: float) -> str:
    rows = [
        "| daemons | events/s | database cores | daemon CPU each | bottleneck | saturates at |",
        "|---:|---:|---:|---:|---|---:|",
    ]
    for daemons in (1, 2, 3, 8):
        for rate in (1_000, 10_000, 25_000):
            load = Load(daemons, rate, fanout=fanout, handler_seconds=handler_seconds)
            p = predict(costs, load, db_cores)
            flag = " **over**" if rate > p.max_events_per_second else ""
            rows.append(
                f"| {daemons} | {rate:,} | {p.db_cores:.2f} of {db_cores:g}{flag} | "
                f"{p.daemon_cores_each:.2f} | {p.bottleneck} | "
                f"{p.max_events_per_second:,.0f} events/s |"
            )
    return "\n".join(rows)


def check_table(costs: Costs, runs: Sequence[Run]) -> str:
    cores = os.cpu_count() or 1
    rows = [
        "| daemons | drained | measured | other load | predicted | predicted/measured |"
        " server CPU/delivery | daemon CPU/delivery |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        free = max(0.1, cores - run.other_cores)
        predicted = drain_rate_on_one_host(costs, run.daemons, free)
        rows.append(
            f"| {run.daemons} | {run.deliveries:,} in {run.seconds:.2f} s | "
            f"{run.rate:,.0f}/s | {run.other_cores:.2f} of {cores} cores | {predicted:,.0f}/s | "
            f"{predicted / run.rate:.2f} | {run.server_cpu / run.deliveries * 1e6:.0f} us | "
            f"{run.daemon_cpu / run.deliveries * 1e6:.0f} us |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=40_000)
    parser.add_argument("--check-daemons", type=int, default=3)
    parser.add_argument("--db-cores", type=float, default=4.0, help="cores of the modelled DB")
    parser.add_argument("--fanout", type=float, default=1.0, help="deliveries per event")
    parser.add_argument("--handler-seconds", type=float, default=0.0)
    args = parser.parse_args(argv)
    if not 1_000 <= args.events <= 1_000_000 or not 1 <= args.check_daemons <= 16:
        parser.error("--events must be 1,000..1,000,000 and --check-daemons 1..16")
    log = Path(tempfile.gettempdir()) / f"bench-scale-{os.getpid()}.log"
    load_before = os.getloadavg()
    costs, runs = calibrate_and_check(args.events, args.check_daemons, log)
    print(f"# Scale model ({args.events:,}-event backlog, {os.cpu_count()} cores here)\n")
    print(
        f"Load average before the run: {load_before[0]:.2f} (1 min), after: "
        f"{os.getloadavg()[0]:.2f}\n\nMeasured costs (1 daemon, middle "
        f"{WINDOW[0]:.0%}-{WINDOW[1]:.0%} of the drain): writer {costs.write * 1e6:.0f} us "
        f"server CPU per event; {costs.db * 1e6:.0f} us server CPU and "
        f"{costs.daemon * 1e6:.0f} us daemon CPU per delivery.\n"
    )
    print(
        f"## Model: a {args.db_cores:g}-core database, fan-out {args.fanout:g}, handlers of "
        f"{args.handler_seconds:g} s\n"
    )
    print(model_table(costs, args.db_cores, args.fanout, args.handler_seconds))
    print("\n## Check against real drains on this host (database and daemons share the cores)\n")
    print(check_table(costs, runs))
    print(f"\nDaemon logs: {log}")
    sat = costs.write + args.fanout * costs.db
    print(
        f"\nA {args.db_cores:g}-core database saturates near "
        f"{args.db_cores / sat:,.0f} events/s whatever the number of daemons; "
        f"{math.ceil(args.db_cores / sat * args.fanout * costs.daemon)} daemons are enough to "
        "reach that with no-op handlers."
    )


if __name__ == "__main__":
    main()
