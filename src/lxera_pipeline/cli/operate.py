"""The operator's commands (`events`, `timeline`, `tail`, `replay`, `dead`, `prune`,
`partitions`): their arguments, parsed here; what each does, and how its result is printed, is in
`lxera_pipeline.operate.<command>`.

They exit with codes scripts can rely on: 0 ok, 2 usage or bad filter, 3 unknown id, 4 refused
(e.g. a replay of an event whose entity has moved on), 1 any other failure (database unreachable,
a dry run whose handler would fail).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import anyio
import click
import psycopg
from psycopg.rows import DictRow, dict_row

from lxera_pipeline.cli.common import (
    EXIT_FAILURE,
    EXIT_NOT_FOUND,
    EXIT_REFUSED,
    EXIT_USAGE,
    database_dsn,
    fail,
    load_settings,
    print_json,
)
from lxera_pipeline.cli.errors import describe
from lxera_pipeline.log import configure_logging
from lxera_pipeline.operate.archive import MAX_LIMIT, archive_content, archived, restore_content
from lxera_pipeline.operate.common import (
    DELIVERY_STATES,
    EventFilter,
    OpsInputError,
    RefusedError,
    UnknownIdError,
    check_table,
    event_filter,
    parse_duration,
    parse_uuid,
    parse_when,
    when,
)
from lxera_pipeline.operate.db import EmbeddedStatus, embedded_status, stop_embedded_server
from lxera_pipeline.operate.dead import DeadFilter, list_dead, print_dead, print_retried, retry_dead
from lxera_pipeline.operate.events import (
    event_detail,
    events_table,
    list_events,
    show_event,
)
from lxera_pipeline.operate.partitions import (
    ensure_partitions,
    list_partitions,
    partitions_table,
)
from lxera_pipeline.operate.prune import PruneOptions, print_report, prune
from lxera_pipeline.operate.replay import (
    ReplayRequest,
    ReplaySelection,
    dry_run_json,
    dry_run_selection,
    dry_run_view,
    replay,
    replay_view,
)
from lxera_pipeline.operate.tail import TailFeed, TailOptions, TailSession, follow, tail_printer
from lxera_pipeline.operate.timeline import build_timeline, timeline_json, timeline_view
from lxera_pipeline.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])
READY = "tailing pipeline events (Ctrl-C to stop)"
FILTER_KEYS = ("table", "entity", "company", "event_type", "status", "state", "since", "until")


@contextmanager
def operator_errors() -> Iterator[None]:
    """Turn the operator errors into their exit codes with a clear message."""
    try:
        yield
    except OpsInputError as exc:
        fail(str(exc), EXIT_USAGE)
    except UnknownIdError as exc:
        fail(str(exc.args[0]) if exc.args else str(exc), EXIT_NOT_FOUND)
    except RefusedError as exc:
        fail(str(exc), EXIT_REFUSED)
    except psycopg.Error as exc:
        failure = describe(exc)
        fail(failure.message, failure.code)


def dsn_from_settings() -> tuple[Settings, str]:
    settings = load_settings()
    return settings, database_dsn(settings)


@contextmanager
def connect(dsn: str) -> Iterator[psycopg.Connection[DictRow]]:
    with psycopg.connect(
        dsn, autocommit=True, row_factory=dict_row, application_name="lxera-pipeline:cli"
    ) as conn:
        yield conn


def operator_name() -> str:
    """Who is running the command: the OS user (or $USER when there is no passwd entry)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


def event_filter_options(func: F) -> F:
    """The filters `events list`, `tail` and `replay` share."""
    options = [
        click.option("--table", help="Only events of this table (e.g. cm_module_content)."),
        click.option("--entity", help="Only events of this row (UUID)."),
        click.option("--company", help="Only events of this company (UUID)."),
        click.option(
            "--type",
            "event_type",
            help="Event type: <table>.created, <table>.status_changed, or just "
            "created / status_changed.",
        ),
        click.option("--status", help="Only events whose new status is this."),
        click.option(
            "--state",
            type=click.Choice(DELIVERY_STATES),
            help="Only events with a delivery in this state.",
        ),
        click.option("--since", help="From this time: ISO 8601 or relative (90s, 15m, 2h, 7d)."),
        click.option("--until", help="Before this time: ISO 8601 or relative."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def pop_event_filter(kwargs: dict[str, Any]) -> EventFilter:
    """Take the filter options out of a command's keyword arguments and build the filter."""
    return event_filter(**{key: kwargs.pop(key) for key in FILTER_KEYS})


@click.group("events")
def events_group() -> None:
    """Read the event log: what happened, and what the handlers did about it."""


@events_group.command("list")
@event_filter_options
@click.option("--limit", default=50, show_default=True, help="Newest N matching events.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def events_list(limit: int, as_json: bool, **filters: Any) -> None:
    """List events (oldest first of the newest --limit) with their delivery states."""
    with operator_errors():
        flt = pop_event_filter(filters)
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            rows = list_events(conn, flt, limit)
    if as_json:
        print_json(rows)
    else:
        events_table(rows)


@events_group.command("show")
@click.argument("event_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def events_show(event_id: int, as_json: bool) -> None:
    """One event: its deliveries, every audit row (errors, tracebacks), its cause and effects."""
    with operator_errors():
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            detail = show_event(conn, event_id)
    if as_json:
        print_json(detail.as_dict())
    else:
        event_detail(detail)


@click.command("timeline")
@click.argument("entity_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def timeline_command(entity_id: str, as_json: bool) -> None:
    """An entity's whole history: its events, what caused them, what they caused (across tables),
    the handler attempts, the time between steps, and the status of every row involved now."""
    with operator_errors():
        entity = parse_uuid(entity_id, "ENTITY_ID")
        assert entity is not None
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            timeline = build_timeline(conn, entity)
    if as_json:
        print_json(timeline_json(timeline))
    else:
        timeline_view(timeline)


@click.command("tail")
@event_filter_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option(
    "--poll",
    "poll_seconds",
    type=click.FloatRange(min=0.05),
    default=0.5,
    show_default=True,
    help="Fallback poll interval when no NOTIFY comes.",
)
@click.option(
    "--lookback",
    "lookback_seconds",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="Seconds an event id may commit after a higher one and still be printed "
    "(longer-running writers are followed through their snapshot anyway).",
)
@click.option("--max-events", type=click.IntRange(min=1), help="Stop after printing N events.")
@click.option("--duration", type=click.FloatRange(min=0), help="Stop after this many seconds.")
def tail_command(
    as_json: bool,
    poll_seconds: float,
    lookback_seconds: float,
    max_events: int | None,
    duration: float | None,
    **filters: Any,
) -> None:
    """Follow events live as they commit (LISTEN on pipeline_events, with a poll fallback).
    With --since, first prints the matching events since then. Ctrl-C stops."""
    options = TailOptions(poll_seconds, lookback_seconds, max_events, duration)
    with operator_errors():
        flt = pop_event_filter(filters)
        settings, dsn = dsn_from_settings()
        if settings.log_level == "info":  # the listener's connect lines would drown the events
            configure_logging(settings.log_format, "warning")
        with connect(dsn) as conn:
            check_table(conn, flt.table)
        session = TailSession(
            TailFeed(flt, lookback_seconds),
            options,
            tail_printer(as_json),
            ready=lambda: click.echo(READY, err=True),
        )
        with contextlib.suppress(KeyboardInterrupt):
            anyio.run(follow, settings, dsn, session)


def _dry_run(
    dsn: str,
    settings: Settings,
    selection: ReplaySelection,
    handlers: str,
    time_limit: float,
    as_json: bool,
) -> None:
    with connect(dsn) as conn:
        results = dry_run_selection(conn, dsn, settings, selection, handlers, time_limit)
    if as_json:
        print_json(dry_run_json(results))
    else:
        dry_run_view(results)
    if any(result.outcome != "succeeded" for result in results):
        sys.exit(EXIT_FAILURE)  # the replay would not succeed as things stand


@click.command("replay")
@click.option("--event", "event_id", type=int, help="Replay this event.")
@event_filter_options
@click.option("--handler", help="Only this handler (default: every subscribed handler).")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Run the handlers in a rolled-back transaction and print what they would write.",
)
@click.option("--reason", help="Why (required without --dry-run; kept on the deliveries).")
@click.option("--by", help="Who replays (default: the OS user).")
@click.option(
    "--force",
    is_flag=True,
    help="Replay even if the entity has moved on or a delivery is already pending.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Refuse when more events than this match.",
)
@click.option(
    "--handlers",
    "handler_selection",
    default=None,
    help="Dry run: handler groups or modules to load (default: settings.handlers).",
)
@click.option(
    "--timeout",
    "time_limit",
    type=click.FloatRange(min=1),
    default=120.0,
    show_default=True,
    help="Dry run: seconds a handler may take.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def replay_command(
    event_id: int | None,
    handler: str | None,
    dry_run: bool,
    reason: str | None,
    by: str | None,
    force: bool,
    limit: int,
    handler_selection: str | None,
    time_limit: float,
    as_json: bool,
    **filters: Any,
) -> None:
    """Replay events: by --event ID, --entity, --type or a time range (--since/--until).

    Without --dry-run, creates new deliveries marked as replays that the daemons run and audit
    as replays. Refuses (exit 4) an event whose entity has moved on unless --force.
    A dry run exits 1 when a handler would fail (or is not loaded here)."""
    with operator_errors():
        selection = ReplaySelection(event_id, pop_event_filter(filters), handler, limit)
        settings, dsn = dsn_from_settings()
        if dry_run:
            _dry_run(
                dsn,
                settings,
                selection,
                handler_selection or settings.handlers,
                time_limit,
                as_json,
            )
            return
        if not reason or not reason.strip():
            fail(
                "replay: --reason is required (say why this is replayed), or use --dry-run",
                EXIT_USAGE,
            )
        request = ReplayRequest(by=by or operator_name(), reason=reason, force=force)
        with connect(dsn) as conn:
            created = replay(conn, selection, request)
    if as_json:
        print_json(created)
    else:
        replay_view(created, request.by, request.reason)


def dead_filter_options(func: Any) -> Any:
    for option in reversed(
        [
            click.option("--handler", help="Only deliveries of this handler."),
            click.option("--table", help="Only deliveries of events of this table."),
            click.option("--entity", help="Only deliveries of this row (UUID)."),
            click.option("--since", help="Dead-lettered from this time (ISO or 2h, 7d)."),
            click.option("--until", help="Dead-lettered before this time."),
        ]
    ):
        func = option(func)
    return func


def _filter(ids: tuple[int, ...], kwargs: dict[str, Any]) -> DeadFilter:
    return DeadFilter(
        handler=kwargs["handler"],
        table=kwargs["table"],
        entity=parse_uuid(kwargs["entity"], "--entity"),
        since=parse_when(kwargs["since"], "--since"),
        until=parse_when(kwargs["until"], "--until"),
        delivery_ids=ids or None,
    )


@click.group("dead")
def dead_group() -> None:
    """Dead-lettered deliveries: list them, send them back to the queue."""


@dead_group.command("list")
@dead_filter_options
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def dead_list(limit: int, as_json: bool, **filters: Any) -> None:
    """Dead deliveries with their event and last error."""
    with operator_errors():
        flt = _filter((), filters)
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            rows = list_dead(conn, flt, limit)
    if as_json:
        print_json(rows)
        return
    print_dead(rows)


@dead_group.command("retry")
@click.option(
    "--delivery", "delivery_ids", type=int, multiple=True, help="This dead delivery (repeatable)."
)
@dead_filter_options
@click.option("--all", "everything", is_flag=True, help="Every dead delivery.")
@click.option("--reason", help="Why (kept in the audit row).")
@click.option("--by", help="Who retries (default: the OS user).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def dead_retry(
    delivery_ids: tuple[int, ...],
    everything: bool,
    reason: str | None,
    by: str | None,
    as_json: bool,
    **filters: Any,
) -> None:
    """Send dead deliveries back to pending with their attempts reset (audited)."""
    with operator_errors():
        flt = _filter(delivery_ids, filters)
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            rows = retry_dead(
                conn, flt, everything=everything, by=by or operator_name(), reason=reason
            )
    if as_json:
        print_json(rows)
        return
    print_retried(rows, delivery_ids)


@click.command("prune")
@click.option(
    "--older-than",
    help="Age past which partitions go (default: settings.retention_days, "
    "LXERA_RETENTION_DAYS), e.g. 30d, 12h. A partition goes once its upper bound is older.",
)
@click.option(
    "--archive",
    "archive_dir",
    metavar="DIR",
    help="First write each partition's rows to DIR/<partition>/ as gzip JSON lines with a "
    "manifest.json (counts, bounds, sha256).",
)
@click.option(
    "--include-dead",
    is_flag=True,
    help="Also prune partitions whose events have dead deliveries (archived with them).",
)
@click.option("--detach", is_flag=True, help="Detach partitions (kept as tables), not drop.")
@click.option("--dry-run", is_flag=True, help="Say what would go and what stays; change nothing.")
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0, min_open=True, max=3600),
    default=5.0,
    show_default=True,
    help="Seconds to wait for each lock before a partition is left for the next run.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def prune_command(
    older_than: str | None,
    archive_dir: str | None,
    include_dead: bool,
    detach: bool,
    dry_run: bool,
    lock_timeout: float,
    as_json: bool,
) -> None:
    """Remove whole partitions of the event and audit logs that ended before the retention,
    decided from the partitions' bounds in the catalog. A partition whose events are not routed
    yet or have pending, running (or, without --include-dead, dead) deliveries stays, and the
    output says why. Dropping takes a brief ACCESS EXCLUSIVE lock on the log."""
    with operator_errors():
        settings, dsn = dsn_from_settings()
        age = (
            parse_duration(older_than, "--older-than")
            if older_than
            else timedelta(days=settings.retention_days)
        )
        options = PruneOptions(
            older_than=age,
            archive_dir=Path(archive_dir) if archive_dir else None,
            include_dead=include_dead,
            detach=detach,
            dry_run=dry_run,
            lock_timeout_seconds=lock_timeout,
            actor=operator_name(),
        )
        with connect(dsn) as conn:
            report = prune(conn, options)
    if as_json:
        print_json(report.as_dict())
        return
    print_report(report)


@click.group("partitions")
def partitions_group() -> None:
    """The time partitions of pipeline.events and pipeline.audit_log (the daemon keeps them
    ahead every LXERA_PARTITION_MAINTENANCE_SECONDS)."""


@partitions_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def partitions_list_command(as_json: bool) -> None:
    """Every partition with its bounds as the catalog states them."""
    with operator_errors():
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            rows = list_partitions(conn)
    if as_json:
        print_json(rows)
    else:
        partitions_table(rows)


@partitions_group.command("ensure")
@click.option(
    "--ahead",
    type=int,
    default=None,
    help="Days ahead to cover (default: LXERA_PARTITION_AHEAD_DAYS).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def partitions_ensure_command(ahead: int | None, as_json: bool) -> None:
    """Create the daily partitions from today to AHEAD days ahead, and move rows the default
    partitions caught into ranged partitions of their own."""
    with operator_errors():
        settings, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            created = ensure_partitions(
                conn, settings.partition_ahead_days if ahead is None else ahead
            )
    if as_json:
        print_json({"created": created})
        return
    click.echo(
        f"created {len(created)} partitions" + (": " + ", ".join(created) if created else "")
    )


ARCHIVE_LIMIT = click.IntRange(min=1, max=MAX_LIMIT)


@click.group("archive")
def archive_group() -> None:
    """Move old published modules (and their media metadata) to the archive, and back."""


@archive_group.command("content")
@click.option(
    "--older-than", required=True, help="Archive modules published longer ago than this (180d)."
)
@click.option("--dry-run", is_flag=True, help="List what would move, and why others stay.")
@click.option(
    "--limit", type=ARCHIVE_LIMIT, default=1000, show_default=True, help="Modules per run."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def archive_content_command(older_than: str, dry_run: bool, limit: int, as_json: bool) -> None:
    """Move published modules older than the cut-off, with their assessments, enhancement and
    multimedia sessions, assets, presentations and narrations, into pipeline.content_archive.
    Each move is one transaction and is logged; `archive restore ID` undoes it."""
    with operator_errors():
        _, dsn = dsn_from_settings()
        age = parse_duration(older_than, "--older-than")
        with connect(dsn) as conn:
            report = archive_content(conn, age, actor=operator_name(), dry_run=dry_run, limit=limit)
    if as_json:
        print_json({**asdict(report), "rows": report.rows})
        return
    verb = "would archive" if dry_run else "archived"
    click.echo(
        f"{verb} {len(report.archived)} modules published before {when(report.cutoff)}; "
        f"kept {len(report.kept)}"
    )
    for candidate in report.archived:
        click.echo(f"  {verb} {candidate.content_id} {candidate.module_name!r}")
    for candidate in report.kept:
        click.echo(f"  kept {candidate.content_id}: {candidate.blocker}")
    if report.rows:
        click.echo("rows moved: " + ", ".join(f"{t} {n}" for t, n in sorted(report.rows.items())))


@archive_group.command("restore")
@click.argument("content_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def archive_restore_command(content_id: str, as_json: bool) -> None:
    """Put an archived module and everything archived with it back, unchanged."""
    with operator_errors():
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            counts = restore_content(conn, content_id, actor=operator_name())
    if as_json:
        print_json({"content_id": content_id, "rows": counts})
        return
    rows = ", ".join(f"{t} {n}" for t, n in sorted(counts.items()))
    click.echo(f"restored module {content_id}: {rows}")


@archive_group.command("list")
@click.option("--limit", type=ARCHIVE_LIMIT, default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def archive_list_command(limit: int, as_json: bool) -> None:
    """The most recently archived modules."""
    with operator_errors():
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            rows = archived(conn, limit)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        total = sum(int(n) for n in row["row_counts"].values())
        click.echo(
            f"{row['content_id']}  archived {when(row['archived_at'])} by {row['archived_by']}"
            f"  ({total} rows)"
        )


@click.group("db")
def db_group() -> None:
    """The embedded PostgreSQL (used when DATABASE_URL is unset; it keeps running between
    commands under LXERA_DATA_DIR/pgdata)."""


def _describe(status: EmbeddedStatus) -> str:
    if not status.initialised:
        return f"no embedded PostgreSQL in {status.pgdata} (it is created on first use)"
    if status.running:
        return (
            f"running: PostgreSQL {status.version}, pid {status.pid}, port {status.port}, "
            f"socket {status.socket_dir or '-'}, since {when(status.started_at)}\n"
            f"  data {status.pgdata}\n  dsn  {status.dsn}"
        )
    stale = f" (stale postmaster.pid names pid {status.pid})" if status.stale_pid_file else ""
    return f"stopped{stale}: PostgreSQL {status.version} in {status.pgdata}"


@db_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def db_status_command(as_json: bool) -> None:
    """Is the embedded server running, where, on which port. Exit code 0 when it runs, 3 when
    it does not (as `pg_ctl status`)."""
    settings = load_settings()
    status = embedded_status(settings.data_dir)
    if as_json:
        print_json({**asdict(status), "dsn": status.dsn})
    else:
        click.echo(_describe(status))
        if settings.database_url:
            click.echo("note: DATABASE_URL is set, so the commands use that server, not this one")
    if not status.running:
        raise SystemExit(EXIT_NOT_FOUND)


@db_group.command("stop")
def db_stop_command() -> None:
    """Stop the embedded server (fast shutdown: open sessions end, their transactions roll
    back). Running daemons on it lose their connection. Nothing to do when it is not running."""
    settings = load_settings()
    before = stop_embedded_server(settings.data_dir)
    if before.running:
        click.echo(f"stopped the embedded PostgreSQL (pid {before.pid}) in {before.pgdata}")
    else:
        click.echo(f"not running: {_describe(before)}")
