"""The LISTEN connection: it tells the worker when to claim, and never claims itself.

One dedicated autocommit connection LISTENs on ``pipeline_events`` and on a private probe channel,
and holds one shared advisory lock per served handler for its session (how daemons tell each
other which handlers are served; see ``claim_deliveries``). The worker drives it with three calls:

- :meth:`Listener.arm` (``pipeline.arm_wakeup()``): writers NOTIFY only while some listener is
  armed. It answers (armed here, armed anywhere): a refused arm means either another listener
  waits (its NOTIFY reaches every listener) or writers are mid-commit.
- :meth:`Listener.wait`: until a NOTIFY, a local kick on the :class:`WakeSignal` (a delivery
  finished, capacity freed, a retry fell due, stop) or the timeout; it returns the reasons, and
  runs the NOTIFY probe. Writers' NOTIFYs read less than ``BUSY_NOTIFY_GAP_SECONDS`` apart mean
  work is streaming in (:attr:`Listener.streaming`): the worker then disarms so that writers stop
  paying for NOTIFY while it is busy.
- :meth:`Listener.disarm`.

Any link error or a failed probe raises out of these calls (one of ``RECOVERABLE``); the worker
hands it to :meth:`Listener.lost`, which waits as the one backoff policy says, and then
:meth:`Listener.connect` opens a new session (after which the worker claims to catch up).
"""

from __future__ import annotations

import heapq
import re
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import anyio
import psycopg
from psycopg import AsyncConnection, Notify, sql
from psycopg.rows import DictRow

from lxera_pipeline.db.locks import lock_params
from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.connection import LISTENER, BackoffPolicy, Connector, LinkDead
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

EVENTS_CHANNEL = "pipeline_events"
LINK_TIMEOUT_SECONDS = 10.0
PROBE_DRAIN_SECONDS = 0.05
BUSY_NOTIFY_GAP_SECONDS = 0.005
# pipeline.route_events() NOTIFYs with this table in its payload (writers name their own table).
ROUTER_PAYLOAD = '"pipeline.deliveries"'

# Reasons to claim now, coalesced by the WakeSignal.
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


PROBE_PREFIX = "pipeline_probe_"
MAX_IDENTIFIER = 63


def probe_channel(worker_id: str) -> str:
    """A private channel name for this worker (a valid, lower-case identifier)."""
    return (PROBE_PREFIX + re.sub(r"[^a-z0-9_]", "_", worker_id.lower()))[:MAX_IDENTIFIER]


class Probe:
    """When to send the next probe, and whether the outstanding one is overdue."""

    def __init__(
        self,
        worker_id: str,
        interval: float,
        timeout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if interval <= 0 or timeout <= 0:
            raise ValueError(f"probe interval and timeout must be > 0 (got {interval}, {timeout})")
        self.channel = probe_channel(worker_id)
        self.interval = interval
        self.timeout = timeout
        self._clock = clock
        self._expected: str | None = None
        self._next_at = clock() + interval
        self._deadline = 0.0

    def reset(self) -> None:
        """A fresh connection: nothing outstanding, next probe one interval from now."""
        self._expected = None
        self._next_at = self._clock() + self.interval

    def due(self) -> bool:
        return self._expected is None and self._clock() >= self._next_at

    def sent(self) -> str:
        """Record a probe going out; returns the payload to send."""
        self._expected = secrets.token_hex(8)
        self._deadline = self._clock() + self.timeout
        return self._expected

    def received(self, payload: str) -> None:
        if self._expected is not None and payload == self._expected:
            self._expected = None
            self._next_at = self._clock() + self.interval

    def overdue(self) -> bool:
        return self._expected is not None and self._clock() >= self._deadline

    def seconds_left(self) -> float:
        """Until the outstanding probe's deadline, or until the next probe is due."""
        target = self._deadline if self._expected is not None else self._next_at
        return max(0.0, target - self._clock())


class WakeUps(Protocol):
    """What the worker's loop asks of a listener: :class:`Listener`, or a test's fake."""

    streaming: bool

    async def connect(self) -> None: ...

    async def lost(self, exc: BaseException) -> None: ...

    async def close(self) -> None: ...

    async def arm(self) -> tuple[bool, bool]: ...

    async def disarm(self) -> None: ...

    async def wait(self, seconds: float) -> frozenset[str]: ...


class Listener:
    """Owns the LISTEN connection; signals wake-ups (see the module docstring)."""

    def __init__(
        self,
        *,
        connector: Connector,
        wake: WakeSignal,
        stop: anyio.Event,
        policy: BackoffPolicy,
        probe: Probe,
        handlers: Sequence[str] = (),
        link_timeout: float = LINK_TIMEOUT_SECONDS,
    ) -> None:
        """``handlers``: the handlers this process claims for, advertised on the connection
        (none for a listener that claims no deliveries, like `tail`)."""
        self._connector = connector
        self._handlers = list(handlers)
        self.wake = wake
        self._stop = stop
        self._backoff = policy.backoff("listener")
        self._probe = probe
        self._link_timeout = link_timeout
        self._link_error: BaseException | None = None
        self._conn: AsyncConnection[DictRow] | None = None
        self.alive = False
        self.sessions = 0
        self.arms = 0  # times this listener armed (it disarms when NOTIFYs stream in)
        self.streaming = False
        self._last_notify = -1.0

    @property
    def _link(self) -> AsyncConnection[DictRow]:
        if self._conn is None:
            raise LinkDead("the listener is not connected")
        return self._conn

    async def connect(self) -> None:
        """Open a session: LISTEN, advertise the served handlers, say which wait unserved."""
        await self.close()
        self._conn = await self._connector.connect(LISTENER)
        for channel in (EVENTS_CHANNEL, self._probe.channel):
            query = load_query("listen_channel").format(channel=sql.Identifier(channel))
            await self._execute(query)
        if self._handlers:
            params = {"handlers": self._handlers, **lock_params()}
            await self._execute(load_query("advertise_handlers"), params)
            await self._report_unserved()
        self.alive = True
        self.sessions += 1
        self._backoff.succeeded()
        self._probe.reset()
        log.info(
            "listener.connected", session=self.sessions, backend_pid=self._link.info.backend_pid
        )

    async def lost(self, exc: BaseException) -> None:
        """The session ended on ``exc``: close it and wait as the backoff policy says."""
        self.alive = False
        log.warning("listener.lost", error=f"{type(exc).__name__}: {exc}".strip())
        await self.close()
        await self._backoff.failed(exc, interrupt=self._stop)

    async def close(self) -> None:
        self.alive = False
        conn, self._conn = self._conn, None
        if conn is not None:
            with anyio.CancelScope(shield=True):
                try:
                    await conn.close()
                except Exception as exc:
                    log.debug("listener.close_failed", error=str(exc))

    async def _report_unserved(self) -> None:
        """Say which pending deliveries no running daemon serves: they wait, and why."""
        for row in await self._execute(load_query("unserved_pending"), lock_params()):
            log.warning(
                "delivery.unserved",
                handler=row["handler"],
                pending=row["pending"],
                oldest=str(row["oldest"]),
                reason="no running daemon serves this handler; its deliveries wait for one "
                "and do not hold back later events of their entities",
            )

    async def arm(self) -> tuple[bool, bool]:
        """(this listener armed, some listener armed)."""
        [row] = await self._execute(load_query("arm_wakeup"))
        armed = bool(row["armed"])
        if armed:
            self.arms += 1
            self.streaming = False
        return armed, bool(row["armed_anywhere"])

    async def disarm(self) -> None:
        await self._execute(load_query("disarm_wakeup"))

    async def wait(self, seconds: float) -> frozenset[str]:
        """Until a NOTIFY, a local kick or the timeout (the reasons; empty after a timeout);
        also runs the probe."""
        conn = self._link
        if self._probe.due():
            params = {"channel": self._probe.channel, "payload": self._probe.sent()}
            await self._execute(load_query("notify_probe"), params)
        limit = self.wake.timeout(min(seconds, self._probe.seconds_left()))
        if limit > 0 and not self.wake.is_set():
            await self._race(conn, limit)
        reasons = self.wake.take()
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
                await self.wake.wait()
                group.cancel_scope.cancel()

    async def _read(self, conn: AsyncConnection[DictRow]) -> None:
        try:
            async for note in conn.notifies():
                self._on_notify(note)
        except psycopg.Error as exc:
            self._link_error = exc
            self.wake.kick(LINK_ERROR)

    def _on_notify(self, note: Notify) -> None:
        if note.channel == EVENTS_CHANNEL and ROUTER_PAYLOAD in note.payload:
            self.wake.kick(ROUTED)
        elif note.channel == EVENTS_CHANNEL:
            # Two writers' NOTIFYs read within the gap (or queued up while claiming): streaming.
            now = time.monotonic()
            self.streaming |= now - self._last_notify < BUSY_NOTIFY_GAP_SECONDS
            self._last_notify = now
            self.wake.kick(NOTIFY)
        elif note.channel == self._probe.channel:
            self._probe.received(note.payload)

    async def _execute(self, query: sql.SQL | sql.Composed, params: Any = None) -> list[DictRow]:
        with anyio.fail_after(self._link_timeout):
            cursor = await self._link.execute(query, params)
            return await cursor.fetchall() if cursor.description else []
