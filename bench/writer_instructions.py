"""Writer instructions: CPU instructions per status change, counted by valgrind (repeatable).

    PYTHONPATH=. .venv/bin/python -m bench.writer_instructions [--base-tree PATH] [--updates 500]

Timings of a status UPDATE move by several percent from run to run on a shared machine; counted
instructions do not. This starts a private PostgreSQL cluster (the server binaries of
``BENCH_PG_BINDIR``, else the newest under /usr/lib/postgresql), installs each tree's migrations
into a database of its own (a subprocess running that tree's code; the head is this tree), then
restarts the cluster under ``valgrind --tool=callgrind`` and runs the writer profile's loop of
one-row status UPDATEs, one transaction each, in a fresh backend twice (``--warmup`` and
``--warmup + --updates`` changes). Each backend's instruction total is read from its callgrind
file; the difference of the two divided by ``--updates`` is the price of one status change,
backend start-up and first-call compilation cancelled out.

Variants: ``outbox`` (the outbox floor's trigger, bench/sql/writer.sql: the control, the same in
both trees), ``ours`` (what ``pipeline.track_status`` generates) and, on the head, ``ours, not
pinned`` (the generated function without its search_path setting: what the pin costs).
Needs valgrind and the PostgreSQL server binaries; run as root, the cluster runs as ``postgres``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from bench.common import REPO_ROOT, BenchError, Figure, bench_sql, print_figures, ratio
from bench.writer import P, prepare
from bench.writer_ab import install_tree

# Variant: the bench.writer path whose triggers it attaches (bench.writer.prepare).
VARIANTS = {"outbox": "outbox", "ours": "ours_idle", "ours, not pinned": "ours_unpinned"}
HEAD_ONLY = ("ours, not pinned",)
TOTALS = re.compile(r"^(?:totals|summary): (\d+)", re.MULTILINE)
READY_SECONDS = 120.0


@dataclass(frozen=True)
class Cluster:
    bindir: Path
    data: Path
    port: int
    user: str | None  # run server commands as this user (when we are root)

    def command(self, *argv: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *argv] if self.user else list(argv)

    def dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


def server_bindir() -> Path:
    configured = os.environ.get("BENCH_PG_BINDIR")
    candidates = [Path(configured)] if configured else []
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    for bindir in candidates:
        if (bindir / "postgres").exists() and (bindir / "initdb").exists():
            return bindir
    raise BenchError("no PostgreSQL server binaries found (set BENCH_PG_BINDIR)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(cluster: Cluster, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"the server exited ({proc.returncode}) before accepting connections")
        try:
            with psycopg.connect(cluster.dsn("postgres"), connect_timeout=2):
                return
        except psycopg.OperationalError:
            time.sleep(0.5)
    raise BenchError(f"the server did not accept connections within {READY_SECONDS:.0f} s")


@contextmanager
def server(cluster: Cluster, wrapper: Sequence[str] = ()) -> Iterator[None]:
    options = [
        "-D", str(cluster.data), "-p", str(cluster.port), "-c", "listen_addresses=127.0.0.1",
        "-c", f"unix_socket_directories={cluster.data}", "-c", "fsync=off",
        "-c", "autovacuum=off", "-c", "jit=off",
    ]  # fmt: skip
    argv = cluster.command(*wrapper, str(cluster.bindir / "postgres"), *options)
    with open(cluster.data.parent / "server.log", "ab") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(cluster, proc)
        yield
    finally:
        # pg_ctl finds the postmaster through its pid file (a signal to ``proc`` could stop at
        # runuser or valgrind's launcher).
        stop = cluster.command(
            str(cluster.bindir / "pg_ctl"), "-D", str(cluster.data), "-m", "fast", "-w", "stop"
        )
        subprocess.run(stop, check=False, capture_output=True, timeout=300)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    bindir = server_bindir()
    root = Path(tempfile.mkdtemp(prefix="bench-instructions-"))
    user = "postgres" if os.geteuid() == 0 else None
    data, out = root / "data", root / "callgrind"
    out.mkdir()
    if user:
        shutil.chown(root, user)
        shutil.chown(out, user)
    cluster = Cluster(bindir, data, free_port(), user)
    try:
        subprocess.run(
            cluster.command(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U",
                            "postgres"),
            check=True, capture_output=True,
        )  # fmt: skip
        yield cluster
    finally:
        if not os.environ.get("BENCH_KEEP_CLUSTER"):
            shutil.rmtree(root, ignore_errors=True)


def backend_instructions(cluster: Cluster, dsn: str, updates: int) -> int:
    """Instructions of a fresh backend that runs ``updates`` status changes and exits."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("select pg_backend_pid()").fetchone()
        assert row is not None
        conn.execute(bench_sql(P, "loop").format(n=sql.Literal(updates)))
    path = cluster.data.parent / "callgrind" / f"cg.{row[0]}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if path.exists() and (found := TOTALS.search(path.read_text(errors="replace"))):
            return int(found[1])
        time.sleep(0.2)
    raise BenchError(f"no callgrind totals in {path}")


def count(base_tree: Path | None, updates: int, warmup: int) -> dict[tuple[str, str], float]:
    if shutil.which("valgrind") is None:
        raise BenchError("valgrind is not installed (apt-get install valgrind)")
    trees = {"head": REPO_ROOT} | ({"base": base_tree} if base_tree else {})
    per_change: dict[tuple[str, str], float] = {}
    with private_cluster() as cluster:
        databases: dict[tuple[str, str], str] = {}
        with (
            server(cluster),
            psycopg.connect(cluster.dsn("postgres"), autocommit=True) as admin,
        ):
            for label, tree in trees.items():
                admin.execute(sql.SQL("create database {}").format(sql.Identifier(label)))
                install_tree(tree, cluster.dsn(label))
                dsn = cluster.dsn(label)
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(bench_sql(P, "schema"))  # (install_tree made writer.sql's)
                for variant, path in VARIANTS.items():
                    if label != "head" and variant in HEAD_ONLY:
                        continue
                    # Each variant in a copy of the tree's database, triggers attached.
                    name = f"{label}_{len(databases)}"
                    prepare(dsn, path)
                    admin.execute(
                        sql.SQL("create database {} template {}").format(
                            sql.Identifier(name), sql.Identifier(label)
                        )
                    )
                    databases[(label, variant)] = name
        out = str(cluster.data.parent / "callgrind" / "cg.%p")
        wrapper = ("valgrind", "--tool=callgrind", f"--callgrind-out-file={out}")
        with server(cluster, wrapper):
            for key, name in databases.items():
                dsn = cluster.dsn(name)
                low = backend_instructions(cluster, dsn, warmup)
                high = backend_instructions(cluster, dsn, warmup + updates)
                per_change[key] = (high - low) / updates
                print(f"writer_instructions: {key[0]} {key[1]} done", file=sys.stderr)
    return per_change


def figures(per_change: dict[tuple[str, str], float]) -> list[Figure]:
    rows: list[Figure] = []
    for (label, variant), value in per_change.items():
        outbox = per_change[(label, "outbox")]
        rows.append(
            Figure(
                "writer_instructions",
                f"{label}: {variant}",
                value,
                "instructions/change",
                f"{label}'s outbox",
                ratio(value, outbox),
            )
        )
    for variant in VARIANTS:
        head, base = per_change.get(("head", variant)), per_change.get(("base", variant))
        if head is not None and base is not None:
            rows.append(
                Figure(
                    "writer_instructions",
                    f"head vs base: {variant}",
                    head - base,
                    "instructions/change more on head",
                    "base",
                    ratio(head, base),
                )
            )
    return rows


def main(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-tree", type=Path, default=None, help="a base revision's tree")
    parser.add_argument("--updates", type=int, default=500, help="status changes counted")
    parser.add_argument("--warmup", type=int, default=100, help="changes in the subtracted run")
    args = parser.parse_args(argv)
    base = args.base_tree.resolve() if args.base_tree else None
    rows = figures(count(base, args.updates, args.warmup))
    print_figures("Writer instructions (callgrind, per status change)", rows)
    return rows


if __name__ == "__main__":
    main()
