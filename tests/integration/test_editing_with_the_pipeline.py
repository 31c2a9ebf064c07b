"""The version rule holds for the pipeline's own handlers, end to end with a running daemon: a
human edit that lands while content.write is generating makes the handler's write stale; the
database refuses it (40001, naming the stale version), the delivery is retried on the new
version, and both edits are kept as revisions."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import anyio
import psycopg
import pytest

from lxera_pipeline.cli.demo.daemon import in_process_daemon
from lxera_pipeline.cli.demo.seed import seed_course
from lxera_pipeline.generators.ports import ContentWriter
from lxera_pipeline.generators.text.factory import rule_based_text_ports
from lxera_pipeline.generators.types import Learner, ModuleResearch, ModuleSections, ModuleSpec
from lxera_pipeline.handlers.workflow.resources import build_resources
from lxera_pipeline.settings import Settings
from tests.integration.workflow_support import (
    course,
    fetch,
    module,
    plan_settled,
    workflow_settings,
)


@dataclasses.dataclass
class EditedMidWrite:
    """A content writer during whose first call a person edits the module (a new version)."""

    inner: ContentWriter
    dsn: str
    edited: list[uuid.UUID] = dataclasses.field(default_factory=list)

    async def write(
        self, module: ModuleSpec, research: ModuleResearch, learner: Learner
    ) -> ModuleSections:
        if not self.edited:
            await anyio.to_thread.run_sync(self._human_edit, module.title)
        return await self.inner.write(module, research, learner)

    def _human_edit(self, title: str) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            row = conn.execute(
                "update cm_module_content set introduction = 'A person wrote this first.',"
                " version = version + 1 where module_name = %s returning content_id",
                (title,),
            ).fetchone()
        assert row is not None
        self.edited.append(row[0])


@pytest.mark.anyio
async def test_a_handlers_stale_write_is_refused_and_retried(db_dsn: str, tmp_path: Path) -> None:
    settings: Settings = workflow_settings(db_dsn, tmp_path)
    writer = EditedMidWrite(rule_based_text_ports().writer, db_dsn)
    ports = dataclasses.replace(rule_based_text_ports(), writer=writer)
    async with (
        await psycopg.AsyncConnection.connect(db_dsn, autocommit=True) as conn,
        in_process_daemon(settings, db_dsn, build_resources(settings, ports)),
    ):
        seeded = await seed_course(conn, course(module("Pivot tables", "full")))
        with anyio.fail_after(120):
            while not await plan_settled(conn, seeded.plan_id):  # noqa: ASYNC110
                await anyio.sleep(0.3)
    (content_id,) = writer.edited
    attempts = fetch(
        db_dsn,
        "select attempt, outcome, error from pipeline.audit_log"
        " where handler = 'content.write' and entity_id = %(c)s order by audit_id",
        {"c": content_id},
    )
    assert [(a["attempt"], a["outcome"]) for a in attempts] == [(1, "failed"), (2, "succeeded")]
    assert "stale version 1 of cm_module_content" in attempts[0]["error"]
    revisions = fetch(
        db_dsn,
        "select version, introduction from cm_module_content_revisions"
        " where content_id = %(c)s order by version",
        {"c": content_id},
    )
    assert revisions[:2] == [
        {"version": 1, "introduction": None},  # the empty draft the person edited
        {"version": 2, "introduction": "A person wrote this first."},  # replaced on the retry
    ]
    (content,) = fetch(
        db_dsn,
        "select version, status from cm_module_content where content_id = %(c)s",
        {"c": content_id},
    )
    assert content["status"] == "published"
    assert content["version"] == 3
