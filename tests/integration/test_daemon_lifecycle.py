"""The daemon's lifecycle in-process: wake-up by NOTIFY, catch-up on start, reconnect after the
LISTEN connection is killed, HTTP endpoints, shutdown releases, loud side-task failures, leases."""

from __future__ import annotations

import socket
import time
from functools import partial

import anyio
import httpx
import psycopg
import pytest

from lxera_pipeline.handlers.sync import sync_subscriptions_sync
from lxera_pipeline.listeners.daemon import Daemon, SideTaskFailed
from tests.integration import daemon_handlers as handlers
from tests.integration.daemon_support import (
    audit,
    daemon_config,
    deliveries,
    done_at_least,
    eventually,
    itest_handlers,
    record,
    route,
    rows,
    running_daemon,
    states,
)
from tests.support.events import record_events_query

pytestmark = pytest.mark.anyio


@pytest.fixture
def dsn(db_dsn: str) -> str:
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute(handlers.EFFECTS_TABLE)
    return db_dsn


@pytest.fixture(autouse=True)
async def fresh_state() -> None:
    handlers.STATE.reset()


async def armed(dsn: str) -> bool:
    [row] = await rows(dsn, "select pipeline.wakeup_armed() as armed")
    return bool(row["armed"])


async def test_an_idle_daemon_is_armed_and_woken_by_notify(dsn: str) -> None:
    async with running_daemon(dsn):  # poll every 30 s: only the NOTIFY can wake it in time
        await eventually(lambda: armed(dsn), "the idle listener to arm")
        started = time.monotonic()
        await record(dsn, "noop")
        await eventually(lambda: done_at_least(dsn, 1), "the notified delivery", within=5)
        assert time.monotonic() - started < 2.0
        await eventually(lambda: armed(dsn), "the listener to arm again once idle")


async def test_events_committed_before_start_are_claimed_at_start(dsn: str) -> None:
    sync_subscriptions_sync(dsn, itest_handlers().served)
    for _ in range(5):
        await record(dsn, "noop")
    await route(dsn)  # what the daemon's first claim does
    assert await states(dsn) == {"pending": 5}
    async with running_daemon(dsn):
        await eventually(lambda: done_at_least(dsn, 5), "the catch-up claim", within=5)


async def test_listener_reconnects_after_its_backend_is_terminated(dsn: str) -> None:
    async with running_daemon(dsn) as daemon:
        name = f"lxera-pipeline:{daemon.config.worker_id}:listener"
        [before] = await rows(
            dsn, "select pid from pg_stat_activity where application_name = %s", (name,)
        )
        await rows(dsn, "select pg_terminate_backend(%s)", (before["pid"],))
        await record(dsn, "noop")  # may land while no LISTEN connection exists
        await eventually(lambda: daemon.parts.listener.sessions >= 2, "a second LISTEN session")
        await eventually(lambda: done_at_least(dsn, 1), "the catch-up after the reconnect")
        await eventually(lambda: armed(dsn), "the new session to arm")
        await record(dsn, "noop")  # reaches the daemon only through the new LISTEN connection
        await eventually(lambda: done_at_least(dsn, 2), "an event after the reconnect", within=5)
        [after] = await rows(
            dsn, "select pid from pg_stat_activity where application_name = %s", (name,)
        )
    assert after["pid"] != before["pid"]


async def test_health_readiness_and_metrics_over_http(dsn: str) -> None:
    async with running_daemon(dsn, http_port=0) as daemon:
        base = f"http://127.0.0.1:{daemon.http_port}"
        await record(dsn, "noop")
        await eventually(lambda: done_at_least(dsn, 1), "one delivery")
        async with httpx.AsyncClient(base_url=base) as client:
            health = await client.get("/healthz")
            ready = await client.get("/readyz")
            metrics = (await client.get("/metrics")).text
    assert health.status_code == 200
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "database": True, "listener": True}
    assert "lxera_events_claimed_total 1.0" in metrics
    assert 'lxera_events_succeeded_total{handler="itest.noop"} 1.0' in metrics
    assert "lxera_events_in_flight 0.0" in metrics
    assert "lxera_queue_depth 0.0" in metrics
    assert "lxera_oldest_pending_age_seconds" in metrics
    assert 'lxera_handler_duration_seconds_count{handler="itest.noop"} 1.0' in metrics
    for name in ("lxera_events_retried_total", "lxera_events_dead_total", "lxera_listener_up 1.0"):
        assert name in metrics


async def test_readiness_fails_while_the_listener_is_down(dsn: str) -> None:
    async with running_daemon(dsn, http_port=0, reconnect_max_seconds=5.0) as daemon:
        daemon.parts.listener.alive = False  # what a lost connection looks like from outside
        async with httpx.AsyncClient() as client:
            ready = await client.get(f"http://127.0.0.1:{daemon.http_port}/readyz")
    assert ready.status_code == 503
    assert ready.json()["listener"] is False


async def test_stop_releases_what_outlives_the_grace(dsn: str) -> None:
    assert handlers.STATE.started is not None
    async with running_daemon(dsn, shutdown_grace_seconds=0.3) as daemon:
        await record(dsn, "gate")
        with anyio.fail_after(10):
            await handlers.STATE.started.wait()
        daemon.request_stop("test")
    [delivery] = await deliveries(dsn, "itest.gate")
    assert (delivery["state"], delivery["leased_by"], delivery["attempts"]) == ("pending", None, 1)
    assert delivery["max_attempts"] == 6  # a release does not use up an attempt
    [row] = await audit(dsn, "itest.gate")
    assert (row["outcome"], row["attempt"]) == ("released", 1)


async def test_stop_lets_running_handlers_finish_within_the_grace(dsn: str) -> None:
    async with running_daemon(dsn, shutdown_grace_seconds=5) as daemon:
        await record(dsn, "record", snapshot={"sleep": 0.5})
        await eventually(lambda: handlers.STATE.runs, "the handler to start")
        daemon.request_stop("test")
        await record(dsn, "noop")  # after the stop: not claimed any more
    await route(dsn)  # nor routed: route it here to see it pending
    assert [row["outcome"] for row in await audit(dsn)] == ["succeeded"]
    assert await states(dsn) == {"done": 1, "pending": 1}


async def test_a_failing_side_task_stops_the_daemon_loudly(dsn: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        daemon = Daemon(daemon_config(dsn, http_port=port, http_host="127.0.0.1"), itest_handlers())
        with pytest.raises(BaseExceptionGroup) as failure, anyio.fail_after(20):
            await daemon.run()
    [error] = failure.value.exceptions
    assert isinstance(error, SideTaskFailed)
    assert error.task == "http"


async def test_heartbeats_keep_a_long_handler_leased(dsn: str) -> None:
    async with running_daemon(dsn, lease_seconds=1.0, heartbeat_seconds=0.2) as daemon:
        await record(dsn, "record", snapshot={"sleep": 2.0})
        await eventually(lambda: handlers.STATE.runs, "the slow handler to start")
        [first] = await deliveries(dsn)
        await anyio.sleep(1.2)  # past the first lease
        [later] = await deliveries(dsn)
        await eventually(lambda: done_at_least(dsn, 1), "the slow delivery", within=10)
    assert later["lease_until"] > first["lease_until"]
    assert later["attempts"] == 1
    assert [row["outcome"] for row in await audit(dsn)] == ["succeeded"]
    assert daemon.parts.heartbeat.beats >= 3


async def test_a_trickle_keeps_the_listener_armed_and_a_stream_disarms_it(dsn: str) -> None:
    async with running_daemon(dsn) as daemon:
        listener = daemon.parts.listener
        await eventually(lambda: armed(dsn), "the idle listener to arm")
        arms = listener.arms
        for count in range(1, 6):  # a trickle: one event every 50 ms
            await record(dsn, "noop")
            await eventually(partial(done_at_least, dsn, count), "the trickled delivery")
            await anyio.sleep(0.05)
        assert listener.arms == arms  # never disarmed, so never re-armed
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            for _ in range(40):  # a stream: NOTIFYs far closer than every 5 ms
                await conn.execute(
                    record_events_query(
                        "select gen_random_uuid(), null::text, 'noop'::text, '{}'::jsonb"
                    )
                )
        await eventually(lambda: done_at_least(dsn, 45), "the streamed deliveries")
        await eventually(lambda: armed(dsn), "the listener to arm again once drained")
        assert listener.arms > arms
