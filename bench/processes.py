"""Worker processes under test: start them, watch their memory and CPU, stop them.

Our daemon runs as the real CLI (``lxera-pipeline run --handlers bench.noop_handlers``), the
baselines as ``python -m bench.baselines.<module>``; all with the repository root on PYTHONPATH
and their output in a log file next to the run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.common import REPO_ROOT, BenchError

STOP_SECONDS = 20.0
SAMPLE_SECONDS = 0.05


def daemon_command(extra: Sequence[str] = ()) -> list[str]:
    cli = Path(sys.executable).with_name("lxera-pipeline")
    if not cli.exists():
        raise BenchError(f"{cli} is missing: install the project into the virtualenv first")
    return [str(cli), "run", "--handlers", "bench.noop_handlers", *extra]


def module_command(module: str, args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", module, *args]


def bench_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def backend_cpu_ns(pid: int) -> int:
    """On-CPU nanoseconds of a local process (a PostgreSQL backend), from /proc/<pid>/schedstat;
    0 when it is gone or not on this host."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def host_busy_seconds() -> float:
    """CPU seconds the whole host has spent busy (all cores) since boot."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def peak_hwm_bytes(pid: int) -> int:
    """VmHWM (the kernel's peak resident set) of a live process, 0 when unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


@dataclass
class Workers:
    """Running worker processes and their peak memory (sampled with psutil, and VmHWM)."""

    procs: list[subprocess.Popen[bytes]]
    peak_rss: dict[int, int] = field(default_factory=dict)
    peak_hwm: dict[int, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def sample_forever(self) -> None:
        handles = [psutil.Process(proc.pid) for proc in self.procs]
        while not self._stop.wait(SAMPLE_SECONDS):
            for handle in handles:
                try:
                    rss = handle.memory_info().rss
                except psutil.Error:
                    continue
                self.peak_rss[handle.pid] = max(rss, self.peak_rss.get(handle.pid, 0))

    def cpu_seconds(self) -> float:
        """User + system CPU seconds the worker processes have used so far."""
        total = 0.0
        for proc in self.procs:
            try:
                cpu = psutil.Process(proc.pid).cpu_times()
            except psutil.Error:
                continue
            total += cpu.user + cpu.system
        return total

    def check_alive(self) -> None:
        for proc in self.procs:
            if proc.poll() is not None:
                raise BenchError(f"worker {proc.args!r} exited early with {proc.returncode}")

    def stop(self) -> None:
        self._stop.set()
        for proc in self.procs:
            self.peak_hwm[proc.pid] = peak_hwm_bytes(proc.pid)
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def running(commands: Sequence[list[str]], env: Mapping[str, str], log: Path) -> Iterator[Workers]:
    """Start every command (output appended to ``log``), sample memory, stop them on exit."""
    with log.open("ab") as out:
        procs = [
            subprocess.Popen(cmd, env=bench_env(env), stdout=out, stderr=subprocess.STDOUT)
            for cmd in commands
        ]
    workers = Workers(procs)
    sampler = threading.Thread(target=workers.sample_forever, daemon=True)
    sampler.start()
    try:
        yield workers
    finally:
        workers.stop()
        sampler.join(5)
