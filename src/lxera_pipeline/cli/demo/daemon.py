"""Run the daemon inside this process (the demo and the workflow tests do)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio

from lxera_pipeline.cli.side_tasks import start_side_tasks
from lxera_pipeline.listeners.config import DaemonConfig, select_handlers
from lxera_pipeline.listeners.daemon import Daemon
from lxera_pipeline.settings import Settings

WORKFLOW_GROUPS = "content,media"


@asynccontextmanager
async def in_process_daemon(
    settings: Settings, dsn: str, resources: Any, handlers: str = WORKFLOW_GROUPS
) -> AsyncIterator[Daemon]:
    """A started daemon serving ``handlers``; stopped (in-flight work drained) on exit."""
    config = DaemonConfig.from_settings(settings.model_copy(update={"http_port": None}), dsn)
    daemon = Daemon(config, select_handlers(handlers), resources=resources)
    async with anyio.create_task_group() as group:
        await group.start(daemon.run)
        async with anyio.create_task_group() as side:
            start_side_tasks(side, dsn, settings)
            try:
                yield daemon
            finally:
                side.cancel_scope.cancel()
                daemon.request_stop("in-process run finished")
