"""The daemon survives the loss of its LISTEN connection and a PostgreSQL restart by itself:
every event is still handled exactly once."""

from __future__ import annotations

import time

import pytest

from tests.acceptance.private_server import PrivateServer
from tests.acceptance.support import (
    DaemonPool,
    Jobs,
    delivery_states,
    done_count,
    exactly_once_problems,
    fetch,
    wait_until,
)

pytestmark = pytest.mark.acceptance

LISTENERS = """
select pid, application_name from pg_stat_activity
 where datname = current_database() and application_name ilike %(pattern)s
"""


def listener_pids(dsn: str) -> set[int]:
    return {row["pid"] for row in fetch(dsn, LISTENERS, {"pattern": "lxera-pipeline:%:listener"})}


def test_terminated_listen_connection_reconnects_and_loses_nothing(
    pool: DaemonPool, jobs: Jobs, acc_dsn: str
) -> None:
    # A poll far beyond the test's waits: only NOTIFY (or the claim after a reconnect) wakes it.
    daemon = pool.start("only", poll_seconds=120, probe_seconds=120)
    jobs.insert("ping", 50)
    wait_until(lambda: done_count(acc_dsn) == 50, 15, "the first 50 events")
    old = wait_until(lambda: listener_pids(acc_dsn), 5, "a listener in pg_stat_activity")
    fetch(
        acc_dsn, "select pg_terminate_backend(pid) from unnest(%(p)s::int[]) pid", {"p": list(old)}
    )
    jobs.insert("ping", 50)  # committed while the daemon may have no LISTEN connection
    wait_until(lambda: listener_pids(acc_dsn) - old, 15, "a new LISTEN connection")
    wait_until(lambda: done_count(acc_dsn) == 100, 15, "events written during the reconnect")
    time.sleep(0.3)
    jobs.flip()  # 100 more, only reachable through the new LISTEN connection
    wait_until(lambda: done_count(acc_dsn) == 200, 15, "events after the reconnect")

    assert exactly_once_problems(acc_dsn) == []
    assert daemon.proc.poll() is None
    assert '"listener.lost"' in daemon.log_path.read_text(), "the termination went unnoticed"
    wait_until(daemon.is_ready, 10, "/readyz to report ready again")


def test_postgres_restart_mid_run_every_event_handled_once(
    private_server: PrivateServer, private_pool: DaemonPool
) -> None:
    dsn, jobs = private_pool.dsn, Jobs(private_pool.dsn)
    daemons = [private_pool.start(f"d{i}", reconnect_max_seconds=0.5) for i in (1, 2)]
    jobs.insert("slow", 10, pause=1.0, repause=0.2)  # these wake up while the server is down
    jobs.insert("ping", 300)
    jobs.flip()
    wait_until(lambda: delivery_states(dsn).get("running"), 10, "handlers in flight")
    private_server.stop()  # mid-run: handlers are working and committing as the server goes away
    time.sleep(1.5)
    private_server.start()
    jobs.flip()
    wait_until(lambda: done_count(dsn) == 910, 45, "all 910 events after the restart")

    assert exactly_once_problems(dsn) == [], private_pool.logs()
    assert all('"listener.lost"' in d.log_path.read_text() for d in daemons)
    assert all(d.proc.poll() is None for d in daemons), private_pool.logs()
    for daemon in daemons:
        wait_until(daemon.is_ready, 15, f"{daemon.name} to be ready again")
