"""Three daemons share 5,000 events over 1,000 entities: each handled exactly once, in order."""

from __future__ import annotations

import pytest

from tests.acceptance.support import (
    DaemonPool,
    done_count,
    exactly_once_problems,
    fetch,
    order_problems,
    wait_until,
    write_bursts,
)

pytestmark = pytest.mark.acceptance
ENTITIES = 1_000
EVENTS_PER_ENTITY = 5
CHUNK = 10  # entities per writing transaction (claim batches are 50 deliveries)


def test_three_daemons_5000_events_exactly_once_in_entity_order(
    pool: DaemonPool, acc_dsn: str
) -> None:
    daemons = [pool.start(f"d{i}") for i in (1, 2, 3)]
    # Written while the daemons work; an entity's 5 events fall into one claim batch, so only
    # the per-entity ordering keeps them from running side by side.
    write_bursts(acc_dsn, ENTITIES, EVENTS_PER_ENTITY, chunk=CHUNK)
    total = ENTITIES * EVENTS_PER_ENTITY
    # ~15 s on an idle 2-core machine; the timeout leaves room for a machine shared with others
    wait_until(lambda: done_count(acc_dsn) == total, 100, f"{total} events", interval=0.5)

    assert exactly_once_problems(acc_dsn) == []
    assert order_problems(acc_dsn) == []
    per_daemon = fetch(acc_dsn, "select pid, count(*) as n from public.acc_effects group by pid")
    assert {row["pid"] for row in per_daemon} == {d.pid for d in daemons}, per_daemon
    failures = fetch(acc_dsn, "select * from pipeline.audit_log where outcome <> 'succeeded'")
    assert failures == []
