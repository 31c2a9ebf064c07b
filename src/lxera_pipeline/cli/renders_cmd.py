"""`renders`: the arguments; the logic is in lxera_pipeline.operate.renders."""

from __future__ import annotations

import click

from lxera_pipeline.cli.common import print_json
from lxera_pipeline.cli.operate import connect, dsn_from_settings, operator_errors
from lxera_pipeline.operate.common import when
from lxera_pipeline.operate.renders import MAX_LIMIT, RENDER_STATUSES, list_renders


@click.command("renders")
@click.option("--status", type=click.Choice(RENDER_STATUSES), help="Only renders in this status.")
@click.option("--company", help="Only this company's renders (UUID).")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def renders_command(status: str | None, company: str | None, limit: int, as_json: bool) -> None:
    """The rendering queue: one row per slides / narration / video render of a media session,
    open renders first by priority (larger first) and age."""
    with operator_errors():
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            rows = list_renders(conn, status=status, company=company, limit=limit)
    if as_json:
        print_json(rows)
        return
    click.echo(
        "status     prio kind       tries worker                   queued at                session"
    )
    for row in rows:
        click.echo(
            f"{row['status']:<10} {row['priority']:>4} {row['kind']:<10} {row['attempts']:>5} "
            f"{(row['worker'] or '-')[:24]:<24} {when(row['queued_at']):<24} "
            f"{row['session_id']} {row['module_name']!r}"
        )
