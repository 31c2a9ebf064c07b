"""Daemon behaviour the acceptance work once found wanting, kept as regression tests: an unserved
delivery must not freeze its entity, and SIGTERM with the database down must exit within the
grace period."""

from __future__ import annotations

import signal
import time

import pytest

from tests.acceptance.private_server import PrivateServer
from tests.acceptance.support import (
    DaemonPool,
    Jobs,
    delivery_states,
    execute,
    fetch,
    wait_until,
)

pytestmark = pytest.mark.acceptance

RETIRED_SUBSCRIPTION = """
insert into pipeline.subscriptions
    (handler, handler_group, table_name, status_column, from_status, to_status, max_attempts)
values ('retired.handler', 'retired', 'acc_jobs', 'status', '*', 'ping', 5)
"""


def test_unserved_delivery_does_not_freeze_its_entity(
    pool: DaemonPool, jobs: Jobs, acc_dsn: str
) -> None:
    execute(acc_dsn, RETIRED_SUBSCRIPTION)  # kept on purpose by sync: "their deliveries wait"
    pool.start("only")
    jobs.insert("ping")  # event 1: acceptance.ping (served) + retired.handler (served nowhere)
    jobs.flip()  # event 2: acceptance.pong (served)
    pong = "select state from pipeline.deliveries where handler = 'acceptance.pong'"
    wait_until(lambda: fetch(acc_dsn, pong) == [{"state": "done"}], 8, "the later pong event")


def test_sigterm_with_the_database_down_exits_within_the_grace(
    private_server: PrivateServer, private_pool: DaemonPool
) -> None:
    dsn = private_pool.dsn
    daemon = private_pool.start("only", shutdown_grace_seconds=2, lease_seconds=10)
    Jobs(dsn).insert("slow", pause=60)
    wait_until(lambda: delivery_states(dsn).get("running"), 10, "the slow handler running")
    private_server.stop()
    started = time.monotonic()
    daemon.signal(signal.SIGTERM)
    daemon.wait_exit(2 + 6)  # the grace, plus the listener's stop and a little slack
    assert time.monotonic() - started < 8
