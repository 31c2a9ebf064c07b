"""Helpers for the acceptance tests: daemon processes, waiting, reading the pipeline's tables."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

# The table helpers live in tables.py; they are re-exported here for the tests' imports.
from tests.acceptance.tables import (
    Jobs,
    audit_rows,
    delivery_states,
    done_count,
    exactly_once_problems,
    execute,
    fetch,
    iter_gaps,
    order_problems,
    scalar,
    write_bursts,
)

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
        """The last log lines, each cut to ``width`` (a traceback line can be long)."""
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


__all__ = [
    "FAST_SETTINGS",
    "HANDLERS_MODULE",
    "REPO_ROOT",
    "Daemon",
    "DaemonPool",
    "Jobs",
    "audit_rows",
    "daemon_env",
    "delivery_states",
    "done_count",
    "exactly_once_problems",
    "execute",
    "fetch",
    "free_port",
    "iter_gaps",
    "order_problems",
    "scalar",
    "wait_until",
    "write_bursts",
]
