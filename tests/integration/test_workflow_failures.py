"""Failure paths of the workflow: a module that never passes its quality gate fails right after
its last allowed enhancement; a media stage that runs out of attempts fails its session with
error_details, and setting the session back to 'processing' finishes it from that stage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from psycopg import AsyncConnection

from lxera_pipeline.cli.demo.daemon import in_process_daemon
from lxera_pipeline.cli.demo.seed import seed_course
from lxera_pipeline.generators.media.models import Narration, VoiceSettings
from lxera_pipeline.generators.media.ports import Narrator
from lxera_pipeline.generators.types import Script
from lxera_pipeline.handlers.workflow.resources import build_resources
from tests.integration.workflow_support import course, drive, fetch, module, workflow_settings


@pytest.mark.anyio
@pytest.mark.parametrize("limit", [2, 1])
async def test_a_module_that_never_passes_fails_after_its_last_enhancement(
    db_dsn: str, tmp_path: Path, limit: int
) -> None:
    settings = workflow_settings(db_dsn, tmp_path, max_enhancement_attempts=limit)
    seeded, _ = await drive(db_dsn, settings, course(module("Budgets", "stub", "low")))
    [content] = fetch(db_dsn, "select * from cm_module_content")
    assert content["status"] == "failed"
    assert content["revision_count"] == limit
    assert f"after {limit} enhancement attempt(s); the maximum is {limit}" in (
        content["failure_reason"] or ""
    )
    history = [
        e["new_status"]
        for e in fetch(
            db_dsn,
            "select new_status from pipeline.events where table_name = 'cm_module_content' "
            "order by event_id",
        )
    ]
    assert history == ["draft", "quality_check", *["revision", "quality_check"] * limit, "failed"]
    gates = fetch(db_dsn, "select passed from cm_quality_assessments order by assessed_at")
    assert [g["passed"] for g in gates] == [False] * (limit + 1)
    enhancements = fetch(db_dsn, "select status from cm_enhancement_sessions")
    assert [e["status"] for e in enhancements] == ["completed"] * limit
    [plan] = fetch(db_dsn, "select status, error_message from cm_course_plans")
    assert plan["status"] == "failed"
    assert "all 1 modules failed" in plan["error_message"]
    assert fetch(db_dsn, "select * from mm_multimedia_sessions") == []
    assert seeded.plan_id is not None


class FlakyNarrator:
    """Fails every call until ``healed``, then speaks with the real narrator."""

    def __init__(self, real: Narrator) -> None:
        self.real, self.healed, self.calls = real, False, 0

    async def narrate(
        self, script: Script, output_dir: Path, voice: VoiceSettings | None = None
    ) -> Narration:
        self.calls += 1
        if not self.healed:
            raise RuntimeError("speech engine unavailable")
        return await self.real.narrate(script, output_dir, voice)


async def _session(conn: AsyncConnection[Any]) -> tuple[Any, ...] | None:
    cur = await conn.execute(
        "select session_id, status, current_stage, error_details, retry_count "
        "from mm_multimedia_sessions"
    )
    return await cur.fetchone()


async def _wait_for(conn: AsyncConnection[Any], status: str) -> tuple[Any, ...]:
    with anyio.fail_after(60):
        while (row := await _session(conn)) is None or row[1] != status:  # noqa: ASYNC110
            await anyio.sleep(0.2)
    return row


@pytest.mark.anyio
async def test_a_stage_out_of_attempts_fails_the_session_and_a_retry_resumes_it(
    db_dsn: str, tmp_path: Path
) -> None:
    settings = workflow_settings(db_dsn, tmp_path)
    resources = build_resources(settings)
    flaky = FlakyNarrator(resources.narrator)
    resources = resources.replace(narrator=flaky)
    async with (
        await AsyncConnection.connect(db_dsn, autocommit=True) as conn,
        in_process_daemon(settings, db_dsn, resources),
    ):
        await seed_course(conn, course(module("Forecasts", "full")))
        session_id, _, stage, error, _ = await _wait_for(conn, "failed")
        assert stage == "audio_generation"
        # The tenant sees a short message; the raw error text stays in the dead letter.
        assert error.startswith("audio_generation: internal error (RuntimeError)")
        assert "speech engine unavailable" not in error
        cur = await conn.execute(
            "select last_error from pipeline.deliveries where handler = 'media.narration'"
        )
        [(last_error,)] = await cur.fetchall()
        assert "speech engine unavailable" in last_error
        assert flaky.calls == 3  # the media stages' max_attempts
        flaky.healed = True
        await conn.execute(
            "update mm_multimedia_sessions set status = 'processing' where session_id = %(s)s",
            {"s": session_id},
        )
        await _wait_for(conn, "completed")
    [session] = fetch(db_dsn, "select * from mm_multimedia_sessions")
    assert session["current_stage"] == "completed"
    assert session["video_files_generated"] == 1
    outcomes = fetch(
        db_dsn,
        "select handler, outcome from pipeline.audit_log where handler like 'media.%%' "
        "order by audit_id",
    )
    narration = [
        (r["handler"], r["outcome"])
        for r in outcomes
        if r["handler"] in ("media.narration", "media.retry")
    ]
    assert narration == [
        ("media.narration", "failed"),
        ("media.narration", "failed"),
        ("media.narration", "dead"),
        ("media.retry", "succeeded"),
    ]
    slides = [r for r in outcomes if r["handler"] == "media.slides"]
    assert [r["outcome"] for r in slides] == ["succeeded"]
    [plan] = fetch(db_dsn, "select status from cm_course_plans")
    assert plan["status"] == "delivered"


class BrokenWriter:
    async def write(self, module: Any, research: Any, learner: Any) -> Any:
        raise ValueError("the writing model is unreachable")


@pytest.mark.anyio
async def test_a_step_out_of_attempts_fails_its_content_and_settles_the_plan(
    db_dsn: str, tmp_path: Path
) -> None:
    settings = workflow_settings(db_dsn, tmp_path, max_attempts=2)
    resources = build_resources(settings).replace(writer=BrokenWriter())
    await drive(db_dsn, settings, course(module("Audits", "full")), resources=resources)
    [content] = fetch(db_dsn, "select status, failure_reason from cm_module_content")
    assert content["status"] == "failed"
    assert "new -> draft handling gave up" in content["failure_reason"]
    # Raw exception text stays in the dead letter; the tenant gets the type and where to look.
    assert "internal error (ValueError)" in content["failure_reason"]
    assert "the writing model is unreachable" not in content["failure_reason"]
    [dead] = fetch(db_dsn, "select last_error from pipeline.deliveries where state = 'dead'")
    assert "the writing model is unreachable" in dead["last_error"]
    writes = fetch(db_dsn, "select outcome from pipeline.audit_log where handler = 'content.write'")
    assert [w["outcome"] for w in writes] == ["failed", "dead"]
    [plan] = fetch(db_dsn, "select status from cm_course_plans")
    assert plan["status"] == "failed"
