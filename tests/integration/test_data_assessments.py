"""Quality assessments and enhancement sessions through the data API."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from lxera_pipeline.data import assessments, content, enhancements
from lxera_pipeline.data.errors import DataValidationError, RowNotFoundError
from tests.integration.data_support import DataCtx, data_context, events_of, make_content, row_of

pytestmark = pytest.mark.anyio


@pytest.fixture
async def ctx(schema_dsn: str) -> AsyncIterator[DataCtx]:
    async with data_context(schema_dsn) as value:
        yield value


async def test_store_and_read_latest_assessment(ctx: DataCtx) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    assert await assessments.get_latest_assessment(ctx.conn, module.content_id) is None
    first = await assessments.store_quality_assessment(
        ctx.conn, module.content_id, overall_score=6.2, passed=False
    )
    second = await assessments.store_quality_assessment(
        ctx.conn,
        module.content_id,
        overall_score=8.5,
        passed=True,
        section_scores={"introduction": 9.0, "core_content": 8.1},
        accuracy_score=9.0,
        clarity_score=8.0,
        completeness_score=7.5,
        engagement_score=10.0,
        personalization_score=0.0,
        quality_feedback="Clear and complete",
        word_count_assessment={"total": 900},
        critical_issues=["none"],
        improvement_suggestions=["more examples"],
        sections_needing_work=["case_studies"],
        module_context={"priority": "high"},
        assessment_duration_seconds=3,
    )
    latest = await assessments.get_latest_assessment(ctx.conn, module.content_id)
    assert latest == second
    assert (first.requires_revision, second.requires_revision) == (True, False)
    assert (latest.overall_score, latest.accuracy_score, latest.personalization_score) == (
        8.5,
        9.0,
        0.0,
    )
    assert latest.section_scores == {"introduction": 9.0, "core_content": 8.1}
    assert latest.critical_issues == ["none"]
    assert latest.improvement_suggestions == ["more examples"]
    assert latest.sections_needing_work == ["case_studies"]
    assert latest.company_id == ctx.seed.company_id
    listed = await assessments.list_assessments(ctx.conn, module.content_id)
    assert [a.assessment_id for a in listed] == [first.assessment_id, second.assessment_id]
    refreshed = await content.get_module_content(ctx.conn, module.content_id)
    assert refreshed is not None
    assert refreshed.last_quality_check is not None
    assert refreshed.section_quality_scores == {"introduction": 9.0, "core_content": 8.1}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"overall_score": 10.5}, "overall_score: 10.5"),
        ({"overall_score": -0.1}, "overall_score: -0.1"),
        ({"clarity_score": 11}, "clarity_score: 11"),
        ({"section_scores": {"introduction": 12.0}}, "section_scores\\['introduction'\\]"),
        ({"section_scores": {"summary": 5.0}}, "section_scores key: 'summary'"),
        ({"sections_needing_work": ["epilogue"]}, "sections_needing_work: 'epilogue'"),
    ],
)
async def test_bad_assessment_is_refused_before_any_sql(
    ctx: DataCtx, arguments: dict[str, object], message: str
) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    before = await row_of(ctx.conn, "cm_module_content", "content_id", module.content_id)
    ctx.conn.forget()
    values: dict[str, object] = {"overall_score": 7.0, "passed": True} | arguments
    with pytest.raises(DataValidationError, match=message):
        await assessments.store_quality_assessment(ctx.conn, module.content_id, **values)  # type: ignore[arg-type]
    assert ctx.conn.statements == []
    assert await assessments.list_assessments(ctx.conn, module.content_id) == []
    assert await row_of(ctx.conn, "cm_module_content", "content_id", module.content_id) == before


async def test_assessment_of_missing_content(ctx: DataCtx) -> None:
    with pytest.raises(RowNotFoundError, match="cm_module_content"):
        await assessments.store_quality_assessment(
            ctx.conn, uuid.uuid4(), overall_score=5.0, passed=False
        )


async def test_enhancement_session_round_trip(ctx: DataCtx) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    assessment = await assessments.store_quality_assessment(
        ctx.conn, module.content_id, overall_score=6.4, passed=False
    )
    created = await enhancements.create_enhancement_session(
        ctx.conn,
        content_id=module.content_id,
        sections_to_enhance=["core_content", "case_studies"],
        quality_assessment_id=assessment.assessment_id,
    )
    assert created == await enhancements.get_enhancement_session(ctx.conn, created.session_id)
    assert created.status == "started"
    assert created.quality_score_before == 6.4  # from the assessment
    assert created.word_count_before == module.total_word_count
    assert created.sections_preserved == ["introduction", "practical_applications", "assessments"]
    linked = await content.get_module_content(ctx.conn, module.content_id)
    assert linked is not None
    assert linked.last_enhancement_id == created.session_id

    await enhancements.advance_enhancement_session(
        ctx.conn, created.session_id, "research_complete", research_conducted=True
    )
    await enhancements.advance_enhancement_session(
        ctx.conn, created.session_id, "content_enhanced", content_regenerated=True
    )
    noted = await enhancements.advance_enhancement_session(
        ctx.conn, created.session_id, enhancement_tokens_used=50, content_tokens_used=70
    )
    assert (noted.status, noted.enhancement_tokens_used, noted.completed_at) == (
        "content_enhanced",
        50,
        None,
    )
    done = await enhancements.advance_enhancement_session(
        ctx.conn, created.session_id, "completed", word_count_after=1200, quality_score_after=8.1
    )
    assert (done.research_conducted, done.content_regenerated, done.success) == (True, True, True)
    assert (done.word_count_after, done.quality_score_after) == (1200, 8.1)
    assert done.completed_at is not None
    assert done.duration_seconds is not None
    assert [e["new_status"] for e in await events_of(ctx.conn, created.session_id)] == [
        "started",
        "research_complete",
        "content_enhanced",
        "completed",
    ]
    listed = await enhancements.list_enhancement_sessions(ctx.conn, module.content_id)
    assert [s.session_id for s in listed] == [created.session_id]


async def test_enhancement_failure_and_idempotent_create(ctx: DataCtx) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    session_id = uuid.uuid4()
    first = await enhancements.create_enhancement_session(
        ctx.conn,
        content_id=module.content_id,
        sections_to_enhance=["introduction"],
        session_id=session_id,
        quality_score_before=5.5,
    )
    again = await enhancements.create_enhancement_session(
        ctx.conn,
        content_id=module.content_id,
        sections_to_enhance=["assessments"],
        session_id=session_id,
    )
    assert again == first
    failed = await enhancements.advance_enhancement_session(
        ctx.conn, session_id, "failed", error_details="model refused"
    )
    assert (failed.status, failed.success, failed.error_details) == (
        "failed",
        False,
        "model refused",
    )


async def test_bad_enhancement_arguments_are_refused_before_any_sql(ctx: DataCtx) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    ctx.conn.forget()
    with pytest.raises(DataValidationError, match="sections_to_enhance: 'outro'"):
        await enhancements.create_enhancement_session(
            ctx.conn, content_id=module.content_id, sections_to_enhance=["outro"]
        )
    with pytest.raises(DataValidationError, match="at least one section"):
        await enhancements.create_enhancement_session(
            ctx.conn, content_id=module.content_id, sections_to_enhance=[]
        )
    with pytest.raises(DataValidationError, match="enhancement_type: 'total'"):
        await enhancements.create_enhancement_session(
            ctx.conn,
            content_id=module.content_id,
            sections_to_enhance=["introduction"],
            enhancement_type="total",
        )
    with pytest.raises(DataValidationError, match=r"cm_enhancement_sessions\.status: 'done'"):
        await enhancements.advance_enhancement_session(ctx.conn, uuid.uuid4(), "done")
    with pytest.raises(DataValidationError, match="quality_score_after: 12"):
        await enhancements.advance_enhancement_session(
            ctx.conn, uuid.uuid4(), quality_score_after=12
        )
    assert ctx.conn.statements == []
    assert await enhancements.list_enhancement_sessions(ctx.conn, module.content_id) == []
