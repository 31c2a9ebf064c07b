"""The image's HEALTHCHECK command, run as written, passes against a live daemon and fails
where no daemon answers."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.acceptance.support import REPO_ROOT, DaemonPool, free_port

pytestmark = pytest.mark.acceptance
IMAGE_PORT = "8080"


def healthcheck_command(port: int) -> list[str]:
    text = (REPO_ROOT / "deploy" / "Dockerfile").read_text().replace("\\\n", " ")
    match = re.search(r"^HEALTHCHECK .*?\bCMD (\[.*\])\s*$", text, re.MULTILINE)
    assert match, "no exec-form HEALTHCHECK CMD in deploy/Dockerfile"
    command: list[str] = json.loads(match[1])
    assert any(IMAGE_PORT in part for part in command)
    program = sys.executable if command[0] == "python" else command[0]  # the image's python
    return [program, *(part.replace(IMAGE_PORT, str(port)) for part in command[1:])]


def run(command: list[str]) -> int:
    return subprocess.run(command, capture_output=True, timeout=30, check=False).returncode


def test_healthcheck_passes_on_a_running_daemon_and_fails_without_one(pool: DaemonPool) -> None:
    daemon = pool.start("only")
    assert run(healthcheck_command(daemon.http_port)) == 0, daemon.log_tail()
    assert run(healthcheck_command(free_port())) != 0
