"""Claim as much as there is free capacity, and start one runner task per claimed delivery.

Capacity is an anyio ``CapacityLimiter(concurrency)``: the dispatcher takes a token on behalf of
each claimed delivery before its task starts, and the runner gives it back when the handler is
done, so the claimer never claims more than the daemon can start at once.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import Any

import anyio
from anyio.abc import TaskGroup

from lxera_pipeline.listeners.claimer import ClaimedDelivery, Claimer
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

RunDelivery = Callable[[ClaimedDelivery], Coroutine[Any, Any, None]]


class Dispatcher:
    """Feeds claimed deliveries into a task group under the capacity limit."""

    def __init__(
        self,
        claimer: Claimer,
        run: RunDelivery,
        limiter: anyio.CapacityLimiter,
        batch_size: int,
        stopping: Callable[[], bool],
        on_claimed: Callable[[int], None] | None = None,
    ) -> None:
        self._claimer = claimer
        self._run = run
        self._limiter = limiter
        self._batch_size = batch_size
        self._stopping = stopping
        self._on_claimed = on_claimed
        self._task_group: TaskGroup | None = None

    def attach(self, task_group: TaskGroup) -> None:
        """The task group the runner tasks start in (the daemon's runner group)."""
        self._task_group = task_group

    @property
    def free(self) -> int:
        return int(self._limiter.available_tokens)

    async def claim_until_empty(self) -> bool:
        """Claim batch after batch. True when the queue ran dry (or the daemon is stopping),
        False when capacity ran out first: wait for a runner to finish, then call again."""
        while not self._stopping():
            want = min(self._batch_size, self.free)
            if want < 1:
                return False
            claimed = await self._claimer.claim(want)
            for claim in claimed:
                self._start(claim)
            if claimed and self._on_claimed is not None:
                self._on_claimed(len(claimed))
            if len(claimed) < want:
                return True
        return True

    def _start(self, claim: ClaimedDelivery) -> None:
        if self._task_group is None:
            raise RuntimeError("the dispatcher has no task group (call attach first)")
        self._limiter.acquire_on_behalf_of_nowait(claim)
        self._task_group.start_soon(self._run, claim)

    def release(self, claim: ClaimedDelivery) -> None:
        """Give back the capacity token taken for ``claim`` (once; later calls do nothing)."""
        with suppress(RuntimeError):
            self._limiter.release_on_behalf_of(claim)
