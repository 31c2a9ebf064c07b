"""`replay`: run handlers again for past events, for real or as a dry run."""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

import anyio
import click

from lxera_pipeline.cli.common import EXIT_FAILURE, EXIT_USAGE, fail, print_json
from lxera_pipeline.cli.ops_common import (
    connect,
    dsn_from_settings,
    event_filter_options,
    operator_errors,
    operator_name,
    pop_event_filter,
)
from lxera_pipeline.cli.render_replay import dry_run_json, dry_run_view, replay_view
from lxera_pipeline.handlers.registry import RegistryError, load_builtin_handlers, registry
from lxera_pipeline.handlers.workflow.resources import Resources, build_resources
from lxera_pipeline.listeners.ops.dry_run import dry_run, plan_dry_run
from lxera_pipeline.listeners.ops.errors import OpsInputError
from lxera_pipeline.listeners.ops.replay import ReplayRequest, ReplaySelection, replay
from lxera_pipeline.settings import Settings


def handler_resources(settings: Settings) -> Resources:
    """The workflow handlers' resources as the daemon builds them, except that the storage is
    built local: the dry run swaps it for a recording one anyway, so no remote client is made."""
    local = build_resources(settings.model_copy(update={"storage_backend": "local"}))
    return dataclasses.replace(local, settings=settings)


def _load_handlers(selection: str) -> None:
    try:
        load_builtin_handlers()
        registry.select(selection)
    except RegistryError as exc:
        raise OpsInputError(f"--handlers: {exc}") from exc


def _dry_run(
    dsn: str,
    settings: Settings,
    selection: ReplaySelection,
    handlers: str,
    time_limit: float,
    as_json: bool,
) -> None:
    _load_handlers(handlers)
    with connect(dsn) as conn:
        items = plan_dry_run(conn, selection, registry)
    results = anyio.run(dry_run, dsn, items, handler_resources(settings), time_limit)
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
