"""Helpers of the security tests that run the real workflow handlers: a daemon running until a
condition holds, people to own rows, and rows written the way a hostile tenant would."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import anyio
from psycopg import AsyncConnection

from lxera_pipeline.cli.demo.daemon import in_process_daemon
from lxera_pipeline.cli.demo.seed import DemoCourse, seed_learner
from lxera_pipeline.handlers.workflow.resources import build_resources
from lxera_pipeline.settings import Settings
from tests.integration.workflow_support import fetch, workflow_settings

Done = Callable[[], bool]


def settings_for(dsn: str, tmp_path: Path, **overrides: Any) -> Settings:
    """Workflow settings that give up quickly (two attempts per step)."""
    return workflow_settings(dsn, tmp_path, **{"max_attempts": 2, **overrides})


async def run_daemon_until(
    dsn: str,
    settings: Settings,
    setup: Callable[[AsyncConnection[Any]], Awaitable[Any]],
    done: Done,
    limit_seconds: float = 60.0,
) -> Any:
    """Start the in-process daemon, run ``setup``, wait until ``done()``; returns what setup
    returned."""
    async with (
        await AsyncConnection.connect(dsn, autocommit=True) as conn,
        in_process_daemon(settings, dsn, build_resources(settings)),
    ):
        made = await setup(conn)
        with anyio.fail_after(limit_seconds):
            while not done():  # noqa: ASYNC110 - polls the database
                await anyio.sleep(0.2)
    return made


async def people(conn: AsyncConnection[Any]) -> tuple[UUID, UUID]:
    """A company and an employee of it."""
    company, _, employee = await seed_learner(conn, DemoCourse())
    return company, employee


def status_of(dsn: str, table: str, key: str, value: object) -> dict[str, Any] | None:
    rows = fetch(dsn, f"select * from public.{table} where {key} = %(v)s", {"v": value})
    return rows[0] if rows else None


def nothing_open(dsn: str) -> bool:
    """No delivery is pending or running."""
    [row] = fetch(
        dsn, "select count(*) as n from pipeline.deliveries where state in ('pending', 'running')"
    )
    return bool(row["n"] == 0)
