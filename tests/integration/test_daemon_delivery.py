"""The daemon in-process against a real PostgreSQL: claim, run, audit; order; retries; the dead
letter; poison events; fencing."""

from __future__ import annotations

import itertools
from datetime import timedelta
from uuid import uuid4

import anyio
import psycopg
import pytest

from tests.integration import daemon_handlers as handlers
from tests.integration.daemon_support import (
    audit,
    deliveries,
    done_at_least,
    done_count,
    eventually,
    in_state,
    record,
    rows,
    running_daemon,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def dsn(db_dsn: str) -> str:
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute(handlers.EFFECTS_TABLE)
    handlers.STATE.runs.clear()
    return db_dsn


@pytest.fixture(autouse=True)
async def fresh_state() -> None:
    handlers.STATE.reset()


async def test_a_delivery_is_claimed_run_committed_and_audited_once(dsn: str) -> None:
    async with running_daemon(dsn) as daemon:
        event_id = await record(dsn, "record", snapshot={"sleep": 0.01})
        await eventually(lambda: done_count(dsn), "the delivery to be done")
    [delivery] = await deliveries(dsn, "itest.record")
    assert (delivery["state"], delivery["attempts"]) == ("done", 1)
    assert delivery["leased_by"] == daemon.config.worker_id
    assert delivery["finished_at"]
    [row] = await audit(dsn, "itest.record")
    assert (row["outcome"], row["attempt"], row["is_replay"]) == ("succeeded", 1, False)
    assert row["worker"] == daemon.config.worker_id
    assert row["event_id"] == event_id
    assert row["entity_id"] == row["correlation_id"]  # correlation defaults to the entity
    assert row["detail"] == {"slept": 0.01}
    assert row["duration_ms"] >= 10
    effects = await rows(dsn, "select * from public.itest_effects")
    assert [effect["event_id"] for effect in effects] == [event_id]


async def test_events_caused_in_the_fenced_transaction_point_back_at_their_cause(
    dsn: str,
) -> None:
    entity = uuid4()
    async with running_daemon(dsn):
        cause = await record(dsn, "cause", entity=entity)
        await eventually(lambda: done_at_least(dsn, 2), "the cause and the caused event")
    [caused] = await rows(dsn, "select * from pipeline.events where causation_id = %s", (cause,))
    assert caused["correlation_id"] == entity
    assert caused["new_status"] == "noop"
    assert [run.handler for run in handlers.STATE.runs] == ["itest.cause", "itest.noop"]


async def test_a_handler_without_a_transaction_is_completed_by_the_daemon(dsn: str) -> None:
    async with running_daemon(dsn):
        for _ in range(30):
            await record(dsn, "noop")
        await eventually(lambda: done_at_least(dsn, 30), "30 no-op deliveries")
    outcomes = [row["outcome"] for row in await audit(dsn)]
    assert outcomes == ["succeeded"] * 30


async def test_events_of_one_entity_run_one_at_a_time_in_commit_order(dsn: str) -> None:
    first, second = uuid4(), uuid4()
    async with running_daemon(dsn):
        for _ in range(3):
            for entity in (first, second):
                await record(dsn, "record", entity=entity, snapshot={"sleep": 0.15})
        await eventually(lambda: done_at_least(dsn, 6), "six deliveries", within=15)
    for entity in (first, second):
        runs = [run for run in handlers.STATE.runs if run.entity_id == entity]
        assert [run.event_id for run in runs] == sorted(run.event_id for run in runs)
        for earlier, later in itertools.pairwise(runs):
            assert later.started >= earlier.finished, "two events of one entity overlapped"
    a, b = handlers.STATE.runs[0], handlers.STATE.runs[1]
    assert b.started < a.finished, "events of different entities should run concurrently"


async def test_failures_retry_with_growing_backoff_then_dead_letter(dsn: str) -> None:
    async with running_daemon(dsn, retry_base_seconds=0.2):
        await record(dsn, "fail")
        other = await record(dsn, "noop")
        await eventually(lambda: in_state(dsn, "dead"), "the dead letter", within=15)
    rows_ = await audit(dsn, "itest.fail")
    assert [(r["attempt"], r["outcome"]) for r in rows_] == [
        (1, "failed"),
        (2, "failed"),
        (3, "dead"),
    ]
    assert all("ItestError: failing on purpose" in r["error"] for r in rows_)
    assert "raise ItestError" in rows_[-1]["traceback"]
    gaps = [(b["started_at"] - a["started_at"]) for a, b in itertools.pairwise(rows_)]
    assert gaps[0] >= timedelta(seconds=0.09), gaps  # base 0.2 s x jitter >= 0.5
    assert gaps[1] >= timedelta(seconds=0.19), gaps  # 0.4 s x jitter >= 0.5
    [dead] = await deliveries(dsn, "itest.fail")
    assert (dead["state"], dead["attempts"]) == ("dead", handlers.FAIL_ATTEMPTS)
    assert "failing on purpose (attempt 3)" in dead["last_error"]
    [flowed] = await deliveries(dsn, "itest.noop")
    assert flowed["state"] == "done"
    assert flowed["event_id"] == other


async def test_an_unparseable_event_is_dead_with_its_reason_and_blocks_nothing(dsn: str) -> None:
    entity = uuid4()
    async with running_daemon(dsn):
        await record(dsn, "noop", entity=entity, old="bogus")  # 'bogus' is no itest status
        later = await record(dsn, "noop", entity=entity)
        await eventually(lambda: done_count(dsn), "the entity's next event")
    poison, fine = await deliveries(dsn)
    assert poison["state"] == "dead"
    assert fine["event_id"] == later
    assert fine["state"] == "done"
    assert "unparseable event" in poison["last_error"]
    assert "bogus" in poison["last_error"]
    dead_audit = [row for row in await audit(dsn) if row["outcome"] == "dead"]
    assert len(dead_audit) == 1
    assert "unparseable event" in dead_audit[0]["error"]


async def test_a_commit_after_the_token_changed_is_refused_as_lost_lease(dsn: str) -> None:
    assert handlers.STATE.started is not None
    assert handlers.STATE.release is not None
    async with running_daemon(dsn):
        await record(dsn, "gate")
        with anyio.fail_after(10):
            await handlers.STATE.started.wait()
        await rows(dsn, "update pipeline.deliveries set attempts = attempts + 1")  # taken over
        handlers.STATE.release.set()
        await eventually(lambda: audit(dsn, "itest.gate"), "the lost-lease audit row")
        [delivery] = await deliveries(dsn, "itest.gate")
    [row] = await audit(dsn, "itest.gate")
    assert (row["outcome"], row["attempt"]) == ("lost_lease", 1)
    assert "no longer leased" in row["error"]
    assert await rows(dsn, "select * from public.itest_effects") == []
    assert (delivery["state"], delivery["attempts"]) == ("running", 2)


async def test_a_delivery_no_daemon_serves_waits_without_freezing_its_entity(dsn: str) -> None:
    await rows(
        dsn,
        "insert into pipeline.subscriptions (handler, handler_group, table_name, status_column,"
        " from_status, to_status, max_attempts)"
        " values ('itest.retired', 'retired', 'itest_jobs', 'status', '*', 'noop', 3)",
    )
    entity = uuid4()
    async with running_daemon(dsn):
        await record(dsn, "noop", entity=entity)  # itest.noop + itest.retired (served nowhere)
        await record(dsn, "record", entity=entity)  # must not wait for itest.retired
        await eventually(lambda: done_at_least(dsn, 2), "the entity's later event")
    retired = await deliveries(dsn, "itest.retired")
    assert [(row["state"], row["attempts"]) for row in retired] == [("pending", 0)]
    runs = [run.handler for run in handlers.STATE.runs]
    assert runs == ["itest.noop", "itest.record"]
