"""`db status` / `db stop` on a real embedded PostgreSQL in a private data directory."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner, Result

from lxera_pipeline.cli import cli
from lxera_pipeline.db.embedded import start_embedded
from lxera_pipeline.operate.db import embedded_status, stop_embedded_server


def _db(data_dir: Path, *args: str, database_url: str | None = None) -> Result:
    env = {"LXERA_DATA_DIR": str(data_dir), "LXERA_LOG_LEVEL": "warning", "DATABASE_URL": None}
    if database_url:
        env["DATABASE_URL"] = database_url
    return CliRunner().invoke(cli, ["db", *args], env=env)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # A directory of its own rather than tmp_path: pytest runs of other checkouts on the same
    # machine rotate (delete) old /tmp/pytest-of-<user> directories, server and all.
    root = Path(tempfile.mkdtemp(prefix="lxera-dbcmd-"))
    try:
        yield root / "lxera"
    finally:
        stop_embedded_server(root / "lxera")
        shutil.rmtree(root, ignore_errors=True)


def test_status_and_stop_follow_the_server(data_dir: Path) -> None:
    none = _db(data_dir, "status")
    assert none.exit_code == 3
    assert "no embedded PostgreSQL" in none.output

    dsn = start_embedded(data_dir)
    running = _db(data_dir, "status", "--json")
    assert running.exit_code == 0, running.output
    status = json.loads(running.output)
    assert status["running"] is True
    assert status["initialised"] is True
    pid_file = (data_dir / "pgdata" / "postmaster.pid").read_text().splitlines()
    assert status["pid"] == int(pid_file[0])
    assert status["port"] == int(pid_file[3])
    with psycopg.connect(dsn) as conn:  # the server the status describes answers
        row = conn.execute(
            "select pg_backend_pid() <> %s, current_setting('port')::int", (status["pid"],)
        ).fetchone()
    assert row == (True, status["port"])
    text = _db(data_dir, "status", database_url="postgresql://elsewhere/db")
    assert f"pid {status['pid']}, port {status['port']}" in text.output
    assert "DATABASE_URL is set" in text.output

    stopped = _db(data_dir, "stop")
    assert stopped.exit_code == 0, stopped.output
    assert f"stopped the embedded PostgreSQL (pid {status['pid']})" in stopped.output
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(dsn, connect_timeout=3).close()
    after = _db(data_dir, "status")
    assert after.exit_code == 3
    assert after.output.startswith("stopped: PostgreSQL")
    again = _db(data_dir, "stop")
    assert again.exit_code == 0
    assert "not running" in again.output


def test_a_stale_pid_file_is_not_a_running_server(data_dir: Path) -> None:
    pgdata = data_dir / "pgdata"
    pgdata.mkdir(parents=True)
    (pgdata / "PG_VERSION").write_text("17\n")
    dead = 2**22 + 12345  # above the default pid_max: no such process
    (pgdata / "postmaster.pid").write_text(
        f"{dead}\n{pgdata}\n1700000000\n5433\n/tmp\n*\n0 0\nready\n"
    )
    status = embedded_status(data_dir)
    assert (status.running, status.stale_pid_file, status.pid) == (False, True, dead)
    (pgdata / "postmaster.pid").write_text(f"{os.getpid()}\n{pgdata}\n1700000000\n5433\n")
    assert embedded_status(data_dir).running is False  # a live pid, but not a postgres
    result = _db(data_dir, "stop")
    assert result.exit_code == 0
    assert "not running" in result.output
