"""The daemon's :class:`~lxera_pipeline.handlers.context.HandlerContext` implementation: one
:class:`DeliveryContext` per attempt, its connections and its one fenced transaction from the
:class:`~lxera_pipeline.listeners.store.Store`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from lxera_pipeline.events.models import StatusEvent
from lxera_pipeline.handlers.context import LostLease
from lxera_pipeline.listeners.store import AttemptFacts, Delivery, Store


class DeliveryContext:
    """What a handler gets for one attempt of one delivery."""

    def __init__(
        self, delivery: Delivery, event: StatusEvent, store: Store, *, resources: Any = None
    ) -> None:
        self._delivery = delivery
        self._event = event
        self._store = store
        self._resources = resources
        self.facts = AttemptFacts(event_id=delivery.event_id, correlation_id=event.correlation_id)
        self.transaction_opened = False
        self.committed = False
        self.lost_lease = False

    @property
    def event(self) -> StatusEvent:
        return self._event

    @property
    def delivery_id(self) -> int:
        return self._delivery.delivery_id

    @property
    def attempt(self) -> int:
        return self._delivery.attempt

    @property
    def is_replay(self) -> bool:
        return self._delivery.is_replay

    @property
    def resources(self) -> Any:
        return self._resources

    def connection(self) -> AbstractAsyncContextManager[AsyncConnection[DictRow]]:
        """A pooled autocommit connection for reads before the commit."""
        return self._store.connection()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection[DictRow]]:
        """The attempt's single fenced transaction; a second one is refused."""
        if self.transaction_opened:
            raise RuntimeError(
                f"ctx.transaction() was already used by this attempt of delivery "
                f"{self.delivery_id}: a handler commits exactly once"
            )
        self.transaction_opened = True
        try:
            async with self._store.transaction(self._delivery.token, self.facts) as conn:
                yield conn
        except LostLease:
            self.lost_lease = True
            raise
        self.committed = True

    def note(self, **detail: Any) -> None:
        """Add key/values to this attempt's audit row (``detail`` column)."""
        self.facts.detail.update(detail)
