"""In-memory stand-ins for the daemon's store and listener, so the worker's loop (claim, capacity,
claiming ahead, runner tasks, retries, shutdown) runs in unit tests without a database.

:class:`FakeStore` keeps deliveries as plain records with the real rules that matter to the loop:
a claim takes due pending deliveries in id order, skipping an entity whose earlier delivery is
still open; an attempt's end is fenced by its token; a failure goes back to pending after the
retry delay, or dead once attempts reach ``max_attempts``; a release grants one more attempt.
:class:`FakeListener` wakes on the shared :class:`WakeSignal` or the timeout.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import anyio
import anyio.lowlevel
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from lxera_pipeline.events.models import StatusEvent
from lxera_pipeline.handlers.context import LostLease
from lxera_pipeline.handlers.registry import DeadHook
from lxera_pipeline.listeners.connection import BackoffPolicy
from lxera_pipeline.listeners.listener import WakeSignal
from lxera_pipeline.listeners.store import (
    AttemptFacts,
    Delivery,
    Ended,
    FenceToken,
    Outcome,
    State,
)


@dataclass
class Record:
    delivery_id: int
    handler: str
    entity_id: uuid.UUID
    max_attempts: int
    state: State = State.PENDING
    attempts: int = 0
    leased_by: str | None = None
    run_after: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)


def event_row(event_id: int, entity: uuid.UUID) -> dict[str, Any]:
    """A `pipeline.events` row that parses (a module content moving to its quality check)."""
    return {
        "event_id": event_id,
        "event_type": "cm_module_content.status_changed",
        "table_name": "cm_module_content",
        "status_column": "status",
        "entity_id": entity,
        "company_id": None,
        "old_status": "draft",
        "new_status": "quality_check",
        "snapshot": {},
        "correlation_id": entity,
        "causation_id": None,
        "actor_role": "service_role",
        "committed_at": datetime.now(UTC),
    }


class FakeStore:
    """Implements :class:`lxera_pipeline.listeners.store.Store` in memory."""

    def __init__(
        self, handlers: Sequence[str], *, lease_seconds: float = 30.0, retry_seconds: float = 0.01
    ) -> None:
        self.worker_id = "fake-worker"
        self.claim_events = 0
        self.claiming = False
        self._handlers = sorted(handlers)
        self.lease_seconds = lease_seconds
        self.retry = BackoffPolicy(
            initial_seconds=retry_seconds, ceiling_seconds=retry_seconds, rng=lambda: 0.5
        )
        self.records: dict[int, Record] = {}
        self._ids = itertools.count(1)
        self.asked: list[int] = []  # the limit of every claim
        self.claimed: list[int] = []  # delivery ids, in claim order
        self.released_unstarted: list[int] = []
        self.extended: list[int] = []

    @property
    def handler_names(self) -> list[str]:
        return list(self._handlers)

    def add(self, handler: str, *, entity: uuid.UUID | None = None, max_attempts: int = 3) -> int:
        delivery_id = next(self._ids)
        record = Record(delivery_id, handler, entity or uuid.uuid4(), max_attempts)
        self.records[delivery_id] = record
        return delivery_id

    def states(self) -> dict[int, State]:
        return {key: record.state for key, record in self.records.items()}

    def _blocked(self, record: Record) -> bool:
        return any(
            other.entity_id == record.entity_id
            and other.delivery_id < record.delivery_id
            and other.state in (State.PENDING, State.RUNNING)
            for other in self.records.values()
        )

    def _successor(self, record: Record) -> bool:
        """A later event of the entity waits (what the completion statements report)."""
        return any(
            other.entity_id == record.entity_id
            and other.delivery_id > record.delivery_id
            and other.state == State.PENDING
            for other in self.records.values()
        )

    async def claim(self, limit: int) -> list[Delivery]:
        self.claim_events, self.claiming = self.claim_events + 1, True
        try:
            return await self._claim(limit)
        finally:
            self.claim_events, self.claiming = self.claim_events + 1, False

    async def _claim(self, limit: int) -> list[Delivery]:
        self.asked.append(limit)
        await anyio.lowlevel.checkpoint()
        now = time.monotonic()
        due = [
            record
            for record in sorted(self.records.values(), key=lambda r: r.delivery_id)
            if record.state == State.PENDING
            and record.run_after <= now
            and record.handler in self._handlers
            and not self._blocked(record)
        ][:limit]
        claimed = []
        for record in due:
            record.state, record.attempts = State.RUNNING, record.attempts + 1
            record.leased_by = self.worker_id
            self.claimed.append(record.delivery_id)
            row = {
                **event_row(record.delivery_id, record.entity_id),
                "delivery_id": record.delivery_id,
                "handler": record.handler,
                "attempt": record.attempts,
                "max_attempts": record.max_attempts,
                "is_replay": False,
                "delivery_entity_id": record.entity_id,
            }
            claimed.append(Delivery.from_row(row, self.lease_seconds, self.worker_id))
        return claimed

    def _holds(self, token: FenceToken) -> Record | None:
        record = self.records.get(token.delivery_id)
        if (
            record is None
            or record.state != State.RUNNING
            or record.attempts != token.attempt
            or record.leased_by != token.worker_id
        ):
            return None
        return record

    def connection(self) -> Any:
        raise NotImplementedError("the fake store has no database connections")

    @asynccontextmanager
    async def transaction(
        self, token: FenceToken, facts: AttemptFacts
    ) -> AsyncIterator[AsyncConnection[DictRow]]:
        if self._holds(token) is None:
            raise token.lost()
        yield None  # type: ignore[misc]  # the handlers of these tests write nothing
        record = self._holds(token)
        if record is None:
            raise token.lost()
        record.state = State.DONE
        record.outcomes.append(Outcome.SUCCEEDED)
        facts.successor = self._successor(record)

    async def end(
        self,
        delivery: Delivery,
        facts: AttemptFacts,
        outcome: Outcome,
        *,
        error: BaseException | str | None = None,
        event: StatusEvent | None = None,
        on_dead: DeadHook | None = None,
    ) -> Ended:
        await anyio.lowlevel.checkpoint()
        record = self._holds(delivery.token)
        if record is None:
            if outcome is Outcome.RELEASED:
                return Ended(None)
            self.records[delivery.delivery_id].outcomes.append(Outcome.LOST_LEASE)
            return Ended(Outcome.LOST_LEASE)
        delay = 0.0
        if outcome is Outcome.FAILED and record.attempts >= record.max_attempts:
            outcome = Outcome.DEAD
        if outcome in (Outcome.FAILED, Outcome.RELEASED):
            record.state, record.leased_by = State.PENDING, None
            if outcome is Outcome.FAILED:
                delay = self.retry.delay(record.attempts)
                record.run_after = time.monotonic() + delay
            else:
                record.max_attempts += 1
        elif outcome is Outcome.SUCCEEDED:
            record.state = State.DONE
            facts.successor = self._successor(record)
        elif outcome is Outcome.LOST_LEASE:
            raise LostLease("a lost lease is only recorded for a token that no longer holds")
        else:
            record.state = State(outcome.value)
        record.outcomes.append(outcome)
        return Ended(outcome, delay)

    async def release_unstarted(self, deliveries: Sequence[Delivery]) -> set[int]:
        released = set()
        for delivery in deliveries:
            record = self._holds(delivery.token)
            if record is not None:
                record.state, record.leased_by = State.PENDING, None
                record.max_attempts += 1
                record.outcomes.append(Outcome.RELEASED)
                released.add(delivery.delivery_id)
                self.released_unstarted.append(delivery.delivery_id)
        return released

    async def extend_leases(
        self, conn: AsyncConnection[DictRow], deliveries: Sequence[Delivery]
    ) -> int:
        held = [d.delivery_id for d in deliveries if self._holds(d.token) is not None]
        self.extended.extend(held)
        return len(held)

    async def queue_stats(self) -> tuple[int, float]:
        return sum(r.state == State.PENDING for r in self.records.values()), 0.0

    async def ping(self) -> None:
        return None


class FakeListener:
    """Implements :class:`lxera_pipeline.listeners.listener.WakeUps`: always connected, armed on
    request; ``wait`` returns on a kick of the shared wake signal or at the timeout."""

    def __init__(self, wake: WakeSignal) -> None:
        self.wake = wake
        self.streaming = False
        self.connects = 0
        self.arms = 0
        self.armed = False

    async def connect(self) -> None:
        self.connects += 1

    async def lost(self, exc: BaseException) -> None:
        self.armed = False

    async def close(self) -> None:
        self.armed = False

    async def arm(self) -> tuple[bool, bool]:
        self.arms += 1
        self.armed = True
        return True, True

    async def disarm(self) -> None:
        self.armed = False

    async def wait(self, seconds: float) -> frozenset[str]:
        limit = self.wake.timeout(seconds)
        if limit > 0 and not self.wake.is_set():
            with anyio.move_on_after(limit):
                await self.wake.wait()
        return self.wake.take()
