"""A LISTEN connection that follows the wake-up protocol of pipeline.arm_wakeup, claiming nothing.

It stands in for an idle daemon in the writer benchmark: ``pinned`` keeps the wake-up armed for
the whole run (every commit NOTIFYs: the worst case), otherwise it disarms on every wake-up and
re-arms at once (the most NOTIFYs the coalescing protocol lets through).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import psycopg

POLL_SECONDS = 0.2
ARM_RETRY_SECONDS = 0.002


@dataclass
class ListenerCounts:
    armed: int = 0
    arm_refused: int = 0
    notifications: int = 0


class WakeupListener:
    """Runs the protocol in a thread between ``start()`` and ``stop()``."""

    def __init__(self, dsn: str, *, pinned: bool) -> None:
        self.dsn = dsn
        self.pinned = pinned
        self.counts = ListenerCounts()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wakeup-listener", daemon=True)
        self._error: BaseException | None = None

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the wake-up listener did not arm within 10 s")

    def stop(self) -> ListenerCounts:
        self._stop.set()
        self._thread.join(10)
        if self._error is not None:
            raise RuntimeError(f"the wake-up listener failed: {self._error}") from self._error
        return self.counts

    def _run(self) -> None:
        try:
            with psycopg.connect(
                self.dsn, autocommit=True, application_name="bench:wakeup-listener"
            ) as conn:
                conn.execute("listen pipeline_events")
                self._loop(conn)
        except BaseException as exc:  # reported by stop()
            self._error = exc
            self._ready.set()

    def _arm(self, conn: psycopg.Connection[tuple[bool]]) -> bool:
        row = conn.execute("select pipeline.arm_wakeup()").fetchone()
        armed = bool(row and row[0])
        if armed:
            self.counts.armed += 1
        else:
            self.counts.arm_refused += 1
        return armed

    def _loop(self, conn: psycopg.Connection[tuple[bool]]) -> None:
        armed = self._arm(conn)
        self._ready.set()
        while not self._stop.is_set():
            if not armed:
                time.sleep(ARM_RETRY_SECONDS)
                armed = self._arm(conn)
                continue
            for _ in conn.notifies(timeout=POLL_SECONDS, stop_after=1):
                self.counts.notifications += 1
            if not self.pinned:
                conn.execute("select pipeline.disarm_wakeup()")
                armed = self._arm(conn)
