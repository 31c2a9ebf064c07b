"""`prune`: remove finished events past the retention."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

import click

from lxera_pipeline.cli.common import print_json
from lxera_pipeline.cli.ops_common import connect, dsn_from_settings, operator_errors
from lxera_pipeline.cli.render import when
from lxera_pipeline.listeners.ops.filters import parse_duration
from lxera_pipeline.listeners.ops.prune import prune


@click.command("prune")
@click.option(
    "--older-than",
    help="Age past which finished events go (default: "
    "settings.retention_days, LXERA_RETENTION_DAYS), e.g. 30d, 12h.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Events deleted per transaction.",
)
@click.option("--archive", is_flag=True, help="Copy them into pipeline.*_archive first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def prune_command(older_than: str | None, batch_size: int, archive: bool, as_json: bool) -> None:
    """Delete finished events (every delivery done or skipped) and their deliveries and audit
    rows once older than the retention. Pending, running and dead work is never touched."""
    with operator_errors():
        settings, dsn = dsn_from_settings()
        age = (
            parse_duration(older_than, "--older-than")
            if older_than
            else timedelta(days=settings.retention_days)
        )
        with connect(dsn) as conn:
            report = prune(conn, age, batch_size=batch_size, archive=archive)
    if as_json:
        print_json(asdict(report))
        return
    verb = "archived and deleted" if archive else "deleted"
    click.echo(
        f"{verb} {report.events} events, {report.deliveries} deliveries and "
        f"{report.audit_rows} audit rows committed before {when(report.cutoff)} "
        f"in {report.batches} batches"
    )
