"""`tail`: print events as they commit.

One autocommit connection LISTENs on ``pipeline_events`` and follows the wake-up protocol of the
architecture: poll until nothing is new, arm (``pipeline.arm_wakeup()``), poll once more, wait for a
NOTIFY or the poll timeout, disarm when woken, poll. If arming fails because another listener is
armed, its NOTIFYs reach this connection too, so it just waits; if writers are mid-commit it polls
again a few milliseconds later. :class:`TailCursor` makes sure a late-committing lower id is still
printed once and nothing is printed twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import DictRow, dict_row

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.ops.events import filtered_query
from lxera_pipeline.listeners.ops.filters import EventFilter, check_table
from lxera_pipeline.listeners.ops.tail_cursor import TailCursor
from lxera_pipeline.log import get_logger

log = get_logger(__name__)
Row = dict[str, Any]
MID_COMMIT_PAUSE = 0.01


@dataclass(frozen=True)
class TailOptions:
    poll_seconds: float = 0.5
    lookback_seconds: float = 10.0
    max_events: int | None = None
    duration_seconds: float | None = None


class Tail:
    """A running tail on one connection; call :meth:`run` with a printer."""

    def __init__(self, conn: psycopg.Connection[DictRow], flt: EventFilter, options: TailOptions):
        self.conn, self.flt, self.options = conn, flt, options
        self.printed = 0
        self.cursor = TailCursor(after=0, min_gap_seconds=options.lookback_seconds)
        self._deadline = (
            time.monotonic() + options.duration_seconds
            if options.duration_seconds is not None
            else None
        )

    def start(self) -> list[Row]:
        """LISTEN, then read the recent past (returned for printing only with ``--since``)."""
        check_table(self.conn, self.flt.table)
        self.conn.execute(load_query("ops_listen"))
        recent = datetime.now(UTC) - timedelta(seconds=self.options.lookback_seconds)
        start = min(self.flt.since, recent) if self.flt.since else recent
        row = self.conn.execute(load_query("ops_tail_floor"), {"before": start}).fetchone()
        self.cursor.after = int(row["floor_id"]) if row else 0
        rows = self.poll()
        return rows if self.flt.since is not None else []

    def poll(self) -> list[Row]:
        """Events not printed yet that match the filter, in id order."""
        params = {**self.flt.params(), **self.cursor.params()}
        rows = self.conn.execute(filtered_query("ops_tail_poll"), params).fetchall()
        snap = rows[-1]
        events = [dict(r) for r in rows if r["event_id"] is not None]
        fresh = self.cursor.accept(events, int(snap["snap_xmin"]), int(snap["snap_xmax"]))
        return [row for row in fresh if row["matches"]]

    def finished(self) -> bool:
        if self.options.max_events is not None and self.printed >= self.options.max_events:
            return True
        return self._deadline is not None and time.monotonic() >= self._deadline

    def _timeout(self) -> float:
        if self._deadline is None:
            return self.options.poll_seconds
        return max(0.0, min(self.options.poll_seconds, self._deadline - time.monotonic()))

    def _emit(self, rows: list[Row], printer: Callable[[Row], None]) -> None:
        for row in rows:
            if self.finished():
                return
            printer(row)
            self.printed += 1

    def _scalar(self, name: str) -> bool:
        row = self.conn.execute(load_query(name)).fetchone()
        return bool(row and next(iter(row.values())))

    def _wait(self) -> None:
        for _ in self.conn.notifies(timeout=self._timeout(), stop_after=1):
            pass

    def _drain(self) -> None:
        for _ in self.conn.notifies(timeout=0):
            pass

    def _cycle(self, printer: Callable[[Row], None]) -> None:
        self._drain()
        self._emit(self.poll(), printer)
        if self.finished():
            return
        if not self._scalar("ops_arm_wakeup"):
            if self._scalar("ops_wakeup_armed"):
                self._wait()  # another listener is armed: its NOTIFYs reach us too
            else:
                time.sleep(MID_COMMIT_PAUSE)  # writers are committing: poll again shortly
            return
        try:
            self._emit(self.poll(), printer)  # closes the race between the poll and arming
            if not self.finished():
                self._wait()
        finally:
            self._scalar("ops_disarm_wakeup")

    def run(self, printer: Callable[[Row], None], ready: Callable[[], None] | None = None) -> int:
        """Print matching events until ``max_events`` or ``duration``; returns how many."""
        self._emit(self.start(), printer)
        if ready is not None:
            ready()
        while not self.finished():
            self._cycle(printer)
        return self.printed


def open_tail_connection(dsn: str) -> psycopg.Connection[DictRow]:
    return psycopg.connect(
        dsn, autocommit=True, row_factory=dict_row, application_name="lxera-pipeline:tail"
    )
