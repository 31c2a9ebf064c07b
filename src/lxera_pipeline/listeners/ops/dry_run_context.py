"""The handler context of a dry run.

Everything happens on one connection inside one transaction that the dry run rolls back after
listing what was written, so even a write made through ``connection()`` is captured and undone.
``transaction()`` sets the causation and correlation settings with the daemon's own
``set_causation`` query (like the daemon's fenced transaction without a token) and, like the
daemon, refuses a second transaction per attempt; it marks no delivery done and writes no audit
row. The daemon's :class:`~lxera_pipeline.listeners.context.DeliveryContext` has a ``dry_run``
mode too, but it runs each block on its own pool connection and rolls it back on exit, before
anything could be listed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.events.models import StatusEvent
from lxera_pipeline.listeners.store import AttemptFacts


class DryRunContext:
    """Implements :class:`lxera_pipeline.handlers.context.HandlerContext` for a dry run."""

    def __init__(
        self, event: StatusEvent, delivery_id: int, conn: AsyncConnection[DictRow], resources: Any
    ) -> None:
        self._event, self._delivery_id = event, delivery_id
        self._conn, self._resources = conn, resources
        self.facts = AttemptFacts(event_id=event.event_id, correlation_id=event.correlation_id)
        self.transaction_opened = False

    @property
    def event(self) -> StatusEvent:
        return self._event

    @property
    def delivery_id(self) -> int:
        return self._delivery_id

    @property
    def attempt(self) -> int:
        return 1

    @property
    def is_replay(self) -> bool:
        return True

    @property
    def resources(self) -> Any:
        return self._resources

    @property
    def notes(self) -> dict[str, Any]:
        return self.facts.detail

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection[DictRow]]:
        yield self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection[DictRow]]:
        if self.transaction_opened:
            raise RuntimeError(
                f"ctx.transaction() was already used by this dry run of event "
                f"{self._event.event_id}: a handler commits exactly once"
            )
        self.transaction_opened = True
        await self._conn.execute(load_query("set_causation"), self.facts.causation_params())
        yield self._conn

    def note(self, **detail: Any) -> None:
        self.facts.detail.update(detail)
