"""`run`: the long-running daemon (see `lxera_pipeline.listeners`).

Every daemon tunable of `Settings` is an option; an option given on the command line wins over
the environment (``LXERA_<NAME>``), which wins over the default shown in ``run --help``.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import click

from lxera_pipeline.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    database_dsn,
    fail,
    load_settings,
)
from lxera_pipeline.cli.side_tasks import start_side_tasks
from lxera_pipeline.db.dsn import DsnError
from lxera_pipeline.db.server import check_server
from lxera_pipeline.generators.media.extras import check_media_extras
from lxera_pipeline.handlers.registry import RegistryError
from lxera_pipeline.listeners.config import (
    DAEMON_FIELDS,
    DaemonConfig,
    DaemonConfigError,
    HandlerSet,
    select_handlers,
)
from lxera_pipeline.listeners.daemon import Daemon
from lxera_pipeline.listeners.health import check_port
from lxera_pipeline.log import get_logger
from lxera_pipeline.settings import Settings

log = get_logger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
RESOURCES_MODULE = "lxera_pipeline.handlers.workflow.resources"
OPTION_FIELDS = (*DAEMON_FIELDS, "log_format", "log_level")
OPTION_TYPES: dict[str, type] = {"http_port": int}
OPTION_HELP: dict[str, str] = {
    "handlers": "Comma-separated handler groups (e.g. content,media), dotted modules that "
    "register handlers (imported), or 'all'.",
    "http_port": "Port for /healthz, /readyz and /metrics (0: any free port; unset: no HTTP).",
}


def _settings_option(name: str) -> Callable[[F], F]:
    field = Settings.model_fields[name]
    default = field.get_default(call_default_factory=True)
    kind = OPTION_TYPES.get(name, type(default))
    text = OPTION_HELP.get(name, field.description or name.replace("_", " "))
    shown = "unset" if default is None else default
    return click.option(
        f"--{name.replace('_', '-')}",
        name,
        type=kind,
        default=None,
        help=f"{text} [default: {shown}; env: LXERA_{name.upper()}]",
    )


def daemon_options(func: F) -> F:
    for name in reversed(OPTION_FIELDS):
        func = _settings_option(name)(func)
    return func


def build_resources(settings: Settings) -> Any:
    """``ctx.resources``: the workflow's ``build_resources(settings)`` when it defines one,
    otherwise the settings themselves."""
    try:
        module = importlib.import_module(RESOURCES_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != RESOURCES_MODULE:
            raise
        return settings
    factory = getattr(module, "build_resources", None)
    return factory(settings) if callable(factory) else settings


async def serve(config: DaemonConfig, handlers: HandlerSet, resources: Any) -> int:
    """Run one daemon with signal handling; the process exit code. A failure propagates to the
    command line, which reports it in one line (`lxera_pipeline.cli.errors`)."""
    daemon = Daemon(config, handlers, resources=resources)
    await daemon.run(install_signals=True)
    return EXIT_OK


def check_before_start(settings: Settings, config: DaemonConfig, handlers: HandlerSet) -> None:
    """What would make the daemon fail later, reported now: the media stages' extras, the HTTP
    port, the database (reachable, login accepted, version) and the LISTEN connection's server."""
    if any(spec.group == "media" or spec.name.startswith("media.") for spec in handlers.served):
        check_media_extras(settings)
    if config.http_port is not None:
        check_port(config.http_host, config.http_port)
    check_server(config.dsn, settings.connect_timeout_seconds)
    if config.listen_dsn != config.dsn:
        check_server(config.listen_dsn, settings.connect_timeout_seconds)


async def serve_with_dashboard(
    config: DaemonConfig, handlers: HandlerSet, resources: Any, settings: Settings
) -> int:
    """`serve`, with the dashboard beside the daemon (LXERA_DASHBOARD_IN_DAEMON); the daemon
    owns the signals and the dashboard stops with it."""
    from lxera_pipeline.dashboard.server import dashboard_running, url_of

    host, port = settings.dashboard_host, settings.dashboard_port
    async with dashboard_running(settings, config.dsn, host, port, embedded=True):
        log.info("dashboard.serving", url=url_of(host, port))
        return await serve(config, handlers, resources)


def _check_dashboard_bind(settings: Settings) -> None:
    if settings.dashboard_in_daemon:
        from lxera_pipeline.dashboard.server import BindRefusedError, check_bind

        try:
            check_bind(settings.dashboard_host, settings)
        except BindRefusedError as exc:
            fail(str(exc), EXIT_USAGE)


async def serve_with_side_tasks(
    config: DaemonConfig, handlers: HandlerSet, resources: Any, settings: Settings
) -> int:
    """`serve` (or `serve_with_dashboard`), and beside it the periodic analytics refresh (every
    LXERA_ANALYTICS_REFRESH_SECONDS; 0: none) and the log partitions kept ahead (at start, then
    every LXERA_PARTITION_MAINTENANCE_SECONDS; 0: none), stopped when the daemon stops."""
    async with anyio.create_task_group() as side:
        start_side_tasks(side, config.dsn, settings)
        if settings.dashboard_in_daemon:
            code = await serve_with_dashboard(config, handlers, resources, settings)
        else:
            code = await serve(config, handlers, resources)
        side.cancel_scope.cancel()
    return code


# Allocations between young-generation collections in a daemon process (Python's default: 700).
GC_THRESHOLD = 10_000


def tune_garbage_collector() -> None:
    """For a daemon process, once its modules are imported. Start-up's objects (modules,
    settings, handler registry) live as long as the process: frozen out of the cyclic
    collector's way, a collection walks only what the work allocates. A claim allocates its rows
    (and their event snapshots) by the thousand: at the default threshold the collector ran
    several times per claim and walked the same live rows each time (about a tenth of a drain's
    CPU); nearly all of them are freed by reference counting long before ``GC_THRESHOLD``
    allocations."""
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


@click.command("run")
@daemon_options
def run_command(**options: Any) -> None:
    """Run the daemon: LISTEN for status events, claim their deliveries and run the handlers.

    SIGTERM/SIGINT stop claiming and give running handlers the shutdown grace; unfinished ones
    are released for another daemon; a second signal exits at once.
    """
    settings = load_settings(**options)
    dsn = database_dsn(settings)
    try:
        handlers = select_handlers(settings.handlers)
        config = DaemonConfig.from_settings(settings, dsn)
    except (RegistryError, DsnError, DaemonConfigError) as exc:
        fail(str(exc), EXIT_USAGE)
    check_before_start(settings, config, handlers)
    _check_dashboard_bind(settings)
    resources = build_resources(settings)
    tune_garbage_collector()
    code = anyio.run(
        serve_with_side_tasks,
        config,
        handlers,
        resources,
        settings,
        backend_options=config.backend_options(),
    )
    raise SystemExit(code)
