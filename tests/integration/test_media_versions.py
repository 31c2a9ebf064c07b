"""Media versions end to end with a running daemon: the first render is version 1; an operator's
regenerate renders version 2 (version 1 is kept: rows, assets, stored objects) and makes it
current; a rollback makes version 1 current again; a company admin asks for a version through
the API (a session insert); a human edit of the published module sends it back through the
quality gate and its approval renders a new version; a section-level session renders one
section's video as that section's own version."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import psycopg
import pytest
from click.testing import CliRunner
from psycopg.rows import dict_row

from lxera_pipeline.cli import cli
from lxera_pipeline.cli.demo.daemon import in_process_daemon
from lxera_pipeline.cli.demo.seed import seed_course
from lxera_pipeline.handlers.workflow.resources import build_resources
from lxera_pipeline.operate import media
from lxera_pipeline.operate.common import OpsInputError, RefusedError, UnknownIdError
from tests.integration.schema_rows import acting_as
from tests.integration.workflow_support import (
    course,
    fetch,
    module,
    plan_settled,
    workflow_settings,
)

Row = dict[str, Any]


def versions(dsn: str, content_id: uuid.UUID) -> list[Row]:
    return fetch(
        dsn,
        "select v.version, v.section_name, v.is_current, v.requested_via, v.reason,"
        " v.session_id, v.content_version, v.requested_by, s.status"
        " from mm_media_versions v join mm_multimedia_sessions s using (session_id)"
        " where v.content_id = %(c)s order by v.section_name, v.version",
        {"c": content_id},
    )


def active_versions(dsn: str, content_id: uuid.UUID) -> list[tuple[int, bool]]:
    rows = fetch(
        dsn,
        "select distinct version_number, is_active from mm_multimedia_assets"
        " where content_id = %(c)s and section_name <> 'introduction'"
        "   and session_id in (select session_id from mm_media_versions"
        "                       where section_name = 'full_module')"
        " order by version_number",
        {"c": content_id},
    )
    return [(row["version_number"], row["is_active"]) for row in rows]


async def until(check: Callable[[], bool], seconds: float = 120.0) -> None:
    with anyio.fail_after(seconds):
        while not await anyio.to_thread.run_sync(check):  # noqa: ASYNC110 - polls the database
            await anyio.sleep(0.3)


def completed(dsn: str, content_id: uuid.UUID, count: int) -> Callable[[], bool]:
    def check() -> bool:
        rows = versions(dsn, content_id)
        return len(rows) >= count and all(row["status"] == "completed" for row in rows)

    return check


def content_is(dsn: str, content_id: uuid.UUID, status: str) -> Callable[[], bool]:
    def check() -> bool:
        rows = fetch(
            dsn,
            "select status from cm_module_content where content_id = %(c)s",
            {"c": content_id},
        )
        return rows == [{"status": status}]

    return check


def _cli(dsn: str, *args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"DATABASE_URL": dsn})


@pytest.mark.anyio
async def test_regenerate_rollback_api_request_revision_and_section(
    db_dsn: str, tmp_path: Path
) -> None:
    settings = workflow_settings(db_dsn, tmp_path)
    demo = course(module("Pivot tables", "full"))
    async with (
        await psycopg.AsyncConnection.connect(db_dsn, autocommit=True) as conn,
        in_process_daemon(settings, db_dsn, build_resources(settings)),
    ):
        seeded = await seed_course(conn, demo)
        with anyio.fail_after(120):
            while not await plan_settled(conn, seeded.plan_id):  # noqa: ASYNC110
                await anyio.sleep(0.3)
        (content,) = fetch(
            db_dsn, "select * from cm_module_content where plan_id = %(p)s", {"p": seeded.plan_id}
        )
        content_id = content["content_id"]
        first = versions(db_dsn, content_id)
        assert [(r["version"], r["is_current"], r["requested_via"]) for r in first] == [
            (1, True, "pipeline")
        ]
        assert first[0]["reason"] == "first generation"

        # an operator regenerates: version 2, current once rendered; version 1 is kept
        result = await anyio.to_thread.run_sync(
            _cli, db_dsn, "media", "regenerate", str(content_id), "--reason", "new voice"
        )
        assert result.exit_code == 0, result.output
        assert "opened version 2 (full_module, not current)" in result.output
        await until(completed(db_dsn, content_id, 2))
        second = versions(db_dsn, content_id)
        assert [(r["version"], r["is_current"], r["requested_via"]) for r in second] == [
            (1, False, "pipeline"),
            (2, True, "operator"),
        ]
        assert second[1]["reason"].startswith("new voice (by ")
        assert active_versions(db_dsn, content_id) == [(1, False), (2, True)]
        stored = fetch(
            db_dsn,
            "select version_number, storage_path from mm_multimedia_assets"
            " where content_id = %(c)s and asset_type = 'video'",
            {"c": content_id},
        )
        assert sorted(row["version_number"] for row in stored) == [1, 2]
        for row in stored:
            key = row["storage_path"]
            assert key.startswith(f"{content['company_id']}/video/full_module/")
            assert f"_v{row['version_number']}_" in key
            assert settings.storage_dir is not None
            assert (settings.storage_dir / settings.storage_bucket / key).is_file()

        # roll back to version 1
        result = await anyio.to_thread.run_sync(
            _cli, db_dsn, "media", "rollback", str(content_id), "--version", "1"
        )
        assert result.exit_code == 0, result.output
        assert [(r["version"], r["is_current"]) for r in versions(db_dsn, content_id)] == [
            (1, True),
            (2, False),
        ]
        assert active_versions(db_dsn, content_id) == [(1, True), (2, False)]
        missing = await anyio.to_thread.run_sync(
            _cli, db_dsn, "media", "rollback", str(content_id), "--version", "9"
        )
        assert missing.exit_code == 3
        assert "no media version 9" in missing.output

        # a company admin asks through the API: a session row with a reason
        admin = {
            "sub": str(seeded.user_id),
            "role": "company_admin",
            "company_id": str(seeded.company_id),
        }

        def api_request() -> None:
            with (
                psycopg.connect(db_dsn, autocommit=True) as sync,
                acting_as(sync, "authenticated", admin) as api,
            ):
                api.execute(
                    "insert into mm_multimedia_sessions (content_id, company_id, module_name,"
                    " employee_name, version_reason) values (%s, %s, %s, %s, 'brand refresh')",
                    (content_id, seeded.company_id, content["module_name"], "Zoë"),
                )
                api.execute("commit")

        await anyio.to_thread.run_sync(api_request)
        await until(completed(db_dsn, content_id, 3))
        third = versions(db_dsn, content_id)[2]
        assert (third["version"], third["is_current"], third["requested_via"]) == (3, True, "api")
        assert (third["reason"], third["requested_by"]) == ("brand refresh", seeded.user_id)

        # a human edit of the published module: quality gate, approval, a new version
        def human_edit() -> None:
            with (
                psycopg.connect(db_dsn, autocommit=True) as sync,
                acting_as(sync, "authenticated", admin) as api,
            ):
                api.execute(
                    "update cm_module_content set core_content = core_content || %s,"
                    " version = version + 1 where content_id = %s",
                    (" A reviewer's example: a pivot of sales by region.", content_id),
                )
                api.execute("commit")

        await anyio.to_thread.run_sync(human_edit)
        await until(completed(db_dsn, content_id, 4))
        await until(content_is(db_dsn, content_id, "published"))
        fourth = versions(db_dsn, content_id)[3]
        (now,) = fetch(
            db_dsn, "select * from cm_module_content where content_id = %(c)s", {"c": content_id}
        )
        assert (fourth["version"], fourth["is_current"]) == (4, True)
        assert fourth["content_version"] == now["version"] == content["version"] + 1
        assert fourth["reason"] == f"content version {now['version']}"
        transitions = fetch(
            db_dsn,
            "select old_status, new_status from pipeline.events where entity_id = %(c)s"
            " and event_id > (select max(event_id) from pipeline.events e"
            "                  where e.entity_id = %(c)s and e.new_status = 'published'"
            "                    and e.old_status = 'approved' and e.event_id < ("
            "                        select min(event_id) from pipeline.events"
            "                         where entity_id = %(c)s and old_status = 'published'))"
            " order by event_id",
            {"c": content_id},
        )
        assert [(t["old_status"], t["new_status"]) for t in transitions] == [
            ("published", "quality_check"),
            ("quality_check", "approved"),
            ("approved", "published"),
        ]

        # one section's video: its own version line
        result = await anyio.to_thread.run_sync(
            _cli,
            db_dsn,
            "media",
            "regenerate",
            str(content_id),
            "--reason",
            "intro only",
            "--section",
            "introduction",
        )
        assert result.exit_code == 0, result.output
        await until(completed(db_dsn, content_id, 5))
        section = [r for r in versions(db_dsn, content_id) if r["section_name"] == "introduction"]
        assert [(r["version"], r["is_current"]) for r in section] == [(1, True)]
        (video,) = fetch(
            db_dsn,
            "select a.section_name, s.session_type, s.content_sections"
            " from mm_multimedia_assets a join mm_multimedia_sessions s using (session_id)"
            " where a.session_id = %(s)s and a.asset_type = 'video'",
            {"s": section[0]["session_id"]},
        )
        assert video == {
            "section_name": "introduction",
            "session_type": "section_video",
            "content_sections": ["introduction"],
        }
        (generation,) = fetch(
            db_dsn,
            "select section_name from mm_script_generations where session_id = %(s)s",
            {"s": section[0]["session_id"]},
        )
        assert generation["section_name"] == "introduction"
        full = [r for r in versions(db_dsn, content_id) if r["section_name"] == "full_module"]
        assert [r["is_current"] for r in full] == [False, False, False, True]


def test_regenerate_refuses_what_it_cannot_do(db: psycopg.Connection[Any]) -> None:
    from tests.integration.schema_rows import seed_company

    ids = seed_company(db)
    with psycopg.connect(db.info.dsn, autocommit=True, row_factory=dict_row) as conn:
        with pytest.raises(RefusedError, match="is draft"):
            media.regenerate(conn, str(ids["cm_module_content"]), reason="x", actor="op")
        with pytest.raises(UnknownIdError):
            media.regenerate(conn, str(uuid.uuid4()), reason="x", actor="op")
        with pytest.raises(OpsInputError, match="--reason"):
            media.regenerate(conn, str(ids["cm_module_content"]), reason="  ", actor="op")
        with pytest.raises(OpsInputError, match="--section"):
            media.regenerate(
                conn, str(ids["cm_module_content"]), reason="x", actor="op", section="intro"
            )


@pytest.mark.anyio
async def test_a_module_requiring_approval_waits_for_the_approver(
    db_dsn: str, tmp_path: Path
) -> None:
    settings = workflow_settings(db_dsn, tmp_path)
    async with (
        await psycopg.AsyncConnection.connect(db_dsn, autocommit=True) as conn,
        in_process_daemon(settings, db_dsn, build_resources(settings)),
    ):
        seeded = await seed_course(conn, course(module("Pivot tables", "full")))
        with anyio.fail_after(120):
            while not await plan_settled(conn, seeded.plan_id):  # noqa: ASYNC110
                await anyio.sleep(0.3)
        (content,) = fetch(
            db_dsn, "select * from cm_module_content where plan_id = %(p)s", {"p": seeded.plan_id}
        )
        content_id = content["content_id"]
        admin = {
            "sub": str(seeded.user_id),
            "role": "company_admin",
            "company_id": str(seeded.company_id),
        }
        learner = {**admin, "role": "learner"}

        def api(claims: dict[str, Any], statement: str) -> int:
            with (
                psycopg.connect(db_dsn, autocommit=True) as sync,
                acting_as(sync, "authenticated", claims) as as_user,
            ):
                count = as_user.execute(statement, (content_id,)).rowcount
                as_user.execute("commit")
            return count

        flag = "update cm_module_content set requires_approval = true where content_id = %s"
        edit = (
            "update cm_module_content set introduction = introduction || ' Revised.',"
            " version = version + 1 where content_id = %s"
        )
        assert await anyio.to_thread.run_sync(api, admin, flag) == 1
        assert await anyio.to_thread.run_sync(api, admin, edit) == 1

        def waiting() -> bool:
            rows = fetch(
                db_dsn,
                "select status, approval_status from cm_module_content where content_id = %(c)s",
                {"c": content_id},
            )
            return rows == [{"status": "approved", "approval_status": "pending"}]

        await until(waiting)
        await anyio.sleep(1.5)  # time for a wrongly started session to appear
        assert len(versions(db_dsn, content_id)) == 1  # no media without the approver

        approve = "update cm_module_content set approval_status = 'approved' where content_id = %s"
        assert await anyio.to_thread.run_sync(api, learner, approve) == 0  # learners cannot
        assert await anyio.to_thread.run_sync(api, admin, approve) == 1
        await until(completed(db_dsn, content_id, 2))
        assert [(r["version"], r["is_current"]) for r in versions(db_dsn, content_id)] == [
            (1, False),
            (2, True),
        ]

        # media.publish follows the completed session
        await until(content_is(db_dsn, content_id, "published"))
