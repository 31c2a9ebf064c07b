"""The fenced commit: one transaction holds a handler's writes, its delivery's completion and its
audit row, and commits only while this attempt still holds the lease.

Reusable on its own (a dry-run replay builds on it): :func:`fenced_transaction` opens a
transaction on a pool connection, locks the delivery row and checks the token (else
:class:`LostLease`), sets ``pipeline.causation_id`` / ``pipeline.correlation_id`` for the events the
writes cause, yields the connection, and on a clean exit marks the delivery done and inserts the
'succeeded' audit row before committing. The completion and the commit are shielded from
cancellation: once the handler's block is finished, a shutdown cannot cut the commit in half.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID

import anyio
from psycopg import AsyncConnection
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.handlers.context import LostLease
from lxera_pipeline.listeners.connector import Pool

_dumps = partial(json.dumps, default=str)


def jsonb(detail: dict[str, Any]) -> Jsonb:
    """A detail dict for a jsonb column; values JSON does not know are written as text."""
    return Jsonb(detail, dumps=_dumps)


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


@dataclass
class AttemptFacts:
    """What an attempt's audit row records besides the token."""

    event_id: int
    correlation_id: UUID | None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started: float = field(default_factory=time.perf_counter)
    detail: dict[str, Any] = field(default_factory=dict)
    successor: bool = False  # set on completion: a later event of the entity waits

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


async def enter_fence(
    conn: AsyncConnection[DictRow], token: FenceToken, facts: AttemptFacts
) -> None:
    """Lock the delivery row, check the token, set the causation settings; LostLease if not."""
    cursor = await conn.execute(
        load_query("fence_delivery"), {**token.params(), **facts.causation_params()}
    )
    if await cursor.fetchone() is None:
        raise token.lost()


async def complete_in_transaction(
    conn: AsyncConnection[DictRow], token: FenceToken, facts: AttemptFacts
) -> None:
    """Mark the delivery done and write its 'succeeded' audit row (inside the fence)."""
    cursor = await conn.execute(
        load_query("complete_delivery"), {**token.params(), **facts.audit_params()}
    )
    row = await cursor.fetchone()
    if row is None:
        raise token.lost()
    facts.successor = bool(row["successor"])


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


@asynccontextmanager
async def fenced_transaction(
    pool: Pool, token: FenceToken | None, facts: AttemptFacts, *, commit: bool = True
) -> AsyncIterator[AsyncConnection[DictRow]]:
    """The handler's single transaction (see the module docstring).

    ``token=None`` skips the fence and the completion (nothing to fence: a dry run);
    ``commit=False`` rolls everything back at the end.
    """
    async with pool.connection() as conn, shielded_transaction(conn, commit):
        if token is None:
            await conn.execute(load_query("set_causation"), facts.causation_params())
        else:
            await enter_fence(conn, token, facts)
        yield conn
        if token is not None and commit:
            with anyio.CancelScope(shield=True):
                await complete_in_transaction(conn, token, facts)
