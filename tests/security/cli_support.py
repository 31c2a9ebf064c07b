"""Running the real `lxera-pipeline` console script as a subprocess, in a controlled environment."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).parent / "lxera-pipeline")
# Variables of the machine that would configure the command under test.
CONFIGURING = ("DATABASE_URL", "SUPABASE_URL", "SUPABASE_KEY", "SUPABASE_SERVICE_ROLE_KEY")


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def clean_env(data_dir: Path, **values: str) -> dict[str, str]:
    """The machine's environment minus every pipeline setting, plus ``values``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("LXERA_") and key not in CONFIGURING
    }
    env.update(
        LXERA_DATA_DIR=str(data_dir),
        LXERA_LOG_FORMAT="json",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
    )
    env.update(values)
    return env


def run_cli(*args: str, env: dict[str, str], timeout: float = 60) -> Ran:
    started = time.monotonic()
    done = subprocess.run(
        [CLI, *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    return Ran(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
        time.monotonic() - started,
    )
