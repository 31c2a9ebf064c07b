"""`replay`: deliver selected events again (new replay deliveries, refused for an entity that has
moved on unless forced), or with ``--dry-run`` run the subscribed handlers inside a transaction that
is rolled back and report what they would have written (rows, status changes, events, deliveries),
which ports they called and which files they would have made. Nothing outside the database is
touched: ports record (see `recording.py`) and files go to a scratch directory deleted afterwards.

The dry run's handler context runs everything on one connection inside that one transaction, so
even a write made through ``connection()`` is captured and undone. ``transaction()`` sets the
causation and correlation settings with the daemon's own ``set_causation`` query (like the daemon's
fenced transaction without a token) and, like the daemon, refuses a second transaction per
attempt; it marks no delivery done and writes no audit row."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import anyio
import psycopg
from psycopg import AsyncConnection, IsolationLevel
from psycopg.pq import TransactionStatus
from psycopg.rows import DictRow, dict_row
from rich.text import Text
from rich.tree import Tree

from lxera_pipeline.db.locks import lock_params
from lxera_pipeline.db.queries import load_query
from lxera_pipeline.events.models import EventParseError, StatusEvent, parse_event
from lxera_pipeline.handlers.registry import (
    HandlerSpec,
    Registry,
    RegistryError,
    load_builtin_handlers,
    registry,
)
from lxera_pipeline.handlers.workflow.resources import Resources, build_resources
from lxera_pipeline.listeners.store import AttemptFacts
from lxera_pipeline.operate.capture import Capture, RowChange, capture_changes
from lxera_pipeline.operate.common import (
    EventFilter,
    OpsInputError,
    RefusedError,
    UnknownIdError,
    check_table,
    clip,
    console,
    current_status,
    filtered_query,
    key_columns,
    ops_table,
    stream,
    transition,
)
from lxera_pipeline.operate.recording import PortCall, Recorder, recording_resources
from lxera_pipeline.settings import Settings

Row = dict[str, Any]


@dataclass(frozen=True)
class ReplaySelection:
    """Which events to replay (and optionally which handler only)."""

    event_id: int | None = None
    flt: EventFilter = field(default_factory=EventFilter)
    handler: str | None = None
    limit: int = 100


def select_events(conn: psycopg.Connection[DictRow], selection: ReplaySelection) -> list[Row]:
    """The chosen events in id order; refuses an empty selection or one over the limit."""
    if selection.event_id is None and selection.flt.is_empty:
        raise OpsInputError(
            "replay: choose events with --event, --entity, --type or --since/--until"
        )
    check_table(conn, selection.flt.table)
    params = {
        **selection.flt.params(),
        "event_id": selection.event_id,
        "limit": selection.limit + 1,
    }
    rows = [dict(r) for r in conn.execute(filtered_query("ops_replay_events"), params)]
    if not rows:
        what = (
            f"event {selection.event_id}" if selection.event_id else "no event matches the filter"
        )
        raise UnknownIdError(
            f"nothing to replay: {what} not found"
            if selection.event_id
            else f"nothing to replay: {what}"
        )
    if len(rows) > selection.limit:
        raise RefusedError(
            f"more than {selection.limit} events match; narrow the selection or raise --limit"
        )
    return rows


def subscribed(conn: psycopg.Connection[DictRow], event: Row, handler: str | None) -> list[Row]:
    """Active subscriptions that match the event (the daemons' fan-out rule)."""
    rows = [dict(r) for r in conn.execute(load_query("ops_subscribed_handlers"), event)]
    return [row for row in rows if handler is None or row["handler"] == handler]


def moved_on(
    conn: psycopg.Connection[DictRow], event: Row, keys: dict[tuple[str, str], str]
) -> str | None:
    """Why the entity no longer stands where the event left it, or None if it does."""
    now = current_status(
        conn, event["table_name"], event["status_column"], event["entity_id"], keys
    )
    if now.exists and now.status == event["new_status"]:
        return None
    return (
        f"event {event['event_id']} moved {event['table_name']} {event['entity_id']} to "
        f"{event['new_status']!r}, but its {event['status_column']} is now "
        f"{now.describe()!r}; the handler would act on a state that no longer holds"
    )


@dataclass
class ReplayRequest:
    by: str
    reason: str
    force: bool = False


def _plan(
    conn: psycopg.Connection[DictRow], events: list[Row], handler: str | None, force: bool
) -> tuple[list[tuple[Row, Row]], list[str]]:
    keys, plan, refusals = key_columns(conn), [], []
    for event in events:
        conn.execute(load_query("ops_share_lock_event"), {"event_id": event["event_id"]})
        if _unrouted(conn, event):
            refusals.append(f"event {event['event_id']} is not routed yet; try again shortly")
            continue
        reason = moved_on(conn, event, keys)
        if reason and not force:
            refusals.append(reason)
        for sub in subscribed(conn, event, handler):
            params = {"event_id": event["event_id"], "handler": sub["handler"]}
            open_row = conn.execute(load_query("ops_open_delivery"), params).fetchone()
            if open_row and not force:
                refusals.append(
                    f"event {event['event_id']} already has {open_row['state']} "
                    f"delivery {open_row['delivery_id']} for {sub['handler']}"
                )
            plan.append((event, sub))
    return plan, refusals


def _unrouted(conn: psycopg.Connection[DictRow], event: Row) -> bool:
    """Its deliveries do not exist yet: a replay now would double the original delivery."""
    row = conn.execute(load_query("ops_unrouted_event"), {"event_id": event["event_id"]}).fetchone()
    return bool(row and row["unrouted"])


def _insert(conn: psycopg.Connection[DictRow], event: Row, sub: Row, request: ReplayRequest) -> Row:
    params = {"event_id": event["event_id"], "handler": sub["handler"]}
    original = conn.execute(load_query("ops_original_delivery"), params).fetchone()
    row = conn.execute(
        load_query("ops_insert_replay_delivery"),
        {
            **params,
            "entity_id": event["entity_id"],
            "max_attempts": sub["max_attempts"],
            "replay_of": original["delivery_id"] if original else None,
            "replay_by": request.by,
            "replay_reason": request.reason,
        },
    ).fetchone()
    assert row is not None
    return {
        "delivery_id": row["delivery_id"],
        "event_id": event["event_id"],
        "handler": sub["handler"],
        "entity_id": event["entity_id"],
        "replay_of": original["delivery_id"] if original else None,
    }


def replay(
    conn: psycopg.Connection[DictRow], selection: ReplaySelection, request: ReplayRequest
) -> list[Row]:
    """Create replay deliveries for the selection (all or nothing); returns them."""
    if not request.reason.strip():
        raise OpsInputError("replay: --reason is required (say why this is replayed)")
    with conn.transaction():
        conn.execute(load_query("route_events"))  # the originals' deliveries first
        events = select_events(conn, selection)
        plan, refusals = _plan(conn, events, selection.handler, request.force)
        if refusals:
            raise RefusedError("refused (use --force to replay anyway): " + "; ".join(refusals))
        if not plan:
            only = f" named {selection.handler!r}" if selection.handler else ""
            raise RefusedError(
                f"nothing to replay: no active handler{only} subscribes to "
                f"event(s) {', '.join(str(e['event_id']) for e in events)}"
            )
        created = [_insert(conn, event, sub, request) for event, sub in plan]
        conn.execute(
            load_query("ops_notify_if_armed"),
            {"event_id": events[0]["event_id"], "table": events[0]["table_name"], **lock_params()},
        )
    return created


class DryRunContext:
    """Implements :class:`lxera_pipeline.handlers.context.HandlerContext` for a dry run."""

    def __init__(
        self, event: StatusEvent, delivery_id: int, conn: AsyncConnection[DictRow], resources: Any
    ) -> None:
        self._event, self._delivery_id = event, delivery_id
        self._conn, self._resources = conn, resources
        self.facts = AttemptFacts(event_id=event.event_id, correlation_id=event.correlation_id)
        self.transaction_opened = False

    @property
    def event(self) -> StatusEvent:
        return self._event

    @property
    def delivery_id(self) -> int:
        return self._delivery_id

    @property
    def attempt(self) -> int:
        return 1

    @property
    def is_replay(self) -> bool:
        return True

    @property
    def resources(self) -> Any:
        return self._resources

    @property
    def notes(self) -> dict[str, Any]:
        return self.facts.detail

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection[DictRow]]:
        yield self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection[DictRow]]:
        if self.transaction_opened:
            raise RuntimeError(
                f"ctx.transaction() was already used by this dry run of event "
                f"{self._event.event_id}: a handler commits exactly once"
            )
        self.transaction_opened = True
        await self._conn.execute(load_query("set_causation"), self.facts.causation_params())
        yield self._conn

    def note(self, **detail: Any) -> None:
        self.facts.detail.update(detail)


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


HIDDEN = {"created_at", "updated_at"}


def _values(row: Row, limit: int = 8) -> str:
    shown = [
        f"{k}={clip(v, 40)}"
        for k, v in row.items()
        if v not in (None, [], {}, "") and k not in HIDDEN
    ]
    more = f", … {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more


def _change(change: RowChange) -> str:
    key = ", ".join(f"{k}={v}" for k, v in change.key.items())
    if change.kind == "update":
        diffs = "; ".join(
            f"{col}: {clip(old, 30)!s} -> {clip(new, 30)!s}"
            for col, (old, new) in change.changed.items()
            if col not in HIDDEN
        )
        return f"update {change.table} ({key}): {diffs}"
    if change.kind == "delete":
        return f"delete {change.table} ({key})"
    return f"{change.kind} {change.table}: {_values(change.row)}"


def _events(tree: Tree, result: DryRunResult) -> None:
    deliveries = result.capture.deliveries
    for event in result.capture.events:
        handlers = [d["handler"] for d in deliveries if d["event_id"] == event["event_id"]]
        tree.add(
            f"would emit {stream(event)} {transition(event)} for {event['entity_id']}"
            f" -> deliveries: {', '.join(handlers) or 'none'}"
        )


def _result_tree(result: DryRunResult) -> Tree:
    event = result.event
    tree = Tree(
        Text.assemble(
            (f"event {event['event_id']}", "bold"),
            f" {stream(event)} {transition(event)} ({event['entity_id']}) -> handler ",
            (result.handler, "bold"),
            f": {result.outcome} in {result.duration_ms:.0f}ms",
        )
    )
    if result.moved_on:
        tree.add(Text.assemble(("warning: ", "yellow"), result.moved_on))
    if result.error:
        tree.add(Text.assemble(("error: ", "red"), result.error))
    if result.capture_note:
        tree.add(result.capture_note)
    for change in result.capture.data_changes:
        tree.add("would " + _change(change))
    _events(tree, result)
    for call in result.port_calls:
        tree.add(
            f"port {call.port}.{call.method}({', '.join(call.arguments)})"
            f" -> {call.error or call.result}"
        )
    for file in result.files:
        tree.add(f"would write file {file['path']} ({file['size']} bytes)")
    if result.notes:
        tree.add(f"audit notes: {clip(result.notes, 120)}")
    if result.outcome == "succeeded" and not result.capture.changes:
        tree.add("would write nothing")
    return tree


def dry_run_view(results: list[DryRunResult]) -> None:
    out = console()
    for result in results:
        out.print(_result_tree(result))
        if result.traceback:
            out.print(result.traceback.rstrip(), style="dim")
    out.print(
        f"Dry run of {len(results)} handler call(s): everything was rolled back; "
        "nothing was written, uploaded or kept on disk."
    )


def dry_run_json(results: list[DryRunResult]) -> list[dict[str, Any]]:
    items = []
    for result in results:
        data = asdict(result)
        data["events"], data["deliveries"] = result.capture.events, result.capture.deliveries
        items.append(data)
    return items


def replay_view(created: list[Row], by: str, reason: str) -> None:
    table = ops_table(
        "delivery",
        "event",
        "handler",
        "entity",
        "replay of",
        title=f"{len(created)} replay deliveries by {by}: {reason}",
    )
    for row in created:
        table.add_row(
            str(row["delivery_id"]),
            str(row["event_id"]),
            row["handler"],
            str(row["entity_id"]),
            str(row["replay_of"] or "-"),
        )
    out = console()
    out.print(table)
    out.print("A running daemon serving these handlers picks them up like any other delivery.")


def handler_resources(settings: Settings) -> Resources:
    """The workflow handlers' resources as the daemon builds them, except that the storage is
    built local: the dry run swaps it for a recording one anyway, so no remote client is made."""
    local = build_resources(settings.model_copy(update={"storage_backend": "local"}))
    return dataclasses.replace(local, settings=settings)


def load_handlers(selection: str) -> None:
    try:
        load_builtin_handlers()
        registry.select(selection)
    except RegistryError as exc:
        raise OpsInputError(f"--handlers: {exc}") from exc


def dry_run_selection(
    conn: psycopg.Connection[DictRow],
    dsn: str,
    settings: Settings,
    selection: ReplaySelection,
    handlers: str,
    time_limit: float,
) -> list[DryRunResult]:
    """`replay --dry-run`: load the ``handlers`` selection, plan one item per (event, subscribed
    handler) and dry-run each; the database is left exactly as it was."""
    load_handlers(handlers)
    items = plan_dry_run(conn, selection, registry)
    return anyio.run(dry_run, dsn, items, handler_resources(settings), time_limit)
