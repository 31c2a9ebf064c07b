"""`tail`: print events as they commit.

The LISTEN side is the daemon's own :class:`~lxera_pipeline.listeners.listener.Listener` (the
NOTIFY probe, the reconnect policy); a tail arms it and stays armed (writers NOTIFY while some
listener is armed), and on every wake-up reads the next page of events with :class:`TailFeed`.
:class:`TailCursor` makes sure an event whose id is lower than one already printed (its
transaction committed later) is still printed, exactly once.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import click
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.config import DaemonConfig, new_worker_id
from lxera_pipeline.listeners.connection import RECOVERABLE, BackoffPolicy, Connector
from lxera_pipeline.listeners.listener import STOP, Listener, Probe, WakeSignal
from lxera_pipeline.operate.common import EventFilter, clock, filtered_query, stream, transition
from lxera_pipeline.settings import Settings

Row = dict[str, Any]
Printer = Callable[[Row], None]
PROBE_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class TailOptions:
    poll_seconds: float = 0.5
    lookback_seconds: float = 10.0
    max_events: int | None = None
    duration_seconds: float | None = None


class TailFeed:
    """Reads the events a tail has not printed yet that match its filter."""

    def __init__(self, flt: EventFilter, lookback_seconds: float) -> None:
        self.flt = flt
        self.lookback = lookback_seconds
        self.cursor = TailCursor(after=0, min_gap_seconds=lookback_seconds)

    async def start(self, conn: AsyncConnection[DictRow]) -> list[Row]:
        """Put the cursor ``lookback`` seconds back (or at --since, whose events it returns)."""
        recent = datetime.now(UTC) - timedelta(seconds=self.lookback)
        start = min(self.flt.since, recent) if self.flt.since else recent
        cursor = await conn.execute(load_query("ops_tail_floor"), {"before": start})
        row = await cursor.fetchone()
        self.cursor.after = int(row["floor_id"]) if row else 0
        rows = await self.poll(conn)
        return rows if self.flt.since is not None else []

    async def poll(self, conn: AsyncConnection[DictRow]) -> list[Row]:
        """Events not returned before that match the filter, in id order."""
        params = {**self.flt.params(), **self.cursor.params()}
        rows = await (await conn.execute(filtered_query("ops_tail_poll"), params)).fetchall()
        snap = rows[-1]
        events = [dict(r) for r in rows if r["event_id"] is not None]
        fresh = self.cursor.accept(events, int(snap["snap_xmin"]), int(snap["snap_xmax"]))
        return [row for row in fresh if row["matches"]]


class TailSession:
    """One `tail` run: a feed, a printer and the conditions that end it."""

    def __init__(
        self,
        feed: TailFeed,
        options: TailOptions,
        printer: Printer,
        ready: Callable[[], None] | None = None,
    ) -> None:
        self.feed, self.options, self.printer, self.ready = feed, options, printer, ready
        self.printed = 0
        self.stop, self.wake = anyio.Event(), WakeSignal()
        self._started = False

    def finished(self) -> bool:
        return self.options.max_events is not None and self.printed >= self.options.max_events

    def end(self) -> None:
        self.stop.set()
        self.wake.kick(STOP)

    async def claim(self, connector: Connector) -> None:
        """Print what is new (one query reads it all)."""
        async with connector.pool.connection() as conn:
            rows = await (self.feed.poll(conn) if self._started else self.feed.start(conn))
        for row in rows:
            if self.finished():
                break
            self.printer(row)
            self.printed += 1
        if not self._started and self.ready is not None:
            self.ready()
        self._started = True
        if self.finished():
            self.end()


def _config(settings: Settings, dsn: str, options: TailOptions) -> DaemonConfig:
    base = DaemonConfig.from_settings(settings, dsn, f"tail-{new_worker_id()}")
    return dataclasses.replace(base, pool_size=1, poll_seconds=options.poll_seconds)


async def follow(settings: Settings, dsn: str, session: TailSession) -> int:
    """Run the tail until it has printed ``max_events`` or ``duration`` has passed."""
    config = _config(settings, dsn, session.options)
    async with Connector(config) as connector, anyio.create_task_group() as group:
        listener = Listener(
            connector=connector,
            wake=session.wake,
            stop=session.stop,
            policy=BackoffPolicy(ceiling_seconds=config.reconnect_max_seconds),
            probe=Probe(
                config.worker_id,
                config.probe_seconds,
                min(config.probe_seconds, PROBE_TIMEOUT_SECONDS),
            ),
        )
        if session.options.duration_seconds is not None:
            group.start_soon(_end_after, session, session.options.duration_seconds)
        try:
            while not session.stop.is_set():
                try:
                    await listener.connect()
                    await _print_while_connected(listener, session, connector, config)
                except RECOVERABLE as exc:
                    await listener.lost(exc)
        finally:
            await listener.close()
        group.cancel_scope.cancel()
    return session.printed


async def _print_while_connected(
    listener: Listener, session: TailSession, connector: Connector, config: DaemonConfig
) -> None:
    """Print what is new, then arm and print on every wake-up. A refused arm (another listener
    is armed, or writers are mid-commit) is tried again after the next wake-up."""
    armed = False
    await session.claim(connector)  # the catch-up read of every (re)connect
    while not session.stop.is_set():
        if not armed:
            armed, _ = await listener.arm()
            if armed:
                await session.claim(connector)  # closes the race with writers that just committed
        await listener.wait(config.poll_seconds)
        await session.claim(connector)


async def _end_after(session: TailSession, seconds: float) -> None:
    await anyio.sleep(seconds)
    session.end()


@dataclass(frozen=True)
class Gap:
    noticed_at: float
    horizon: int  # snapshot xmax of the poll that noticed the gap


@dataclass
class TailCursor:
    after: int
    min_gap_seconds: float = 2.0
    gaps: dict[int, Gap] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        return {"after": self.after, "gaps": sorted(self.gaps)}

    def accept(
        self, rows: Iterable[Row], snap_xmin: int, snap_xmax: int, now: float | None = None
    ) -> list[Row]:
        """Rows of one poll (ascending ids) -> the ones not seen before, in id order."""
        now = time.monotonic() if now is None else now
        fresh: list[Row] = []
        for row in rows:
            event_id = int(row["event_id"])
            if event_id > self.after:
                for missing in range(self.after + 1, event_id):
                    self.gaps[missing] = Gap(now, snap_xmax)
                self.after = event_id
            elif self.gaps.pop(event_id, None) is None:
                continue
            fresh.append(row)
        self._expire(snap_xmin, now)
        return fresh

    def _expire(self, snap_xmin: int, now: float) -> None:
        for event_id, gap in list(self.gaps.items()):
            if snap_xmin >= gap.horizon and now - gap.noticed_at >= self.min_gap_seconds:
                del self.gaps[event_id]


INTERNAL = ("matches", "snap_xmin", "snap_xmax")


def tail_printer(as_json: bool) -> Printer:
    """Prints one event per line: human-readable, or one JSON object."""

    def print_row(row: dict[str, Any]) -> None:
        if as_json:
            data = {key: value for key, value in row.items() if key not in INTERNAL}
            click.echo(json.dumps(data, default=str))
        else:
            click.echo(tail_line(row))

    return print_row


def tail_line(row: Row) -> str:
    cause = f" (caused by {row['causation_id']})" if row.get("causation_id") else ""
    return (
        f"{clock(row['committed_at'])}  #{row['event_id']}  {stream(row)}  "
        f"{row['entity_id']}  {transition(row)}{cause}"
    )
