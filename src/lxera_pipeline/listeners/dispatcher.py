"""Claim what the daemon can start soon, and hand each claimed delivery to a runner task.

Capacity is an anyio ``CapacityLimiter(concurrency)``: the dispatcher takes a token on behalf of
each delivery it starts, and the runner gives it back when the handler returns, which starts the
next waiting delivery at once.

Claiming ahead: a daemon whose handlers are quick claims up to ``prefetch`` deliveries beyond its
free slots and keeps them waiting here (their leases are renewed like running ones), so a busy
daemon claims in full batches instead of one small claim per freed slot. How far ahead follows
the handlers' recent durations: only what the running handlers would finish within
``PREFETCH_HORIZON_SECONDS``, so a daemon of slow handlers (rendering video) claims no more than
it can start, and replicas share long work evenly. Before the first handler has returned nothing
is claimed ahead.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

import anyio

from lxera_pipeline.listeners.claimer import ClaimedDelivery, Claimer
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

Submit = Callable[[ClaimedDelivery], None]
PREFETCH_HORIZON_SECONDS = 0.05
DURATION_WEIGHT = 0.05  # of the newest sample in the running mean of handler durations


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
        prefetch: int = 0,
    ) -> None:
        self._claimer = claimer
        self._submit = submit
        self._limiter = limiter
        self._batch_size = batch_size
        self._stopping = stopping
        self._on_claimed = on_claimed
        self._prefetch = prefetch
        self._concurrency = int(limiter.total_tokens)
        self._mean_seconds: float | None = None
        self.found_work = True  # the last claim_until_empty claimed something
        # Claimed, not started yet (insertion order is claim order). The heartbeat renews these.
        self.queued: dict[int, ClaimedDelivery] = {}

    @property
    def free(self) -> int:
        return int(self._limiter.available_tokens)

    def ahead(self) -> int:
        """How many deliveries may wait here, given the handlers' recent durations."""
        if self._prefetch == 0 or self._mean_seconds is None:
            return 0
        finishing = self._concurrency * PREFETCH_HORIZON_SECONDS / max(self._mean_seconds, 1e-6)
        return min(self._prefetch, int(finishing))

    def room(self) -> int:
        """Deliveries the next claim may take."""
        return max(0, self.free + self.ahead() - len(self.queued))

    def has_room(self) -> bool:
        """Enough room for a worthwhile claim after the daemon was saturated: half a batch
        (many tiny claims cost more than they gain)."""
        window = self._concurrency + self.ahead()
        return self.room() >= max(1, min(self._batch_size, window) // 2)

    def observe(self, seconds: float) -> None:
        """A handler returned after ``seconds``: update the running mean."""
        mean = self._mean_seconds
        self._mean_seconds = seconds if mean is None else mean + DURATION_WEIGHT * (seconds - mean)

    async def claim_until_empty(self) -> bool:
        """Claim batch after batch. True when the queue ran dry (or the daemon is stopping),
        False when room ran short first: wait until :meth:`has_room`, then call again."""
        want = min(self._batch_size, self.room())
        self.found_work = False
        while want >= 1 and not self._stopping():
            claimed = await self._claimer.claim(want)
            self.found_work = self.found_work or bool(claimed)
            for claim in claimed:
                self._accept(claim)
            if claimed and self._on_claimed is not None:
                self._on_claimed(len(claimed))
            if len(claimed) < want:
                return True
            if not self.has_room():
                return False
            want = min(self._batch_size, self.room())
        return want >= 1 or self._stopping()

    def _accept(self, claim: ClaimedDelivery) -> None:
        if self.queued or self.free < 1:
            self.queued[claim.delivery_id] = claim
        else:
            self._start(claim)

    def _start(self, claim: ClaimedDelivery) -> None:
        self._limiter.acquire_on_behalf_of_nowait(claim)
        self._submit(claim)

    def release(self, claim: ClaimedDelivery) -> None:
        """Give back the capacity token taken for ``claim`` (once; later calls do nothing) and
        start the next waiting delivery."""
        with suppress(RuntimeError):
            self._limiter.release_on_behalf_of(claim)
        while self.queued and self.free >= 1 and not self._stopping():
            self._start(self.queued.pop(next(iter(self.queued))))

    def take_queued(self) -> list[ClaimedDelivery]:
        """Remove and return every delivery that waits to start (to release them at shutdown)."""
        waiting, self.queued = list(self.queued.values()), {}
        return waiting
