"""Daemon parts that need no database: config checks, probe timing, wake signal, worker pool,
capacity-limited dispatching and handler selection."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import anyio
import pytest

from lxera_pipeline.db.dsn import DsnError
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import Registry, RegistryError
from lxera_pipeline.listeners.config import (
    DaemonConfig,
    DaemonConfigError,
    HandlerSet,
    select_handlers,
)
from lxera_pipeline.listeners.listener import COMPLETED, NOTIFY, Probe, WakeSignal, probe_channel
from lxera_pipeline.listeners.store import Delivery
from lxera_pipeline.listeners.worker import Dispatcher, WorkerPool
from lxera_pipeline.redact import mask_dsn

DSN = "host=127.0.0.1 port=5432 dbname=x user=u password=secret"


def test_heartbeat_must_be_shorter_than_the_lease() -> None:
    with pytest.raises(DaemonConfigError, match="heartbeat_seconds"):
        DaemonConfig(dsn=DSN, listen_dsn=DSN, lease_seconds=5, heartbeat_seconds=5)


def test_listen_dsn_on_the_transaction_pooler_port_is_refused() -> None:
    pooler = "postgresql://u:p@db.example.com:6543/postgres"
    with pytest.raises(DsnError, match="session-mode pooler"):
        DaemonConfig(dsn=DSN, listen_dsn=pooler)


def test_worker_pool_behind_a_transaction_pooler_disables_prepared_statements() -> None:
    pooler = "postgresql://u:p@db.example.com:6543/postgres"
    assert DaemonConfig(dsn=pooler, listen_dsn=DSN).prepare_threshold is None
    assert DaemonConfig(dsn=DSN, listen_dsn=DSN).prepare_threshold == 5


def test_described_configuration_masks_passwords_and_shows_every_tunable() -> None:
    described = DaemonConfig(dsn=DSN, listen_dsn=DSN, worker_id="w-1").describe()
    assert "secret" not in str(described)
    assert "***" in str(described["dsn"])
    for name in (
        "concurrency",
        "batch_size",
        "lease_seconds",
        "heartbeat_seconds",
        "poll_seconds",
        "probe_seconds",
        "retry_base_seconds",
        "retry_max_seconds",
        "shutdown_grace_seconds",
        "http_port",
        "worker_id",
    ):
        assert name in described
    assert mask_dsn("postgresql://u:pw@h:5432/d").count("pw") == 0


def test_probe_is_due_after_its_interval_and_overdue_without_a_reply() -> None:
    now = [0.0]
    probe = Probe("host-1-abc", interval=10, timeout=2, clock=lambda: now[0])
    assert not probe.due()
    now[0] = 10.0
    assert probe.due()
    payload = probe.sent()
    assert not probe.due()
    assert not probe.overdue()
    assert probe.seconds_left() == pytest.approx(2.0)
    probe.received("someone else's payload")
    now[0] = 12.0
    assert probe.overdue()
    probe.received(payload)
    assert not probe.overdue()
    assert probe.seconds_left() == pytest.approx(10.0)


def test_probe_channel_is_a_private_lower_case_identifier() -> None:
    channel = probe_channel("My.Host-42-a1B2c3")
    assert channel == "pipeline_probe_my_host_42_a1b2c3"
    assert len(probe_channel("x" * 200)) == 63


@pytest.mark.anyio
async def test_wake_signal_coalesces_reasons_and_resets() -> None:
    wake = WakeSignal()
    wake.kick(NOTIFY)
    wake.kick(COMPLETED)
    wake.kick(NOTIFY)
    await wake.wait()
    assert wake.take() == {NOTIFY, COMPLETED}
    assert not wake.is_set()
    assert wake.take() == frozenset()


@pytest.mark.anyio
async def test_wake_signal_shortens_timeouts_to_a_due_retry() -> None:
    wake = WakeSignal()
    assert wake.timeout(5.0) == 5.0
    wake.due_in(0.5)
    assert 0.3 < wake.timeout(5.0) <= 0.5
    wake.due_in(0.0)
    assert wake.timeout(5.0) == 0.0
    await anyio.sleep(0.01)
    wake.take()  # drops what fell due
    assert 0.3 < wake.timeout(5.0) <= 0.5


def claim(n: int) -> Delivery:
    entity = uuid.uuid4()
    row = {
        "delivery_id": n,
        "handler": "h",
        "attempt": 1,
        "max_attempts": 3,
        "is_replay": False,
        "event_id": n,
        "delivery_entity_id": entity,
        "correlation_id": entity,
        "committed_at": datetime.now(UTC),
    }
    return Delivery.from_row(row, lease_seconds=30.0, worker_id="w")


@pytest.mark.anyio
async def test_worker_pool_runs_everything_in_order_with_at_most_max_workers() -> None:
    seen: list[int] = []
    busy, most = [0], [0]
    all_seen = anyio.Event()

    async def run(item: Delivery) -> None:
        busy[0] += 1
        most[0] = max(most[0], busy[0])
        await anyio.sleep(0.001)
        seen.append(item.delivery_id)
        busy[0] -= 1
        if len(seen) == 20:
            all_seen.set()

    pool = WorkerPool(run, max_workers=3)
    async with anyio.create_task_group() as group:
        pool.attach(group)
        for n in range(20):
            pool.submit(claim(n))
        with anyio.fail_after(5):
            await all_seen.wait()
        group.cancel_scope.cancel()
    assert sorted(seen) == list(range(20))
    assert most[0] == 3
    assert pool.workers == 0


class FakeClaimer:
    def __init__(self, available: int) -> None:
        self.available = available
        self.asked: list[int] = []

    async def claim(self, limit: int) -> list[Delivery]:
        self.asked.append(limit)
        count = min(limit, self.available)
        self.available -= count
        return [claim(n) for n in range(count)]


@pytest.mark.anyio
async def test_dispatcher_claims_only_free_capacity_and_waits_for_half_a_batch() -> None:
    limiter = anyio.CapacityLimiter(10)
    submitted: list[Delivery] = []
    claimer = FakeClaimer(available=100)
    dispatcher = Dispatcher(claimer, submitted.append, limiter, 6, lambda: False)
    assert await dispatcher.claim_until_empty() is False  # 6, then the 4 still free
    assert claimer.asked == [6, 4]
    assert limiter.borrowed_tokens == 10
    assert dispatcher.free == 0
    dispatcher.release(submitted[0])
    dispatcher.release(submitted[0])  # a second release of the same claim is a no-op
    assert dispatcher.free == 1
    assert not dispatcher.has_room()  # under half a batch (3)
    dispatcher.release(submitted[1])
    dispatcher.release(submitted[2])
    assert dispatcher.has_room()
    assert await dispatcher.claim_until_empty() is False
    assert claimer.asked[-1] == 3


@pytest.mark.anyio
async def test_dispatcher_reports_drained_when_a_claim_comes_back_short() -> None:
    claimer = FakeClaimer(available=3)
    limiter = anyio.CapacityLimiter(16)
    dispatcher = Dispatcher(claimer, lambda c: None, limiter, 50, lambda: False)
    assert await dispatcher.claim_until_empty() is True
    assert claimer.asked == [16]


async def _noop(ctx: HandlerContext) -> None:
    return None


def registry_with_two_groups() -> Registry:
    reg = Registry()
    reg.handler(
        "c.one",
        table="cm_module_content",
        transition="* -> quality_check",
        group="content",
        lease_seconds=90,
    )(_noop)
    reg.handler(
        "m.one", table="mm_multimedia_sessions", transition="new -> started", group="media"
    )(_noop)
    return reg


def test_selection_serves_the_chosen_groups_and_knows_every_handler() -> None:
    handlers = select_handlers("media", registry_with_two_groups())
    assert handlers.names() == ["m.one"]
    assert {spec.name for spec in handlers.known} == {"c.one", "m.one"}
    assert select_handlers("content", registry_with_two_groups()).leases(30.0) == {"c.one": 90}


def test_selecting_an_unknown_group_or_module_is_a_clear_error() -> None:
    with pytest.raises(RegistryError, match="no handler group 'nope'"):
        select_handlers("nope", registry_with_two_groups())
    with pytest.raises(RegistryError, match="cannot import handler module"):
        select_handlers("no.such.module", registry_with_two_groups())


def test_a_daemon_must_serve_at_least_one_handler() -> None:
    with pytest.raises(RegistryError, match="at least one handler"):
        HandlerSet.of([])
