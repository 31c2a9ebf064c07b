"""SIGTERM / SIGINT: the first asks the daemon to stop (one stop event), a second exits at once."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Sequence
from typing import NoReturn

import anyio
from anyio.abc import TaskStatus

from lxera_pipeline.log import get_logger

log = get_logger(__name__)

STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGINT)


class StopSignal:
    """The daemon's one stop event, with the reason it was set and hooks run when it is."""

    def __init__(self) -> None:
        self.event = anyio.Event()
        self.reason: str | None = None
        self._hooks: list[Callable[[], None]] = []

    def on_request(self, hook: Callable[[], None]) -> None:
        self._hooks.append(hook)

    def request(self, reason: str) -> None:
        if self.event.is_set():
            return
        self.reason = reason
        self.event.set()
        for hook in self._hooks:
            hook()

    def is_set(self) -> bool:
        return self.event.is_set()

    async def wait(self) -> None:
        await self.event.wait()


def _exit_at_once(code: int) -> NoReturn:
    os._exit(code)


class SignalPolicy:
    """What each received signal does: first -> stop, any later one -> exit now."""

    def __init__(
        self, stop: StopSignal, exit_now: Callable[[int], NoReturn] = _exit_at_once
    ) -> None:
        self._stop = stop
        self._exit_now = exit_now
        self.received = 0

    def handle(self, signum: int) -> None:
        self.received += 1
        name = signal.Signals(signum).name
        if self.received == 1:
            log.info("daemon.stop_requested", signal=name)
            self._stop.request(name)
            return
        log.warning("daemon.forced_exit", signal=name, received=self.received)
        self._exit_now(128 + signum)


async def watch_signals(
    policy: SignalPolicy,
    signals: Sequence[signal.Signals] = STOP_SIGNALS,
    *,
    task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Deliver ``signals`` to ``policy`` until cancelled (main thread only)."""
    with anyio.open_signal_receiver(*signals) as received:
        task_status.started()
        async for signum in received:
            policy.handle(signum)
