"""A handler that always raises is retried with growing backoff, then dead-lettered with its error
and traceback; the daemon goes on with other events meanwhile and afterwards."""

from __future__ import annotations

import pytest

from tests.acceptance.handlers import POISON_ATTEMPTS
from tests.acceptance.support import (
    DaemonPool,
    Jobs,
    audit_rows,
    done_count,
    exactly_once_problems,
    fetch,
    iter_gaps,
    wait_until,
)

pytestmark = pytest.mark.acceptance
POISON = "acceptance.poison"
BASE = 0.4
WAKE_SLACK = 0.5  # claim latency on a busy machine; the fallback poll (1 s) would exceed it


def poison_delivery(dsn: str) -> dict[str, object]:
    [row] = fetch(dsn, "select * from pipeline.deliveries where handler = %(h)s", {"h": POISON})
    return row


def test_always_failing_handler_is_dead_lettered_with_growing_backoff(
    pool: DaemonPool, jobs: Jobs, acc_dsn: str
) -> None:
    daemon = pool.start("only", retry_base_seconds=BASE, retry_max_seconds=30)
    jobs.insert("poison")
    jobs.insert("ping", 20)
    wait_until(lambda: poison_delivery(acc_dsn)["state"] == "dead", 30, "the dead letter")

    rows = audit_rows(acc_dsn, POISON)
    expected = [(n, "failed") for n in range(1, POISON_ATTEMPTS)] + [(POISON_ATTEMPTS, "dead")]
    assert [(r["attempt"], r["outcome"]) for r in rows] == expected
    assert all("poisoned on purpose" in (r["error"] or "") for r in rows)
    assert "PoisonError" in (rows[-1]["traceback"] or "")
    # Retry n waits BASE * 2**(n-1) scaled by a jitter in [0.5, 1.5): each gap lies in its band,
    # and the bands of the first and last gap do not overlap, so the growth always shows.
    gaps = list(iter_gaps([r["started_at"] for r in rows]))
    for n, gap in enumerate(gaps, start=1):
        band = BASE * 2 ** (n - 1)
        assert 0.5 * band <= gap <= 1.5 * band + WAKE_SLACK, f"retry {n} after {gap:.3f}s: {gaps}"
    assert gaps[-1] > gaps[0], f"backoff should grow: {gaps}"
    dead = poison_delivery(acc_dsn)
    assert dead["attempts"] == POISON_ATTEMPTS
    assert "poisoned on purpose" in str(dead["last_error"])

    flowed = fetch(
        acc_dsn,
        "select count(*) as n from pipeline.deliveries"
        " where state = 'done' and finished_at < %(t)s",
        {"t": dead["finished_at"]},
    )
    assert flowed[0]["n"] == 20, "the other events waited for the poison one"
    jobs.insert("ping", 5)
    wait_until(lambda: done_count(acc_dsn) == 25, 10, "events after the dead letter")
    assert exactly_once_problems(acc_dsn) == []
    assert daemon.proc.poll() is None
