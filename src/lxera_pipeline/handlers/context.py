"""What a handler receives: the typed event plus the means to read and to commit.

The daemon (`listeners/`) implements :class:`HandlerContext`. A handler does its slow work
(rendering, calling a model) outside any transaction, then opens ``ctx.transaction()`` exactly
once for its database writes. That transaction is fenced: on entry the delivery's lease is
checked (a handler whose lease was taken over raises :class:`LostLease`), the settings
``pipeline.causation_id`` and ``pipeline.correlation_id`` are set so every event it causes points
back at this one, and on exit the delivery is marked done and its audit row is written in the
same commit.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from lxera_pipeline.events.models import StatusEvent


class LostLease(RuntimeError):
    """The delivery was taken over by another daemon; this attempt must not commit."""


class HandlerContext(Protocol):
    """The daemon's side of a handler call."""

    @property
    def event(self) -> StatusEvent: ...

    @property
    def delivery_id(self) -> int: ...

    @property
    def attempt(self) -> int: ...

    @property
    def is_replay(self) -> bool: ...

    @property
    def resources(self) -> Any:
        """Ports and settings the handlers share (see `handlers/workflow/resources.py`)."""

    def connection(self) -> AbstractAsyncContextManager[AsyncConnection[DictRow]]:
        """A pooled autocommit connection for reads before the commit."""

    def transaction(self) -> AbstractAsyncContextManager[AsyncConnection[DictRow]]:
        """The handler's single fenced transaction (see the module docstring)."""

    def note(self, **detail: Any) -> None:
        """Add key/values to this attempt's audit row (``detail`` column)."""
