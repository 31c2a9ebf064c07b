"""A periodic ``daemon.progress`` line: what the daemon did since the last one.

Per-delivery success lines are debug-level (the audit log already holds one row per attempt, and
a line per event would cost a busy daemon more than its handlers); problems are logged one by one
at warning/error. This summary keeps an info-level log readable and alive.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import anyio

from lxera_pipeline.log import get_logger

log = get_logger(__name__)
PROGRESS_SECONDS = 30.0


def changes(now: Mapping[str, int], before: Mapping[str, int]) -> dict[str, int]:
    """Counts that grew since ``before``, by how much."""
    return {
        key: value - before.get(key, 0) for key, value in now.items() if value != before.get(key, 0)
    }


async def report_progress(
    totals: Callable[[], Mapping[str, int]],
    in_flight: Callable[[], int],
    interval: float = PROGRESS_SECONDS,
) -> None:
    """Log the outcome counts of every ``interval`` in which something happened."""
    before: dict[str, int] = {}
    while True:
        await anyio.sleep(interval)
        now = dict(totals())
        delta = changes(now, before)
        if delta:
            log.info("daemon.progress", interval_s=interval, in_flight=in_flight(), **delta)
        before = now
