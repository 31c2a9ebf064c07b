"""The one reconnect policy: exponential growth, ceiling, jitter bounds, give-up hook, retrying."""

from __future__ import annotations

import time

import anyio
import psycopg
import pytest

from lxera_pipeline.listeners.connection import (
    Backoff,
    BackoffPolicy,
    GaveUp,
    retrying,
)


def fixed(value: float) -> BackoffPolicy:
    return BackoffPolicy(initial_seconds=0.1, ceiling_seconds=2.0, rng=lambda: value)


def test_delay_doubles_from_the_initial_value_without_jitter() -> None:
    policy = fixed(0.5)  # jitter factor 0.5 + 1.0 * 0.5 = 1.0
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == pytest.approx([0.1, 0.2, 0.4, 0.8])


def test_delay_never_exceeds_the_ceiling_even_with_maximal_jitter() -> None:
    policy = fixed(1.0)  # jitter factor 1.5
    assert policy.delay(3) == pytest.approx(0.6)
    assert all(policy.delay(n) <= 2.0 for n in range(1, 200))
    assert policy.delay(50) == pytest.approx(2.0)


def test_jitter_spreads_delays_between_half_and_one_and_a_half() -> None:
    low, high = fixed(0.0), fixed(0.999999)
    assert low.delay(2) == pytest.approx(0.1)
    assert high.delay(2) == pytest.approx(0.3, rel=1e-4)


def test_invalid_policies_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="initial_seconds"):
        BackoffPolicy(initial_seconds=5, ceiling_seconds=1)
    with pytest.raises(ValueError, match="multiplier"):
        BackoffPolicy(multiplier=0.5)


def test_give_up_hook_runs_once_the_link_failed_for_too_long() -> None:
    calls: list[tuple[str, str]] = []
    now = [100.0]
    policy = BackoffPolicy(
        give_up_after_seconds=10, on_give_up=lambda link, exc: calls.append((link, str(exc)))
    )
    backoff = Backoff(policy, "listener", clock=lambda: now[0])
    backoff.record(OSError("refused"))
    now[0] = 105.0
    backoff.record(OSError("refused"))
    assert calls == []
    now[0] = 111.0
    with pytest.raises(GaveUp, match="listener"):
        backoff.record(OSError("still refused"))
    assert calls == [("listener", "still refused")]


def test_success_resets_the_failure_count_and_the_give_up_clock() -> None:
    now = [0.0]
    backoff = Backoff(BackoffPolicy(give_up_after_seconds=5), "heartbeat", clock=lambda: now[0])
    backoff.record(OSError())
    backoff.record(OSError())
    assert backoff.failures == 2
    backoff.succeeded()
    now[0] = 100.0
    backoff.record(OSError())  # a new streak: not 100 s of failure
    assert backoff.failures == 1


@pytest.mark.anyio
async def test_retrying_retries_link_errors_then_returns() -> None:
    attempts = []

    async def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise psycopg.OperationalError("connection lost")
        return "ok"

    policy = BackoffPolicy(initial_seconds=0.001, ceiling_seconds=0.002)
    assert await retrying(flaky, policy.backoff("test")) == "ok"
    assert len(attempts) == 3


@pytest.mark.anyio
async def test_retrying_gives_up_when_the_next_wait_passes_the_deadline() -> None:
    async def down() -> None:
        raise psycopg.OperationalError("server closed the connection")

    policy = BackoffPolicy(initial_seconds=1.0, ceiling_seconds=1.0)
    started = time.monotonic()
    with pytest.raises(psycopg.OperationalError):
        await retrying(down, policy.backoff("test"), deadline=time.monotonic() + 0.2)
    assert time.monotonic() - started < 0.5


@pytest.mark.anyio
async def test_retrying_does_not_retry_other_errors() -> None:
    calls = []

    async def broken() -> None:
        calls.append(1)
        raise psycopg.errors.UndefinedTable("no such table")

    with pytest.raises(psycopg.errors.UndefinedTable):
        await retrying(broken, BackoffPolicy().backoff("test"))
    assert calls == [1]


def test_delivery_retry_backoff_is_exponential_with_a_ceiling() -> None:
    mid = BackoffPolicy(initial_seconds=1.0, ceiling_seconds=10.0, rng=lambda: 0.5)
    assert [mid.delay(n) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 8.0, 10.0]
    assert BackoffPolicy(1.0, 10.0, rng=lambda: 0.0).delay(2) == 1.0  # jitter 0.5
    assert BackoffPolicy(1.0, 10.0, rng=lambda: 1.0).delay(2) == 3.0  # jitter 1.5


@pytest.mark.anyio
async def test_retrying_stops_retrying_once_the_daemon_stops() -> None:
    stop = anyio.Event()
    calls = []

    async def down() -> None:
        calls.append(1)
        stop.set()  # shutdown begins while the database is unreachable
        raise psycopg.OperationalError("connection refused")

    policy = BackoffPolicy(initial_seconds=10.0, ceiling_seconds=10.0)
    started = time.monotonic()
    with pytest.raises(psycopg.OperationalError):
        await retrying(down, policy.backoff("test"), stop=stop)
    assert calls == [1]
    assert time.monotonic() - started < 1.0


@pytest.mark.anyio
async def test_a_stop_cuts_a_retry_wait_short() -> None:
    stop = anyio.Event()
    raised: list[BaseException] = []

    async def down() -> None:
        raise psycopg.OperationalError("connection refused")

    async def keep_trying() -> None:
        policy = BackoffPolicy(initial_seconds=10.0, ceiling_seconds=10.0)
        try:
            await retrying(down, policy.backoff("test"), stop=stop)
        except psycopg.OperationalError as exc:
            raised.append(exc)

    started = time.monotonic()
    async with anyio.create_task_group() as group:
        group.start_soon(keep_trying)
        await anyio.sleep(0.05)  # now waiting out a 5-15 s backoff
        stop.set()
    assert len(raised) == 1
    assert time.monotonic() - started < 1.0
