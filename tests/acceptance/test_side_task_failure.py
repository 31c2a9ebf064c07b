"""A side task that fails for good (listener, heartbeat) stops the daemon loudly: the process
exits non-zero soon, naming the task, instead of running on half alive; what it was running is
handed back (released) on the way out. A taken HTTP port stops it before it starts."""

from __future__ import annotations

import json
import socket
import time

import pytest

from tests.acceptance.support import (
    Daemon,
    DaemonPool,
    Jobs,
    delivery_states,
    execute,
    wait_until,
)

pytestmark = pytest.mark.acceptance
EXIT_WITHIN = 10.0

REFUSE_RENEWALS = """
create function public.acc_refuse_renewal() returns trigger language plpgsql as $$
begin
    if old.state = 'running' and new.state = 'running' and new.lease_until > old.lease_until then
        raise exception 'lease renewal refused by the acceptance test';
    end if;
    return new;
end
$$;
create trigger acc_refuse_renewal before update on pipeline.deliveries
    for each row execute function public.acc_refuse_renewal();
"""
BREAK_WAKEUP = """
alter function pipeline.arm_wakeup() rename to arm_wakeup_removed_by_test;
alter function pipeline.disarm_wakeup() rename to disarm_wakeup_removed_by_test;
alter function pipeline.route_events(text[]) rename to route_events_removed_by_test;
"""


def failed_tasks(daemon: Daemon) -> list[str]:
    tasks = []
    for line in daemon.log_path.read_text(errors="replace").splitlines():
        if '"daemon.task_failed"' in line:
            tasks.append(str(json.loads(line).get("task")))
    return tasks


def assert_stops_loudly(daemon: Daemon, task: str) -> None:
    started = time.monotonic()
    code = daemon.wait_exit(EXIT_WITHIN)
    assert code != 0, f"{task} failed but the daemon exited 0\n{daemon.log_tail()}"
    assert time.monotonic() - started < EXIT_WITHIN
    assert task in failed_tasks(daemon), daemon.log_tail()


def start_with_work_in_flight(pool: DaemonPool, jobs: Jobs, dsn: str) -> Daemon:
    daemon = pool.start("only", heartbeat_seconds=0.3, lease_seconds=5)
    jobs.insert("slow", pause=60)
    wait_until(lambda: delivery_states(dsn).get("running"), 10, "the slow handler running")
    return daemon


def test_heartbeat_failure_stops_the_daemon(pool: DaemonPool, jobs: Jobs, acc_dsn: str) -> None:
    daemon = start_with_work_in_flight(pool, jobs, acc_dsn)
    execute(acc_dsn, REFUSE_RENEWALS)
    assert_stops_loudly(daemon, "heartbeat")
    assert delivery_states(acc_dsn) == {"pending": 1}, "its work was not handed back"


def test_listener_failure_stops_the_daemon(pool: DaemonPool, jobs: Jobs, acc_dsn: str) -> None:
    daemon = start_with_work_in_flight(pool, jobs, acc_dsn)
    execute(acc_dsn, BREAK_WAKEUP)
    jobs.insert("ping")  # a NOTIFY: the listener routes before its claim, and finds no function
    assert_stops_loudly(daemon, "listener")
    assert "running" not in delivery_states(acc_dsn), "its work was not handed back"


def test_http_port_taken_stops_the_daemon_at_start(pool: DaemonPool) -> None:
    """Checked before the daemon starts: one line naming the port and the fix, exit 1."""
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        daemon = pool.start("only", ready=False, http_port=port)
        started = time.monotonic()
        assert daemon.wait_exit(EXIT_WITHIN) == 1
        assert time.monotonic() - started < EXIT_WITHIN
    log = daemon.log_path.read_text(errors="replace")
    [line] = [text for text in log.splitlines() if text.startswith("error: ")]
    assert f"the HTTP port {port}" in line
    assert "--http-port" in line
    assert "Traceback" not in log
