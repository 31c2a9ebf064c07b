"""Coalesced reasons for the claim loop to claim now.

A NOTIFY, a finished delivery (its entity's next event may now be eligible), a freed capacity slot
and a stop request all ``kick`` the one :class:`WakeSignal`; the claim loop takes every reason at
once and claims once. Retries scheduled by this daemon register when they fall due, so the loop
wakes for them without waiting for the poll interval.
"""

from __future__ import annotations

import heapq
import time

import anyio

NOTIFY = "notify"  # a writer's NOTIFY: an event was committed
ROUTED = "routed"  # a router's NOTIFY: deliveries were created (maybe for other daemons)
COMPLETED = "completed"
CAPACITY = "capacity"
STOP = "stop"
LINK_ERROR = "link_error"
MAX_DUE = 10_000  # beyond this many scheduled wake-ups the poll interval covers the rest


class WakeSignal:
    """A resettable event carrying the set of reasons it was set for."""

    def __init__(self) -> None:
        self._event = anyio.Event()
        self._reasons: set[str] = set()
        self._due: list[float] = []

    def kick(self, reason: str) -> None:
        self._reasons.add(reason)
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    async def wait(self) -> None:
        await self._event.wait()

    def take(self) -> frozenset[str]:
        """The reasons since the last take (empty after a timeout); resets the signal."""
        reasons = frozenset(self._reasons)
        self._reasons.clear()
        if self._event.is_set():
            self._event = anyio.Event()
        now = time.monotonic()
        while self._due and self._due[0] <= now:
            heapq.heappop(self._due)
        return reasons

    def due_in(self, seconds: float) -> None:
        """Work becomes claimable in ``seconds`` (a scheduled retry)."""
        if len(self._due) < MAX_DUE:
            heapq.heappush(self._due, time.monotonic() + max(seconds, 0.0))

    def timeout(self, limit: float) -> float:
        """``limit`` shortened to the next scheduled wake-up, if one comes sooner."""
        if not self._due:
            return limit
        return max(0.0, min(limit, self._due[0] - time.monotonic()))
