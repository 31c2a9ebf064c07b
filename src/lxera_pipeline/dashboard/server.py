"""Serving the dashboard with uvicorn, and the rule that guards where it may listen."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import anyio
import psycopg
import uvicorn

from lxera_pipeline.dashboard.app import create_app
from lxera_pipeline.db.queries import load_query
from lxera_pipeline.settings import Settings


class BindRefusedError(ValueError):
    """The dashboard would be reachable from other machines without a token."""


class DatabaseNotReadyError(RuntimeError):
    """The database cannot be reached or is not migrated."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, settings: Settings) -> None:
    if settings.dashboard_token is None and not is_loopback(host):
        raise BindRefusedError(
            f"refusing to serve the dashboard on {host}: set LXERA_DASHBOARD_TOKEN to listen "
            "on a non-loopback address (or use --host 127.0.0.1)"
        )


class DashboardServer(uvicorn.Server):
    """Ends the open streams first when it shuts down, so their clients go at once (and
    reconnect elsewhere with Last-Event-ID) instead of holding the shutdown up."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        state = getattr(self.config.app, "state", None)
        dashboard = getattr(state, "dashboard", None)
        if dashboard is not None:
            dashboard.hub.close()
        await super().shutdown(sockets)


class EmbeddedServer(DashboardServer):
    """A server inside another program (the daemon) that owns the signals: it is stopped by
    setting ``should_exit``, never by SIGINT/SIGTERM itself."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def check_database(dsn: str) -> None:
    """The database answers and carries the dashboard's tables; a clear error otherwise."""
    try:
        with psycopg.connect(dsn, connect_timeout=10) as conn:
            row = conn.execute(load_query("dash_schema_ready")).fetchone()
    except psycopg.Error as exc:
        raise DatabaseNotReadyError(
            f"cannot reach the database: {type(exc).__name__}: {str(exc).strip()[:200]}"
        ) from None
    if not row or not row[0]:
        raise DatabaseNotReadyError(
            "the database lacks the dashboard's tables: run `lxera-pipeline migrate` first"
        )


def build_server(
    settings: Settings, dsn: str, host: str, port: int, *, embedded: bool = False
) -> uvicorn.Server:
    """A uvicorn server for the dashboard (bound when it starts); refuses an unsafe bind."""
    check_bind(host, settings)
    config = uvicorn.Config(
        create_app(settings, dsn),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
    )
    return EmbeddedServer(config) if embedded else DashboardServer(config)


def url_of(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def port_or_free(host: str, port: int) -> int:
    """``port`` if it can be bound now, else a free one (the demo must not fail on a busy port)."""
    try:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
        return port
    except OSError:
        return free_port(host)


@asynccontextmanager
async def dashboard_running(
    settings: Settings, dsn: str, host: str, port: int, *, embedded: bool = False
) -> AsyncIterator[uvicorn.Server]:
    """Serve the dashboard in the background while the block runs; yields the server."""
    server = build_server(settings, dsn, host, port, embedded=embedded)
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve)
        while not server.started:
            if server.should_exit or group.cancel_scope.cancel_called:
                break
            await anyio.sleep(0.05)
        try:
            yield server
        finally:
            server.should_exit = True


async def until_stopped(server: uvicorn.Server) -> None:
    """Return once the server was asked to stop (Ctrl-C: uvicorn catches the signal)."""
    while True:
        if server.should_exit:
            return
        await anyio.sleep(0.2)
