"""Claiming ahead of free slots: paced by handler durations, FIFO, released at shutdown."""

from __future__ import annotations

import itertools

import anyio
import pytest
from tests.unit.test_daemon_parts import claim

from lxera_pipeline.listeners.store import Delivery
from lxera_pipeline.listeners.worker import Dispatcher

pytestmark = pytest.mark.anyio


class CountingClaimer:
    """Hands out deliveries with increasing ids, ``available`` in all."""

    def __init__(self, available: int) -> None:
        self.available = available
        self.asked: list[int] = []
        self._ids = itertools.count(1)

    async def claim(self, limit: int) -> list[Delivery]:
        self.asked.append(limit)
        count = min(limit, self.available)
        self.available -= count
        return [claim(next(self._ids)) for _ in range(count)]


def dispatcher(
    claimer: CountingClaimer,
    started: list[Delivery],
    *,
    concurrency: int = 4,
    batch: int = 10,
    prefetch: int = 20,
    stopping: bool = False,
) -> Dispatcher:
    limiter = anyio.CapacityLimiter(concurrency)
    return Dispatcher(
        claimer,
        started.append,
        limiter,
        batch,
        lambda: stopping,
        prefetch=prefetch,
    )


async def test_nothing_is_claimed_ahead_before_a_handler_has_returned() -> None:
    claimer = CountingClaimer(100)
    started: list[Delivery] = []
    parts = dispatcher(claimer, started)
    assert await parts.claim_until_empty() is False
    assert claimer.asked == [4]
    assert len(started) == 4
    assert not parts.queued


async def test_quick_handlers_let_full_batches_be_claimed_and_started_in_claim_order() -> None:
    claimer = CountingClaimer(100)
    started: list[Delivery] = []
    parts = dispatcher(claimer, started)
    parts.observe(0.0001)  # 4 slots x 50 ms / 0.1 ms: far more than the prefetch of 20
    assert parts.ahead() == 20
    assert await parts.claim_until_empty() is False
    # Full batches; then room for 4 more is under half a batch, so the claim loop waits.
    assert claimer.asked == [10, 10]
    assert [c.delivery_id for c in started] == [1, 2, 3, 4]
    assert list(parts.queued) == list(range(5, 21))
    assert parts.room() == 4
    assert not parts.has_room()
    parts.release(started[0])
    parts.release(started[0])  # a second release of the same claim starts nothing more
    assert [c.delivery_id for c in started] == [1, 2, 3, 4, 5]
    assert 5 not in parts.queued


async def test_slow_handlers_get_no_claim_ahead() -> None:
    claimer = CountingClaimer(100)
    started: list[Delivery] = []
    parts = dispatcher(claimer, started)
    parts.observe(30.0)  # rendering: 4 slots would take minutes to reach a waiting delivery
    assert parts.ahead() == 0
    await parts.claim_until_empty()
    assert claimer.asked == [4]
    assert not parts.queued


async def test_the_pace_follows_a_running_mean_of_durations() -> None:
    parts = dispatcher(CountingClaimer(0), [], concurrency=10, prefetch=1000)
    parts.observe(0.01)
    assert parts.ahead() == 50  # 10 slots x 50 ms / 10 ms
    for _ in range(200):
        parts.observe(1.0)
    assert parts.ahead() == 0


async def test_prefetch_zero_turns_claiming_ahead_off() -> None:
    claimer = CountingClaimer(100)
    started: list[Delivery] = []
    parts = dispatcher(claimer, started, prefetch=0)
    parts.observe(0.0001)
    await parts.claim_until_empty()
    assert claimer.asked == [4]


async def test_take_queued_hands_back_the_waiting_claims_and_stopping_starts_none() -> None:
    claimer = CountingClaimer(100)
    started: list[Delivery] = []
    parts = dispatcher(claimer, started)
    parts.observe(0.0001)
    await parts.claim_until_empty()
    stopping = dispatcher(CountingClaimer(0), [], stopping=True)
    assert await stopping.claim_until_empty() is True  # a stopping daemon claims nothing
    waiting = parts.take_queued()
    assert [c.delivery_id for c in waiting] == list(range(5, 21))
    assert not parts.queued
    parts.release(started[0])
    assert len(started) == 4  # nothing left to start
