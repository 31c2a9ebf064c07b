"""The dashboard's SSE stream under load: N concurrent clients on one dashboard process while a
writer commits status changes at a steady rate.

Reports commit -> client latency (p50/p95/p99 over every (client, event) pair: the writer's
``time.time()`` after COMMIT against the client's ``time.time()`` when the bytes arrived; same
host, same clock), the dashboard's database connections before, with all clients connected and
under load (they must not change), and its resident memory per connected client.

The dashboard runs as the real CLI (``lxera-pipeline dashboard``); the clients are raw asyncio
sockets in separate processes (so parsing 20,000 messages/s does not starve the server of the
client's share of the CPU any more than needed).

    PYTHONPATH=. .venv/bin/python -m bench.dashboard_stream [--clients 200 --rate 100 --seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg

from bench.common import (
    BenchError,
    Figure,
    bench_sql,
    median,
    migrated_database_dsn,
    percentile,
    print_figures,
    scratch_database,
)

TOKEN = "bench-dashboard-token"
TARGET_P99_MS = 250.0


async def _client(port: int, arrivals: list[tuple[int, float]], stop: Any) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            "GET /api/stream HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n"
            f"Authorization: Bearer {TOKEN}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    tail = b""
    while not stop.is_set():
        try:
            data = await asyncio.wait_for(reader.read(65536), 0.2)
        except TimeoutError:
            continue
        if not data:
            break
        now = time.time()
        lines = (tail + data).split(b"\n")
        tail = lines.pop()
        arrivals.extend((int(line[4:]), now) for line in lines if line.startswith(b"id: "))
    writer.close()


def _client_process(port: int, count: int, stop: Any, out: str) -> None:
    async def main() -> list[list[tuple[int, float]]]:
        per_client: list[list[tuple[int, float]]] = [[] for _ in range(count)]
        await asyncio.gather(*(_client(port, per_client[i], stop) for i in range(count)))
        return per_client

    Path(out).write_text(json.dumps(asyncio.run(main())))


def _connections(dsn: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(bench_sql("dashboard.sql", "dashboard_connections"), {}).fetchone()
    return int(row[0]) if row else 0


def _wait_clients(port: int, count: int, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
            if health.get("clients", 0) >= count:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise BenchError(f"{count} clients did not connect within {limit:.0f} s")


def _write(dsn: str, rate: float, seconds: float) -> dict[int, float]:
    """Commit ``rate`` status flips a second for ``seconds``; seq -> commit time."""
    committed: dict[int, float] = {}
    flip = bench_sql("bench_items.sql", "flip")
    start = time.monotonic()
    with psycopg.connect(dsn, autocommit=True) as conn:
        for seq in range(int(rate * seconds)):
            delay = start + seq / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            conn.execute(flip, {"seq": seq, "n": seq % 1000 + 1})
            committed[seq] = time.time()
    return committed


def run(clients: int, rate: float, seconds: float, processes: int) -> list[Figure]:
    with scratch_database("dashboard") as dsn:
        migrated_database_dsn(dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(bench_sql("bench_items.sql", "table"))
            first = conn.execute(bench_sql("dashboard.sql", "last_event"), {}).fetchone()
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": dsn, "LXERA_DASHBOARD_TOKEN": TOKEN}
        env["LXERA_LOG_LEVEL"] = "warning"
        cli = Path(sys.executable).with_name("lxera-pipeline")
        server = subprocess.Popen(
            [str(cli), "dashboard", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
        )
        try:
            return _measure(dsn, port, server.pid, clients, rate, seconds, processes, first)
        finally:
            server.terminate()
            server.wait(20)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _measure(
    dsn: str,
    port: int,
    pid: int,
    clients: int,
    rate: float,
    seconds: float,
    processes: int,
    first: Any,
) -> list[Figure]:
    _wait_clients(port, 0)
    proc = psutil.Process(pid)
    time.sleep(1.0)
    rss_idle, conns_idle = proc.memory_info().rss, _connections(dsn)
    stop = multiprocessing.Event()
    outs = [f"/tmp/bench_dashboard_{os.getpid()}_{i}.json" for i in range(processes)]
    shares = [clients // processes + (i < clients % processes) for i in range(processes)]
    workers = [
        multiprocessing.Process(target=_client_process, args=(port, share, stop, out))
        for share, out in zip(shares, outs, strict=True)
    ]
    for worker in workers:
        worker.start()
    _wait_clients(port, clients)
    time.sleep(1.0)
    rss_connected, conns_connected = proc.memory_info().rss, _connections(dsn)
    committed = _write(dsn, rate, seconds)
    conns_loaded, rss_loaded = _connections(dsn), proc.memory_info().rss
    time.sleep(2.0)
    stop.set()
    _collect(outs, workers)
    per_client = [c for out in outs for c in json.loads(Path(out).read_text())]
    for out in outs:
        Path(out).unlink(missing_ok=True)
    with psycopg.connect(dsn, autocommit=True) as conn:
        seqs: dict[int, int] = dict(
            conn.execute(bench_sql("dashboard.sql", "event_seqs"), {"after": first[0]}).fetchall()
        )
    latencies, missing = [], 0
    for arrivals in per_client:
        seen = {event_id: at for event_id, at in arrivals}
        for event_id, seq in seqs.items():
            if event_id in seen and seq in committed:
                latencies.append((seen[event_id] - committed[seq]) * 1000)
            else:
                missing += 1
    if not latencies:
        raise BenchError("no event reached a client")
    p99 = percentile(latencies, 0.99)
    section = f"dashboard stream: {clients} clients, {rate:g} events/s, {seconds:g} s"
    note = "target <= 250 ms" + (" (met)" if p99 <= TARGET_P99_MS else " (MISSED)")
    return [
        Figure(section, "commit -> client p50", median(latencies), "ms"),
        Figure(section, "commit -> client p95", percentile(latencies, 0.95), "ms"),
        Figure(section, "commit -> client p99", p99, "ms", note=note),
        Figure(section, "commit -> client max", max(latencies), "ms"),
        Figure(section, "messages delivered", len(latencies), "", note=f"{missing} missed"),
        Figure(section, "db connections idle", conns_idle, ""),
        Figure(section, "db connections, clients connected", conns_connected, ""),
        Figure(section, "db connections under load", conns_loaded, ""),
        Figure(section, "RSS idle", rss_idle / 2**20, "MiB"),
        Figure(section, "RSS under load", rss_loaded / 2**20, "MiB"),
        Figure(
            section,
            "memory per connected client",
            (rss_connected - rss_idle) / clients / 1024,
            "KiB",
            note="(RSS with clients - RSS idle) / clients",
        ),
    ]


def _collect(outs: list[str], workers: list[multiprocessing.Process]) -> None:
    for worker in workers:
        worker.join(60)
    if not all(Path(out).exists() for out in outs):
        raise BenchError("a client process did not write its results")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    print_figures("Dashboard stream", run(args.clients, args.rate, args.seconds, args.processes))


if __name__ == "__main__":
    main()
