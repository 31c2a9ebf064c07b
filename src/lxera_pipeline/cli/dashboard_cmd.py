"""`dashboard`: the web dashboard and its SSE stream."""

from __future__ import annotations

import anyio
import click

from lxera_pipeline.cli.common import EXIT_USAGE, database_dsn, fail, load_settings
from lxera_pipeline.dashboard.server import (
    BindRefusedError,
    DatabaseNotReadyError,
    build_server,
    check_database,
    url_of,
)


@click.command("dashboard")
@click.option("--host", default=None, help="Bind address (LXERA_DASHBOARD_HOST, 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=None, help="Port (LXERA_DASHBOARD_PORT, 8080)."
)
def dashboard_command(host: str | None, port: int | None) -> None:
    """Serve the dashboard: live progress (GET /api/stream, Server-Sent Events), the queue, dead
    letters and audited actions. LXERA_DASHBOARD_TOKEN protects it (required off loopback)."""
    settings = load_settings()
    host = host or settings.dashboard_host
    port = settings.dashboard_port if port is None else port
    dsn = database_dsn(settings)
    try:
        server = build_server(settings, dsn, host, port)
    except BindRefusedError as exc:
        fail(str(exc), EXIT_USAGE)
    try:
        check_database(dsn)
    except DatabaseNotReadyError as exc:
        fail(str(exc))
    click.echo(f"dashboard: {url_of(host, port)}")
    anyio.run(server.serve)
