"""The NOTIFY round-trip probe of the LISTEN connection.

Every ``interval`` seconds the listener NOTIFYs a channel only it listens on and expects the
notification back within ``timeout``; a link that stays silent is dead even if its socket still
looks open (a dropped NAT entry, a half-open TCP connection), and the listener reconnects.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable

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
