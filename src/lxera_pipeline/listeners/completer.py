"""Batched fenced completion for handlers that returned without opening ``ctx.transaction()``.

Such a handler made no fenced writes, so its completion needs no transaction of its own: the first
runner to finish becomes the leader and completes every delivery queued by then (and those queued
while it writes) in one statement per batch; the others wait for their result. Each row is still
fenced by its token, and the 'succeeded' audit rows are inserted by the same statement.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import anyio

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.claimer import ClaimedDelivery
from lxera_pipeline.listeners.connector import CONTROL_WAIT_SECONDS, Pool
from lxera_pipeline.listeners.fencing import AttemptFacts
from lxera_pipeline.listeners.reconnect import RECOVERABLE, ReconnectPolicy, retrying
from lxera_pipeline.log import get_logger

log = get_logger(__name__)


@dataclass(eq=False)
class _Pending:
    claim: ClaimedDelivery
    audit: dict[str, Any]
    done: anyio.Event = field(default_factory=anyio.Event)
    completed: bool | None = None  # None: unknown (the write kept failing)
    successor: bool = False


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
        self._queue: list[_Pending] = []
        self._leading = False

    async def complete(self, claim: ClaimedDelivery, facts: AttemptFacts) -> bool | None:
        """True: done and audited; False: the token no longer held; None: unknown.
        ``facts.successor`` tells whether a later event of the entity waits."""
        item = _Pending(claim, facts.audit_params())
        self._queue.append(item)
        if not self._leading:
            await self._lead()
        await item.done.wait()
        facts.successor = item.successor
        return item.completed

    async def _lead(self) -> None:
        self._leading = True
        try:
            with anyio.CancelScope(shield=True):
                while self._queue:
                    batch, self._queue = self._queue, []
                    await self._flush(batch)
        finally:
            self._leading = False

    async def _flush(self, batch: list[_Pending]) -> None:
        try:
            done = await retrying(
                lambda: self._write(batch),
                self._policy.backoff("completion"),
                deadline=min(item.claim.lease_deadline for item in batch),
                stop=self._stop,
            )
            for item in batch:
                item.completed = item.claim.delivery_id in done
                item.successor = done.get(item.claim.delivery_id, False)
        except RECOVERABLE as exc:
            log.error("completion.unrecorded", count=len(batch), error=str(exc))
        finally:
            for item in batch:
                item.done.set()

    async def _write(self, batch: list[_Pending]) -> dict[int, bool]:
        params = {
            "ids": [item.claim.delivery_id for item in batch],
            "attempts": [item.claim.attempt for item in batch],
            "correlations": [item.audit["correlation_id"] for item in batch],
            "started": [item.audit["started_at"] for item in batch],
            "durations": [item.audit["duration_ms"] for item in batch],
            "details": [item.audit["detail"] for item in batch],
            "worker": self._worker_id,
        }
        started = time.perf_counter()
        async with self._pool.connection(CONTROL_WAIT_SECONDS) as conn:
            cursor = await conn.execute(load_query("complete_deliveries"), params)
            rows = await cursor.fetchall()
        log.debug("completion.flushed", count=len(batch), ms=(time.perf_counter() - started) * 1e3)
        return {row["delivery_id"]: bool(row["successor"]) for row in rows}
