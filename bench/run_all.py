"""Every benchmark in one run, printed and written to bench/results/latest.md.

    PYTHONPATH=. .venv/bin/python -m bench.run_all [--quick] [--output bench/results/latest.md]

Runs the writer price, the writer CPU profile, the drain (20,000 events) and the latency runs on
the PostgreSQL at ``BENCH_ADMIN_DSN`` (default postgresql://postgres@127.0.0.1:5432/postgres),
in scratch databases it drops afterwards. About 7 minutes on 2 cores; ``--quick`` for a smoke run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import psycopg

from bench import drain, end_to_end, latency, writer, writer_profile
from bench.common import ADMIN_DSN, REPO_ROOT, Figure, markdown_table

Section = tuple[str, Callable[[Sequence[str]], list[Figure]], list[str]]
# (target, figure name, the ratio it must reach, True if the ratio must be at least that)
TARGETS = (
    ("writer >= 90% of outbox, 1 client", "ours_idle, 1 client(s)", 0.90, True),
    ("writer >= 90% of outbox, 16 clients", "ours_idle, 16 client(s)", 0.90, True),
    ("... with a listener armed, 1 client", "ours_listening, 1 client(s)", 0.90, True),
    ("... with a listener armed, 16 clients", "ours_listening, 16 client(s)", 0.90, True),
    ("... with a real daemon running, 1 client", "ours_daemon, 1 client(s)", 0.90, True),
    ("... with a real daemon running, 16 clients", "ours_daemon, 16 client(s)", 0.90, True),
    ("drain >= PgQueuer best, 1 daemon", "ours, 1 daemon", 1.0, True),
    ("drain >= PgQueuer best, 2 daemons", "ours, 2 daemons", 1.0, True),
    ("drain >= 5x Procrastinate, 1 daemon", "ours, 1 daemon vs Procrastinate", 5.0, True),
    ("drain >= 5x Procrastinate, 2 daemons", "ours, 2 daemons vs Procrastinate", 5.0, True),
    ("p99 @ 100/s <= better baseline, 1 daemon", "ours, 1 daemon @ 100/s: p99", 1.0, False),
    ("p99 @ 100/s <= better baseline, 2 daemons", "ours, 2 daemons @ 100/s: p99", 1.0, False),
    ("end to end >= 2x PgQueuer, 1 writer", "ours, 1 writer(s): handled/s", 2.0, True),
    ("end to end >= 2x PgQueuer, 16 writers", "ours, 16 writer(s): handled/s", 2.0, True),
    ("end to end p99 @ 1000/s <= PgQueuer", "ours @ 1000/s: p99 commit->start", 1.0, False),
)


def sections(quick: bool) -> list[Section]:
    if quick:
        return [
            ("Writer price", writer.main, ["--seconds", "1", "--rounds", "1"]),
            ("Writer profile", writer_profile.main, ["--updates", "300", "--rounds", "1"]),
            ("Drain", drain.main, ["--events", "2000", "--sample", "500", "--stale-sample", "200"]),
            ("Latency", latency.main, ["--seconds", "2", "--settle", "3"]),
            ("End to end", end_to_end.main, ["--seconds", "3", "--latency-seconds", "2"]),
        ]
    return [
        ("Writer price", writer.main, []),
        ("Writer profile", writer_profile.main, ["--rounds", "5"]),
        ("Drain", drain.main, []),
        ("Latency", latency.main, []),
        ("End to end", end_to_end.main, []),
    ]


def target_rows(figures: Sequence[Figure]) -> list[str]:
    by_name = {figure.name: figure for figure in figures}
    rows = ["| target | ratio | met |", "|---|---:|---|"]
    for label, name, goal, at_least in TARGETS:
        figure = by_name.get(name)
        if figure is None or figure.ratio is None:
            rows.append(f"| {label} | n/a | not measured |")
            continue
        met = figure.ratio >= goal if at_least else figure.ratio <= goal
        rows.append(f"| {label} | {figure.ratio:.2f}x | {'yes' if met else '**no**'} |")
    return rows


def environment(admin_dsn: str = ADMIN_DSN) -> list[str]:
    with psycopg.connect(admin_dsn) as conn:
        row = conn.execute("select version()").fetchone()
    commit = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; commit {commit or 'unknown'}",
        f"- machine: {os.cpu_count()} CPUs; load average (1/5/15 min) {load}",
        f"- server: {row[0] if row else 'unknown'}",
    ]


def report(command: str, figures: Sequence[Figure], body: Sequence[str], seconds: float) -> str:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return "\n".join(
        [
            "# Benchmark results",
            "",
            f"Command: `{command}`",
            "",
            *environment(),
            f"- total run time {seconds:.0f} s; load average at the end {load}",
            "",
            "## Targets (issue 3)",
            "",
            *target_rows(figures),
            "",
            *body,
        ]
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="default bench/results/latest.md (quick.md with --quick)",
    )
    args = parser.parse_args(argv)
    output = args.output or REPO_ROOT / "bench/results" / (
        "quick.md" if args.quick else "latest.md"
    )
    command = " ".join(["PYTHONPATH=. .venv/bin/python -m bench.run_all", *sys.argv[1:]])
    started, figures, body = time.monotonic(), list[Figure](), list[str]()
    for title, run, section_args in sections(args.quick):
        found = run(section_args)
        figures += found
        body += [f"## {title}", "", markdown_table(found), ""]
    text = report(command, figures, body, time.monotonic() - started)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text + "\n")
    print("\n## Targets (issue 3)\n\n" + "\n".join(target_rows(figures)))
    print(f"\nwritten to {output}")


if __name__ == "__main__":
    main()
