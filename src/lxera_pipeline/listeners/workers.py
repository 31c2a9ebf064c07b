"""Long-lived runner tasks that take claimed deliveries from a queue.

Starting an anyio task costs more than running a no-op handler, so the daemon keeps its runner
tasks: a submitted delivery wakes a parked worker, or starts a new one while there are fewer than
``max_workers`` (well above the concurrency: a worker whose handler returned still waits for its
batched completion while its capacity token already lets the next delivery in). All workers live
in the daemon's runner task group, so cancelling that group at the end of the shutdown grace
cancels the handlers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

import anyio
from anyio.abc import TaskGroup

from lxera_pipeline.listeners.claimer import ClaimedDelivery

RunDelivery = Callable[[ClaimedDelivery], Coroutine[Any, Any, None]]
TASK_NAME = "runner"


class WorkerPool:
    """Runs each submitted delivery on some worker task, in submission order."""

    def __init__(self, run: RunDelivery, max_workers: int) -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be >= 1, not {max_workers}")
        self._run = run
        self._max_workers = max_workers
        self._queue: deque[ClaimedDelivery] = deque()
        self._parked: list[anyio.Event] = []
        self._task_group: TaskGroup | None = None
        self.workers = 0

    def attach(self, task_group: TaskGroup) -> None:
        self._task_group = task_group

    def submit(self, claim: ClaimedDelivery) -> None:
        if self._task_group is None:
            raise RuntimeError("the worker pool has no task group (call attach first)")
        self._queue.append(claim)
        if self._parked:
            self._parked.pop().set()
        elif self.workers < self._max_workers:
            self.workers += 1
            self._task_group.start_soon(self._work, name=TASK_NAME)

    async def _work(self) -> None:
        try:
            while True:
                while self._queue:
                    await self._run(self._queue.popleft())
                parked = anyio.Event()
                self._parked.append(parked)
                await parked.wait()
        finally:
            self.workers -= 1
