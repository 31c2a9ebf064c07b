"""One LISTEN connection per dashboard process, fanned out to every stream client.

The hub runs the daemon's own :class:`~lxera_pipeline.listeners.listener.Listener` (wake-up
protocol, NOTIFY probe, reconnects); what it "claims" is the next page of events, read by the tail
feed (which also catches an event that commits after a higher id). Each event is encoded once as
an SSE message and offered to every subscriber's bounded queue. A subscriber that falls too far
behind is closed: its browser reconnects with ``Last-Event-ID`` and catches up from the table, so a
slow client costs memory up to its queue bound, never the database a connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import anyio

from lxera_pipeline.dashboard.ops import live_feed
from lxera_pipeline.listeners.connection import RECOVERABLE, BackoffPolicy, Connector
from lxera_pipeline.listeners.listener import STOP, Listener, Probe, WakeSignal

Row = dict[str, Any]
QUEUE_LIMIT = 2000
LOOKBACK_SECONDS = 10.0
PROBE_TIMEOUT_SECONDS = 5.0


def event_json(row: Row) -> dict[str, Any]:
    """The stream's view of one event: what changed, where, for which company, when."""
    committed: datetime = row["committed_at"]
    return {
        "event_id": int(row["event_id"]),
        "event_type": row["event_type"],
        "table": row["table_name"],
        "status_column": row["status_column"],
        "row_id": str(row["entity_id"]),
        "company_id": str(row["company_id"]) if row["company_id"] else None,
        "old_status": row["old_status"],
        "new_status": row["new_status"],
        "correlation_id": str(row["correlation_id"]) if row["correlation_id"] else None,
        "causation_id": row["causation_id"],
        "time": committed.isoformat(),
    }


def sse_message(row: Row) -> bytes:
    data = json.dumps(event_json(row), separators=(",", ":"))
    return f"id: {int(row['event_id'])}\ndata: {data}\n\n".encode()


@dataclass(eq=False)
class Subscriber:
    """One stream client: its filter and its queue of encoded messages."""

    company: UUID | None
    queue: asyncio.Queue[tuple[int, bytes] | None] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_LIMIT)
    )
    overflowed: bool = False

    def offer(self, event_id: int, company: UUID | None, message: bytes) -> None:
        if self.overflowed or (self.company is not None and company != self.company):
            return
        try:
            self.queue.put_nowait((event_id, message))
        except asyncio.QueueFull:
            self.overflowed = True  # the client reconnects and catches up from the table

    def end(self) -> None:
        """Close the stream (its reader sees ``overflowed`` on its next message)."""
        self.overflowed = True
        with contextlib.suppress(asyncio.QueueFull):  # a full queue wakes its reader anyway
            self.queue.put_nowait(None)


class EventHub:
    """Reads committed events once and hands them to every subscriber."""

    def __init__(self, connector: Connector, poll_seconds: float = 1.0) -> None:
        self._connector = connector
        self._poll = poll_seconds
        self._feed = live_feed(LOOKBACK_SECONDS)
        self._started = False
        self.subscribers: set[Subscriber] = set()
        self.stop, self.wake = anyio.Event(), WakeSignal()
        self.ready = anyio.Event()
        self.delivered = 0
        self.listener: Listener | None = None

    def subscribe(self, company: UUID | None) -> Subscriber:
        subscriber = Subscriber(company)
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    async def _claim(self) -> bool:
        async with self._connector.pool.connection() as conn:
            if self._started:
                rows = await self._feed.poll(conn)
            else:
                rows = await self._feed.start(conn)
                self._started = True
                self.ready.set()
        for row in rows:
            message = sse_message(row)
            for subscriber in list(self.subscribers):
                subscriber.offer(int(row["event_id"]), row["company_id"], message)
            self.delivered += 1
        return True

    async def run(self) -> None:
        """Read what is new on every (re)connect, then arm and read on every wake-up (the
        pattern `tail` follows); a refused arm is tried again after the next wake-up."""
        config = self._connector.config
        listener = self.listener = Listener(
            connector=self._connector,
            wake=self.wake,
            stop=self.stop,
            policy=BackoffPolicy(ceiling_seconds=config.reconnect_max_seconds),
            probe=Probe(
                config.worker_id,
                config.probe_seconds,
                min(config.probe_seconds, PROBE_TIMEOUT_SECONDS),
            ),
        )
        try:
            while not self.stop.is_set():
                try:
                    await listener.connect()
                    await self._read_while_connected(listener)
                except RECOVERABLE as exc:
                    await listener.lost(exc)
        finally:
            await listener.close()

    async def _read_while_connected(self, listener: Listener) -> None:
        armed = False
        await self._claim()  # the catch-up read of every (re)connect
        while not self.stop.is_set():
            if not armed:
                armed, _ = await listener.arm()
                if armed:
                    await self._claim()  # closes the race with writers that just committed
            await listener.wait(self._poll)
            await self._claim()

    def close(self) -> None:
        self.stop.set()
        self.wake.kick(STOP)
        for subscriber in list(self.subscribers):
            subscriber.end()
