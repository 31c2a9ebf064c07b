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

from lxera_pipeline.dashboard.server import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


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
