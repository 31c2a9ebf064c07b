"""`db status`, `db stop`: the arguments; the logic is in lxera_pipeline.operate.db."""

from __future__ import annotations

from dataclasses import asdict

import click

from lxera_pipeline.cli.common import EXIT_NOT_FOUND, load_settings, print_json
from lxera_pipeline.cli.render import when
from lxera_pipeline.operate.db import EmbeddedStatus, embedded_status, stop_embedded_server


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
