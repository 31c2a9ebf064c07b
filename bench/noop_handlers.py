"""The benchmark's no-op handler: ``lxera-pipeline run --handlers bench.noop_handlers``.

It subscribes to every status change of ``bench_items`` (created by bench/sql/bench_items.sql
and tracked with ``pipeline.track_status``) and does nothing but, when ``BENCH_LATENCY_DIR`` is
set, record its start time against the ``seq`` the writer put in the row (the event snapshot
carries the row's non-text columns). Run with the repository root on PYTHONPATH.
"""

from __future__ import annotations

from bench.start_log import record_start
from lxera_pipeline.events.statuses import register_status_set
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import registry

TABLE = "bench_items"
STATUSES = ("a", "b")
HANDLER = "bench.noop"

register_status_set(TABLE, "status", STATUSES)


@registry.handler(HANDLER, table=TABLE, transition="* -> *", group="bench")
async def noop(ctx: HandlerContext) -> None:
    """Do nothing (the daemon still claims, completes and audits the delivery)."""
    record_start("ours", ctx.event.snapshot.get("seq"))
