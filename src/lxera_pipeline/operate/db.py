"""`db status` and `db stop`: the embedded PostgreSQL under ``<data_dir>/pgdata`` (the server the
commands start when DATABASE_URL is unset, and leave running for the next command).

The state is read from the data directory itself: ``PG_VERSION`` (initialised), ``postmaster.pid``
(pid, port, socket directory, start time, as PostgreSQL writes it) and whether that pid is a
live postgres process (a pid file left by a crash names a dead or reused pid: "stale").
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lxera_pipeline.db.embedded import embedded_pgdata, stop_embedded

# postmaster.pid: pid, data directory, start time (epoch), port, socket directory, listen
# address, shared memory key, status (src/include/utils/pidfile.h).
PID_LINES = 8
MAX_PID_FILE_BYTES = 4096


@dataclass(frozen=True)
class EmbeddedStatus:
    pgdata: Path
    initialised: bool
    running: bool
    stale_pid_file: bool = False
    version: str | None = None
    pid: int | None = None
    port: int | None = None
    socket_dir: str | None = None
    started_at: datetime | None = None
    server_status: str | None = None

    @property
    def dsn(self) -> str | None:
        """How to reach it (local socket, user postgres; the embedded server has no password)."""
        if not self.running or self.port is None:
            return None
        host = f"?host={self.socket_dir}" if self.socket_dir else ""
        return f"postgresql://postgres@localhost:{self.port}/postgres{host}"


def embedded_status(data_dir: Path) -> EmbeddedStatus:
    pgdata = embedded_pgdata(data_dir)
    version_file = pgdata / "PG_VERSION"
    version = _read_small(version_file).strip() if version_file.is_file() else None
    lines = _pid_file(pgdata)
    if lines is None:
        return EmbeddedStatus(pgdata, version is not None, running=False, version=version)
    pid = _int(lines[0])
    alive = pid is not None and _is_postgres(pid)
    return EmbeddedStatus(
        pgdata=pgdata,
        initialised=version is not None,
        running=alive,
        stale_pid_file=not alive,
        version=version,
        pid=pid,
        port=_int(lines[3]),
        socket_dir=lines[4] or None,
        started_at=_epoch(lines[2]),
        server_status=lines[7] or None,
    )


def stop_embedded_server(data_dir: Path) -> EmbeddedStatus:
    """Stop the embedded server (fast shutdown: sessions are ended, transactions rolled back)
    if it runs; returns its status from before. A stale pid file is left for PostgreSQL to
    replace at the next start."""
    before = embedded_status(data_dir)
    if before.running:
        stop_embedded(data_dir)
    return before


def _pid_file(pgdata: Path) -> list[str] | None:
    path = pgdata / "postmaster.pid"
    if not path.is_file():
        return None
    lines = _read_small(path).splitlines()
    return (lines + [""] * PID_LINES)[:PID_LINES]


def _read_small(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.read(MAX_PID_FILE_BYTES).decode("utf-8", "replace")


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def _epoch(text: str) -> datetime | None:
    value = _int(text)
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def _is_postgres(pid: int) -> bool:
    """Is ``pid`` a live postgres process (not a pid reused by something else)?"""
    import psutil

    try:
        name = psutil.Process(pid).name()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:  # alive, owned by someone else: trust the pid file
        return _exists(pid)
    return "postgres" in name or "postmaster" in name


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
