"""Lease renewal: every ``interval`` seconds, one UPDATE extends the leases of this worker's
running deliveries (each by its handler's lease length), on a dedicated connection so a busy worker
pool cannot starve it. A delivery whose token no longer matches is simply not extended."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import anyio
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.claimer import ClaimedDelivery
from lxera_pipeline.listeners.connector import HEARTBEAT, Connector
from lxera_pipeline.listeners.reconnect import RECOVERABLE, ReconnectPolicy
from lxera_pipeline.log import get_logger

log = get_logger(__name__)
STATEMENT_TIMEOUT_SECONDS = 10.0


class Heartbeat:
    """Extends the leases of ``in_flight()`` deliveries until cancelled."""

    def __init__(
        self,
        connector: Connector,
        in_flight: Callable[[], Mapping[int, ClaimedDelivery]],
        interval: float,
        policy: ReconnectPolicy,
    ) -> None:
        self._connector = connector
        self._in_flight = in_flight
        self._interval = interval
        self._backoff = policy.backoff("heartbeat")
        self._conn: AsyncConnection[DictRow] | None = None
        self.beats = 0

    async def run(self) -> None:
        try:
            while True:
                await anyio.sleep(self._interval)
                claims = list(self._in_flight().values())
                if claims:
                    await self._beat(claims)
        finally:
            with anyio.CancelScope(shield=True):
                await self._close()

    async def _beat(self, claims: list[ClaimedDelivery]) -> None:
        try:
            extended = await self._extend(claims)
        except RECOVERABLE as exc:
            await self._close()
            await self._backoff.failed(exc)
            return
        self._backoff.succeeded()
        self.beats += 1
        log.debug("heartbeat.extended", held=len(claims), extended=extended)

    async def _extend(self, claims: list[ClaimedDelivery]) -> int:
        if self._conn is None or self._conn.closed:
            self._conn = await self._connector.connect(HEARTBEAT)
        params = {
            "ids": [claim.delivery_id for claim in claims],
            "attempts": [claim.attempt for claim in claims],
            "leases": [claim.lease_seconds for claim in claims],
            "worker": self._connector.config.worker_id,
        }
        with anyio.fail_after(STATEMENT_TIMEOUT_SECONDS):
            cursor = await self._conn.execute(load_query("extend_leases"), params)
            return len(await cursor.fetchall())

    async def _close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await conn.close()
            except Exception as exc:
                log.debug("heartbeat.close_failed", error=str(exc))
