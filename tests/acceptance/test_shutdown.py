"""SIGTERM / SIGINT: stop claiming, let in-flight handlers finish within the grace period or release
them (audited 'released') so another daemon takes them at once, exit 0; a second signal exits at
once."""

from __future__ import annotations

import signal
import time

import pytest

from tests.acceptance.support import (
    DaemonPool,
    Jobs,
    audit_rows,
    delivery_states,
    done_count,
    exactly_once_problems,
    fetch,
    wait_until,
)
from tests.support.routing import route_dsn

pytestmark = pytest.mark.acceptance
SLOW = "acceptance.slow"


def running_count(dsn: str) -> int:
    return delivery_states(dsn).get("running", 0)


def test_sigterm_lets_running_handlers_finish_and_exits_0(
    pool: DaemonPool, jobs: Jobs, acc_dsn: str
) -> None:
    daemon = pool.start("only", shutdown_grace_seconds=10)
    jobs.insert("slow", 3, pause=1.5)
    wait_until(lambda: running_count(acc_dsn) == 3, 10, "three slow handlers running")
    started = time.monotonic()
    daemon.signal(signal.SIGTERM)
    time.sleep(0.3)
    jobs.insert("ping")  # after the signal: must not be claimed any more
    assert daemon.wait_exit(10) == 0, daemon.log_tail()
    assert time.monotonic() - started < 10

    assert [r["outcome"] for r in audit_rows(acc_dsn, SLOW)] == ["succeeded"] * 3
    route_dsn(acc_dsn)  # the stopped daemon no longer routes either: fan the ping out here
    assert delivery_states(acc_dsn) == {"done": 3, "pending": 1}
    [ping] = fetch(acc_dsn, "select * from pipeline.deliveries where handler = 'acceptance.ping'")
    assert (ping["attempts"], ping["leased_by"]) == (0, None)


def test_sigterm_releases_what_outlives_the_grace_for_another_daemon(
    pool: DaemonPool, jobs: Jobs, acc_dsn: str
) -> None:
    first = pool.start("first", shutdown_grace_seconds=1, lease_seconds=60, heartbeat_seconds=5)
    jobs.insert("slow", pause=60, repause=0.2)
    wait_until(lambda: running_count(acc_dsn) == 1, 10, "the slow handler running")
    started = time.monotonic()
    first.signal(signal.SIGINT)  # SIGINT stops a daemon like SIGTERM does
    assert first.wait_exit(6) == 0, first.log_tail()
    assert time.monotonic() - started < 6

    [released] = audit_rows(acc_dsn, SLOW)
    assert released["outcome"] == "released"
    assert delivery_states(acc_dsn) == {"pending": 1}
    second = pool.start("second", lease_seconds=60)  # the 60 s lease was given back, not waited out
    wait_until(lambda: done_count(acc_dsn) == 1, 15, "the released event to be taken over")
    effect = fetch(acc_dsn, "select pid from public.acc_effects")
    assert effect == [{"pid": second.pid}]
    assert exactly_once_problems(acc_dsn) == []


def test_second_signal_exits_at_once(pool: DaemonPool, jobs: Jobs, acc_dsn: str) -> None:
    daemon = pool.start("only", shutdown_grace_seconds=60)
    jobs.insert("slow", pause=60)
    wait_until(lambda: running_count(acc_dsn) == 1, 10, "the slow handler running")
    daemon.signal(signal.SIGTERM)
    time.sleep(0.5)
    assert daemon.proc.poll() is None, "the first signal waits for the handler (grace 60 s)"
    started = time.monotonic()
    daemon.signal(signal.SIGINT)
    code = daemon.wait_exit(3)
    assert time.monotonic() - started < 3
    assert code != 0, "an interrupted shutdown must not look like a clean one"
