"""Claim as much as there is free capacity, and hand each claimed delivery to a runner task.

Capacity is an anyio ``CapacityLimiter(concurrency)``: the dispatcher takes a token on behalf of
each claimed delivery before submitting it, and the runner gives it back when the handler is
done, so the claimer never claims more than the daemon can start at once.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

import anyio

from lxera_pipeline.listeners.claimer import ClaimedDelivery, Claimer
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

Submit = Callable[[ClaimedDelivery], None]


class Dispatcher:
    """Feeds claimed deliveries to ``submit`` under the capacity limit."""

    def __init__(
        self,
        claimer: Claimer,
        submit: Submit,
        limiter: anyio.CapacityLimiter,
        batch_size: int,
        stopping: Callable[[], bool],
        on_claimed: Callable[[int], None] | None = None,
    ) -> None:
        self._claimer = claimer
        self._submit = submit
        self._limiter = limiter
        self._batch_size = batch_size
        self._stopping = stopping
        self._on_claimed = on_claimed
        # Saturated, claim again once half a batch fits: many tiny claims cost more than they gain.
        self._refill = max(1, min(batch_size, int(limiter.total_tokens)) // 2)

    @property
    def free(self) -> int:
        return int(self._limiter.available_tokens)

    def has_room(self) -> bool:
        """Enough free capacity for a worthwhile claim after the daemon was saturated."""
        return self.free >= self._refill

    async def claim_until_empty(self) -> bool:
        """Claim batch after batch. True when the queue ran dry (or the daemon is stopping),
        False when capacity ran short first: wait until :meth:`has_room`, then call again."""
        want = min(self._batch_size, self.free)
        while want >= 1 and not self._stopping():
            claimed = await self._claimer.claim(want)
            for claim in claimed:
                self._start(claim)
            if claimed and self._on_claimed is not None:
                self._on_claimed(len(claimed))
            if len(claimed) < want:
                return True
            if not self.has_room():
                return False
            want = min(self._batch_size, self.free)
        return want >= 1 or self._stopping()

    def _start(self, claim: ClaimedDelivery) -> None:
        self._limiter.acquire_on_behalf_of_nowait(claim)
        self._submit(claim)

    def release(self, claim: ClaimedDelivery) -> None:
        """Give back the capacity token taken for ``claim`` (once; later calls do nothing)."""
        with suppress(RuntimeError):
            self._limiter.release_on_behalf_of(claim)
