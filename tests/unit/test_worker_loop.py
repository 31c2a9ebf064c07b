"""The worker's loop against an in-memory store: claiming, capacity, claiming ahead, per-entity
order, retries to the dead letter, and the hand-back at shutdown."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
import pytest
from tests.support.fake_store import FakeListener, FakeStore

from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import HandlerSpec, Registry
from lxera_pipeline.listeners.attempt import Runner
from lxera_pipeline.listeners.health import DaemonMetrics
from lxera_pipeline.listeners.listener import NOTIFY, STOP, WakeSignal
from lxera_pipeline.listeners.store import Outcome, State
from lxera_pipeline.listeners.worker import Dispatcher, Worker, WorkerPool

pytestmark = pytest.mark.anyio
HANDLER = "loop.handler"
Handler = Callable[[HandlerContext], Awaitable[None]]


def spec(func: Handler) -> HandlerSpec:
    reg = Registry()
    reg.handler(
        HANDLER, table="cm_module_content", transition="draft -> quality_check", group="loop"
    )(func)
    found = reg.get(HANDLER)
    assert found is not None
    return found


@dataclass
class Loop:
    store: FakeStore
    listener: FakeListener
    dispatcher: Dispatcher
    runner: Runner
    metrics: DaemonMetrics
    worker: Worker


@asynccontextmanager
async def running(
    store: FakeStore,
    handler: Handler,
    *,
    concurrency: int = 4,
    batch: int = 10,
    prefetch: int = 0,
    poll: float = 5.0,
    warm: bool = False,
    linger: float = 0.0,
) -> AsyncIterator[Loop]:
    """The worker's loop with real dispatcher, runner tasks and runner; on exit, the shutdown
    the daemon does: stop claiming, hand back what waits, cancel what runs."""
    wake, stop = WakeSignal(), anyio.Event()
    metrics = DaemonMetrics(store.worker_id)
    workers = WorkerPool(lambda delivery: runner.run(delivery), max_workers=4 * concurrency)
    dispatcher = Dispatcher(
        store,
        workers.submit,
        anyio.CapacityLimiter(concurrency),
        batch,
        stop.is_set,
        prefetch=prefetch,
    )
    if warm:
        dispatcher.observe(0.0001)  # quick handlers: claiming ahead is on from the start
    runner = Runner(
        store=store,
        specs={HANDLER: spec(handler)},
        release_capacity=dispatcher.release,
        wake=wake,
        metrics=metrics,
        observe_duration=dispatcher.observe,
    )
    listener = FakeListener(wake)
    worker = Worker(
        listener=listener,
        dispatcher=dispatcher,
        stop=stop,
        poll_seconds=poll,
        linger_seconds=linger,
    )
    async with anyio.create_task_group() as runners:
        workers.attach(runners)
        async with anyio.create_task_group() as loop:
            loop.start_soon(worker.run)
            yield Loop(store, listener, dispatcher, runner, metrics, worker)
            stop.set()
            wake.kick(STOP)
        await runner.release_unstarted(dispatcher.take_queued())
        runners.cancel_scope.cancel()


async def until(check: Callable[[], bool], what: str, seconds: float = 3.0) -> None:
    with anyio.fail_after(seconds):
        while not check():  # noqa: ASYNC110 - polls the in-memory store
            await anyio.sleep(0.005)
    assert check(), what


async def noop(ctx: HandlerContext) -> None:
    return None


async def test_every_delivery_is_claimed_once_and_ends_succeeded_once() -> None:
    store = FakeStore([HANDLER])
    ids = [store.add(HANDLER) for _ in range(25)]
    async with running(store, noop) as loop:
        await until(lambda: set(store.states().values()) == {State.DONE}, "all done")
    assert sorted(store.claimed) == ids  # each claimed exactly once
    assert all(store.records[i].outcomes == [Outcome.SUCCEEDED] for i in ids)
    assert loop.metrics.totals["succeeded"] == 25
    assert loop.listener.arms >= 1  # drained, it armed and waited


async def test_while_events_stream_in_the_loop_lingers_disarmed_and_claims_what_follows() -> None:
    """The fake listener wakes only on a kick or at the 5 s poll. Once two claims in a row found
    work, the third batch (no NOTIFY: the listener is disarmed) is claimed by the lingering
    claims, and the listener is armed again only after a whole linger window without work."""
    store = FakeStore([HANDLER])
    first = [store.add(HANDLER) for _ in range(3)]
    async with running(store, noop, linger=0.5) as loop:
        await until(lambda: loop.listener.arms == 1, "armed after the first claim")
        second = [store.add(HANDLER) for _ in range(3)]
        loop.listener.wake.kick(NOTIFY)  # the writers' NOTIFY
        await until(lambda: all(store.states()[i] == State.DONE for i in second), "second")
        third = [store.add(HANDLER) for _ in range(3)]
        await until(lambda: set(store.states().values()) == {State.DONE}, "third done", 2.0)
        assert loop.listener.arms == 1  # disarmed: writers would not have NOTIFYed for these
        assert loop.worker.lingered_claims >= 1
        await until(lambda: loop.listener.arms == 2, "armed after the linger", 3.0)
        lingered = loop.worker.lingered_claims
    assert sorted(store.claimed) == first + second + third
    assert lingered <= 12  # pauses double while claims come back empty: a few, not a busy loop


async def test_a_trickle_slower_than_the_linger_keeps_the_listener_armed() -> None:
    store = FakeStore([HANDLER])
    async with running(store, noop, linger=0.05) as loop:
        await until(lambda: loop.listener.arms == 1, "armed")
        for _ in range(3):
            claimed = len(store.claimed)
            store.add(HANDLER)
            loop.listener.wake.kick(NOTIFY)
            await until(lambda: len(store.claimed) > claimed, "the trickled delivery")  # noqa: B023
            await anyio.sleep(0.1)  # slower than the linger window
        assert loop.listener.arms == 1  # never disarmed
        assert loop.worker.lingered_claims == 0


async def test_the_default_window_keeps_the_listener_armed_at_100_events_per_second() -> None:
    """Events 10 ms apart (100/s) are a trickle for the default window: each is woken for at
    once, none waits for a lingering pause."""
    from lxera_pipeline.settings import Settings

    default = Settings.model_fields["claim_linger_seconds"].default
    store = FakeStore([HANDLER])
    async with running(store, noop, linger=default) as loop:
        await until(lambda: loop.listener.arms == 1, "armed")
        for _ in range(10):
            claimed = len(store.claimed)
            store.add(HANDLER)
            loop.listener.wake.kick(NOTIFY)
            await until(lambda: len(store.claimed) > claimed, "the delivery")  # noqa: B023
            await anyio.sleep(0.01)
        assert loop.listener.arms == 1  # never disarmed
        assert loop.worker.lingered_claims == 0


async def test_without_lingering_the_loop_arms_as_soon_as_the_queue_is_empty() -> None:
    store = FakeStore([HANDLER])
    for _ in range(3):
        store.add(HANDLER)
    async with running(store, noop, linger=0.0) as loop:
        await until(lambda: set(store.states().values()) == {State.DONE}, "done")
        await until(lambda: loop.listener.arms == 1, "armed")
        assert loop.worker.lingered_claims == 0


async def test_the_loop_never_claims_beyond_free_capacity_without_claiming_ahead() -> None:
    store = FakeStore([HANDLER])
    for _ in range(10):
        store.add(HANDLER)
    running_now, most = [0], [0]
    gate = anyio.Event()

    async def held(ctx: HandlerContext) -> None:
        running_now[0] += 1
        most[0] = max(most[0], running_now[0])
        await gate.wait()
        running_now[0] -= 1

    async with running(store, held, concurrency=3, batch=10, prefetch=0) as loop:
        await until(lambda: running_now[0] == 3, "three handlers running")
        await anyio.sleep(0.05)
        assert len(store.claimed) == 3  # no claim while saturated
        assert not loop.dispatcher.queued
        gate.set()
        await until(lambda: set(store.states().values()) == {State.DONE}, "all done")
    assert most[0] == 3
    assert max(store.asked) <= 3


async def test_quick_handlers_claim_ahead_and_start_in_claim_order() -> None:
    store = FakeStore([HANDLER])
    ids = [store.add(HANDLER) for _ in range(60)]
    started: list[int] = []

    async def quick(ctx: HandlerContext) -> None:
        started.append(ctx.delivery_id)

    async with running(store, quick, concurrency=2, batch=10, prefetch=20, warm=True):
        await until(lambda: set(store.states().values()) == {State.DONE}, "all done")
    assert max(store.asked) > 2  # claimed beyond the two free slots
    assert started == ids  # one entity each: started in claim (= id) order


async def test_an_entity_s_next_event_starts_as_soon_as_the_previous_one_ends() -> None:
    store = FakeStore([HANDLER])
    entity = uuid.uuid4()
    ids = [store.add(HANDLER, entity=entity) for _ in range(5)]
    order: list[int] = []

    async def record(ctx: HandlerContext) -> None:
        order.append(ctx.delivery_id)

    # The poll is 5 s: only the completion's wake-up can start the next event within 2 s.
    async with running(store, record, poll=5.0):
        await until(lambda: len(order) == 5, "the entity's five events", seconds=2.0)
    assert order == ids


async def test_a_failing_handler_is_retried_when_due_then_dead_lettered() -> None:
    store = FakeStore([HANDLER], retry_seconds=0.02)
    delivery = store.add(HANDLER, max_attempts=3)
    calls: list[int] = []

    async def broken(ctx: HandlerContext) -> None:
        calls.append(ctx.attempt)
        raise RuntimeError("boom")

    # The poll is 5 s: only the retries' own wake-ups can bring the attempts within 2 s.
    async with running(store, broken, poll=5.0) as loop:
        await until(lambda: store.states()[delivery] == State.DEAD, "dead", seconds=2.0)
    assert calls == [1, 2, 3]
    assert store.records[delivery].outcomes == [Outcome.FAILED, Outcome.FAILED, Outcome.DEAD]
    assert (loop.metrics.totals["retried"], loop.metrics.totals["dead"]) == (2, 1)


async def test_shutdown_hands_back_running_and_claimed_ahead_deliveries() -> None:
    store = FakeStore([HANDLER])
    ids = [store.add(HANDLER) for _ in range(11)]
    entered = anyio.Event()

    async def stuck(ctx: HandlerContext) -> None:
        entered.set()
        await anyio.sleep_forever()

    async with running(store, stuck, concurrency=1, batch=11, prefetch=10, warm=True) as loop:
        with anyio.fail_after(2):
            await entered.wait()
        await until(lambda: len(loop.dispatcher.queued) == 10, "ten claimed ahead")
    assert store.states() == {i: State.PENDING for i in ids}
    assert sorted(store.released_unstarted) == ids[1:]
    assert store.records[ids[0]].outcomes == [Outcome.RELEASED]  # the running one, cancelled
    assert all(store.records[i].max_attempts == 4 for i in ids)  # a release is not a failure
