"""The LISTEN connection and the wake-up protocol (architecture.md, "Wake-up coalescing").

One dedicated autocommit connection LISTENs on ``pipeline_events`` and on a private probe channel,
and holds one shared advisory lock per served handler for its session (how daemons tell each
other which handlers are served; see ``claim_deliveries``).
The loop claims until the queue is empty, then arms (``pipeline.arm_wakeup()``): writers NOTIFY
only while some listener is armed. Armed, it claims once more (closing the race with writers that
committed just before), then waits for a NOTIFY, a local kick (a delivery finished, capacity freed,
a retry fell due, stop) or the poll timeout, and claims. Writers' NOTIFYs read less than
``BUSY_NOTIFY_GAP_SECONDS`` apart (or queued up during a claim) mean work is streaming in: the
listener disarms so that writers stop paying for NOTIFY while it is busy (it claims on
completions, and arms again once drained). At a trickle it stays armed, which saves the
disarm/arm round trips per event. If arming fails
because another listener is armed, this one waits for the NOTIFY that reaches every listener
(re-checking a few times a second); if writers are mid-commit, it claims again after a few ms.
Any link error or a failed probe ends the session: the one reconnect policy waits, then the loop
reconnects, LISTENs again and starts with a catch-up claim.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import anyio
import psycopg
from psycopg import AsyncConnection, Notify, sql
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.connector import LISTENER, Connector
from lxera_pipeline.listeners.probe import Probe
from lxera_pipeline.listeners.reconnect import RECOVERABLE, Backoff, LinkDead, ReconnectPolicy
from lxera_pipeline.listeners.wake import CAPACITY, LINK_ERROR, NOTIFY, ROUTED, WakeSignal
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

EVENTS_CHANNEL = "pipeline_events"
OTHER_ARMED_RECHECK_SECONDS = 0.25
WRITERS_COMMITTING_PAUSE_SECONDS = 0.003
LINK_TIMEOUT_SECONDS = 10.0
PROBE_DRAIN_SECONDS = 0.05
BUSY_NOTIFY_GAP_SECONDS = 0.005
# pipeline.route_events() NOTIFYs with this table in its payload (writers name their own table).
ROUTER_PAYLOAD = '"pipeline.deliveries"'


class Listener:
    """Owns the LISTEN connection; drives claiming through ``claim_until_empty``."""

    def __init__(
        self,
        *,
        connector: Connector,
        claim_until_empty: Callable[[], Awaitable[bool]],
        has_room: Callable[[], bool],
        wake: WakeSignal,
        stop: anyio.Event,
        policy: ReconnectPolicy,
        poll_seconds: float,
        probe: Probe,
        link_timeout: float = LINK_TIMEOUT_SECONDS,
        handlers: Sequence[str] = (),
        found_work: Callable[[], bool] = lambda: True,
    ) -> None:
        """``handlers``: the handlers whose deliveries ``claim_until_empty`` claims; advertised
        on the LISTEN connection (none for a listener that claims no deliveries, like `tail`).
        ``found_work``: whether the last claim found anything (see :meth:`_standby`)."""
        self._found_work = found_work
        self._connector = connector
        self._handlers = list(handlers)
        self._claim = claim_until_empty
        self._has_room = has_room
        self._wake = wake
        self._stop = stop
        self._policy = policy
        self._poll = poll_seconds
        self._probe = probe
        self._link_timeout = link_timeout
        self._link_error: BaseException | None = None
        self.alive = False
        self.sessions = 0
        self.arms = 0  # times this listener armed (it disarms when NOTIFYs stream in)
        self._streaming = False
        self._last_notify = -1.0

    async def serve(self) -> None:
        """Listen and claim until stop; reconnect through the policy on every link failure."""
        backoff = self._policy.backoff("listener")
        while not self._stop.is_set():
            try:
                await self._session(backoff)
            except RECOVERABLE as exc:
                self.alive = False
                log.warning("listener.lost", error=f"{type(exc).__name__}: {exc}".strip())
                await backoff.failed(exc, interrupt=self._stop)
        self.alive = False

    async def _session(self, backoff: Backoff) -> None:
        conn = await self._connector.connect(LISTENER)
        async with conn:
            for channel in (EVENTS_CHANNEL, self._probe.channel):
                query = load_query("listen_channel").format(channel=sql.Identifier(channel))
                await self._execute(conn, query)
            if self._handlers:
                params = {"handlers": self._handlers}
                await self._execute(conn, load_query("advertise_handlers"), params)
                await self._report_unserved(conn)
            self.alive = True
            self.sessions += 1
            backoff.succeeded()
            self._probe.reset()
            log.info("listener.connected", session=self.sessions, backend_pid=conn.info.backend_pid)
            try:
                await self._wakeup_loop(conn)
            finally:
                self.alive = False

    async def _report_unserved(self, conn: AsyncConnection[DictRow]) -> None:
        """Say which pending deliveries no running daemon serves: they wait, and why."""
        for row in await self._execute(conn, load_query("unserved_pending")):
            log.warning(
                "delivery.unserved",
                handler=row["handler"],
                pending=row["pending"],
                oldest=str(row["oldest"]),
                reason="no running daemon serves this handler; its deliveries wait for one "
                "and do not hold back later events of their entities",
            )

    async def _wakeup_loop(self, conn: AsyncConnection[DictRow]) -> None:
        drained = await self._claim()  # the catch-up claim of every (re)connect
        while not self._stop.is_set():
            if not drained:
                await self._wait_for_room(conn)
                drained = await self._claim()
                continue
            armed, armed_anywhere = await self._arm(conn)
            if armed:
                self.arms += 1
                drained = await self._armed(conn)
                continue
            if armed_anywhere:  # another listener waits: its NOTIFY reaches us too
                await self._standby(conn)
            else:  # writers are mid-commit: claim again in a moment
                await self._wait(conn, WRITERS_COMMITTING_PAUSE_SECONDS)
            drained = await self._claim()

    async def _standby(self, conn: AsyncConnection[DictRow]) -> None:
        """Another listener is armed and claims on every NOTIFY. This one joins in on a NOTIFY
        only while its own claims find work (the armed one is not keeping up); otherwise it
        claims on local reasons (a finished delivery, a retry due, stop) and at the re-check,
        so two idle daemons do not both route and claim for every event."""
        deadline = anyio.current_time() + min(self._poll, OTHER_ARMED_RECHECK_SECONDS)
        while not self._stop.is_set():
            left = deadline - anyio.current_time()
            if left <= 0:
                return
            reasons = await self._wait(conn, left)
            if not reasons or reasons - {NOTIFY} or self._found_work():
                return  # a routing NOTIFY (ROUTED) always counts: it may be for our handlers

    async def _wait_for_room(self, conn: AsyncConnection[DictRow]) -> None:
        """Saturated: finished runners kick; claim again once there is room for a batch."""
        while not self._stop.is_set():
            await self._wait(conn, self._poll)
            if self._has_room():
                return

    async def _armed(self, conn: AsyncConnection[DictRow]) -> bool:
        drained = await self._claim()  # closes the race with writers that just committed
        self._streaming = False
        while drained and not self._stop.is_set():
            reasons = await self._wait(conn, self._poll)
            if reasons and reasons <= {CAPACITY}:
                continue  # a freed slot matters only to a saturated daemon
            drained = await self._claim()
            if self._streaming:
                break  # stop the writers' NOTIFYs while busy
        await self._flag(conn, "disarm_wakeup")
        return drained

    async def _wait(self, conn: AsyncConnection[DictRow], seconds: float) -> frozenset[str]:
        """Until a NOTIFY, a local kick or the timeout; also runs the probe."""
        if self._probe.due():
            params = {"channel": self._probe.channel, "payload": self._probe.sent()}
            await self._execute(conn, load_query("notify_probe"), params)
        limit = self._wake.timeout(min(seconds, self._probe.seconds_left()))
        if limit > 0 and not self._wake.is_set():
            await self._race(conn, limit)
        reasons = self._wake.take()
        if LINK_ERROR in reasons and self._link_error is not None:
            raise self._link_error
        if self._probe.overdue():
            async for note in conn.notifies(timeout=PROBE_DRAIN_SECONDS):
                self._on_notify(note)
            if self._probe.overdue():
                raise LinkDead(f"no NOTIFY probe reply within {self._probe.timeout}s")
        return reasons

    async def _race(self, conn: AsyncConnection[DictRow], limit: float) -> None:
        self._link_error = None
        with anyio.move_on_after(limit):
            async with anyio.create_task_group() as group:
                group.start_soon(self._read, conn)
                await self._wake.wait()
                group.cancel_scope.cancel()

    async def _read(self, conn: AsyncConnection[DictRow]) -> None:
        try:
            async for note in conn.notifies():
                self._on_notify(note)
        except psycopg.Error as exc:
            self._link_error = exc
            self._wake.kick(LINK_ERROR)

    def _on_notify(self, note: Notify) -> None:
        if note.channel == EVENTS_CHANNEL and ROUTER_PAYLOAD in note.payload:
            self._wake.kick(ROUTED)
        elif note.channel == EVENTS_CHANNEL:
            # Two writers' NOTIFYs read within the gap (or queued up while claiming): streaming.
            now = time.monotonic()
            self._streaming |= now - self._last_notify < BUSY_NOTIFY_GAP_SECONDS
            self._last_notify = now
            self._wake.kick(NOTIFY)
        elif note.channel == self._probe.channel:
            self._probe.received(note.payload)

    async def _execute(
        self, conn: AsyncConnection[DictRow], query: sql.SQL | sql.Composed, params: Any = None
    ) -> list[DictRow]:
        with anyio.fail_after(self._link_timeout):
            cursor = await conn.execute(query, params)
            return await cursor.fetchall() if cursor.description else []

    async def _arm(self, conn: AsyncConnection[DictRow]) -> tuple[bool, bool]:
        """(this listener armed, some listener armed)."""
        [row] = await self._execute(conn, load_query("arm_wakeup"))
        return bool(row["armed"]), bool(row["armed_anywhere"])

    async def _flag(self, conn: AsyncConnection[DictRow], name: str) -> bool:
        rows = await self._execute(conn, load_query(name))
        return bool(next(iter(rows[0].values()))) if rows else False
