"""Handlers the acceptance tests run inside real daemon processes (group "acceptance").

The daemons load this module with ``run --handlers tests.acceptance.handlers``. The handlers act on
``public.acc_jobs`` (see ``schema.sql``), whose ``status`` column is declared here with
``register_status_set`` because it is not a workflow table:

- ``acceptance.ping`` / ``acceptance.pong`` (``* -> ping`` / ``* -> pong``) record one effect row
  in ``public.acc_effects`` inside the fenced transaction;
- ``acceptance.slow`` (``new -> slow``) first sleeps outside any transaction (``pause`` seconds on
  the first attempt, ``repause`` on later ones, read from the event's snapshot), then records;
- ``acceptance.poison`` (``new -> poison``) always raises.
"""

from __future__ import annotations

import os
from typing import Final

import anyio

from lxera_pipeline.events.statuses import register_status_set
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import registry

TABLE: Final = "acc_jobs"
GROUP: Final = "acceptance"
POISON_ATTEMPTS: Final = 4
register_status_set(TABLE, "status", ("ping", "pong", "slow", "poison"))

RECORD_EFFECT: Final = """
insert into public.acc_effects (event_id, handler, entity_id, seq, attempt, pid)
select %(event_id)s, %(handler)s, %(entity_id)s, coalesce(max(seq), 0) + 1, %(attempt)s, %(pid)s
  from public.acc_effects
 where entity_id = %(entity_id)s
"""


class PoisonError(RuntimeError):
    """Raised on purpose by the poison handler."""


async def record_effect(ctx: HandlerContext, handler: str) -> None:
    """The one database write of an acceptance handler, in its fenced transaction."""
    params = {
        "event_id": ctx.event.event_id,
        "handler": handler,
        "entity_id": ctx.event.entity_id,
        "attempt": ctx.attempt,
        "pid": os.getpid(),
    }
    async with ctx.transaction() as conn:
        await conn.execute(RECORD_EFFECT, params)


@registry.handler("acceptance.ping", table=TABLE, transition="* -> ping", group=GROUP)
async def ping(ctx: HandlerContext) -> None:
    await record_effect(ctx, "acceptance.ping")


@registry.handler("acceptance.pong", table=TABLE, transition="* -> pong", group=GROUP)
async def pong(ctx: HandlerContext) -> None:
    await record_effect(ctx, "acceptance.pong")


@registry.handler("acceptance.slow", table=TABLE, transition="new -> slow", group=GROUP)
async def slow(ctx: HandlerContext) -> None:
    key = "pause" if ctx.attempt == 1 else "repause"
    seconds = float(ctx.event.snapshot.get(key, 0.0))
    ctx.note(slept=seconds)
    await anyio.sleep(seconds)
    await record_effect(ctx, "acceptance.slow")


@registry.handler(
    "acceptance.poison",
    table=TABLE,
    transition="new -> poison",
    group=GROUP,
    max_attempts=POISON_ATTEMPTS,
)
async def poison(ctx: HandlerContext) -> None:
    raise PoisonError(f"poisoned on purpose (event {ctx.event.event_id}, attempt {ctx.attempt})")
