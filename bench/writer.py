"""Writer price: status UPDATEs per second with pgbench at 1 and 16 clients, per write path.

    PYTHONPATH=. .venv/bin/python -m bench.writer [--seconds 5] [--rounds 3]

Paths, all on one small table (1,000 rows) in a scratch database:
  bare           no trigger
  outbox         an outbox INSERT trigger writing our event row, no NOTIFY (the durable floor)
  outbox_notify  the same plus NOTIFY on every commit
  ours_idle      pipeline.track_status (one trigger: transition check + event row), no listener
  ours_listening the same with a listener following the wake-up protocol
  ours_pinned    the same with a listener armed for the whole run (every commit NOTIFYs)
  ours_daemon    the same while a real daemon (``lxera-pipeline run``) listens and handles them
  ours_unpinned  ours_idle without the search_path pin on the trigger function (the pin's price)
  ours_previous  the write path of migration 20261125000500 (BEFORE guard + AFTER emit, two locks)
  ours_two_locks our trigger, but taking the route key on every write too (writer_profile.sql)
  proposal_a/c   cheaper trigger shapes measured for the findings (bench/sql/writer_profile.sql)
The machine is shared, so every path runs in a pair with an outbox run right before or after it
(the order alternates by round): a path's ratio is the median over rounds of its tps divided by
its partner outbox run's tps (adjacent runs see the same machine load); tps are medians.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench.common import (
    SQL_DIR,
    BenchError,
    Figure,
    bench_sql,
    median,
    print_figures,
    scratch_database,
)
from bench.processes import Workers, running
from bench.systems import Config, install
from bench.wakeup_listener import WakeupListener

W, P = "writer.sql", "writer_profile.sql"
TRIGGERS: dict[str, tuple[tuple[str, str], ...]] = {
    "bare": (),
    "outbox": ((W, "trigger_outbox"),),
    "outbox_notify": ((W, "trigger_outbox_notify"),),
    "ours_idle": ((W, "trigger_ours"),),
    "ours_listening": ((W, "trigger_ours"),),
    "ours_pinned": ((W, "trigger_ours"),),
    "ours_daemon": ((W, "trigger_ours"),),
    # Ours without the search_path pin of its SECURITY DEFINER function: what the pin costs.
    "ours_unpinned": ((W, "trigger_ours"), (P, "unpin_emit")),
    # The previous write path and ours with a second lock, to compare in the same run.
    "ours_previous": ((P, "trigger_previous"),),
    "ours_two_locks": ((P, "trigger_two_locks"),),
    # Proposed cheaper shapes (see writer_profile.py and bench/FINDINGS.md).
    "proposal_a": ((P, "trigger_inline"),),
    "proposal_c": ((P, "trigger_event_only"),),
}
LISTENERS = {"ours_listening": False, "ours_pinned": True}
DEFAULT_PATHS = ("bare", "outbox", "outbox_notify", "ours_idle", "ours_listening", "ours_daemon")
DAEMON_READY_SECONDS = 20.0
CLIENTS = (1, 16)
TPS = re.compile(r"^tps = (?P<tps>[0-9.]+) \(without initial connection time\)", re.MULTILINE)


FLOOR = "outbox"


@dataclass
class WriterResults:
    samples: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    ratios: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def tps(self, path: str, clients: int) -> float:
        return median(self.samples[(path, clients)])

    def ratio(self, path: str, clients: int) -> float | None:
        if path == FLOOR:
            return 1.0
        found = self.ratios.get((path, clients))
        return median(found) if found else None

    def add(self, path: str, clients: int, tps: float, note: str) -> None:
        self.samples.setdefault((path, clients), []).append(tps)
        if note:
            self.notes[f"{path}@{clients}"] = note


def pgbench_binary() -> str:
    found = shutil.which("pgbench") or "/usr/bin/pgbench"
    if not shutil.which(found):
        raise BenchError("pgbench is not installed (apt-get install postgresql-client)")
    return found


def run_pgbench(dsn: str, clients: int, seconds: float) -> float:
    """One pgbench run of the status UPDATE script; returns its tps."""
    command = [
        pgbench_binary(),
        "-n",
        "-M",
        "prepared",
        "-f",
        str(SQL_DIR / "writer_update.pgbench"),
        "-c",
        str(clients),
        "-j",
        str(min(clients, 2)),
        "-T",
        str(int(seconds)),
        dsn,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    match = TPS.search(done.stdout)
    if done.returncode != 0 or match is None:
        raise BenchError(f"pgbench failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return float(match["tps"])


def prepare(dsn: str, path: str) -> None:
    """Attach ``path``'s triggers, empty the event tables, vacuum and checkpoint."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(bench_sql(W, "no_triggers"))
        for file_name, section in TRIGGERS[path]:
            conn.execute(bench_sql(file_name, section))
        conn.execute(bench_sql(W, "reset"))
        conn.execute("vacuum analyze")
        conn.execute("checkpoint")


def wait_for_listener(dsn: str, workers: Workers) -> None:
    deadline = time.monotonic() + DAEMON_READY_SECONDS
    with psycopg.connect(dsn, autocommit=True) as conn:
        while (row := conn.execute(bench_sql(W, "listeners")).fetchone()) and row[0] < 1:
            workers.check_alive()
            if time.monotonic() > deadline:
                raise BenchError(f"the daemon did not LISTEN within {DAEMON_READY_SECONDS:.0f} s")
            time.sleep(0.1)


def with_daemon(
    dsn: str, clients: int, seconds: float, daemon_env: Mapping[str, str] | None = None
) -> tuple[float, str]:
    """pgbench while a real daemon listens, claims and audits the events it writes
    (``daemon_env``: extra environment, e.g. the PYTHONPATH of another tree's daemon)."""
    config = Config("ours", "writer daemon")
    log = Path(tempfile.gettempdir()) / f"bench-writer-daemon-{os.getpid()}.log"
    env = {**config.env(dsn), **(daemon_env or {})}
    with running(config.commands(dsn), env, log) as workers:
        wait_for_listener(dsn, workers)
        tps = run_pgbench(dsn, clients, seconds)
    with psycopg.connect(dsn) as conn:
        row = conn.execute(bench_sql(W, "handled")).fetchone()
    handled, written = row if row else (0, 0)
    return tps, f"c={clients}: the daemon handled {handled:,} of {written:,} events meanwhile"


def measure(
    dsn: str,
    path: str,
    clients: int,
    seconds: float,
    daemon_env: Mapping[str, str] | None = None,
) -> tuple[float, str]:
    prepare(dsn, path)
    if path == "ours_daemon":
        return with_daemon(dsn, clients, seconds, daemon_env)
    if path not in LISTENERS:
        return run_pgbench(dsn, clients, seconds), ""
    listener = WakeupListener(dsn, pinned=LISTENERS[path])
    listener.start()
    try:
        tps = run_pgbench(dsn, clients, seconds)
    finally:
        counts = listener.stop()
    return tps, (
        f"c={clients}: {counts.notifications} wake-ups, {counts.armed} arms, "
        f"{counts.arm_refused} refused"
    )


def run_writer(paths: Sequence[str], seconds: float, rounds: int) -> WriterResults:
    results = WriterResults()
    with scratch_database("writer") as dsn:
        install("ours", dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(bench_sql(W, "schema"))
            conn.execute(bench_sql(P, "schema"))
        for round_no in range(rounds):
            for clients in CLIENTS:
                for path in paths:
                    if path != FLOOR:
                        run_pair(results, dsn, path, clients, seconds, path_first=round_no % 2 == 1)
    return results


def run_pair(
    results: WriterResults, dsn: str, path: str, clients: int, seconds: float, path_first: bool
) -> None:
    """``path`` and the outbox floor back to back; the ratio of the two."""
    tps: dict[str, float] = {}
    for name in (path, FLOOR) if path_first else (FLOOR, path):
        tps[name], note = measure(dsn, name, clients, seconds)
        results.add(name, clients, tps[name], note)
    if tps[FLOOR] > 0:
        results.ratios.setdefault((path, clients), []).append(tps[path] / tps[FLOOR])


def figures(results: WriterResults, paths: Sequence[str]) -> list[Figure]:
    rows: list[Figure] = []
    for clients in CLIENTS:
        for path in [FLOOR, *(p for p in paths if p != FLOOR)]:
            samples = ", ".join(f"{s:,.0f}" for s in results.samples[(path, clients)])
            note = "; ".join(
                filter(None, [f"runs: {samples}", results.notes.get(f"{path}@{clients}", "")])
            )
            rows.append(
                Figure(
                    "writer",
                    f"{path}, {clients} client(s)",
                    results.tps(path, clients),
                    "tps",
                    "outbox",
                    results.ratio(path, clients),
                    note,
                )
            )
    return rows


def main(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="pgbench run length")
    parser.add_argument("--rounds", type=int, default=3, help="pairs per cell (medians reported)")
    parser.add_argument(
        "--paths",
        default=",".join(DEFAULT_PATHS),
        help=f"comma-separated write paths among {', '.join(TRIGGERS)}",
    )
    args = parser.parse_args(argv)
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    unknown = [p for p in paths if p not in TRIGGERS]
    if unknown:
        parser.error(f"unknown write path(s) {unknown}; choose among {', '.join(TRIGGERS)}")
    rows = figures(run_writer(paths, args.seconds, args.rounds), paths)
    print_figures("Writer price (pgbench status UPDATEs; ratio to outbox-without-NOTIFY)", rows)
    return rows


if __name__ == "__main__":
    main()
