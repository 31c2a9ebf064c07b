"""The worker: the one claim loop, capacity, claiming ahead, runner tasks and lease renewal.

The loop (:class:`Worker`) claims until the queue is empty, then arms the listener. Armed, it
claims once more (closing the race with writers that committed just before), then waits for a
wake-up (a NOTIFY, a finished delivery, freed capacity, a retry due, stop, the poll timeout) and
claims. When NOTIFYs stream in, it disarms (writers stop paying for NOTIFY while it is busy; it
claims on completions, and arms again once drained).

Lingering: when two claims in a row found work within ``linger_seconds`` of each other, events
are streaming in and more are on their way, so the loop does not wait armed: it disarms (writers
skip their NOTIFY) and claims again after a short pause (4 ms, doubling while claims come back
empty) until ``linger_seconds`` pass without work; then it arms. A trickle slower than that keeps
the listener armed (one NOTIFY and one claim per event, no empty claims).
A stream of events is claimed and completed in batches instead of one NOTIFY, one claim and one
completion per event; an event committed meanwhile starts within one pause (at most a few tens
of ms). ``linger_seconds = 0`` arms straight after every drained claim.

If another listener is armed, this one waits for the NOTIFY that reaches every listener
(re-checking a few times a second); if writers are mid-commit, it claims again after a few ms. A
link error ends the session: the listener waits out its backoff and reconnects, and the loop
starts again with a catch-up claim.

Capacity is an anyio ``CapacityLimiter(concurrency)``: the :class:`Dispatcher` takes a token on
behalf of each delivery it starts, and the runner gives it back when the handler returns, which
starts the next waiting delivery at once.

Claiming ahead: a daemon whose handlers are quick claims up to ``prefetch`` deliveries beyond its
free slots and keeps them waiting (their leases are renewed like running ones), so a busy daemon
claims in full batches instead of one small claim per freed slot. How far ahead follows the
handlers' recent durations: only what the running handlers would finish within
``PREFETCH_HORIZON_SECONDS``, so a daemon of slow handlers (rendering video) claims no more than
it can start, and replicas share long work evenly. Before the first handler has returned nothing
is claimed ahead.

Runner tasks (:class:`WorkerPool`): starting an anyio task costs more than running a no-op
handler, so the worker keeps its tasks: a submitted delivery wakes a parked one, or starts a new
one while there are fewer than ``max_workers`` (well above the concurrency: a task whose handler
returned still waits for its batched completion while its capacity token already lets the next
delivery in). All live in the daemon's runner task group, so cancelling that group at the end of
the shutdown grace cancels the handlers.

Lease renewal (:class:`Heartbeat`): every ``interval`` seconds one UPDATE extends the leases of
this worker's running and waiting deliveries, on a dedicated connection so a busy pool cannot
starve it.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Coroutine, Mapping
from contextlib import suppress
from typing import Any, Protocol

import anyio
from anyio.abc import TaskGroup
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from lxera_pipeline.listeners.connection import (
    HEARTBEAT,
    RECOVERABLE,
    BackoffPolicy,
    Connector,
)
from lxera_pipeline.listeners.listener import CAPACITY, NOTIFY, WakeUps
from lxera_pipeline.listeners.store import Delivery, Store
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

Submit = Callable[[Delivery], None]
RunDelivery = Callable[[Delivery], Coroutine[Any, Any, None]]
PREFETCH_HORIZON_SECONDS = 0.05
DURATION_WEIGHT = 0.05  # of the newest sample in the running mean of handler durations
OTHER_ARMED_RECHECK_SECONDS = 0.25
WRITERS_COMMITTING_PAUSE_SECONDS = 0.003
LINGER_FIRST_PAUSE_SECONDS = 0.004
HEARTBEAT_STATEMENT_SECONDS = 10.0
TASK_NAME = "runner"


class Claims(Protocol):
    async def claim(self, limit: int) -> list[Delivery]: ...


class Dispatcher:
    """Feeds claimed deliveries to ``submit`` under the capacity limit."""

    def __init__(
        self,
        claimer: Claims,
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
        self.queued: dict[int, Delivery] = {}

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

    def _accept(self, claim: Delivery) -> None:
        if self.queued or self.free < 1:
            self.queued[claim.delivery_id] = claim
        else:
            self._start(claim)

    def _start(self, claim: Delivery) -> None:
        self._limiter.acquire_on_behalf_of_nowait(claim)
        self._submit(claim)

    def release(self, claim: Delivery) -> None:
        """Give back the capacity token taken for ``claim`` (once; later calls do nothing) and
        start the next waiting delivery."""
        with suppress(RuntimeError):
            self._limiter.release_on_behalf_of(claim)
        while self.queued and self.free >= 1 and not self._stopping():
            self._start(self.queued.pop(next(iter(self.queued))))

    def take_queued(self) -> list[Delivery]:
        """Remove and return every delivery that waits to start (to release them at shutdown)."""
        waiting, self.queued = list(self.queued.values()), {}
        return waiting


class WorkerPool:
    """Runs each submitted delivery on some worker task, in submission order."""

    def __init__(self, run: RunDelivery, max_workers: int) -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be >= 1, not {max_workers}")
        self._run = run
        self._max_workers = max_workers
        self._queue: deque[Delivery] = deque()
        self._parked: list[anyio.Event] = []
        self._task_group: TaskGroup | None = None
        self.workers = 0

    def attach(self, task_group: TaskGroup) -> None:
        self._task_group = task_group

    def submit(self, claim: Delivery) -> None:
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


class Heartbeat:
    """Extends the leases of ``held()`` deliveries until cancelled."""

    def __init__(
        self,
        connector: Connector,
        store: Store,
        held: Callable[[], Mapping[int, Delivery]],
        interval: float,
        policy: BackoffPolicy,
    ) -> None:
        self._connector = connector
        self._store = store
        self._held = held
        self._interval = interval
        self._backoff = policy.backoff("heartbeat")
        self._conn: AsyncConnection[DictRow] | None = None
        self.beats = 0

    async def run(self) -> None:
        try:
            while True:
                await anyio.sleep(self._interval)
                deliveries = list(self._held().values())
                if deliveries:
                    await self._beat(deliveries)
        finally:
            with anyio.CancelScope(shield=True):
                await self._close()

    async def _beat(self, deliveries: list[Delivery]) -> None:
        try:
            if self._conn is None or self._conn.closed:
                self._conn = await self._connector.connect(HEARTBEAT)
            with anyio.fail_after(HEARTBEAT_STATEMENT_SECONDS):
                extended = await self._store.extend_leases(self._conn, deliveries)
        except RECOVERABLE as exc:
            await self._close()
            await self._backoff.failed(exc)
            return
        self._backoff.succeeded()
        self.beats += 1
        log.debug("heartbeat.extended", held=len(deliveries), extended=extended)

    async def _close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await conn.close()
            except Exception as exc:
                log.debug("heartbeat.close_failed", error=str(exc))


class Worker:
    """The claim loop (see the module docstring): the listener only says when to claim."""

    def __init__(
        self,
        *,
        listener: WakeUps,
        dispatcher: Dispatcher,
        stop: anyio.Event,
        poll_seconds: float,
        linger_seconds: float = 0.0,
    ) -> None:
        self._listener = listener
        self._dispatcher = dispatcher
        self._stop = stop
        self._poll = poll_seconds
        self._linger = linger_seconds
        self._work_found_at = (-math.inf, -math.inf)  # the last two claims that found work
        self.lingered_claims = 0  # claims made while lingering (for tests and the curious)

    async def run(self) -> None:
        """Claim until stop; after every link failure, reconnect and claim to catch up."""
        try:
            while not self._stop.is_set():
                try:
                    await self._listener.connect()
                    await self._session()
                except RECOVERABLE as exc:
                    await self._listener.lost(exc)
        finally:
            await self._listener.close()

    async def _claim(self) -> bool:
        drained = await self._dispatcher.claim_until_empty()
        if self._dispatcher.found_work:
            self._work_found_at = (self._work_found_at[1], anyio.current_time())
        return drained

    async def _session(self) -> None:
        drained = await self._claim()  # the catch-up claim of every (re)connect
        while not self._stop.is_set():
            if not drained:
                await self._wait_for_room()
                drained = await self._claim()
                continue
            if self._lingers():
                drained = await self._linger_claims()
                continue
            armed, armed_anywhere = await self._listener.arm()
            if armed:
                drained = await self._armed()
                continue
            if armed_anywhere:  # another listener waits: its NOTIFY reaches us too
                await self._standby()
            else:  # writers are mid-commit: claim again in a moment
                await self._listener.wait(WRITERS_COMMITTING_PAUSE_SECONDS)
            drained = await self._claim()

    async def _standby(self) -> None:
        """Another listener is armed and claims on every NOTIFY. This one joins in on a NOTIFY
        only while its own claims find work (the armed one is not keeping up); otherwise it
        claims on local reasons (a finished delivery, a retry due, stop) and at the re-check,
        so two idle daemons do not both route and claim for every event."""
        deadline = anyio.current_time() + min(self._poll, OTHER_ARMED_RECHECK_SECONDS)
        while not self._stop.is_set():
            left = deadline - anyio.current_time()
            if left <= 0:
                return
            reasons = await self._listener.wait(left)
            if not reasons or reasons - {NOTIFY} or self._dispatcher.found_work:
                return  # a routing NOTIFY (ROUTED) always counts: it may be for our handlers

    async def _wait_for_room(self) -> None:
        """Saturated: finished runners kick; claim again once there is room for a batch."""
        while not self._stop.is_set():
            await self._listener.wait(self._poll)
            if self._dispatcher.has_room():
                return

    async def _armed(self) -> bool:
        drained = await self._claim()  # closes the race with writers that just committed
        while drained and not self._stop.is_set() and not self._lingers():
            reasons = await self._listener.wait(self._poll)
            if reasons and reasons <= {CAPACITY}:
                continue  # a freed slot matters only to a saturated daemon
            drained = await self._claim()
            if self._listener.streaming:
                break  # stop the writers' NOTIFYs while busy
        await self._listener.disarm()
        return drained

    def _lingers(self) -> bool:
        """The last claim found work, and so did the one before, less than ``linger_seconds``
        earlier: events stream in, claim on (disarmed) for a while."""
        before, last = self._work_found_at
        return (
            self._dispatcher.found_work and last - before < self._linger and not self._stop.is_set()
        )

    async def _linger_claims(self) -> bool:
        """Claim after short pauses (doubling while claims come back empty) until
        ``linger_seconds`` pass without work; returns as :meth:`Dispatcher.claim_until_empty`."""
        first = min(LINGER_FIRST_PAUSE_SECONDS, self._linger)
        pause, idle = first, 0.0
        while not self._stop.is_set():
            await self._pause(pause)
            drained = await self._claim()
            self.lingered_claims += 1
            if not drained:
                return False
            if self._dispatcher.found_work:
                pause, idle = first, 0.0
                continue
            idle += pause
            if idle >= self._linger:
                return True
            pause = min(2 * pause, self._linger - idle)
        return True

    async def _pause(self, seconds: float) -> None:
        """Wait ``seconds``; a NOTIFY (another router's), a retry due or stop cut it short, a
        freed slot does not (each finished handler frees one)."""
        deadline = anyio.current_time() + seconds
        while not self._stop.is_set():
            left = deadline - anyio.current_time()
            if left <= 0:
                return
            reasons = await self._listener.wait(left)
            if reasons and not reasons <= {CAPACITY}:
                return
