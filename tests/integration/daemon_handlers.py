"""Handlers the daemon integration tests run in-process (group "itest", table ``itest_jobs``).

Events are written as event rows directly (tests.support.events), so no table is needed; the
snapshot steers the handlers. ``STATE`` is reset by the tests' fixture.

- ``itest.record`` (``* -> record``): sleeps ``snapshot.sleep`` seconds outside any transaction,
  then writes one row to ``itest_effects`` in its fenced transaction;
- ``itest.noop`` (``* -> noop``): returns without opening a transaction;
- ``itest.fail`` (``* -> fail``, 3 attempts): always raises;
- ``itest.gate`` (``* -> gate``): waits for ``STATE.release``, then records like ``itest.record``;
- ``itest.cause`` (``* -> cause``): records a new 'noop' event inside its fenced transaction.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Final
from uuid import UUID, uuid4

import anyio

from lxera_pipeline.events.statuses import register_status_set
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import registry
from tests.support.events import record_events_query

TABLE: Final = "itest_jobs"
GROUP: Final = "itest"
FAIL_ATTEMPTS: Final = 3
register_status_set(TABLE, "status", ("record", "noop", "fail", "gate", "cause"))

EFFECTS_TABLE = """
create table if not exists public.itest_effects (
    effect_id  bigint generated always as identity primary key,
    event_id   bigint not null,
    entity_id  uuid not null,
    attempt    integer not null
)
"""
INSERT_EFFECT = (
    "insert into public.itest_effects (event_id, entity_id, attempt) values (%s, %s, %s)"
)
RECORD_EVENT = record_events_query("select %s::uuid, null::text, %s::text, '{}'::jsonb")


@dataclass
class Run:
    handler: str
    event_id: int
    entity_id: UUID
    attempt: int
    started: float
    finished: float = 0.0


@dataclass
class State:
    runs: list[Run] = field(default_factory=list)
    started: anyio.Event | None = None
    release: anyio.Event | None = None

    def reset(self) -> None:
        self.runs.clear()
        self.started = anyio.Event()
        self.release = anyio.Event()


STATE = State()


class ItestError(RuntimeError):
    """Raised on purpose by ``itest.fail``."""


def begin(ctx: HandlerContext, handler: str) -> Run:
    run = Run(handler, ctx.event.event_id, ctx.event.entity_id, ctx.attempt, time.monotonic())
    STATE.runs.append(run)
    return run


async def record_effect(ctx: HandlerContext, run: Run) -> None:
    async with ctx.transaction() as conn:
        await conn.execute(INSERT_EFFECT, (ctx.event.event_id, ctx.event.entity_id, ctx.attempt))
        # Marked before the commit: the entity's next delivery may be claimed the moment the
        # commit lands, and its handler may start before this coroutine is resumed.
        run.finished = time.monotonic()


@registry.handler("itest.record", table=TABLE, transition="* -> record", group=GROUP)
async def record(ctx: HandlerContext) -> None:
    run = begin(ctx, "itest.record")
    await anyio.sleep(float(ctx.event.snapshot.get("sleep", 0)))
    ctx.note(slept=ctx.event.snapshot.get("sleep", 0))
    await record_effect(ctx, run)


@registry.handler("itest.noop", table=TABLE, transition="* -> noop", group=GROUP)
async def noop(ctx: HandlerContext) -> None:
    begin(ctx, "itest.noop").finished = time.monotonic()


@registry.handler(
    "itest.fail", table=TABLE, transition="* -> fail", group=GROUP, max_attempts=FAIL_ATTEMPTS
)
async def fail(ctx: HandlerContext) -> None:
    begin(ctx, "itest.fail")
    raise ItestError(f"failing on purpose (attempt {ctx.attempt})")


@registry.handler("itest.gate", table=TABLE, transition="* -> gate", group=GROUP)
async def gate(ctx: HandlerContext) -> None:
    run = begin(ctx, "itest.gate")
    assert STATE.started is not None
    assert STATE.release is not None
    STATE.started.set()
    await STATE.release.wait()
    await record_effect(ctx, run)


@registry.handler("itest.cause", table=TABLE, transition="* -> cause", group=GROUP)
async def cause(ctx: HandlerContext) -> None:
    run = begin(ctx, "itest.cause")
    async with ctx.transaction() as conn:
        await conn.execute(RECORD_EVENT, (uuid4(), "noop"))
    run.finished = time.monotonic()
