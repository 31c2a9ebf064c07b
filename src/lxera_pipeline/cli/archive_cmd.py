"""`archive content`, `archive restore`, `archive list`: the arguments; the logic is in
lxera_pipeline.operate.archive."""

from __future__ import annotations

from dataclasses import asdict

import click

from lxera_pipeline.cli.common import print_json
from lxera_pipeline.cli.ops_common import connect, dsn_from_settings, operator_errors, operator_name
from lxera_pipeline.cli.render import when
from lxera_pipeline.listeners.ops.filters import parse_duration
from lxera_pipeline.operate.archive import MAX_LIMIT, archive_content, archived, restore_content

LIMIT = click.IntRange(min=1, max=MAX_LIMIT)


@click.group("archive")
def archive_group() -> None:
    """Move old published modules (and their media metadata) to the archive, and back."""


@archive_group.command("content")
@click.option(
    "--older-than", required=True, help="Archive modules published longer ago than this (180d)."
)
@click.option("--dry-run", is_flag=True, help="List what would move, and why others stay.")
@click.option("--limit", type=LIMIT, default=1000, show_default=True, help="Modules per run.")
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
@click.option("--limit", type=LIMIT, default=100, show_default=True)
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
