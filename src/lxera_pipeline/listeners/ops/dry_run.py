"""`replay --dry-run`: run the subscribed handlers inside a transaction that is rolled back, and
report what they would have written (rows, status changes, events, deliveries), which ports they
called and which files they would have made. Nothing outside the database is touched: ports record
(see `recording.py`) and files go to a scratch directory deleted afterwards."""

from __future__ import annotations

import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import anyio
import psycopg
from psycopg import AsyncConnection, IsolationLevel
from psycopg.pq import TransactionStatus
from psycopg.rows import DictRow, dict_row

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.events.models import EventParseError, parse_event
from lxera_pipeline.handlers.registry import HandlerSpec, Registry
from lxera_pipeline.listeners.ops.capture import Capture, capture_changes
from lxera_pipeline.listeners.ops.dry_run_context import DryRunContext
from lxera_pipeline.listeners.ops.errors import RefusedError
from lxera_pipeline.listeners.ops.recording import PortCall, Recorder, recording_resources
from lxera_pipeline.listeners.ops.replay import ReplaySelection, moved_on, select_events, subscribed
from lxera_pipeline.listeners.ops.status import key_columns

Row = dict[str, Any]
Outcome = Literal["succeeded", "failed", "skipped"]


@dataclass
class DryRunItem:
    event: Row
    handler: str
    spec: HandlerSpec | None
    delivery_id: int
    moved_on: str | None


@dataclass
class DryRunResult:
    event: Row
    handler: str
    outcome: Outcome
    moved_on: str | None = None
    duration_ms: float = 0.0
    error: str | None = None
    traceback: str | None = None
    capture: Capture = field(default_factory=Capture)
    capture_note: str | None = None
    committed: bool = False
    notes: dict[str, Any] = field(default_factory=dict)
    port_calls: list[PortCall] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)


def plan_dry_run(
    conn: psycopg.Connection[DictRow], selection: ReplaySelection, registry: Registry
) -> list[DryRunItem]:
    """One item per (event, subscribed handler) of the selection."""
    keys, items = key_columns(conn), []
    for event in select_events(conn, selection):
        reason = moved_on(conn, event, keys)
        for sub in subscribed(conn, event, selection.handler):
            original = conn.execute(
                load_query("ops_original_delivery"),
                {"event_id": event["event_id"], "handler": sub["handler"]},
            )
            row = original.fetchone()
            items.append(
                DryRunItem(
                    event,
                    str(sub["handler"]),
                    registry.get(str(sub["handler"])),
                    int(row["delivery_id"]) if row else 0,
                    reason,
                )
            )
    if not items:
        only = f" named {selection.handler!r}" if selection.handler else ""
        raise RefusedError(
            f"nothing to run: no active handler{only} subscribes to the selected event(s)"
        )
    return items


async def _connect(dsn: str) -> AsyncConnection[DictRow]:
    return await AsyncConnection.connect(
        dsn, autocommit=True, row_factory=dict_row, application_name="lxera-pipeline:dry-run"
    )


async def _call(
    item: DryRunItem, spec: HandlerSpec, ctx: DryRunContext, time_limit: float, result: DryRunResult
) -> None:
    started = time.perf_counter()
    try:
        with anyio.fail_after(time_limit):
            await spec.func(ctx)
        result.outcome = "succeeded"
    except Exception as exc:
        result.outcome, result.error = "failed", f"{type(exc).__name__}: {exc}"
        result.traceback = traceback.format_exc()
    result.duration_ms = (time.perf_counter() - started) * 1000
    result.committed, result.notes = ctx.transaction_opened, ctx.notes


async def _run_in_transaction(
    dsn: str,
    item: DryRunItem,
    spec: HandlerSpec,
    resources: Any,
    time_limit: float,
    result: DryRunResult,
) -> None:
    event = parse_event(item.event)
    async with await _connect(dsn) as inside, await _connect(dsn) as outside:
        await inside.set_isolation_level(IsolationLevel.REPEATABLE_READ)
        async with inside.transaction(force_rollback=True):
            await inside.execute(
                load_query("ops_dry_run_settings"),
                {"lock_timeout": "5s", "statement_timeout": f"{int(time_limit)}s"},
            )
            await _call(
                item,
                spec,
                DryRunContext(event, item.delivery_id, inside, resources),
                time_limit,
                result,
            )
            if inside.info.transaction_status == TransactionStatus.INERROR:
                result.capture_note = (
                    "the handler's database error aborted the transaction, "
                    "so its writes cannot be listed"
                )
            else:
                result.capture = await capture_changes(inside, outside)


async def run_item(
    dsn: str, item: DryRunItem, resources: Any, time_limit: float = 120.0
) -> DryRunResult:
    """Dry-run one (event, handler); the database is left exactly as it was."""
    result = DryRunResult(item.event, item.handler, "skipped", item.moved_on)
    if item.spec is None:
        result.error = (
            f"handler {item.handler!r} is subscribed but not loaded in this process "
            "(load its module with --handlers)"
        )
        return result
    scratch = Path(tempfile.mkdtemp(prefix="lxera-dry-run-"))
    recorder = Recorder(scratch)
    try:
        await _run_in_transaction(
            dsn, item, item.spec, recording_resources(resources, recorder), time_limit, result
        )
        result.port_calls, result.files = recorder.calls, recorder.files()
    except EventParseError as exc:
        result.outcome, result.error = "failed", str(exc)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


async def dry_run(
    dsn: str, items: list[DryRunItem], resources: Any, time_limit: float = 120.0
) -> list[DryRunResult]:
    return [await run_item(dsn, item, resources, time_limit) for item in items]
