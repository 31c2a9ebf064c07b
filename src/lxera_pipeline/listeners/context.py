"""The daemon's :class:`~lxera_pipeline.handlers.context.HandlerContext` implementation.

One :class:`DeliveryContext` per attempt. Others may build one too: a dry-run replay passes
``dry_run=True`` (no fence, nothing completed, the transaction rolled back at the end) with a
:class:`ClaimedDelivery` describing the event it replays.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from lxera_pipeline.events.models import StatusEvent
from lxera_pipeline.handlers.context import LostLease
from lxera_pipeline.listeners.claimer import ClaimedDelivery
from lxera_pipeline.listeners.connector import Pool
from lxera_pipeline.listeners.fencing import AttemptFacts, FenceToken, fenced_transaction


class DeliveryContext:
    """What a handler gets for one attempt of one delivery."""

    def __init__(
        self,
        claim: ClaimedDelivery,
        event: StatusEvent,
        pool: Pool,
        *,
        worker_id: str,
        resources: Any = None,
        dry_run: bool = False,
    ) -> None:
        self._claim = claim
        self._event = event
        self._pool = pool
        self._resources = resources
        self.dry_run = dry_run
        self.token = FenceToken(claim.delivery_id, claim.attempt, worker_id)
        self.facts = AttemptFacts(event_id=claim.event_id, correlation_id=event.correlation_id)
        self.transaction_opened = False
        self.committed = False
        self.lost_lease = False

    @property
    def event(self) -> StatusEvent:
        return self._event

    @property
    def delivery_id(self) -> int:
        return self._claim.delivery_id

    @property
    def attempt(self) -> int:
        return self._claim.attempt

    @property
    def is_replay(self) -> bool:
        return self._claim.is_replay

    @property
    def resources(self) -> Any:
        return self._resources

    def connection(self) -> AbstractAsyncContextManager[AsyncConnection[DictRow]]:
        """A pooled autocommit connection for reads before the commit."""
        return self._pool.connection()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection[DictRow]]:
        """The attempt's single fenced transaction; a second one is refused."""
        if self.transaction_opened:
            raise RuntimeError(
                f"ctx.transaction() was already used by this attempt of delivery "
                f"{self.delivery_id}: a handler commits exactly once"
            )
        self.transaction_opened = True
        token = None if self.dry_run else self.token
        try:
            async with fenced_transaction(
                self._pool, token, self.facts, commit=not self.dry_run
            ) as conn:
                yield conn
        except LostLease:
            self.lost_lease = True
            raise
        self.committed = not self.dry_run

    def note(self, **detail: Any) -> None:
        """Add key/values to this attempt's audit row (``detail`` column)."""
        self.facts.detail.update(detail)
