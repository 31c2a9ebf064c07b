"""Multimedia sessions through the data API: create, status / stage / progress, events."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest

from lxera_pipeline.data import multimedia
from lxera_pipeline.data.errors import DataValidationError, RowNotFoundError
from lxera_pipeline.events.statuses import SESSION_STAGES, STAGE_PROGRESS
from tests.integration.data_support import (
    DataCtx,
    data_context,
    events_of,
    make_content,
    make_session,
    row_of,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def ctx(schema_dsn: str) -> AsyncIterator[DataCtx]:
    async with data_context(schema_dsn) as value:
        yield value


async def test_create_session_and_read_back(ctx: DataCtx) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    created = await multimedia.create_multimedia_session(
        ctx.conn,
        content_id=module.content_id,
        session_type="section_video",
        content_sections=["introduction"],
        generation_config={"voice": "nova"},
        initiated_by=ctx.seed.user_id,
    )
    read = await multimedia.get_multimedia_session(ctx.conn, created.session_id)
    assert read == created
    assert (read.status, read.current_stage, read.progress_percentage) == (
        "started",
        "initialization",
        0.0,
    )
    assert (read.module_name, read.employee_name) == (module.module_name, module.employee_name)
    assert (read.session_type, read.content_sections) == ("section_video", ["introduction"])
    assert read.generation_config == {"voice": "nova"}
    assert (read.company_id, read.initiated_by) == (ctx.seed.company_id, ctx.seed.user_id)
    assert await multimedia.get_multimedia_session(ctx.conn, uuid.uuid4()) is None


async def test_sections_default_to_those_with_text(ctx: DataCtx) -> None:
    module, session = await make_session(ctx.conn, ctx.seed, module_name="Custom name")
    assert module.sections().written().keys() == {"introduction", "core_content"}
    assert session.content_sections == ["introduction", "core_content"]
    assert session.module_name == "Custom name"
    listed = await multimedia.list_content_sessions(ctx.conn, module.content_id)
    assert [s.session_id for s in listed] == [session.session_id]


async def test_idempotent_create_and_missing_content(ctx: DataCtx) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    session_id = uuid.uuid4()
    first = await multimedia.create_multimedia_session(
        ctx.conn, content_id=module.content_id, session_id=session_id
    )
    again = await multimedia.create_multimedia_session(
        ctx.conn, content_id=module.content_id, session_id=session_id, session_type="audio_only"
    )
    assert again == first
    with pytest.raises(RowNotFoundError, match="cm_module_content"):
        await multimedia.create_multimedia_session(ctx.conn, content_id=uuid.uuid4())


async def test_walk_every_stage_with_standard_progress(ctx: DataCtx) -> None:
    _, session = await make_session(ctx.conn, ctx.seed)
    await multimedia.update_session_status(ctx.conn, session.session_id, status="processing")
    seen = []
    for stage in SESSION_STAGES[1:]:
        updated = await multimedia.update_session_status(ctx.conn, session.session_id, stage=stage)
        seen.append((updated.current_stage, updated.progress_percentage))
    assert seen == [(stage, float(STAGE_PROGRESS[stage])) for stage in SESSION_STAGES[1:]]
    done = await multimedia.update_session_status(
        ctx.conn,
        session.session_id,
        status="completed",
        total_assets_generated=9,
        slides_generated=5,
        audio_files_generated=3,
        video_files_generated=1,
        tokens_used=1234,
    )
    assert done == await multimedia.get_multimedia_session(ctx.conn, session.session_id)
    assert (done.status, done.progress_percentage) == ("completed", 100.0)
    counters = (
        done.total_assets_generated,
        done.slides_generated,
        done.audio_files_generated,
        done.video_files_generated,
        done.tokens_used,
    )
    assert counters == (9, 5, 3, 1, 1234)
    assert done.completed_at is not None
    assert done.processing_duration_seconds is not None


async def test_status_and_stage_updates_emit_events(ctx: DataCtx) -> None:
    _, session = await make_session(ctx.conn, ctx.seed)
    await multimedia.update_session_status(
        ctx.conn, session.session_id, status="processing", stage="script_generation", progress=12.5
    )
    failed = await multimedia.update_session_status(
        ctx.conn, session.session_id, status="failed", error_details="tts down"
    )
    retried = await multimedia.update_session_status(
        ctx.conn, session.session_id, status="processing"
    )
    assert (failed.error_details, failed.progress_percentage) == ("tts down", 12.5)
    assert retried.retry_count == 1
    events = [
        (e["status_column"], e["old_status"], e["new_status"])
        for e in await events_of(ctx.conn, session.session_id)
    ]
    assert sorted(events[:2]) == [
        ("current_stage", None, "initialization"),
        ("status", None, "started"),
    ]
    assert sorted(events[2:4]) == [
        ("current_stage", "initialization", "script_generation"),
        ("status", "started", "processing"),
    ]
    assert events[4:] == [("status", "processing", "failed"), ("status", "failed", "processing")]


async def test_skipping_a_stage_is_refused_by_the_database(ctx: DataCtx) -> None:
    _, session = await make_session(ctx.conn, ctx.seed)
    with pytest.raises(psycopg.errors.CheckViolation, match="initialization -> video_assembly"):
        await multimedia.update_session_status(ctx.conn, session.session_id, stage="video_assembly")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"status": "done"}, r"mm_multimedia_sessions\.status: 'done'"),
        ({"stage": "rendering"}, r"mm_multimedia_sessions\.current_stage: 'rendering'"),
        ({"progress": 101}, "progress_percentage: 101"),
        ({"progress": -1}, "progress_percentage: -1"),
        ({"slides_generated": -3}, "slides_generated: -3"),
        ({"stage": "uploading", "progress": 250.0}, "progress_percentage: 250.0"),
    ],
)
async def test_bad_updates_are_refused_before_any_sql(
    ctx: DataCtx, arguments: dict[str, object], message: str
) -> None:
    _, session = await make_session(ctx.conn, ctx.seed)
    before = await row_of(ctx.conn, "mm_multimedia_sessions", "session_id", session.session_id)
    ctx.conn.forget()
    with pytest.raises(DataValidationError, match=message):
        await multimedia.update_session_status(ctx.conn, session.session_id, **arguments)  # type: ignore[arg-type]
    assert ctx.conn.statements == []
    after = await row_of(ctx.conn, "mm_multimedia_sessions", "session_id", session.session_id)
    assert after == before


async def test_bad_session_creation_is_refused_before_any_sql(ctx: DataCtx) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    ctx.conn.forget()
    with pytest.raises(DataValidationError, match="session_type: 'full_course'"):
        await multimedia.create_multimedia_session(
            ctx.conn, content_id=module.content_id, session_type="full_course"
        )
    with pytest.raises(DataValidationError, match="content_sections: 'module_name'"):
        await multimedia.create_multimedia_session(
            ctx.conn, content_id=module.content_id, content_sections=["module_name"]
        )
    assert ctx.conn.statements == []
    assert await multimedia.list_content_sessions(ctx.conn, module.content_id) == []


async def test_update_of_missing_session(ctx: DataCtx) -> None:
    with pytest.raises(RowNotFoundError, match="mm_multimedia_sessions"):
        await multimedia.update_session_status(ctx.conn, uuid.uuid4(), status="processing")
