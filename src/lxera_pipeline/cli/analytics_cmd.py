"""`analytics refresh`, `analytics show`: the arguments; the logic is in
lxera_pipeline.operate.analytics."""

from __future__ import annotations

import click

from lxera_pipeline.cli.common import print_json
from lxera_pipeline.cli.operate import connect, dsn_from_settings, operator_errors
from lxera_pipeline.operate.analytics import MAX_LIMIT, refresh, show


@click.group("analytics")
def analytics_group() -> None:
    """Video and pipeline analytics (materialized views)."""


@analytics_group.command("refresh")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def refresh_command(as_json: bool) -> None:
    """Refresh every analytics view now (concurrently: readers are not blocked)."""
    with operator_errors():
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            result = refresh(conn)
    if as_json:
        print_json(result)
        return
    if result["refreshed"]:
        click.echo(f"refreshed the analytics views in {result['seconds']}s")
    else:
        click.echo("another refresh was running; nothing done")


@analytics_group.command("show")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show_command(limit: int, as_json: bool) -> None:
    """The analytics as last refreshed: stages, most viewed modules and videos, loops."""
    with operator_errors():
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            views = show(conn, limit)
    if as_json:
        print_json(views)
        return
    click.echo("stage                      runs  failed  rate    avg s   p95 s   total s  tokens")
    for row in views["stage_stats"]:
        click.echo(
            f"{row['handler']:<24} {row['runs']:>6} {row['failed']:>7} {row['failure_rate']:>5} "
            f"{row['avg_seconds']:>7} {row['p95_seconds']:>7} {row['total_seconds']:>9} "
            f"{row['tokens']:>7}"
        )
    click.echo("modules: views, viewers, average seconds watched, completion rate")
    for row in views["module_views"]:
        click.echo(
            f"  {row['content_id']} {row['module_name']!r}: {row['views']} views, "
            f"{row['viewers']} viewers, {row['avg_seconds_watched']}s, {row['completion_rate']}"
        )
    loops = ", ".join(
        f"{r['enhancement_rounds']}: {r['modules']}" for r in views["enhancement_loops"]
    )
    click.echo(f"enhancement rounds -> modules: {loops or 'none'}")
