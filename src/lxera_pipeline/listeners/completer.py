"""Batched fenced completion for handlers that returned without opening ``ctx.transaction()``.

Such a handler made no fenced writes, so its completion needs no transaction of its own: the first
runner to finish becomes the leader and completes every delivery queued by then (and those queued
while it writes) in one statement per batch; the others wait for their result. Each row is still
fenced by its token, and the 'succeeded' audit rows are inserted by the same statement.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import anyio

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.claimer import ClaimedDelivery
from lxera_pipeline.listeners.connector import CONTROL_WAIT_SECONDS, Pool
from lxera_pipeline.listeners.fencing import AttemptFacts, jsonb
from lxera_pipeline.listeners.reconnect import RECOVERABLE, ReconnectPolicy, retrying
from lxera_pipeline.log import get_logger

log = get_logger(__name__)


@dataclass(eq=False)
class _Batch:
    """Completions written by one statement; its runners wait on one event."""

    items: list[tuple[ClaimedDelivery, AttemptFacts, float]] = field(default_factory=list)
    done: anyio.Event = field(default_factory=anyio.Event)
    written: dict[int, bool] | None = None  # delivery_id -> successor; None: the write failed


class Completer:
    """Completes deliveries in batches; see the module docstring."""

    def __init__(
        self, pool: Pool, worker_id: str, policy: ReconnectPolicy, stop: anyio.Event | None = None
    ) -> None:
        """``stop``: once set, a failing write is not retried (the lease expiry takes over)."""
        self._stop = stop
        self._pool = pool
        self._worker_id = worker_id
        self._policy = policy
        self._open: _Batch | None = None
        self._leading = False

    async def complete(self, claim: ClaimedDelivery, facts: AttemptFacts) -> bool | None:
        """True: done and audited; False: the token no longer held; None: unknown.
        ``facts.successor`` tells whether a later event of the entity waits."""
        if self._open is None:
            self._open = _Batch()
        batch = self._open
        batch.items.append((claim, facts, facts.duration_ms()))
        if not self._leading:
            await self._lead()
        await batch.done.wait()
        if batch.written is None:
            return None
        successor = batch.written.get(claim.delivery_id)
        facts.successor = bool(successor)
        return successor is not None

    async def _lead(self) -> None:
        self._leading = True
        try:
            with anyio.CancelScope(shield=True):
                while self._open is not None:
                    batch, self._open = self._open, None
                    await self._flush(batch)
        finally:
            self._leading = False

    async def _flush(self, batch: _Batch) -> None:
        try:
            batch.written = await retrying(
                lambda: self._write(batch),
                self._policy.backoff("completion"),
                deadline=min(claim.lease_deadline for claim, _, _ in batch.items),
                stop=self._stop,
            )
        except RECOVERABLE as exc:
            log.error("completion.unrecorded", count=len(batch.items), error=str(exc))
        finally:
            batch.done.set()

    async def _write(self, batch: _Batch) -> dict[int, bool]:
        items = batch.items
        params = {
            "ids": [claim.delivery_id for claim, _, _ in items],
            "attempts": [claim.attempt for claim, _, _ in items],
            "correlations": [facts.correlation_id for _, facts, _ in items],
            "started": [facts.started_at for _, facts, _ in items],
            "durations": [duration for _, _, duration in items],
            "details": [jsonb(facts.detail) if facts.detail else None for _, facts, _ in items],
            "worker": self._worker_id,
        }
        started = time.perf_counter()
        async with self._pool.connection(CONTROL_WAIT_SECONDS) as conn:
            cursor = await conn.execute(load_query("complete_deliveries"), params)
            rows = await cursor.fetchall()
        log.debug("completion.flushed", count=len(items), ms=(time.perf_counter() - started) * 1e3)
        return {row["delivery_id"]: bool(row["successor"]) for row in rows}
