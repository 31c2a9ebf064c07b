"""Runs one claimed delivery: parse, look up the handler, call it, record the outcome.

Every log line of an attempt carries event_id, entity_id, correlation_id, delivery_id and handler
(bound with structlog's contextvars). Outcomes: 'succeeded' (fenced commit, or batched completion
when the handler opened no transaction), 'failed' / 'dead' (exception), 'lost_lease', 'dead' for an
unparseable event, 'skipped' for a handler this process does not know, 'released' on shutdown.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import anyio
from structlog.contextvars import bind_contextvars, reset_contextvars

from lxera_pipeline.events.models import EventParseError, StatusEvent, parse_event
from lxera_pipeline.handlers.context import LostLease
from lxera_pipeline.handlers.registry import HandlerSpec
from lxera_pipeline.listeners.claimer import ClaimedDelivery
from lxera_pipeline.listeners.completer import Completer
from lxera_pipeline.listeners.connector import Pool
from lxera_pipeline.listeners.context import DeliveryContext
from lxera_pipeline.listeners.fencing import AttemptFacts
from lxera_pipeline.listeners.metrics import DaemonMetrics
from lxera_pipeline.listeners.outcomes import Outcomes, describe_error
from lxera_pipeline.listeners.wake import CAPACITY, COMPLETED, WakeSignal
from lxera_pipeline.log import get_logger

log = get_logger(__name__)
DUE_SLACK_SECONDS = 0.05  # wake a little after a retry's run_after, not a little before
# A release at shutdown that cannot be written by then is left to the lease expiry.
RELEASE_SECONDS = 2.0


def _shielded(claim: ClaimedDelivery) -> anyio.CancelScope:
    """Outcome writes finish even during shutdown, but never outlive the lease."""
    return anyio.move_on_after(claim.lease_seconds, shield=True)


class Runner:
    """Runs deliveries; ``in_flight`` (delivery_id -> claim) is what the heartbeat renews."""

    def __init__(
        self,
        *,
        pool: Pool,
        worker_id: str,
        specs: Mapping[str, HandlerSpec],
        outcomes: Outcomes,
        completer: Completer,
        release_capacity: Callable[[ClaimedDelivery], None],
        wake: WakeSignal,
        metrics: DaemonMetrics,
        resources: Any = None,
        observe_duration: Callable[[float], None] | None = None,
    ) -> None:
        """``observe_duration`` hears how long each handler call took (claim-ahead pacing)."""
        self._pool = pool
        self._worker_id = worker_id
        self._specs = dict(specs)
        self._outcomes = outcomes
        self._completer = completer
        self._release_capacity = release_capacity
        self._wake = wake
        self._metrics = metrics
        self._resources = resources
        self._observe_duration = observe_duration
        self.in_flight: dict[int, ClaimedDelivery] = {}
        self._freed: set[int] = set()
        self._idle: anyio.Event | None = None
        # A concrete logger for the per-delivery lines (the module proxy re-binds on every call).
        self._log = log.bind()

    async def run(self, claim: ClaimedDelivery) -> None:
        self.in_flight[claim.delivery_id] = claim
        tokens = bind_contextvars(**claim.log_fields())  # on every line of this attempt
        unblocks = True
        try:
            unblocks = await self._attempt(claim)
        except Exception as exc:  # an outcome write that kept failing: the lease expiry retries
            log.error("delivery.outcome_unrecorded", error=describe_error(exc)[0])
        finally:
            self._done(claim, unblocks)
            reset_contextvars(**tokens)

    def _free_capacity(self, claim: ClaimedDelivery) -> None:
        if claim.delivery_id not in self._freed:
            self._freed.add(claim.delivery_id)
            self._release_capacity(claim)
            self._wake.kick(CAPACITY)

    def _done(self, claim: ClaimedDelivery, unblocks: bool) -> None:
        """``unblocks``: a later event of the entity may have become eligible: claim again."""
        self._free_capacity(claim)
        self._freed.discard(claim.delivery_id)
        self.in_flight.pop(claim.delivery_id, None)
        if unblocks:
            self._wake.kick(COMPLETED)
        if not self.in_flight and self._idle is not None:
            self._idle.set()

    async def wait_idle(self) -> None:
        """Return once no delivery is in flight."""
        while self.in_flight:
            self._idle = anyio.Event()
            await self._idle.wait()

    async def _attempt(self, claim: ClaimedDelivery) -> bool:
        """Run one attempt; whether its end may have unblocked a later event of the entity."""
        self._log.debug("delivery.claimed", attempt=claim.attempt)
        try:
            event = parse_event(claim.event_row)
        except EventParseError as exc:
            await self._close(claim, "dead", f"unparseable event: {exc}")
            return True
        spec = self._specs.get(claim.handler)
        if spec is None:
            reason = f"handler {claim.handler!r} is not registered in worker {self._worker_id}"
            await self._close(claim, "skipped", reason)
            return True
        ctx = DeliveryContext(
            claim, event, self._pool, worker_id=self._worker_id, resources=self._resources
        )
        error = await self._call(spec, ctx)
        self._free_capacity(claim)
        if error is None and not ctx.lost_lease:
            await self._succeeded(claim, ctx)  # a queued completion is written even if cancelled
            return ctx.facts.successor
        with _shielded(claim):
            await self._record_problem(claim, spec, event, ctx, error)
        return True

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

    async def _record_problem(
        self,
        claim: ClaimedDelivery,
        spec: HandlerSpec,
        event: StatusEvent,
        ctx: DeliveryContext,
        error: Exception | None,
    ) -> None:
        if isinstance(error, LostLease) or ctx.lost_lease:
            await self._lost(claim, ctx.facts, str(error or claim.handler + " lost its lease"))
        elif error is not None:
            await self._failed(claim, ctx, error, event, spec)

    async def _succeeded(self, claim: ClaimedDelivery, ctx: DeliveryContext) -> None:
        done = True if ctx.committed else await self._completer.complete(claim, ctx.facts)
        if done is None:
            self._log.error("delivery.outcome_unrecorded", error="the completion kept failing")
        elif done:
            self._metrics.record("succeeded", claim.handler)
            self._log.debug("delivery.succeeded", attempt=claim.attempt)
        else:
            with _shielded(claim):
                await self._lost(claim, ctx.facts, "the lease was lost before completion")

    async def _lost(self, claim: ClaimedDelivery, facts: AttemptFacts, error: str) -> None:
        if await self._outcomes.lost_lease(claim, facts, error):
            self._metrics.record("lost_lease", claim.handler)
            log.warning("delivery.lost_lease", attempt=claim.attempt, error=error)
        else:
            self._metrics.record("succeeded", claim.handler)
            log.info("delivery.succeeded", attempt=claim.attempt, note="commit confirmed late")

    async def _failed(
        self,
        claim: ClaimedDelivery,
        ctx: DeliveryContext,
        error: Exception,
        event: StatusEvent,
        spec: HandlerSpec,
    ) -> None:
        failure = await self._outcomes.fail(claim, ctx.facts, error, event, spec.on_dead)
        text = describe_error(error)[0]
        if not failure.recorded:
            self._metrics.record("lost_lease", claim.handler)
            log.warning("delivery.lost_lease", attempt=claim.attempt, error=text)
        elif failure.dead:
            self._metrics.record("dead", claim.handler)
            log.error("delivery.dead", attempt=claim.attempt, error=text)
        else:
            self._metrics.record("retried", claim.handler)
            self._wake.due_in(failure.delay_seconds + DUE_SLACK_SECONDS)
            log.warning(
                "delivery.retry_scheduled",
                attempt=claim.attempt,
                delay_s=round(failure.delay_seconds, 3),
                error=text,
            )

    async def _close(self, claim: ClaimedDelivery, state: str, reason: str) -> None:
        """End an attempt whose handler never ran: 'dead' or 'skipped', with the reason."""
        facts = AttemptFacts(claim.event_id, claim.correlation_id)
        with _shielded(claim):
            closed = await self._outcomes.finish(claim, facts, state, reason)
        if not closed:
            return
        self._metrics.record(state, claim.handler)
        if state == "dead":
            log.error("delivery.dead", attempt=claim.attempt, reason=reason)
        else:
            log.warning("delivery.skipped", attempt=claim.attempt, reason=reason)

    async def release_unstarted(self, claims: list[ClaimedDelivery]) -> None:
        """Shutdown: hand back the deliveries claimed ahead that never started."""
        if not claims:
            return
        released: set[int] = set()
        with anyio.move_on_after(RELEASE_SECONDS, shield=True):  # bounded: the DB may be down
            try:
                released = await self._outcomes.release_unstarted(claims)
            except Exception as exc:
                log.error("delivery.release_failed", count=len(claims), error=str(exc))
        for claim in claims:
            if claim.delivery_id in released:
                self._metrics.record("released", claim.handler)
        log.info("daemon.released_unstarted", claimed_ahead=len(claims), released=len(released))

    async def _cancelled(self, ctx: DeliveryContext) -> None:
        """Shutdown cut the handler short: hand its delivery back unless it already committed."""
        claim = self.in_flight.get(ctx.delivery_id)
        if claim is None or ctx.committed:
            return
        try:
            released = await self._outcomes.release(claim, ctx.facts)
        except Exception as exc:
            log.error("delivery.release_failed", error=describe_error(exc)[0])
            return
        if released:
            self._metrics.record("released", claim.handler)
            log.info("delivery.released", attempt=claim.attempt)
