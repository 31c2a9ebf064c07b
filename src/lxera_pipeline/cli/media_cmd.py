"""`media regenerate`, `media rollback`, `media versions`: the arguments; the logic is in
lxera_pipeline.operate.media."""

from __future__ import annotations

from typing import Any

import click

from lxera_pipeline.cli.common import print_json
from lxera_pipeline.cli.operate import connect, dsn_from_settings, operator_errors, operator_name
from lxera_pipeline.operate.common import when
from lxera_pipeline.operate.media import regenerate, rollback, versions

SECTION_HELP = "One section's media (a section video) instead of the whole module."


@click.group("media")
def media_group() -> None:
    """A module's media versions: regenerate, roll back, list."""


def _describe(row: dict[str, Any]) -> str:
    current = "current" if row["is_current"] else "not current"
    return (
        f"version {row['version']} ({row['section_name']}, {current}) session {row['session_id']}"
        f" via {row['requested_via']}: {row['reason']}"
    )


@media_group.command("regenerate")
@click.argument("content_id")
@click.option("--reason", required=True, help="Why (kept with the version, at most 500 chars).")
@click.option("--section", help=SECTION_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def regenerate_command(content_id: str, reason: str, section: str | None, as_json: bool) -> None:
    """Render the module's media again as a new version; earlier versions are kept and the new
    one becomes current when its session completes."""
    with operator_errors():
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            row = regenerate(
                conn, content_id, reason=reason, actor=operator_name(), section=section
            )
    if as_json:
        print_json(row)
        return
    click.echo(f"opened {_describe(row)}")


@media_group.command("rollback")
@click.argument("content_id")
@click.option("--version", "version", type=int, required=True, help="The version to restore.")
@click.option("--section", help=SECTION_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def rollback_command(content_id: str, version: int, section: str | None, as_json: bool) -> None:
    """Make an older, completed media version current again."""
    with operator_errors():
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            row = rollback(conn, content_id, version, actor=operator_name(), section=section)
    if as_json:
        print_json(row)
        return
    click.echo(f"made {_describe(row)}")


@media_group.command("versions")
@click.argument("content_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def versions_command(content_id: str, as_json: bool) -> None:
    """Every media version of the module."""
    with operator_errors():
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            rows = versions(conn, content_id)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        mark = "*" if row["is_current"] else " "
        click.echo(
            f"{mark} v{row['version']:<3} {row['section_name']:<22} {row['session_status']:<10} "
            f"{row['assets']:>4} assets  {when(row['created_at'])}  {row['requested_via']}: "
            f"{row['reason']}"
        )
