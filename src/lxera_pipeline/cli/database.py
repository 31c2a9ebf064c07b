"""`migrate`, `handlers`: the schema and the registered handlers."""

from __future__ import annotations

import click

from lxera_pipeline.cli.common import EXIT_FAILURE, database_dsn, fail, load_settings, print_json
from lxera_pipeline.db.migrate import MigrationError, migrate
from lxera_pipeline.db.server import check_server
from lxera_pipeline.handlers.registry import RegistryError, load_builtin_handlers, registry
from lxera_pipeline.handlers.sync import sync_subscriptions_sync


@click.command("migrate")
def migrate_command() -> None:
    """Apply pending migrations and sync handler subscriptions."""
    settings = load_settings()
    dsn = database_dsn(settings)
    check_server(dsn, settings.connect_timeout_seconds)
    try:
        report = migrate(dsn)
    except MigrationError as exc:
        fail(str(exc), EXIT_FAILURE)
    for name in report.applied:
        click.echo(f"applied {name}")
    if not report.applied:
        click.echo(f"nothing to apply: all {len(report.already)} migrations are already applied")
    load_builtin_handlers()
    count = sync_subscriptions_sync(dsn, list(registry), settings.max_attempts)
    click.echo(f"synced {count} handler subscriptions")


@click.command("handlers")
@click.option(
    "--select",
    "selection",
    default="all",
    show_default=True,
    help="Handler groups or modules to list.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def handlers_command(selection: str, as_json: bool) -> None:
    """List the registered handlers and what they subscribe to."""
    load_builtin_handlers()
    try:
        specs = registry.select(selection)
    except RegistryError as exc:
        fail(str(exc), 2)
    rows = [
        {
            "name": s.name,
            "group": s.group,
            "table": s.table,
            "column": s.status_column,
            "transition": s.transition,
            "module": s.module,
            "max_attempts": s.max_attempts,
        }
        for s in specs
    ]
    if as_json:
        print_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "group", "subscribes to", "module")
    for row in rows:
        table.add_row(
            str(row["name"]),
            str(row["group"]),
            f"{row['table']}.{row['column']}: {row['transition']}",
            str(row["module"]),
        )
    Console().print(table)
