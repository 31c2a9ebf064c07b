"""Latency from a unit's commit to its handler's start, at a steady rate, per system.

    PYTHONPATH=. .venv/bin/python -m bench.latency [--seconds 8]

At 100 and 1,000 units/s: ours (1 and 2 daemons; a status UPDATE commits the event), Procrastinate
and PgQueuer (their enqueue API). The no-op handlers write their start time per ``seq`` to files
(bench/start_log.py); the writer keeps each commit's time. After a warm-up at the same rate, the
measured window's latencies give p50/p95/p99. A unit whose handler has not started within
``--settle`` seconds after the last commit counts as infinitely late (the system is saturated).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import anyio

from bench.common import Figure, percentile, print_figures, ratio, scratch_database
from bench.processes import running
from bench.rate_writer import FACTORIES, write_steadily
from bench.start_log import ENV_DIR, read_starts
from bench.systems import Config, install

RATES = (100, 1000)
CONFIGS = (
    Config("ours", "ours, 1 daemon"),
    Config("ours", "ours, 2 daemons", processes=2),
    Config("procrastinate", "procrastinate, concurrency 10", args=("--concurrency", "10")),
    Config("pgqueuer", "pgqueuer, batch 10", args=("--batch-size", "10")),
)
CONNECTIONS = 8
WARMUP_SECONDS = 1.5
READY_TIMEOUT = 20.0


@dataclass(frozen=True)
class LatencyResult:
    config: Config
    rate: int
    samples: int
    late: int  # not started within the settle time
    p50: float
    p95: float
    p99: float


def latencies(committed: dict[int, float], starts: dict[int, float]) -> list[float]:
    """Milliseconds from commit to start; inf for a unit never started."""
    return [
        (starts[seq] - at) * 1000 if seq in starts else math.inf for seq, at in committed.items()
    ]


def wait_for_starts(folder: Path, seqs: Sequence[int], timeout: float) -> dict[int, float]:
    deadline = time.monotonic() + timeout
    while True:
        starts = read_starts(folder)
        if all(seq in starts for seq in seqs) or time.monotonic() > deadline:
            return starts
        time.sleep(0.1)


def wait_ready(config: Config, dsn: str, folder: Path) -> None:
    """Write probe units (negative seqs) until one is handled: the workers are up."""
    factory = FACTORIES[config.system](dsn)
    deadline = time.monotonic() + READY_TIMEOUT
    probe = -1
    while time.monotonic() < deadline:
        anyio.run(write_steadily, factory, 10, 0.1, probe, 1)
        if wait_for_starts(folder, [probe], 0.5).get(probe) is not None:
            return
        probe -= 1
    raise RuntimeError(f"{config.label}: no probe handled within {READY_TIMEOUT:.0f} s")


def measure(config: Config, rate: int, seconds: float, settle: float, log: Path) -> LatencyResult:
    with (
        tempfile.TemporaryDirectory(prefix="bench-latency-") as folder_name,
        scratch_database(f"latency_{config.system}") as dsn,
    ):
        folder = Path(folder_name)
        install(config.system, dsn)
        env = {**config.env(dsn), ENV_DIR: str(folder)}
        with running(config.commands(dsn), env, log) as workers:
            wait_ready(config, dsn, folder)
            factory = FACTORIES[config.system](dsn)
            anyio.run(write_steadily, factory, rate, WARMUP_SECONDS, 1_000_000, CONNECTIONS)
            committed = anyio.run(write_steadily, factory, rate, seconds, 0, CONNECTIONS)
            starts = wait_for_starts(folder, list(committed), settle)
            workers.check_alive()
    values = latencies(committed, starts)
    late = sum(1 for value in values if math.isinf(value))
    return LatencyResult(
        config,
        rate,
        len(values),
        late,
        percentile(values, 0.50),
        percentile(values, 0.95),
        percentile(values, 0.99),
    )


def run_latency(
    rates: Sequence[int], seconds: float, settle: float, log: Path
) -> list[LatencyResult]:
    return [
        measure(config, rate, seconds / (1 if rate <= 100 else 2), settle, log)
        for rate in rates
        for config in CONFIGS
    ]


def shown(value: float) -> str:
    return "never (saturated)" if math.isinf(value) else f"{value:.1f} ms"


def figures(results: Sequence[LatencyResult]) -> list[Figure]:
    rows: list[Figure] = []
    for rate in sorted({r.rate for r in results}):
        at_rate = [r for r in results if r.rate == rate]
        baselines = [r for r in at_rate if r.config.system != "ours"]
        best = min(baselines, key=lambda r: r.p99)
        for r in at_rate:
            note = f"p50 {shown(r.p50)}, p95 {shown(r.p95)}; {r.samples} commits" + (
                f", {r.late} never started (saturated)" if r.late else ""
            )
            value = r.p99 if not math.isinf(r.p99) else float("nan")
            rows.append(
                Figure(
                    "latency",
                    f"{r.config.label} @ {rate}/s: p99",
                    value,
                    "ms",
                    f"better baseline p99 ({best.config.label})",
                    None if math.isinf(best.p99) or math.isnan(value) else ratio(value, best.p99),
                    note,
                )
            )
    return rows


def main(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds",
        type=float,
        default=8.0,
        help="measured window at 100/s (half of it at 1,000/s)",
    )
    parser.add_argument(
        "--settle", type=float, default=10.0, help="wait for late handlers after the last commit"
    )
    parser.add_argument("--rates", default="100,1000", help="comma-separated units/s")
    parser.add_argument("--log", type=Path, default=None, help="worker output (default: temp)")
    args = parser.parse_args(argv)
    rates = [int(r) for r in args.rates.split(",") if r.strip()]
    log = args.log or Path(tempfile.mkdtemp(prefix="bench-latency-")) / "workers.log"
    rows = figures(run_latency(rates, args.seconds, args.settle, log))
    print_figures(
        "Commit-to-handler-start latency (ratio: p99 to the better baseline's p99; "
        "lower is better)",
        rows,
    )
    return rows


if __name__ == "__main__":
    main()
