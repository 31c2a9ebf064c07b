"""The one reconnect policy: jittered exponential backoff with a ceiling and a give-up hook.

Every link of the daemon that can break (the LISTEN connection, the heartbeat connection, the
writes that record an attempt's outcome) waits between attempts with a :class:`Backoff` made by
the same :class:`ReconnectPolicy`, so the daemon has exactly one notion of "try again later".
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import anyio
import psycopg

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
class ReconnectPolicy:
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
        self, policy: ReconnectPolicy, link: str, clock: Callable[[], float] = time.monotonic
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
