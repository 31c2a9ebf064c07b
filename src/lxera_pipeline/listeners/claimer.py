"""Claiming deliveries in batches (`FOR UPDATE SKIP LOCKED`, see `claim_deliveries`).

A claim takes due pending deliveries and expired leases of the handlers this daemon serves, in
delivery order, skipping any whose entity still has an earlier event pending or running; it sets
them running with ``attempts + 1`` and a lease. The claimed (delivery_id, attempt) pair, with this
worker's id, is the fencing token every later write of the attempt is checked against.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.connector import CONTROL_WAIT_SECONDS, Pool

# Routing this many deliveries in one claim refreshes the table statistics (see Claimer.claim).
ANALYZE_AFTER_ROUTED = 1000
# While claims come back full, events are routed at most this often (see Claimer._route_due).
ROUTE_EVERY_SECONDS = 0.05


@dataclass(frozen=True, eq=False)
class ClaimedDelivery:
    """One claimed attempt: the delivery, its token, and the event row loaded with the claim."""

    delivery_id: int
    handler: str
    attempt: int
    max_attempts: int
    is_replay: bool
    event_id: int
    entity_id: UUID
    correlation_id: UUID | None
    lease_seconds: float
    event_row: dict[str, Any] = field(repr=False)
    claimed_at: float = field(default_factory=time.monotonic)

    @classmethod
    def from_row(cls, row: dict[str, Any], lease_seconds: float) -> ClaimedDelivery:
        return cls(
            delivery_id=row["delivery_id"],
            handler=row["handler"],
            attempt=row["attempt"],
            max_attempts=row["max_attempts"],
            is_replay=row["is_replay"],
            event_id=row["event_id"],
            entity_id=row["delivery_entity_id"],
            correlation_id=row.get("correlation_id"),
            lease_seconds=lease_seconds,
            event_row=row,
        )

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


class Claimer:
    """Claims batches for a fixed set of handlers, each with its lease length."""

    def __init__(
        self, pool: Pool, worker_id: str, leases: Mapping[str, float], default_lease: float
    ) -> None:
        if not leases:
            raise ValueError("a claimer needs at least one handler to claim for")
        self._pool = pool
        self._worker_id = worker_id
        self._default_lease = default_lease
        self._leases = dict(leases)
        self._names = sorted(self._leases)
        self._lease_list = [self._leases[name] for name in self._names]
        self._routed_at: float | None = None
        self._came_back_short = True

    @property
    def handler_names(self) -> list[str]:
        return list(self._names)

    async def claim(self, limit: int) -> list[ClaimedDelivery]:
        """Claim up to ``limit`` deliveries (fewer when fewer are eligible)."""
        if limit < 1:
            return []
        params = {
            "handlers": self._names,
            "leases": self._lease_list,
            "lease": self._default_lease,
            "limit": limit,
            "worker": self._worker_id,
        }
        async with self._pool.connection(CONTROL_WAIT_SECONDS) as conn:
            if self._route_due():
                rows = await self._route_and_claim(conn, params)
            else:
                cursor = await conn.execute(load_query("claim_deliveries"), params)
                rows = await cursor.fetchall()
        self._came_back_short = len(rows) < limit
        return [
            ClaimedDelivery.from_row(row, self._leases.get(row["handler"], self._default_lease))
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
                load_query("route_served_events"), {"handlers": self._names}
            )
            claiming = await conn.execute(load_query("claim_deliveries"), params)
        routed = await routing.fetchone()
        rows = await claiming.fetchall()
        self._routed_at = time.monotonic()
        if routed is not None and routed["routed"] >= ANALYZE_AFTER_ROUTED:
            # A burst was routed: later claims plan with statistics that include it.
            await conn.execute(load_query("analyze_deliveries"))
        return rows
