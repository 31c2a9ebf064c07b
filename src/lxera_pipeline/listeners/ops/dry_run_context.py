"""The handler context of a dry run: everything happens on one connection, inside one transaction
that the dry run rolls back. ``transaction()`` sets the causation and correlation settings like the
daemon's fenced transaction does, but marks no delivery done and writes no audit row."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.events.models import StatusEvent


class DryRunContext:
    """Implements :class:`lxera_pipeline.handlers.context.HandlerContext` for a dry run."""

    def __init__(
        self, event: StatusEvent, delivery_id: int, conn: AsyncConnection[DictRow], resources: Any
    ) -> None:
        self._event, self._delivery_id = event, delivery_id
        self._conn, self._resources = conn, resources
        self.notes: dict[str, Any] = {}
        self.transactions = 0

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

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection[DictRow]]:
        yield self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection[DictRow]]:
        self.transactions += 1
        await self._conn.execute(
            load_query("ops_set_causation"),
            {
                "causation_id": str(self._event.event_id),
                "correlation_id": str(self._event.correlation_id),
            },
        )
        yield self._conn

    def note(self, **detail: Any) -> None:
        self.notes.update(detail)
