"""Recording how an attempt ended when it did not commit through its fenced transaction.

Every write is fenced by the attempt's token and keeps trying through link errors until the lease
would have run out anyway (after that another daemon takes the delivery over).

- failure: back to 'pending' after
  ``min(retry_max, retry_base * 2**(attempt-1)) * jitter(0.5..1.5)`` with a 'failed' audit row,
  or 'dead' once attempts reach max_attempts (the handler's ``on_dead`` hook runs in that same
  transaction);
- finish: 'dead' (unparseable event) or 'skipped' (handler not registered here), with a reason;
- lost lease: only an audit row, and none when the delivery is in fact done by this very attempt;
- release (shutdown): back to 'pending' at once; the attempt number is kept (tokens are never
  reused) and one attempt is added to max_attempts, so a release is not a failed attempt.
"""

from __future__ import annotations

import random
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.events.failures import tenant_message
from lxera_pipeline.events.models import StatusEvent
from lxera_pipeline.handlers.context import LostLease
from lxera_pipeline.handlers.registry import DeadHook
from lxera_pipeline.listeners.claimer import ClaimedDelivery
from lxera_pipeline.listeners.connector import CONTROL_WAIT_SECONDS, Pool
from lxera_pipeline.listeners.fencing import (
    AttemptFacts,
    FenceToken,
    enter_fence,
    shielded_transaction,
)
from lxera_pipeline.listeners.reconnect import ReconnectPolicy, retrying
from lxera_pipeline.log import get_logger

log = get_logger(__name__)
Row = dict[str, Any] | None


@dataclass(frozen=True)
class RetryBackoff:
    """Delay before retry number ``attempt`` (1-based) of a failed delivery."""

    base_seconds: float
    max_seconds: float
    rng: Callable[[], float] = field(default=random.random, repr=False)

    def delay(self, attempt: int) -> float:
        exponent = min(max(attempt, 1) - 1, 64)
        return float(min(self.max_seconds, self.base_seconds * 2**exponent) * (0.5 + self.rng()))


@dataclass(frozen=True)
class Failure:
    """How a failed attempt was recorded."""

    recorded: bool  # False: the token did not hold (lost lease, or already done by this attempt)
    dead: bool
    delay_seconds: float


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(``Type: message``, full traceback) of an exception."""
    return f"{type(exc).__name__}: {exc}", "".join(traceback.format_exception(exc))


class Outcomes:
    """The fenced writes that close an attempt without a successful commit."""

    def __init__(
        self,
        pool: Pool,
        worker_id: str,
        retry: RetryBackoff,
        policy: ReconnectPolicy,
        stop: anyio.Event | None = None,
    ) -> None:
        """``stop``: once set, a failing write is not retried (the lease expiry takes over)."""
        self._pool = pool
        self._worker_id = worker_id
        self._retry = retry
        self._policy = policy
        self._stop = stop

    def _token(self, claim: ClaimedDelivery) -> FenceToken:
        return FenceToken(claim.delivery_id, claim.attempt, self._worker_id)

    async def _write(self, claim: ClaimedDelivery, operation: Callable[[], Awaitable[Row]]) -> Row:
        backoff = self._policy.backoff(f"delivery {claim.delivery_id} outcome")
        deadline = time.monotonic() + claim.lease_seconds
        return await retrying(operation, backoff, deadline, self._stop)

    async def _execute(self, name: str, params: dict[str, Any]) -> Row:
        async with self._pool.connection(CONTROL_WAIT_SECONDS) as conn:
            cursor = await conn.execute(load_query(name), params)
            return await cursor.fetchone()

    async def fail(
        self,
        claim: ClaimedDelivery,
        facts: AttemptFacts,
        exc: BaseException,
        event: StatusEvent | None = None,
        on_dead: DeadHook | None = None,
    ) -> Failure:
        error, trace = describe_error(exc)
        delay = self._retry.delay(claim.attempt)
        hook = on_dead if event is not None and claim.attempt >= claim.max_attempts else None

        async def attempt() -> Row:
            async with (
                self._pool.connection(CONTROL_WAIT_SECONDS) as conn,
                shielded_transaction(conn),
            ):
                if hook is not None and event is not None:
                    await enter_fence(conn, self._token(claim), facts)
                    await self._run_hook(conn, hook, event, tenant_message(exc), facts)
                params = {**self._token(claim).params(), **facts.audit_params()}
                params.update(delay_seconds=delay, error=error, traceback=trace)
                cursor = await conn.execute(load_query("fail_delivery"), params)
                return await cursor.fetchone()

        try:
            row = await self._write(claim, attempt)
        except LostLease:
            row = None
        if row is None:
            await self.lost_lease(claim, facts, f"failed after losing the lease: {error}")
            return Failure(recorded=False, dead=False, delay_seconds=0.0)
        return Failure(recorded=True, dead=bool(row["exhausted"]), delay_seconds=delay)

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

    async def finish(
        self, claim: ClaimedDelivery, facts: AttemptFacts, state: str, reason: str
    ) -> bool:
        """Close without running the handler: state 'dead' or 'skipped'. False if not ours."""
        outcome = {"dead": "dead", "skipped": "skipped"}[state]
        params = {**self._token(claim).params(), **facts.audit_params()}
        params.update(state=state, outcome=outcome, reason=reason)
        row = await self._write(claim, lambda: self._execute("finish_delivery", params))
        if row is None:
            await self.lost_lease(claim, facts, f"could not record {state}: {reason}")
        return row is not None

    async def lost_lease(self, claim: ClaimedDelivery, facts: AttemptFacts, error: str) -> bool:
        """Audit 'lost_lease'; False when the delivery turned out done by this very attempt."""
        params = {**self._token(claim).params(), **facts.audit_params(), "error": error}
        row = await self._write(claim, lambda: self._execute("audit_lost_lease", params))
        return row is not None

    async def release(self, claim: ClaimedDelivery, facts: AttemptFacts) -> bool:
        """Hand the delivery back (shutdown). False if it was no longer ours to release."""
        params = {**self._token(claim).params(), **facts.audit_params()}
        row = await self._write(claim, lambda: self._execute("release_delivery", params))
        return row is not None

    async def release_unstarted(self, claims: list[ClaimedDelivery]) -> set[int]:
        """Hand back deliveries claimed ahead that never started (shutdown); the ids that were
        still ours. One statement, tried once: what it cannot release, the lease expiry does."""
        if not claims:
            return set()
        params = {
            "ids": [claim.delivery_id for claim in claims],
            "attempts": [claim.attempt for claim in claims],
            "correlations": [claim.correlation_id for claim in claims],
            "worker": self._worker_id,
        }
        async with self._pool.connection(CONTROL_WAIT_SECONDS) as conn:
            cursor = await conn.execute(load_query("release_deliveries"), params)
            return {row["delivery_id"] for row in await cursor.fetchall()}
