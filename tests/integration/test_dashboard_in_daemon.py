"""`lxera-pipeline run` with LXERA_DASHBOARD_IN_DAEMON serves the dashboard beside the daemon, and
both stop on SIGTERM (the daemon owns the signals)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

from lxera_pipeline.dashboard.server import free_port
from lxera_pipeline.db.locks import SERVED_CLASS

REPO_ROOT = Path(__file__).resolve().parents[2]


def _daemon_listening(dsn: str) -> bool:
    """The daemon's LISTEN connection holds its served handlers' advisory locks (the dashboard's
    own listener serves none)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid"
            " where a.datname = current_database() and l.locktype = 'advisory'"
            " and l.classid = %s::oid and l.granted",
            (SERVED_CLASS,),
        ).fetchone()
    return bool(row and row[0])


def test_the_daemon_serves_the_dashboard_and_stops_with_it(db_dsn: str) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LXERA_")}
    env.update(
        DATABASE_URL=db_dsn,
        LXERA_DASHBOARD_IN_DAEMON="true",
        LXERA_DASHBOARD_PORT=str(port),
        LXERA_DASHBOARD_TOKEN="in-daemon-token",
        LXERA_LOG_LEVEL="warning",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "lxera_pipeline", "run", "--handlers", "content"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.communicate()[0]
            time.sleep(0.2)
        assert health is not None
        assert health.status_code == 200
        page = httpx.get(
            f"http://127.0.0.1:{port}/",
            headers={"Authorization": "Bearer in-daemon-token"},
            timeout=10,
        )
        assert page.status_code == 200
        assert "daemons alive" in page.text
        # The dashboard answers before the daemon has started (and installed its signal
        # handlers): stop it only once its LISTEN connection is up.
        deadline = time.monotonic() + 60
        while not _daemon_listening(db_dsn) and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()[0]
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "Traceback" not in output


def test_the_daemon_refuses_a_public_dashboard_without_a_token(db_dsn: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LXERA_")}
    env.update(
        DATABASE_URL=db_dsn, LXERA_DASHBOARD_IN_DAEMON="true", LXERA_DASHBOARD_HOST="0.0.0.0"
    )
    done = subprocess.run(
        [sys.executable, "-m", "lxera_pipeline", "run", "--handlers", "content"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "LXERA_DASHBOARD_TOKEN" in done.stderr
