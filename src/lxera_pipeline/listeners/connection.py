"""The daemon's connections and its one policy for trying again.

Pools: the handler pool (``pool_size`` connections) serves ``ctx.connection()`` and
``ctx.transaction()``; the small control pool serves the daemon's own statements (claims,
completions, outcomes, checks), so a hundred handlers waiting for a connection never hold up the
next claim. The LISTEN and heartbeat links are dedicated connections outside the pools.

Every connection names the daemon and its role in ``application_name``
(``lxera-pipeline:<worker_id>:listener|worker|heartbeat``) so an operator finds it in
`pg_stat_activity`; all have TCP keepalives on. Worker connections end a transaction left idle for
longer than the lease, so a frozen process cannot hold row locks forever. The LISTEN connection
refuses a transaction-mode pooler (it would drop notifications silently).

Trying again: every link that can break (the LISTEN connection, the heartbeat connection, the
writes that record an attempt's outcome) waits between attempts with a :class:`Backoff` made by one
:class:`BackoffPolicy`; a failed delivery's retry delay is the same formula
(``BackoffPolicy.delay``), so the daemon has exactly one notion of "try again later".
"""

from __future__ import annotations

import random
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

import anyio
import psycopg
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from lxera_pipeline.db.dsn import check_listen_dsn
from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.config import DaemonConfig
from lxera_pipeline.log import get_logger

log = get_logger(__name__)
T = TypeVar("T")


class LinkDead(RuntimeError):
    """A connection that still looks open but no longer answers (a failed probe)."""


# Errors that mean "the database link broke", as opposed to a bug or a refused statement.
# psycopg_pool.PoolTimeout is an OperationalError; TimeoutError comes from our own deadlines.
RECOVERABLE: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    LinkDead,
    TimeoutError,
    OSError,
)


class GaveUp(RuntimeError):
    """A link failed for longer than the policy's give-up time."""


GiveUpHook = Callable[[str, BaseException], None]


@dataclass(frozen=True)
class BackoffPolicy:
    """Delay after the n-th consecutive failure: ``min(ceiling, initial * multiplier**(n-1))``
    times a uniform jitter factor, never above the ceiling."""

    initial_seconds: float = 0.1
    ceiling_seconds: float = 30.0
    multiplier: float = 2.0
    jitter: tuple[float, float] = (0.5, 1.5)
    give_up_after_seconds: float | None = None
    on_give_up: GiveUpHook | None = None
    rng: Callable[[], float] = field(default=random.random, repr=False)

    def __post_init__(self) -> None:
        low, high = self.jitter
        if not 0 < self.initial_seconds <= self.ceiling_seconds:
            raise ValueError(
                f"initial_seconds ({self.initial_seconds}) must be > 0 and <= "
                f"ceiling_seconds ({self.ceiling_seconds})"
            )
        if self.multiplier < 1 or not 0 <= low <= high:
            raise ValueError(f"multiplier must be >= 1 and 0 <= jitter low <= high: {self!r}")

    def delay(self, failures: int) -> float:
        """Seconds to wait after the ``failures``-th consecutive failure (1-based)."""
        exponent = min(max(failures, 1) - 1, 64)
        raw = min(self.ceiling_seconds, self.initial_seconds * self.multiplier**exponent)
        low, high = self.jitter
        return min(self.ceiling_seconds, raw * (low + (high - low) * self.rng()))

    def backoff(self, link: str) -> Backoff:
        return Backoff(self, link)


class Backoff:
    """Consecutive-failure state of one link under a policy."""

    def __init__(
        self, policy: BackoffPolicy, link: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.policy = policy
        self.link = link
        self.failures = 0
        self._clock = clock
        self._since: float | None = None

    def record(self, exc: BaseException) -> float:
        """Count one failure; the delay to wait. Raises :class:`GaveUp` past the give-up time."""
        now = self._clock()
        self._since = now if self._since is None else self._since
        self.failures += 1
        limit = self.policy.give_up_after_seconds
        if limit is not None and now - self._since >= limit:
            if self.policy.on_give_up is not None:
                self.policy.on_give_up(self.link, exc)
            raise GaveUp(f"{self.link}: still failing after {now - self._since:.1f}s: {exc}")
        return self.policy.delay(self.failures)

    async def failed(self, exc: BaseException, interrupt: anyio.Event | None = None) -> None:
        """Record a failure and wait its delay (cut short when ``interrupt`` is set)."""
        delay = self.record(exc)
        log.warning(
            "reconnect.waiting",
            link=self.link,
            failures=self.failures,
            delay_s=round(delay, 3),
            error=f"{type(exc).__name__}: {exc}".strip(),
        )
        with anyio.move_on_after(delay):
            if interrupt is None:
                await anyio.sleep(delay)
            else:
                await interrupt.wait()

    def succeeded(self) -> None:
        if self.failures:
            log.info("reconnect.recovered", link=self.link, failures=self.failures)
        self.failures = 0
        self._since = None


async def retrying(
    operation: Callable[[], Awaitable[T]],
    backoff: Backoff,
    deadline: float | None = None,
    stop: anyio.Event | None = None,
) -> T:
    """Run ``operation`` until it does not fail with a link error; the last error is raised when
    ``deadline`` (monotonic) would pass during the next wait, or once ``stop`` is set."""
    while True:
        try:
            result = await operation()
        except RECOVERABLE as exc:
            next_try = time.monotonic() + backoff.policy.delay(backoff.failures + 1)
            if (deadline is not None and next_try > deadline) or (stop and stop.is_set()):
                raise
            await backoff.failed(exc, interrupt=stop)
            if stop is not None and stop.is_set():
                raise
            continue
        backoff.succeeded()
        return result


Pool = AsyncConnectionPool[AsyncConnection[DictRow]]
LISTENER, WORKER, HEARTBEAT = "listener", "worker", "heartbeat"
KEEPALIVES: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
CONNECT_TIMEOUT_SECONDS = 10
POOL_WAIT_SECONDS = 30.0
# The pool re-creates broken connections in the background; it must never stop trying.
POOL_RECONNECT_SECONDS = 365 * 24 * 3600.0
CONTROL_POOL_SIZE = 2
# How long the daemon's own statements wait for a control connection: short, so a database outage
# turns into a retry (or, at shutdown, a prompt exit) instead of a 30 s stall.
CONTROL_WAIT_SECONDS = 5.0


# A connection handed back less than this long ago is handed out again unchecked; one idle longer
# gets the pool's round-trip check. A connection that broke meanwhile fails its statement, which
# the daemon retries, and the pool discards it when it comes back broken.
FRESH_SECONDS = 1.0


def application_name(worker_id: str, role: str) -> str:
    return f"lxera-pipeline:{worker_id}:{role}"


class Connector:
    """Opens the worker pool on enter, closes it on exit; hands out dedicated connections."""

    def __init__(self, config: DaemonConfig, pool_wait_seconds: float = POOL_WAIT_SECONDS) -> None:
        check_listen_dsn(config.listen_dsn)
        self.config = config
        self._pool_wait = pool_wait_seconds
        self._pool: Pool | None = None
        self._control: Pool | None = None
        self._returned: weakref.WeakKeyDictionary[AsyncConnection[DictRow], float] = (
            weakref.WeakKeyDictionary()
        )

    def kwargs(self, role: str) -> dict[str, Any]:
        return {
            **KEEPALIVES,
            "application_name": application_name(self.config.worker_id, role),
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "autocommit": True,
            "row_factory": dict_row,
            "prepare_threshold": self.config.prepare_threshold,
        }

    @property
    def pool(self) -> Pool:
        """The handlers' pool."""
        if self._pool is None:
            raise RuntimeError("the connector is not open (use `async with Connector(...)`)")
        return self._pool

    @property
    def control(self) -> Pool:
        """The daemon's own pool: claims, completions, outcomes, readiness."""
        if self._control is None:
            raise RuntimeError("the connector is not open (use `async with Connector(...)`)")
        return self._control

    async def _configure(self, conn: AsyncConnection[DictRow]) -> None:
        milliseconds = str(int(self.config.lease_seconds * 1000))
        await conn.execute(
            load_query("set_idle_in_transaction_timeout"), {"milliseconds": milliseconds}
        )

    async def _configure_control(self, conn: AsyncConnection[DictRow]) -> None:
        await self._configure(conn)
        await conn.execute(load_query("configure_control_session"))

    async def _check(self, conn: AsyncConnection[DictRow]) -> None:
        if time.monotonic() - self._returned.get(conn, 0.0) > FRESH_SECONDS:
            await AsyncConnectionPool.check_connection(conn)

    async def _reset(self, conn: AsyncConnection[DictRow]) -> None:
        self._returned[conn] = time.monotonic()

    def _new_pool(self, size: int, *, control: bool = False) -> Pool:
        return AsyncConnectionPool(
            self.config.dsn,
            connection_class=AsyncConnection[DictRow],
            kwargs=self.kwargs(WORKER),
            min_size=size,
            max_size=size,
            configure=self._configure_control if control else self._configure,
            check=self._check,
            reset=self._reset,
            name=application_name(self.config.worker_id, WORKER),
            timeout=self._pool_wait,
            reconnect_timeout=POOL_RECONNECT_SECONDS,
            open=False,
        )

    async def __aenter__(self) -> Connector:
        self._pool = self._new_pool(self.config.pool_size)
        self._control = self._new_pool(CONTROL_POOL_SIZE, control=True)
        try:
            await self._pool.open(wait=True, timeout=self._pool_wait)
            await self._control.open(wait=True, timeout=self._pool_wait)
        except BaseException:
            await self._close()
            raise
        log.info(
            "connector.pools_opened", handlers=self.config.pool_size, control=CONTROL_POOL_SIZE
        )
        return self

    async def _close(self) -> None:
        for pool in (self._pool, self._control):
            if pool is not None:
                await pool.close()
        self._pool = self._control = None

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._close()

    async def connect(self, role: str) -> AsyncConnection[DictRow]:
        """A dedicated autocommit connection outside the pool (LISTEN, heartbeat)."""
        dsn = self.config.listen_dsn if role == LISTENER else self.config.dsn
        return await AsyncConnection.connect(dsn, **self.kwargs(role))
