"""Daemon parts on their own against a real PostgreSQL: a claimed delivery whose handler this
process does not know is skipped; the fenced context's dry-run mode; claim fencing fields; a claim
that routes a large backlog refreshes the statistics its plan depends on, and one that routes
more than it takes wakes the other daemons."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import anyio
import psycopg
import pytest

from lxera_pipeline.events.models import parse_event
from lxera_pipeline.handlers.context import LostLease
from lxera_pipeline.listeners.attempt import Runner
from lxera_pipeline.listeners.connection import BackoffPolicy, Connector
from lxera_pipeline.listeners.context import DeliveryContext
from lxera_pipeline.listeners.health import DaemonMetrics
from lxera_pipeline.listeners.listener import WakeSignal
from lxera_pipeline.listeners.store import (
    ANALYZE_AFTER_ROUTED,
    ROUTE_EVERY_SECONDS,
    DeliveryStore,
    FenceToken,
)
from lxera_pipeline.operate.replay import DryRunContext
from tests.integration import daemon_handlers as handlers
from tests.integration.daemon_support import (
    audit,
    daemon_config,
    deliveries,
    eventually,
    record,
    route,
    rows,
    running_daemon,
)
from tests.support.events import record_events_query

pytestmark = pytest.mark.anyio
GHOST = "itest.ghost"
SUBSCRIBE_GHOST = """
insert into pipeline.subscriptions
    (handler, handler_group, table_name, status_column, from_status, to_status, max_attempts)
values ('itest.ghost', 'elsewhere', 'itest_jobs', 'status', '*', 'noop', 3)
"""


@pytest.fixture
def dsn(db_dsn: str) -> str:
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute(handlers.EFFECTS_TABLE)
        conn.execute(SUBSCRIBE_GHOST)
        conn.execute(
            "update pipeline.subscriptions set active = false where handler <> %s", (GHOST,)
        )
    return db_dsn


def store_for(connector: Connector, worker: str, lease: float = 5.0) -> DeliveryStore:
    return DeliveryStore(
        control=connector.control,
        handler_pool=connector.pool,
        worker_id=worker,
        leases={GHOST: lease},
        default_lease=lease,
        retry=BackoffPolicy(initial_seconds=0.1, ceiling_seconds=1.0),
        policy=BackoffPolicy(initial_seconds=0.01, ceiling_seconds=0.1),
    )


def runner_for(connector: Connector, worker: str) -> Runner:
    return Runner(
        store=store_for(connector, worker),
        specs={},  # this process knows no handler at all
        release_capacity=lambda claim: None,
        wake=WakeSignal(),
        metrics=DaemonMetrics(worker),
    )


async def test_a_claimed_delivery_of_an_unknown_handler_is_skipped_with_its_reason(
    dsn: str,
) -> None:
    config = daemon_config(dsn)
    await record(dsn, "noop")
    async with Connector(config) as connector:
        claimer = store_for(connector, config.worker_id)
        [claim] = await claimer.claim(10)
        assert (claim.handler, claim.attempt) == (GHOST, 1)
        await runner_for(connector, config.worker_id).run(claim)
    [delivery] = await deliveries(dsn, GHOST)
    assert delivery["state"] == "skipped"
    assert "not registered" in delivery["last_error"]
    [row] = await audit(dsn, GHOST)
    assert row["outcome"] == "skipped"
    assert GHOST in row["error"]


async def test_claims_skip_rows_another_worker_holds_and_respect_entity_order(dsn: str) -> None:
    entity = uuid4()
    for _ in range(3):
        await record(dsn, "noop", entity=entity)
    await record(dsn, "noop")
    config = daemon_config(dsn)
    async with Connector(config) as connector:
        claimer = store_for(connector, "w-a")
        first = await claimer.claim(10)
        again = await store_for(connector, "w-b").claim(10)
    assert len(first) == 2  # the entity's first event and the other entity's; not its 2nd/3rd
    assert again == []  # running, or waiting behind a running event of the same entity
    leased = {row["leased_by"] for row in await deliveries(dsn) if row["state"] == "running"}
    assert leased == {"w-a"}


async def test_priority_orders_claims_across_entities_never_within_one(dsn: str) -> None:
    """A later delivery of an entity with the highest priority still waits for the entity's
    earlier one (priority 0); another entity's delivery of middle priority goes first."""
    entity = uuid4()
    for _ in range(2):
        await record(dsn, "noop", entity=entity)
    await record(dsn, "noop")
    await route(dsn)
    earlier, later, other = (row["delivery_id"] for row in await deliveries(dsn, GHOST))
    await rows(
        dsn,
        "update pipeline.deliveries set priority = case delivery_id when %s then 0"
        " when %s then 100 else 50 end",
        (earlier, later),
    )
    config = daemon_config(dsn)
    async with Connector(config) as connector:
        claimer = store_for(connector, config.worker_id)
        first = await claimer.claim(1)
        rest = await claimer.claim(10)
    assert [claim.delivery_id for claim in first] == [other]  # priority, across entities
    assert [claim.delivery_id for claim in rest] == [earlier]  # the entity's order holds
    [waiting] = [row for row in await deliveries(dsn, GHOST) if row["state"] == "pending"]
    assert (waiting["delivery_id"], waiting["priority"]) == (later, 100)


async def test_dry_run_context_rolls_back_and_still_tags_causation(dsn: str) -> None:
    """The one dry-run path (`replay --dry-run`): its context tags causation like the fenced
    transaction, refuses a second transaction, and what it wrote is rolled back."""
    config = daemon_config(dsn)
    await record(dsn, "noop")
    async with Connector(config) as connector:
        [claim] = await store_for(connector, config.worker_id).claim(1)
        async with connector.pool.connection() as outer, outer.transaction(force_rollback=True):
            ctx = DryRunContext(parse_event(claim.event_row), claim.delivery_id, outer, None)
            async with ctx.transaction() as conn:
                cursor = await conn.execute("select current_setting('pipeline.causation_id') as c")
                row = await cursor.fetchone()
                await conn.execute(handlers.INSERT_EFFECT, (claim.event_id, claim.entity_id, 1))
            with pytest.raises(RuntimeError, match="already used"):
                async with ctx.transaction():
                    pass
    assert row is not None
    assert row["c"] == str(claim.event_id)
    assert await rows(dsn, "select * from public.itest_effects") == []


async def test_a_real_context_refuses_to_commit_for_a_token_it_does_not_hold(dsn: str) -> None:
    config = daemon_config(dsn)
    await record(dsn, "noop")
    async with Connector(config) as connector:
        [claim] = await store_for(connector, "someone-else").claim(1)
        mine = replace(claim, token=FenceToken(claim.delivery_id, claim.attempt, "me"))
        ctx = DeliveryContext(mine, parse_event(claim.event_row), store_for(connector, "me"))
        with pytest.raises(LostLease, match="no longer leased by me"), anyio.fail_after(10):
            async with ctx.transaction() as conn:
                await conn.execute(handlers.INSERT_EFFECT, (claim.event_id, claim.entity_id, 1))
    assert ctx.lost_lease
    assert not ctx.committed
    assert await rows(dsn, "select * from public.itest_effects") == []


async def test_a_claim_that_routes_a_large_backlog_refreshes_the_delivery_statistics(
    dsn: str,
) -> None:
    backlog = record_events_query(
        "select gen_random_uuid(), null::text, 'noop'::text, '{}'::jsonb"
        " from generate_series(1, %s)"
    )
    await rows(dsn, backlog, (ANALYZE_AFTER_ROUTED,))
    analyzed = (
        "select coalesce(analyze_count, 0) as n from pg_stat_user_tables "
        "where schemaname = 'pipeline' and relname = 'deliveries'"
    )
    [before] = await rows(dsn, analyzed)
    config = daemon_config(dsn)
    async with Connector(config) as connector:
        claims = await store_for(connector, config.worker_id).claim(5)
    assert len(claims) == 5
    [after] = await rows(dsn, analyzed)
    assert after["n"] == before["n"] + 1


async def test_a_claim_that_routes_more_than_it_takes_wakes_the_other_daemons(dsn: str) -> None:
    """The router does not NOTIFY for the handlers the claiming daemon serves; when it routed
    more than that claim takes, another daemon serving them (armed after claiming nothing while
    the routing was uncommitted) must hear of it, not sleep until its poll."""
    for _ in range(4):
        await record(dsn, "noop")
    config = daemon_config(dsn)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as listening:
        await listening.execute("listen pipeline_events")

        async def routers_notifies() -> list[str]:
            heard = [note.payload async for note in listening.notifies(timeout=0.3)]
            return [payload for payload in heard if '"pipeline.deliveries"' in payload]

        async with Connector(config) as connector:
            claimer = store_for(connector, config.worker_id)
            assert len(await claimer.claim(2)) == 2  # routes four, takes two
            assert len(await routers_notifies()) == 1
            for _ in range(2):
                await record(dsn, "noop")
            assert len(await claimer.claim(10)) == 4  # routes two, takes them all: no wake-up
            assert await routers_notifies() == []


async def test_deliveries_claimed_ahead_are_handed_back_at_shutdown_in_one_statement(
    dsn: str,
) -> None:
    for _ in range(3):
        await record(dsn, "noop")
    config = daemon_config(dsn)
    async with Connector(config) as connector:
        claims = await store_for(connector, config.worker_id).claim(10)
        assert len(claims) == 3
        stolen = claims[0]  # its lease expired and another daemon took it: not ours to release
        async with connector.control.connection() as conn:
            await conn.execute(
                "update pipeline.deliveries set leased_by = 'w-other' where delivery_id = %s",
                (stolen.delivery_id,),
            )
        await runner_for(connector, config.worker_id).release_unstarted(claims)
    states = {row["delivery_id"]: row for row in await deliveries(dsn, GHOST)}
    assert states[stolen.delivery_id]["state"] == "running"
    for claim in claims[1:]:
        row = states[claim.delivery_id]
        assert (row["state"], row["leased_by"], row["max_attempts"]) == ("pending", None, 4)
    released = await audit(dsn, GHOST)
    assert sorted(r["delivery_id"] for r in released) == sorted(c.delivery_id for c in claims[1:])
    assert {r["outcome"] for r in released} == {"released"}
    assert all(r["correlation_id"] == r["entity_id"] for r in released)


async def test_routing_runs_after_a_short_claim_and_at_most_every_50_ms_while_claims_are_full(
    dsn: str,
) -> None:
    async def delivery_count() -> int:
        [row] = await rows(dsn, "select count(*) as n from pipeline.deliveries")
        return int(row["n"])

    for _ in range(5):
        await record(dsn, "noop")
    config = daemon_config(dsn)
    async with Connector(config) as connector:
        claimer = store_for(connector, config.worker_id)
        assert len(await claimer.claim(1)) == 1  # the first claim routes all five
        await record(dsn, "noop")
        assert len(await claimer.claim(1)) == 1  # full, moments after routing: not routed
        assert await delivery_count() == 5
        await anyio.sleep(ROUTE_EVERY_SECONDS * 1.5)
        assert len(await claimer.claim(1)) == 1  # full, but routing is due again
        assert await delivery_count() == 6
        assert len(await claimer.claim(10)) == 3  # short: the queue ran dry
        await record(dsn, "noop")
        assert len(await claimer.claim(10)) == 1  # after a short claim, routing comes first


async def test_a_running_daemon_renews_the_leases_of_claims_waiting_to_start(dsn: str) -> None:
    await record(dsn, "noop")
    async with running_daemon(dsn, lease_seconds=2.0, heartbeat_seconds=0.2) as daemon:
        config = daemon.config
        claimer = store_for(daemon.parts.connector, config.worker_id, lease=2.0)
        # The daemon's own delivery ends first: a freed slot would start the waiting claim.
        await eventually(
            lambda: (
                daemon.parts.metrics.totals["succeeded"] == 1 and not daemon.parts.runner.in_flight
            ),
            "the daemon's own delivery to finish",
        )
        # Claimed ahead under this daemon's id, not started. (The daemon's own catch-up claim
        # may be routing this very moment, and routing runs one at a time: claim again.)
        claimed = await claimer.claim(1)
        with anyio.fail_after(5):
            while not claimed:
                await anyio.sleep(0.01)
                claimed = await claimer.claim(1)
        [waiting] = claimed
        daemon.parts.dispatcher.queued[waiting.delivery_id] = waiting
        [before] = await deliveries(dsn, GHOST)
        await anyio.sleep(0.6)
        [after] = await deliveries(dsn, GHOST)
        daemon.parts.dispatcher.queued.clear()
    assert after["state"] == "running"
    assert after["lease_until"] > before["lease_until"]  # the heartbeat renewed it
