"""Helpers of the workflow tests: settings, seeding a course, driving the in-process daemon, and
reading rows back with plain SQL."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import anyio
import psycopg
import pytest
from psycopg import AsyncConnection
from psycopg.rows import dict_row

from lxera_pipeline.cli.demo.daemon import in_process_daemon
from lxera_pipeline.cli.demo.seed import DemoCourse, Seeded, seed_course
from lxera_pipeline.handlers.workflow.resources import Resources, build_resources
from lxera_pipeline.settings import Settings
from tests.support.servers import TestServer

Row = dict[str, Any]
FAST_DAEMON: dict[str, Any] = {
    "lease_seconds": 20.0,
    "heartbeat_seconds": 2.0,
    "poll_seconds": 0.5,
    "retry_base_seconds": 0.2,
    "retry_max_seconds": 2.0,
    "shutdown_grace_seconds": 10.0,
    "log_level": "warning",
}


def workflow_settings(dsn: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": dsn,
        "data_dir": tmp_path / "data",
        "storage_dir": tmp_path / "media",
        "narration_seconds_per_module": 6.0,
        **FAST_DAEMON,
        **overrides,
    }
    return Settings(**values)


def course(*modules: dict[str, Any]) -> DemoCourse:
    return DemoCourse(learner_name="Zoë Martínez", modules=tuple(modules))


def module(title: str, quality: str, priority: str = "medium") -> dict[str, Any]:
    return {
        "title": title,
        "description": f"What {title.lower()} means at work.",
        "learning_objectives": [f"Explain {title.lower()}", "Apply it to a real report"],
        "key_topics": [title.lower(), "reporting"],
        "priority": priority,
        "demo_quality": quality,
    }


def fetch(dsn: str, query: str, params: dict[str, Any] | None = None) -> list[Row]:
    with psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as conn:
        return [dict(row) for row in conn.execute(query, params or {})]


async def plan_settled(conn: AsyncConnection[Any], plan_id: UUID) -> bool:
    """The plan is delivered or failed and no delivery is left to run."""
    cur = await conn.execute(
        "select status from public.cm_course_plans where plan_id = %(p)s", {"p": plan_id}
    )
    row = await cur.fetchone()
    open_cur = await conn.execute(
        "select count(*) from pipeline.deliveries where state in ('pending', 'running')"
    )
    open_row = await open_cur.fetchone()
    return bool(row and row[0] in ("delivered", "failed") and open_row and open_row[0] == 0)


async def drive(
    dsn: str,
    settings: Settings,
    demo: DemoCourse,
    limit_seconds: float = 90.0,
    resources: Resources | None = None,
    done: Callable[[AsyncConnection[Any], UUID], Awaitable[bool]] = plan_settled,
) -> tuple[Seeded, float]:
    """Seed the course, run the daemon until ``done``; the seed and the seconds it took."""
    resources = resources or build_resources(settings)
    started = time.perf_counter()
    async with (
        await AsyncConnection.connect(dsn, autocommit=True) as conn,
        in_process_daemon(settings, dsn, resources),
    ):
        seeded = await seed_course(conn, demo)
        with anyio.fail_after(limit_seconds):
            while not await done(conn, seeded.plan_id):  # noqa: ASYNC110 - polls the database
                await anyio.sleep(0.2)
    return seeded, time.perf_counter() - started


# One plan, two modules: "full" passes its first gate, "draft" passes its second (after one
# enhancement). Both end in completed multimedia sessions.
TWO_MODULES = course(
    module("Pivot tables", "full", priority="high"),
    module("Data cleaning", "draft", priority="medium"),
)


@dataclass(frozen=True)
class WorkflowRun:
    """A database where TWO_MODULES was driven to the end by the in-process daemon."""

    dsn: str
    settings: Settings
    seeded: Seeded
    seconds: float

    def rows(self, query: str, **params: Any) -> list[Row]:
        return fetch(self.dsn, query, {"plan": self.seeded.plan_id, **params})

    def content(self, title: str) -> Row:
        (row,) = self.rows(
            "select * from cm_module_content where plan_id = %(plan)s and module_name = %(t)s",
            t=title,
        )
        return row


@pytest.fixture(scope="session")
def workflow_run(
    pg_server: TestServer, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkflowRun]:
    """Drive TWO_MODULES once per test session (in its own database clone)."""
    name = f"lxera_wf_{uuid.uuid4().hex[:12]}"
    pg_server.clone_database(template_db, name)
    dsn = pg_server.dsn_for(name)
    settings = workflow_settings(dsn, tmp_path_factory.mktemp("workflow"))
    try:
        seeded, seconds = anyio.run(drive, dsn, settings, TWO_MODULES)
        yield WorkflowRun(dsn, settings, seeded, seconds)
    finally:
        pg_server.drop_database(name)
