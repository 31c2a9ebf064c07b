"""One attempt of one claimed delivery: parse the event, find the handler, call it, end the attempt.

Every log line of an attempt carries event_id, entity_id, correlation_id, delivery_id and handler
(bound with structlog's contextvars). Outcomes: 'succeeded' (fenced commit, or batched completion
when the handler opened no transaction), 'failed' / 'dead' (exception), 'lost_lease', 'dead' for an
unparseable event, 'skipped' for a handler this process does not know, 'released' on shutdown.
Each is written by :meth:`~lxera_pipeline.listeners.store.Store.end`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import anyio
from structlog.contextvars import bind_contextvars, reset_contextvars

from lxera_pipeline.events.models import EventParseError, StatusEvent, parse_event
from lxera_pipeline.handlers.context import LostLease
from lxera_pipeline.handlers.registry import HandlerSpec
from lxera_pipeline.listeners.context import DeliveryContext
from lxera_pipeline.listeners.health import DaemonMetrics
from lxera_pipeline.listeners.listener import CAPACITY, COMPLETED, WakeSignal
from lxera_pipeline.listeners.store import (
    AttemptFacts,
    Delivery,
    Ended,
    Outcome,
    Store,
    describe_error,
)
from lxera_pipeline.log import get_logger

log = get_logger(__name__)
DUE_SLACK_SECONDS = 0.05  # wake a little after a retry's run_after, not a little before
# A release at shutdown that cannot be written by then is left to the lease expiry.
RELEASE_SECONDS = 2.0
# Metric names of the outcomes (a failure scheduled again counts as 'retried').
METRIC = {Outcome.FAILED: "retried"}


def _shielded(delivery: Delivery) -> anyio.CancelScope:
    """Outcome writes finish even during shutdown, but never outlive the lease."""
    return anyio.move_on_after(delivery.lease_seconds, shield=True)


class Runner:
    """Runs deliveries; ``in_flight`` (delivery_id -> delivery) is what the heartbeat renews."""

    def __init__(
        self,
        *,
        store: Store,
        specs: Mapping[str, HandlerSpec],
        release_capacity: Callable[[Delivery], None],
        wake: WakeSignal,
        metrics: DaemonMetrics,
        resources: Any = None,
        observe_duration: Callable[[float], None] | None = None,
    ) -> None:
        """``observe_duration`` hears how long each handler call took (claim-ahead pacing)."""
        self._store = store
        self._specs = dict(specs)
        self._release_capacity = release_capacity
        self._wake = wake
        self._metrics = metrics
        self._resources = resources
        self._observe_duration = observe_duration
        self.in_flight: dict[int, Delivery] = {}
        self._freed: set[int] = set()
        self._idle: anyio.Event | None = None
        # A concrete logger for the per-delivery lines (the module proxy re-binds on every call).
        self._log = log.bind()

    async def run(self, delivery: Delivery) -> None:
        self.in_flight[delivery.delivery_id] = delivery
        tokens = bind_contextvars(**delivery.log_fields())  # on every line of this attempt
        claims_before = self._store.claim_events
        unblocks = True
        try:
            unblocks = await self._attempt(delivery)
        except Exception as exc:  # an outcome write that kept failing: the lease expiry retries
            log.error("delivery.outcome_unrecorded", error=describe_error(exc)[0])
        finally:
            # A claim that ran meanwhile (or runs now) may have seen this delivery unfinished
            # and skipped the entity's next one, which this attempt's successor check (an
            # earlier snapshot) may not have seen: claim again.
            overlapped = self._store.claiming or self._store.claim_events != claims_before
            self._done(delivery, unblocks or overlapped)
            reset_contextvars(**tokens)

    def _free_capacity(self, delivery: Delivery) -> None:
        if delivery.delivery_id not in self._freed:
            self._freed.add(delivery.delivery_id)
            self._release_capacity(delivery)
            self._wake.kick(CAPACITY)

    def _done(self, delivery: Delivery, unblocks: bool) -> None:
        """``unblocks``: a later event of the entity may have become eligible: claim again."""
        self._free_capacity(delivery)
        self._freed.discard(delivery.delivery_id)
        self.in_flight.pop(delivery.delivery_id, None)
        if unblocks:
            self._wake.kick(COMPLETED)
        if not self.in_flight and self._idle is not None:
            self._idle.set()

    async def wait_idle(self) -> None:
        """Return once no delivery is in flight."""
        while self.in_flight:
            self._idle = anyio.Event()
            await self._idle.wait()

    async def _attempt(self, delivery: Delivery) -> bool:
        """Run one attempt; whether its end may have unblocked a later event of the entity."""
        self._log.debug("delivery.claimed", attempt=delivery.attempt)
        try:
            event = parse_event(delivery.event_row)
        except EventParseError as exc:
            await self._end(
                delivery, AttemptFacts.of(delivery), Outcome.DEAD, error=f"unparseable event: {exc}"
            )
            return True
        spec = self._specs.get(delivery.handler)
        if spec is None:
            reason = (
                f"handler {delivery.handler!r} is not registered in worker "
                f"{delivery.token.worker_id}"
            )
            await self._end(delivery, AttemptFacts.of(delivery), Outcome.SKIPPED, error=reason)
            return True
        ctx = DeliveryContext(delivery, event, self._store, resources=self._resources)
        error = await self._call(spec, ctx)
        self._free_capacity(delivery)
        if error is None and not ctx.lost_lease:
            if ctx.committed:
                ended = Ended(Outcome.SUCCEEDED)
            else:
                # A queued completion is written even if this task is cancelled: the batch's
                # writer is shielded (and bounded by the leases), so no cancel scope of its own
                # per delivery here (one costs more than the rest of a no-op attempt).
                ended = await self._store.end(delivery, ctx.facts, Outcome.SUCCEEDED)
            self._record(delivery, ended, None)
            return ctx.facts.successor
        await self._problem(delivery, spec, event, ctx, error)
        return True

    async def _problem(
        self,
        delivery: Delivery,
        spec: HandlerSpec,
        event: StatusEvent,
        ctx: DeliveryContext,
        error: Exception | None,
    ) -> None:
        if isinstance(error, LostLease) or ctx.lost_lease:
            await self._end(delivery, ctx.facts, Outcome.LOST_LEASE, error=error and str(error))
        elif error is not None:
            await self._end(
                delivery, ctx.facts, Outcome.FAILED, error=error, event=event, on_dead=spec.on_dead
            )

    async def _end(
        self,
        delivery: Delivery,
        facts: AttemptFacts,
        outcome: Outcome,
        *,
        error: BaseException | str | None = None,
        event: StatusEvent | None = None,
        on_dead: Any = None,
    ) -> None:
        ended = Ended(None)  # if even the lease ran out before the write
        with _shielded(delivery):
            ended = await self._store.end(
                delivery, facts, outcome, error=error, event=event, on_dead=on_dead
            )
        self._record(delivery, ended, error)

    def _record(self, delivery: Delivery, ended: Ended, error: BaseException | str | None) -> None:
        """Count and log how the attempt ended."""
        text = describe_error(error)[0] if isinstance(error, BaseException) else error
        attempt = delivery.attempt
        if ended.outcome is None:
            self._log.error("delivery.outcome_unrecorded", error="the write kept failing")
            return
        self._metrics.record(METRIC.get(ended.outcome, str(ended.outcome)), delivery.handler)
        match ended.outcome:
            case Outcome.SUCCEEDED:
                self._log.debug("delivery.succeeded", attempt=attempt)
            case Outcome.FAILED:
                self._wake.due_in(ended.delay_seconds + DUE_SLACK_SECONDS)
                log.warning(
                    "delivery.retry_scheduled",
                    attempt=attempt,
                    delay_s=round(ended.delay_seconds, 3),
                    error=text,
                )
            case Outcome.DEAD:
                log.error("delivery.dead", attempt=attempt, error=text)
            case Outcome.SKIPPED:
                log.warning("delivery.skipped", attempt=attempt, reason=text)
            case Outcome.LOST_LEASE:
                log.warning("delivery.lost_lease", attempt=attempt, error=text)
            case Outcome.RELEASED:
                log.info("delivery.released", attempt=attempt)

    async def _call(self, spec: HandlerSpec, ctx: DeliveryContext) -> Exception | None:
        started = time.perf_counter()
        try:
            await spec.func(ctx)
        except anyio.get_cancelled_exc_class():
            with anyio.move_on_after(RELEASE_SECONDS, shield=True):  # bounded: the DB may be down
                await self._cancelled(ctx)
            raise
        except Exception as exc:
            return exc
        finally:
            elapsed = time.perf_counter() - started
            self._metrics.of(spec.name).duration.observe(elapsed)
            if self._observe_duration is not None:
                self._observe_duration(elapsed)
        return None

    async def release_unstarted(self, deliveries: Sequence[Delivery]) -> None:
        """Shutdown: hand back the deliveries claimed ahead that never started."""
        if not deliveries:
            return
        released: set[int] = set()
        with anyio.move_on_after(RELEASE_SECONDS, shield=True):  # bounded: the DB may be down
            try:
                released = await self._store.release_unstarted(deliveries)
            except Exception as exc:
                log.error("delivery.release_failed", count=len(deliveries), error=str(exc))
        for delivery in deliveries:
            if delivery.delivery_id in released:
                self._metrics.record("released", delivery.handler)
        log.info("daemon.released_unstarted", claimed_ahead=len(deliveries), released=len(released))

    async def _cancelled(self, ctx: DeliveryContext) -> None:
        """Shutdown cut the handler short: hand its delivery back unless it already committed."""
        delivery = self.in_flight.get(ctx.delivery_id)
        if delivery is None or ctx.committed:
            return
        try:
            ended = await self._store.end(delivery, ctx.facts, Outcome.RELEASED)
        except Exception as exc:
            log.error("delivery.release_failed", error=describe_error(exc)[0])
            return
        if ended.outcome is not None:
            self._record(delivery, ended, None)
