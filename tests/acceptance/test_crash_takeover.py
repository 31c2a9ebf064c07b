"""A daemon that dies (kill -9) or freezes (SIGSTOP) mid-handler: another daemon takes the
delivery over once the lease expires, and the effect is applied exactly once."""

from __future__ import annotations

import signal
from datetime import timedelta
from typing import Any

import pytest

from tests.acceptance.support import (
    DaemonPool,
    Jobs,
    audit_rows,
    done_count,
    exactly_once_problems,
    fetch,
    wait_until,
)

pytestmark = pytest.mark.acceptance
SLOW = "acceptance.slow"
CLOCK_SLACK = timedelta(milliseconds=50)


def running_slow(dsn: str) -> list[dict[str, Any]]:
    return fetch(
        dsn,
        "select delivery_id, leased_by, lease_until, attempts from pipeline.deliveries "
        "where handler = %(h)s and state = 'running'",
        {"h": SLOW},
    )


def slow_effects(dsn: str) -> list[dict[str, Any]]:
    return fetch(dsn, "select * from public.acc_effects where handler = %(h)s", {"h": SLOW})


def test_kill_9_mid_handler_is_finished_by_another_daemon_after_the_lease(
    pool: DaemonPool, jobs: Jobs, acc_dsn: str
) -> None:
    first = pool.start("first", lease_seconds=2, heartbeat_seconds=0.5)
    jobs.insert("slow", pause=60, repause=0.3)  # attempt 1 would sleep a minute
    wait_until(lambda: running_slow(acc_dsn), 15, "the first daemon to start the slow handler")
    first.signal(signal.SIGKILL)
    assert first.wait_exit(5) == -signal.SIGKILL
    [orphan] = running_slow(acc_dsn)  # no heartbeat extends it any more
    second = pool.start("second", lease_seconds=2, heartbeat_seconds=0.5)
    wait_until(lambda: done_count(acc_dsn) == 1, 20, "the second daemon to finish the event")

    succeeded = [r for r in audit_rows(acc_dsn, SLOW) if r["outcome"] == "succeeded"]
    assert len(succeeded) == 1, succeeded
    assert succeeded[0]["started_at"] >= orphan["lease_until"] - CLOCK_SLACK, "taken before expiry"
    [effect] = slow_effects(acc_dsn)
    assert (effect["pid"], effect["attempt"]) == (second.pid, 2)
    assert exactly_once_problems(acc_dsn) == []


def test_paused_daemon_cannot_commit_after_its_lease_was_taken_over(
    pool: DaemonPool, jobs: Jobs, acc_dsn: str
) -> None:
    first = pool.start("first", lease_seconds=2, heartbeat_seconds=0.5)
    jobs.insert("slow", pause=3, repause=0.3)
    wait_until(lambda: running_slow(acc_dsn), 15, "the first daemon to start the slow handler")
    first.signal(signal.SIGSTOP)  # frozen: no heartbeat, its lease runs out
    second = pool.start("second", lease_seconds=2, heartbeat_seconds=0.5)
    wait_until(lambda: done_count(acc_dsn) == 1, 20, "the second daemon to take over and finish")
    first.signal(signal.SIGCONT)  # its sleep is long over: it now tries to commit
    wait_until(
        lambda: [r for r in audit_rows(acc_dsn, SLOW) if r["outcome"] == "lost_lease"],
        15,
        "the late attempt to be audited as lost_lease",
    )

    outcomes = sorted((r["attempt"], r["outcome"]) for r in audit_rows(acc_dsn, SLOW))
    assert outcomes == [(1, "lost_lease"), (2, "succeeded")]
    [effect] = slow_effects(acc_dsn)
    assert effect["pid"] == second.pid
    assert exactly_once_problems(acc_dsn) == []
    assert first.proc.poll() is None, "the resumed daemon should carry on, not crash"
    assert first.is_ready()
