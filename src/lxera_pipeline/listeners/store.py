"""Every statement the daemon runs about deliveries, behind one :class:`DeliveryStore`.

The SQL is in ``db/queries/deliveries.sql``. Each write that ends an attempt is fenced by the
attempt's :class:`FenceToken` (delivery id, attempt number, worker id): it changes nothing once
another daemon took the delivery over, it was released, or it finished elsewhere.

- :meth:`DeliveryStore.claim`: route committed events into deliveries (when due) and claim a
  batch (``FOR UPDATE SKIP LOCKED``) in one round trip. A claim takes due pending deliveries and
  expired leases of the served handlers, in delivery order, skipping any whose entity still has an
  earlier event pending or running; it sets them running with ``attempts + 1`` and a lease. A
  routing that created more deliveries than its claim took wakes the other daemons (a NOTIFY).
- :meth:`DeliveryStore.transaction`: the handler's single fenced transaction. It locks the delivery
  row and checks the token (else :class:`LostLease`), tags the events the writes cause
  (``pipeline.causation_id`` / ``pipeline.correlation_id``), and on a clean exit marks the delivery
  done and inserts its 'succeeded' audit row before committing; completion and commit are shielded
  from cancellation.
- :meth:`DeliveryStore.end`: the one way to end an attempt that did not commit through that
  transaction. 'succeeded' (the handler opened no transaction) joins a batch completed by one
  statement; 'failed', 'dead', 'skipped' and 'released' are one fenced statement
  (``end_delivery``), and a failure that exhausts the attempts runs the handler's ``on_dead``
  hook in that same transaction; 'lost_lease' writes only an audit row, and none when the
  delivery is in fact done by this very attempt. A write that finds its token gone falls back
  to 'lost_lease'. Writes keep trying through link errors until the lease would have run out anyway.
- :meth:`DeliveryStore.release_unstarted`, :meth:`DeliveryStore.extend_leases`,
  :meth:`DeliveryStore.queue_stats`: shutdown hand-back, lease renewal and the metrics' depth.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from typing import Any, Protocol
from uuid import UUID

import anyio
from psycopg import AsyncConnection
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from lxera_pipeline.db.locks import SERVED_CLASS
from lxera_pipeline.db.queries import load_query
from lxera_pipeline.events.failures import tenant_message
from lxera_pipeline.events.models import StatusEvent
from lxera_pipeline.handlers.context import LostLease
from lxera_pipeline.handlers.registry import DeadHook
from lxera_pipeline.listeners.connection import (
    CONTROL_WAIT_SECONDS,
    RECOVERABLE,
    BackoffPolicy,
    Pool,
    retrying,
)
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

# Routing this many deliveries in one claim refreshes the table statistics (see `claim`).
ANALYZE_AFTER_ROUTED = 1000
# While claims come back full, events are routed at most this often (see `_route_due`).
ROUTE_EVERY_SECONDS = 0.05
_dumps = partial(json.dumps, default=str)


class State(StrEnum):
    """``pipeline.deliveries.state``."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"
    SKIPPED = "skipped"


class Outcome(StrEnum):
    """How an attempt ended: ``pipeline.audit_log.outcome``."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"  # scheduled again
    DEAD = "dead"
    SKIPPED = "skipped"
    LOST_LEASE = "lost_lease"
    RELEASED = "released"


def jsonb(detail: dict[str, Any]) -> Jsonb:
    """A detail dict for a jsonb column; values JSON does not know are written as text."""
    return Jsonb(detail, dumps=_dumps)


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(``Type: message``, full traceback) of an exception."""
    return f"{type(exc).__name__}: {exc}", "".join(traceback.format_exception(exc))


@dataclass(frozen=True)
class FenceToken:
    """The claim an attempt holds: this delivery, at this attempt number, leased by this worker."""

    delivery_id: int
    attempt: int
    worker_id: str

    def params(self) -> dict[str, Any]:
        return {"delivery_id": self.delivery_id, "attempt": self.attempt, "worker": self.worker_id}

    def lost(self) -> LostLease:
        return LostLease(
            f"delivery {self.delivery_id} attempt {self.attempt} is no longer leased by "
            f"{self.worker_id} (taken over, released or finished elsewhere)"
        )


@dataclass(frozen=True, eq=False)
class Delivery:
    """One claimed attempt: the delivery, its fence token, and the event row loaded with it."""

    token: FenceToken
    handler: str
    max_attempts: int
    is_replay: bool
    event_id: int
    entity_id: UUID
    correlation_id: UUID | None
    lease_seconds: float
    event_row: dict[str, Any] = field(repr=False)
    claimed_at: float = field(default_factory=time.monotonic)

    @classmethod
    def from_row(cls, row: dict[str, Any], lease_seconds: float, worker_id: str) -> Delivery:
        return cls(
            token=FenceToken(row["delivery_id"], row["attempt"], worker_id),
            handler=row["handler"],
            max_attempts=row["max_attempts"],
            is_replay=row["is_replay"],
            event_id=row["event_id"],
            entity_id=row["delivery_entity_id"],
            correlation_id=row.get("correlation_id"),
            lease_seconds=lease_seconds,
            event_row=row,
        )

    @property
    def delivery_id(self) -> int:
        return self.token.delivery_id

    @property
    def attempt(self) -> int:
        return self.token.attempt

    @property
    def lease_deadline(self) -> float:
        """Monotonic time at which the lease runs out unless a heartbeat extends it."""
        return self.claimed_at + self.lease_seconds

    def log_fields(self) -> dict[str, object]:
        return {
            "event_id": self.event_id,
            "entity_id": str(self.entity_id),
            "correlation_id": str(self.correlation_id) if self.correlation_id else None,
            "delivery_id": self.delivery_id,
            "handler": self.handler,
        }


@dataclass
class AttemptFacts:
    """What an attempt's audit row records besides the token."""

    event_id: int
    correlation_id: UUID | None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started: float = field(default_factory=time.perf_counter)
    detail: dict[str, Any] = field(default_factory=dict)
    successor: bool = False  # set on completion: a later event of the entity waits

    @classmethod
    def of(cls, delivery: Delivery) -> AttemptFacts:
        return cls(delivery.event_id, delivery.correlation_id)

    def duration_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 3)

    def audit_params(self) -> dict[str, Any]:
        return {
            "correlation_id": self.correlation_id,
            "started_at": self.started_at,
            "duration_ms": self.duration_ms(),
            "detail": jsonb(self.detail),
        }

    def causation_params(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "correlation_id": self.correlation_id}


@dataclass(frozen=True)
class Ended:
    """What :meth:`DeliveryStore.end` recorded: the attempt's outcome as it now stands (None when
    nothing could be written, or a release found the delivery no longer ours), and for a
    failure scheduled again, its delay."""

    outcome: Outcome | None
    delay_seconds: float = 0.0


@asynccontextmanager
async def shielded_transaction(
    conn: AsyncConnection[DictRow], commit: bool = True
) -> AsyncIterator[None]:
    """``conn.transaction()`` whose commit or rollback cannot be cancelled half-way."""
    transaction = conn.transaction(force_rollback=not commit)
    await transaction.__aenter__()
    try:
        yield
    except BaseException as exc:
        with anyio.CancelScope(shield=True):
            await transaction.__aexit__(type(exc), exc, exc.__traceback__)
        raise
    with anyio.CancelScope(shield=True):
        await transaction.__aexit__(None, None, None)


async def _enter_fence(
    conn: AsyncConnection[DictRow], token: FenceToken, facts: AttemptFacts
) -> None:
    """Lock the delivery row, check the token, set the causation settings; LostLease if not."""
    cursor = await conn.execute(
        load_query("fence_delivery"), {**token.params(), **facts.causation_params()}
    )
    if await cursor.fetchone() is None:
        raise token.lost()


@dataclass(eq=False)
class _Batch:
    """Completions written by one statement; their runners wait on one event."""

    items: list[tuple[Delivery, AttemptFacts, float]] = field(default_factory=list)
    done: anyio.Event = field(default_factory=anyio.Event)
    written: dict[int, bool] | None = None  # delivery_id -> successor; None: the write failed


class DeliveryStore:
    """The delivery statements of one worker, for a fixed set of handlers (each with its lease).

    ``control``: the daemon's own pool (claims, outcomes); ``handler_pool``: the handlers' pool
    (their connections and fenced transactions). ``retry`` spaces a failed delivery's attempts;
    ``policy`` spaces the tries of a write through link errors; once ``stop`` is set, a failing
    write is not tried again (the lease expiry takes over).
    """

    def __init__(
        self,
        *,
        control: Pool,
        handler_pool: Pool,
        worker_id: str,
        leases: Mapping[str, float],
        default_lease: float,
        retry: BackoffPolicy,
        policy: BackoffPolicy,
        stop: anyio.Event | None = None,
    ) -> None:
        if not leases:
            raise ValueError("a delivery store needs at least one handler to claim for")
        self._control = control
        self._handler_pool = handler_pool
        self.worker_id = worker_id
        self._default_lease = default_lease
        self._leases = dict(leases)
        self._names = sorted(self._leases)
        self._lease_list = [self._leases[name] for name in self._names]
        self._retry = retry
        self._policy = policy
        self._stop = stop
        self._routed_at: float | None = None
        self._came_back_short = True
        self._open: _Batch | None = None
        self._leading = False
        # Claim starts and ends so far, and whether one is running. A claim that runs while a
        # delivery finishes may find the entity's next delivery blocked by it, while the
        # completion's successor check (an earlier snapshot) did not see that next delivery yet:
        # the runner claims again after such an attempt (Runner.run), so the event cannot wait
        # for the poll.
        self.claim_events = 0
        self.claiming = False
        # A concrete logger for the per-batch lines (the module proxy re-binds on every call).
        self._log = log.bind()

    @property
    def handler_names(self) -> list[str]:
        return list(self._names)

    # -- claiming ---------------------------------------------------------------------------

    async def claim(self, limit: int) -> list[Delivery]:
        """Claim up to ``limit`` deliveries (fewer when fewer are eligible)."""
        if limit < 1:
            return []
        params = {
            "handlers": self._names,
            "leases": self._lease_list,
            "lease": self._default_lease,
            "limit": limit,
            "worker": self.worker_id,
            "served_lock_class": SERVED_CLASS,
        }
        self.claim_events, self.claiming = self.claim_events + 1, True
        try:
            async with self._control.connection(CONTROL_WAIT_SECONDS) as conn:
                if self._route_due():
                    rows = await self._route_and_claim(conn, params)
                else:
                    cursor = await conn.execute(load_query("claim_deliveries"), params)
                    rows = await cursor.fetchall()
        finally:
            self.claim_events, self.claiming = self.claim_events + 1, False
        self._came_back_short = len(rows) < limit
        return [
            Delivery.from_row(
                row, self._leases.get(row["handler"], self._default_lease), self.worker_id
            )
            for row in rows
        ]

    def _route_due(self) -> bool:
        """Route committed events into deliveries before this claim? Always after a claim that
        came back short (what waits may not be routed yet); while claims come back full, at most
        every ROUTE_EVERY_SECONDS (each routing is a statement of its own)."""
        if self._came_back_short or self._routed_at is None:
            return True
        return time.monotonic() - self._routed_at >= ROUTE_EVERY_SECONDS

    async def _route_and_claim(
        self, conn: AsyncConnection[DictRow], params: dict[str, Any]
    ) -> list[DictRow]:
        """Route, then claim, sent together (one round trip; one implicit transaction)."""
        async with conn.pipeline():
            routing = await conn.execute(
                load_query("route_served_events"), {"handlers": params["handlers"]}
            )
            claiming = await conn.execute(load_query("claim_deliveries"), params)
        routed_row = await routing.fetchone()
        rows = await claiming.fetchall()
        self._routed_at = time.monotonic()
        routed = 0 if routed_row is None else int(routed_row["routed"])
        if routed > params["limit"]:
            # More was routed than this claim can take. The router does not NOTIFY for the
            # handlers named as served here, so another daemon serving them that is waiting
            # (it claimed while this routing was uncommitted, found nothing and armed) would
            # sleep until its poll: wake it, as the router wakes another handler's daemon.
            await conn.execute(load_query("wake_routed"), {"routed": routed})
        if routed >= ANALYZE_AFTER_ROUTED:
            # A burst was routed: later claims plan with statistics that include it.
            await conn.execute(load_query("analyze_deliveries"))
        return rows

    # -- the handler's connections ----------------------------------------------------------

    def connection(self) -> AbstractAsyncContextManager[AsyncConnection[DictRow]]:
        """A pooled autocommit connection for a handler's reads before its commit."""
        return self._handler_pool.connection()

    @asynccontextmanager
    async def transaction(
        self, token: FenceToken, facts: AttemptFacts
    ) -> AsyncIterator[AsyncConnection[DictRow]]:
        """The handler's single fenced transaction (see the module docstring)."""
        async with self._handler_pool.connection() as conn, shielded_transaction(conn):
            await _enter_fence(conn, token, facts)
            yield conn
            with anyio.CancelScope(shield=True):
                cursor = await conn.execute(
                    load_query("complete_delivery"), {**token.params(), **facts.audit_params()}
                )
                row = await cursor.fetchone()
                if row is None:
                    raise token.lost()
                facts.successor = bool(row["successor"])

    # -- ending an attempt ------------------------------------------------------------------

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
        """End an attempt that did not commit through :meth:`transaction` (module docstring).

        ``error``: the exception of a failure, the reason of 'dead'/'skipped'/'lost_lease';
        ``event`` and ``on_dead``: the hook a failure that exhausts the attempts runs.
        ``facts.successor`` tells, after a completion, whether a later event of the entity waits.
        """
        text, trace = describe_error(error) if isinstance(error, BaseException) else (error, None)
        if outcome is Outcome.SUCCEEDED:
            done = await self._complete(delivery, facts)
            if done is None:
                return Ended(None)
            if done:
                return Ended(Outcome.SUCCEEDED)
            # The runner calls this without a cancel scope (the batch's write is shielded):
            # the rare fallback gets its own, bounded by the lease like the runner's.
            with anyio.move_on_after(delivery.lease_seconds, shield=True):
                return await self._lost(delivery, facts, "the lease was lost before completion")
            return Ended(None)
        if outcome is Outcome.LOST_LEASE:
            return await self._lost(delivery, facts, text or f"{delivery.handler} lost its lease")
        delay = self._retry.delay(delivery.attempt) if outcome is Outcome.FAILED else 0.0
        hook = on_dead if event is not None and delivery.attempt >= delivery.max_attempts else None
        params = {**delivery.token.params(), **facts.audit_params()}
        params.update(outcome=str(outcome), delay_seconds=delay, error=text, traceback=trace)

        async def write() -> DictRow | None:
            async with (
                self._control.connection(CONTROL_WAIT_SECONDS) as conn,
                shielded_transaction(conn),
            ):
                if hook is not None and event is not None and outcome is Outcome.FAILED:
                    await _enter_fence(conn, delivery.token, facts)
                    # The entity's error column gets the short tenant-safe message; the full
                    # error stays in this dead letter.
                    shown = tenant_message(error) if isinstance(error, BaseException) else text
                    await self._run_hook(conn, hook, event, shown or "", facts)
                    params["detail"] = jsonb(facts.detail)
                cursor = await conn.execute(load_query("end_delivery"), params)
                return await cursor.fetchone()

        try:
            row = await self._write(delivery, write)
        except LostLease:
            row = None
        if row is not None:
            return Ended(Outcome(row["outcome"]), delay)
        if outcome is Outcome.RELEASED:
            return Ended(None)
        return await self._lost(delivery, facts, f"could not record {outcome}: {text}")

    async def _lost(self, delivery: Delivery, facts: AttemptFacts, error: str) -> Ended:
        """Audit 'lost_lease'; 'succeeded' when the delivery turned out done by this attempt."""
        params = {**delivery.token.params(), **facts.audit_params(), "error": error}

        async def write() -> DictRow | None:
            async with self._control.connection(CONTROL_WAIT_SECONDS) as conn:
                cursor = await conn.execute(load_query("audit_lost_lease"), params)
                return await cursor.fetchone()

        row = await self._write(delivery, write)
        return Ended(Outcome.LOST_LEASE if row is not None else Outcome.SUCCEEDED)

    async def _write(
        self, delivery: Delivery, operation: Callable[[], Awaitable[DictRow | None]]
    ) -> DictRow | None:
        backoff = self._policy.backoff(f"delivery {delivery.delivery_id} outcome")
        deadline = time.monotonic() + delivery.lease_seconds
        return await retrying(operation, backoff, deadline, self._stop)

    async def _run_hook(
        self,
        conn: AsyncConnection[DictRow],
        hook: DeadHook,
        event: StatusEvent,
        error: str,
        facts: AttemptFacts,
    ) -> None:
        """The handler's on_dead hook, in a savepoint: its failure never blocks the dead letter."""
        try:
            async with conn.transaction():
                await hook(conn, event, error)
        except Exception as hook_exc:
            facts.detail["on_dead_error"] = describe_error(hook_exc)[0]
            log.exception("delivery.on_dead_failed")

    # -- batched completion -----------------------------------------------------------------
    # A handler that returned without opening its transaction made no fenced writes, so its
    # completion needs no transaction of its own: the first runner to finish leads and completes
    # every delivery queued by then (and those queued while it writes) in one statement per
    # batch; the others wait for their result. Each row is still fenced by its token.

    async def _complete(self, delivery: Delivery, facts: AttemptFacts) -> bool | None:
        """True: done and audited; False: the token no longer held; None: unknown."""
        if self._open is None:
            self._open = _Batch()
        batch = self._open
        batch.items.append((delivery, facts, facts.duration_ms()))
        if not self._leading:
            await self._lead()
        await batch.done.wait()
        if batch.written is None:
            return None
        successor = batch.written.get(delivery.delivery_id)
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
                lambda: self._complete_batch(batch),
                self._policy.backoff("completion"),
                deadline=min(delivery.lease_deadline for delivery, _, _ in batch.items),
                stop=self._stop,
            )
        except RECOVERABLE as exc:
            log.error("completion.unrecorded", count=len(batch.items), error=str(exc))
        finally:
            batch.done.set()

    async def _complete_batch(self, batch: _Batch) -> dict[int, bool]:
        items = batch.items
        params = {
            "ids": [delivery.delivery_id for delivery, _, _ in items],
            "attempts": [delivery.attempt for delivery, _, _ in items],
            "correlations": [facts.correlation_id for _, facts, _ in items],
            "started": [facts.started_at for _, facts, _ in items],
            "durations": [duration for _, _, duration in items],
            "details": [jsonb(facts.detail) if facts.detail else None for _, facts, _ in items],
            "worker": self.worker_id,
        }
        started = time.perf_counter()
        async with self._control.connection(CONTROL_WAIT_SECONDS) as conn:
            cursor = await conn.execute(load_query("complete_deliveries"), params)
            rows = await cursor.fetchall()
        self._log.debug(
            "completion.flushed", count=len(items), ms=(time.perf_counter() - started) * 1e3
        )
        return {row["delivery_id"]: bool(row["successor"]) for row in rows}

    # -- shutdown, leases, statistics -------------------------------------------------------

    async def release_unstarted(self, deliveries: Sequence[Delivery]) -> set[int]:
        """Hand back deliveries claimed ahead that never started (shutdown); the ids that were
        still ours. One statement, tried once: what it cannot release, the lease expiry does."""
        if not deliveries:
            return set()
        params = {
            "ids": [delivery.delivery_id for delivery in deliveries],
            "attempts": [delivery.attempt for delivery in deliveries],
            "correlations": [delivery.correlation_id for delivery in deliveries],
            "worker": self.worker_id,
        }
        async with self._control.connection(CONTROL_WAIT_SECONDS) as conn:
            cursor = await conn.execute(load_query("release_deliveries"), params)
            return {row["delivery_id"] for row in await cursor.fetchall()}

    async def extend_leases(
        self, conn: AsyncConnection[DictRow], deliveries: Sequence[Delivery]
    ) -> int:
        """Renew the leases this worker still holds (on the heartbeat's own connection); how
        many were renewed. A delivery whose token no longer matches is simply not extended."""
        params = {
            "ids": [delivery.delivery_id for delivery in deliveries],
            "attempts": [delivery.attempt for delivery in deliveries],
            "leases": [delivery.lease_seconds for delivery in deliveries],
            "worker": self.worker_id,
        }
        cursor = await conn.execute(load_query("extend_leases"), params)
        return len(await cursor.fetchall())

    async def queue_stats(self) -> tuple[int, float]:
        """(pending deliveries of the served handlers, age of the oldest in seconds)."""
        async with self._control.connection(CONTROL_WAIT_SECONDS) as conn:
            cursor = await conn.execute(load_query("queue_stats"), {"handlers": self._names})
            row = await cursor.fetchone()
        if row is None:
            return 0, 0.0
        return int(row["depth"]), float(row["oldest_age_seconds"])

    async def ping(self) -> None:
        """One round trip on the control pool (readiness)."""
        async with self._control.connection(CONTROL_WAIT_SECONDS) as conn:
            await conn.execute(load_query("ping"))


class Store(Protocol):
    """What the worker loop needs of a store: :class:`DeliveryStore`, or a test's in-memory
    fake."""

    worker_id: str
    claim_events: int  # claim starts and ends so far (see DeliveryStore.__init__)
    claiming: bool  # a claim is running

    @property
    def handler_names(self) -> list[str]: ...

    async def claim(self, limit: int) -> list[Delivery]: ...

    def connection(self) -> AbstractAsyncContextManager[AsyncConnection[DictRow]]: ...

    def transaction(
        self, token: FenceToken, facts: AttemptFacts
    ) -> AbstractAsyncContextManager[AsyncConnection[DictRow]]: ...

    async def end(
        self,
        delivery: Delivery,
        facts: AttemptFacts,
        outcome: Outcome,
        *,
        error: BaseException | str | None = None,
        event: StatusEvent | None = None,
        on_dead: DeadHook | None = None,
    ) -> Ended: ...

    async def release_unstarted(self, deliveries: Sequence[Delivery]) -> set[int]: ...

    async def extend_leases(
        self, conn: AsyncConnection[DictRow], deliveries: Sequence[Delivery]
    ) -> int: ...

    async def queue_stats(self) -> tuple[int, float]: ...

    async def ping(self) -> None: ...
