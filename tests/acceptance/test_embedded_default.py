"""With no DATABASE_URL the CLI starts the embedded PostgreSQL, says where, and reuses it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lxera_pipeline.db.embedded import stop_embedded

pytestmark = pytest.mark.acceptance


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "LXERA_DATABASE_URL"}}
    env["LXERA_DATA_DIR"] = str(data_dir)
    env["LXERA_LOG_FORMAT"] = "json"
    return subprocess.run(
        [sys.executable, "-m", "lxera_pipeline", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_migrate_twice_on_the_embedded_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "lxera"
    try:
        first = _cli(data_dir, "migrate")
        assert first.returncode == 0, first.stderr
        assert f"embedded PostgreSQL in {data_dir / 'pgdata'}" in first.stderr
        assert "applied 20261125000100_pipeline_core.sql" in first.stdout
        pid_file = data_dir / "pgdata" / "postmaster.pid"
        server_pid = pid_file.read_text().splitlines()[0]

        second = _cli(data_dir, "migrate")
        assert second.returncode == 0, second.stderr
        assert "nothing to apply" in second.stdout
        assert "applied " not in second.stdout
        # The same server process was reused, not a new one started.
        assert pid_file.read_text().splitlines()[0] == server_pid
    finally:
        stop_embedded(data_dir)
