"""Helpers for the acceptance tests: daemon processes, waiting, reading the pipeline's tables."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

REPO_ROOT = Path(__file__).resolve().parents[2]
HANDLERS_MODULE = "tests.acceptance.handlers"
FAST_SETTINGS: dict[str, object] = {
    "lease_seconds": 3,
    "heartbeat_seconds": 0.5,
    "poll_seconds": 1,
    "probe_seconds": 2,
    "retry_base_seconds": 0.2,
    "retry_max_seconds": 5,
    "reconnect_max_seconds": 1,
    "shutdown_grace_seconds": 10,
    "log_format": "json",
    "log_level": "info",
}


def wait_until(
    predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.1
) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Daemon:
    """One `lxera-pipeline run` process."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    http_port: int

    @property
    def pid(self) -> int:
        return self.proc.pid

    def signal(self, signum: signal.Signals) -> None:
        self.proc.send_signal(signum)

    def wait_exit(self, timeout: float) -> int:
        """The exit code; fails (with the log tail) when the process outlives ``timeout``."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"{self.name} still running after {timeout}s\n{self.log_tail()}"
            ) from None

    def is_ready(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(
                f"{self.name} exited with {self.proc.returncode}\n{self.log_tail()}"
            )
        try:
            response = httpx.get(f"http://127.0.0.1:{self.http_port}/readyz", timeout=1)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def wait_ready(self, timeout: float = 30) -> None:
        wait_until(self.is_ready, timeout, f"{self.name} /readyz", interval=0.2)

    def log_tail(self, lines: int = 40, width: int = 600) -> str:
        """The last log lines, each cut to ``width`` (tracebacks carry every local)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(line[:width] for line in text.splitlines()[-lines:])

    def force_stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGCONT)
            self.proc.kill()
            self.proc.wait(timeout=10)


def daemon_env(
    dsn: str, data_dir: Path, http_port: int, settings: dict[str, object]
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LXERA_")}
    env.update({f"LXERA_{key.upper()}": str(value) for key, value in settings.items()})
    env.update(
        DATABASE_URL=dsn,
        LXERA_DATA_DIR=str(data_dir),
        LXERA_HTTP_PORT=str(http_port),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class DaemonPool:
    """Starts daemons for one test and makes sure none outlives it."""

    dsn: str
    work_dir: Path
    daemons: list[Daemon] = field(default_factory=list)

    def start(self, name: str | None = None, ready: bool = True, **settings: object) -> Daemon:
        name = name or f"daemon{len(self.daemons) + 1}"
        port = int(str(settings.pop("http_port", None) or free_port()))
        env = daemon_env(self.dsn, self.work_dir / name, port, {**FAST_SETTINGS, **settings})
        log_path = self.work_dir / f"{name}.log"
        command = [sys.executable, "-m", "lxera_pipeline", "run", "--handlers", HANDLERS_MODULE]
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        daemon = Daemon(name, proc, log_path, port)
        self.daemons.append(daemon)
        if ready:
            daemon.wait_ready()
        return daemon

    def close(self) -> None:
        for daemon in self.daemons:
            daemon.force_stop()

    def logs(self) -> str:
        return "\n".join(f"--- {d.name} (pid {d.pid})\n{d.log_tail()}" for d in self.daemons)


def fetch(dsn: str, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows of one query as dicts, on a short-lived connection."""
    with psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as conn:
        return conn.execute(query, params or {}).fetchall()


def execute(dsn: str, statements: str) -> None:
    """Run SQL (several statements allowed) that returns nothing."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(statements)


def scalar(dsn: str, query: str, params: dict[str, Any] | None = None) -> Any:
    rows = fetch(dsn, query, params)
    return next(iter(rows[0].values())) if rows else None


def audit_rows(dsn: str, handler: str | None = None) -> list[dict[str, Any]]:
    """Audit rows (oldest first), optionally of one handler."""
    return fetch(
        dsn,
        "select * from pipeline.audit_log where %(h)s::text is null or handler = %(h)s "
        "order by audit_id",
        {"h": handler},
    )


def delivery_states(dsn: str) -> dict[str, int]:
    rows = fetch(dsn, "select state, count(*) as n from pipeline.deliveries group by state")
    return {row["state"]: row["n"] for row in rows}


def all_done(dsn: str, expected: int) -> bool:
    return delivery_states(dsn).get("done", 0) >= expected


@dataclass
class Jobs:
    """Writes to `public.acc_jobs` (each call one transaction)."""

    dsn: str

    def insert(
        self, status: str, count: int = 1, pause: float = 0, repause: float = 0
    ) -> list[Any]:
        rows = fetch(
            self.dsn,
            "insert into public.acc_jobs (id, status, pause, repause) "
            "select gen_random_uuid(), %(s)s, %(p)s, %(r)s from generate_series(1, %(n)s) "
            "returning id",
            {"s": status, "p": pause, "r": repause, "n": count},
        )
        return [row["id"] for row in rows]

    def flip(self) -> int:
        """Move every ping/pong job to the other status: one event per job."""
        rows = fetch(
            self.dsn,
            "update public.acc_jobs"
            " set status = case status when 'ping' then 'pong' else 'ping' end"
            " where status in ('ping', 'pong') returning id",
        )
        return len(rows)


BURST_INSERT = (
    "insert into public.acc_jobs (id, status) select gen_random_uuid(), 'ping'"
    " from generate_series(1, %(n)s) returning id"
)
BURST_FLIP = (
    "update public.acc_jobs set status = case status when 'ping' then 'pong' else 'ping' end"
    " where id = any(%(ids)s)"
)


def write_bursts(dsn: str, entities: int, events_per_entity: int, chunk: int) -> None:
    """Per transaction, ``chunk`` new jobs and then ``events_per_entity - 1`` flips of them: the
    events of one entity sit ``chunk`` deliveries apart, inside one claim batch."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for start in range(0, entities, chunk):
            with conn.transaction():
                n = min(chunk, entities - start)
                ids = [row[0] for row in conn.execute(BURST_INSERT, {"n": n}).fetchall()]
                for _ in range(events_per_entity - 1):
                    conn.execute(BURST_FLIP, {"ids": ids})


def iter_gaps(times: list[Any]) -> Iterator[float]:
    for earlier, later in itertools.pairwise(times):
        yield (later - earlier).total_seconds()


EXACTLY_ONCE = """
select d.delivery_id, d.event_id, d.handler, d.state,
       (select count(*) from pipeline.audit_log a
         where a.delivery_id = d.delivery_id and a.outcome = 'succeeded') as succeeded,
       (select count(*) from public.acc_effects e
         where e.event_id = d.event_id and e.handler = d.handler) as effects
  from pipeline.deliveries d
 where d.handler like 'acceptance.%%' and d.handler <> 'acceptance.poison'
"""


def exactly_once_problems(dsn: str) -> list[dict[str, Any]]:
    """Deliveries not done, or done with other than one success audit and one effect; plus
    effects no delivery explains and acceptance events without a delivery."""
    rows = fetch(dsn, EXACTLY_ONCE)
    problems = [r for r in rows if (r["state"], r["succeeded"], r["effects"]) != ("done", 1, 1)]
    orphans = fetch(
        dsn,
        "select e.* from public.acc_effects e left join pipeline.deliveries d "
        "on d.event_id = e.event_id and d.handler = e.handler where d.delivery_id is null",
    )
    undelivered = fetch(
        dsn,
        "select ev.event_id, ev.new_status from pipeline.events ev where ev.table_name = 'acc_jobs'"
        " and not exists (select 1 from pipeline.deliveries d where d.event_id = ev.event_id)",
    )
    return problems + orphans + undelivered


def order_problems(dsn: str) -> list[dict[str, Any]]:
    """Entities whose effects did not commit in event order, or whose sequence has gaps/doubles."""
    return fetch(
        dsn,
        """
        select entity_id, array_agg(event_id order by seq, effect_id) as by_seq,
               array_agg(event_id order by event_id) as by_event,
               array_agg(seq order by seq) as seqs
          from public.acc_effects group by entity_id
        having array_agg(event_id order by seq, effect_id) <> array_agg(event_id order by event_id)
            or min(seq) <> 1 or max(seq) <> count(*) or count(distinct seq) <> count(*)
        """,
    )


def done_count(dsn: str) -> int:
    return int(scalar(dsn, "select count(*) from pipeline.deliveries where state = 'done'"))
