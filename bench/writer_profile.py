"""Where the writer's time goes: server CPU per status UPDATE for each piece of our trigger.

    PYTHONPATH=. .venv/bin/python -m bench.writer_profile [--updates 3000] [--rounds 3]

Runs N one-row UPDATE transactions inside one backend (a DO loop that commits each) and reads
that backend's on-CPU time from /proc/<pid>/schedstat, so other load on the machine barely
moves the figure (unlike tps). Needs the PostgreSQL server on this host. Variants compare our
trigger with the outbox floor, price the events table's indexes and the second advisory lock,
and keep the earlier shapes for comparison (bench/sql/writer_profile.sql).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import psycopg
from psycopg import sql

from bench.common import (
    BenchError,
    Figure,
    bench_sql,
    median,
    print_figures,
    ratio,
    scratch_database,
)
from bench.processes import backend_cpu_ns
from bench.systems import install

Section = tuple[str, str]
W, P = "writer.sql", "writer_profile.sql"
VARIANTS: dict[str, tuple[Section, ...]] = {
    "bare (no trigger)": (),
    "outbox INSERT, no NOTIFY (floor)": ((W, "trigger_outbox"),),
    "ours: one trigger (pipeline.track_status)": ((W, "trigger_ours"),),
    # ... without the search_path pinned on its SECURITY DEFINER function (20261125000700).
    "ours, emit function not pinned": ((W, "trigger_ours"), (P, "unpin_emit")),
    # The same outbox trigger writing into pipeline.events: what the events table's indexes cost.
    "outbox INSERT into pipeline.events": ((P, "trigger_outbox_events"),),
    # ... and without the BRIN and the two partial indexes of pipeline.events.
    "ours minus 3 event indexes (BRIN, 2 partial)": (
        (W, "trigger_ours"),
        (P, "drop_event_side_indexes"),
    ),
    # ours, but the route key on every write and the wake key after the insert (two locks).
    "ours with two advisory locks": ((P, "trigger_two_locks"),),
    # The write path of migration 20261125000500: BEFORE guard + AFTER emit, two locks.
    "previous: guard + emit (20261125000500)": ((P, "trigger_previous"),),
    "proposal A: inlined guard + inlined emit": ((P, "trigger_inline"),),
    "proposal B: A + 3 secondary indexes dropped": (
        (P, "trigger_inline"),
        (P, "drop_secondary_indexes"),
    ),
    "proposal C: A, event row only (daemon fans out)": ((P, "trigger_event_only"),),
    "proposal D: C + 2 event indexes dropped": (
        (P, "trigger_event_only"),
        (P, "drop_secondary_indexes"),
    ),
}
WARMUP = 300


def local_backend_cpu_ns(pid: int) -> int:
    ns = backend_cpu_ns(pid)
    if ns == 0:
        raise BenchError(
            "the writer profile needs the PostgreSQL server on this host "
            f"(no /proc/{pid}/schedstat); run it on the database machine"
        )
    return ns


def apply(conn: psycopg.Connection[tuple[int]], sections: Sequence[Section]) -> None:
    conn.execute(bench_sql(W, "no_triggers"))
    conn.execute(bench_sql(P, "no_triggers"))
    conn.execute(bench_sql(P, "restore_secondary_indexes"))
    for file_name, name in sections:
        conn.execute(bench_sql(file_name, name))
    conn.execute(bench_sql(W, "reset"))
    conn.execute("vacuum analyze")


def loop(conn: psycopg.Connection[tuple[int]], updates: int) -> None:
    conn.execute(bench_sql(P, "loop").format(n=sql.Literal(updates)))


def cpu_per_update(dsn: str, sections: Sequence[Section], updates: int) -> tuple[float, float]:
    """(server CPU µs, wall µs) per UPDATE transaction for one variant."""
    with psycopg.connect(dsn, autocommit=True, application_name="bench:writer-profile") as conn:
        apply(conn, sections)
        row = conn.execute("select pg_backend_pid()").fetchone()
        assert row is not None
        loop(conn, WARMUP)
        cpu, wall = local_backend_cpu_ns(row[0]), time.perf_counter()
        loop(conn, updates)
        cpu, wall = local_backend_cpu_ns(row[0]) - cpu, time.perf_counter() - wall
    return cpu / updates / 1000, wall / updates * 1e6


def run_profile(updates: int, rounds: int) -> dict[str, list[tuple[float, float]]]:
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in VARIANTS}
    with scratch_database("writer_profile") as dsn:
        install("ours", dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(bench_sql(W, "schema"))
            conn.execute(bench_sql(P, "schema"))
        for _ in range(rounds):
            for name, sections in VARIANTS.items():
                samples[name].append(cpu_per_update(dsn, sections, updates))
    return samples


def figures(samples: dict[str, list[tuple[float, float]]]) -> list[Figure]:
    cpu = {name: min(s[0] for s in runs) for name, runs in samples.items()}
    floor = cpu["outbox INSERT, no NOTIFY (floor)"]
    return [
        Figure(
            "writer_profile",
            name,
            value,
            "µs CPU/update (best)",
            "outbox CPU",
            ratio(value, floor),
            f"{value - floor:+.0f} µs vs outbox; wall "
            f"{median([s[1] for s in samples[name]]):.0f} µs/update",
        )
        for name, value in cpu.items()
    ]


def main(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000, help="UPDATEs per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="measurements per variant (best)")
    args = parser.parse_args(argv)
    rows = figures(run_profile(args.updates, args.rounds))
    print_figures("Writer profile (server CPU per status UPDATE transaction)", rows)
    return rows


if __name__ == "__main__":
    main()
