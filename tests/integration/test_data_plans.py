"""Course plans and research results through the data API."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from lxera_pipeline.data import plans, research
from lxera_pipeline.data.errors import DataValidationError, RowNotFoundError
from tests.integration.data_support import DataCtx, data_context, events_of, make_plan, row_of

pytestmark = pytest.mark.anyio


@pytest.fixture
async def ctx(schema_dsn: str) -> AsyncIterator[DataCtx]:
    async with data_context(schema_dsn) as value:
        yield value


async def test_create_plan_and_read_back(ctx: DataCtx) -> None:
    created = await make_plan(
        ctx.conn,
        ctx.seed,
        course_title="Finance for analysts",
        course_structure={"modules": [{"title": "Ratios"}]},
        prioritized_gaps={"excel": "high"},
        employee_profile={"role": "Analyst"},
        total_modules=1,
        course_duration_weeks=4,
        status="completed",
        metadata={"source": "test"},
    )
    read = await plans.get_course_plan(ctx.conn, created.plan_id)
    assert read == created
    assert read.course_structure == {"modules": [{"title": "Ratios"}]}
    assert (read.status, read.total_modules, read.course_duration_weeks) == ("completed", 1, 4)
    assert (read.employee_id, read.company_id) == (ctx.seed.employee_id, ctx.seed.company_id)
    assert await plans.get_course_plan(ctx.conn, uuid.uuid4()) is None


async def test_plan_status_moves_and_emits_events(ctx: DataCtx) -> None:
    plan = await make_plan(ctx.conn, ctx.seed)
    failed = await plans.set_plan_status(ctx.conn, plan.plan_id, "failed", error_message="boom")
    done = await plans.set_plan_status(
        ctx.conn, plan.plan_id, "completed", course_structure={"modules": []}, total_modules=0
    )
    assert (failed.status, failed.error_message) == ("failed", "boom")
    assert (done.status, done.error_message, done.total_modules) == ("completed", None, 0)
    assert done.course_structure == {"modules": []}
    assert [
        (e["old_status"], e["new_status"]) for e in await events_of(ctx.conn, plan.plan_id)
    ] == [
        (None, "planning"),
        ("planning", "failed"),
        ("failed", "completed"),
    ]


async def test_plan_arguments_are_validated_before_sql(ctx: DataCtx) -> None:
    plan = await make_plan(ctx.conn, ctx.seed)
    before = await row_of(ctx.conn, "cm_course_plans", "plan_id", plan.plan_id)
    ctx.conn.forget()
    with pytest.raises(DataValidationError, match=r"cm_course_plans\.status: 'approved'"):
        await plans.set_plan_status(ctx.conn, plan.plan_id, "approved")
    with pytest.raises(DataValidationError, match="total_modules: -1"):
        await make_plan(ctx.conn, ctx.seed, total_modules=-1)
    with pytest.raises(DataValidationError, match="employee_name"):
        await plans.create_course_plan(
            ctx.conn,
            company_id=ctx.seed.company_id,
            employee_id=ctx.seed.employee_id,
            employee_name=" ",
            session_id="s",
        )
    assert ctx.conn.statements == []
    assert await row_of(ctx.conn, "cm_course_plans", "plan_id", plan.plan_id) == before


async def test_set_status_of_missing_plan(ctx: DataCtx) -> None:
    with pytest.raises(RowNotFoundError, match="cm_course_plans"):
        await plans.set_plan_status(ctx.conn, uuid.uuid4(), "failed")


async def test_research_round_trip(ctx: DataCtx) -> None:
    plan = await make_plan(ctx.conn, ctx.seed, status="completed")
    started = await research.create_research_result(
        ctx.conn, plan_id=plan.plan_id, search_queries=["ratio analysis"]
    )
    assert (started.status, started.session_id, started.company_id) == (
        "started",
        plan.session_id,
        plan.company_id,
    )
    completed = await research.complete_research_result(
        ctx.conn,
        started.research_id,
        research_findings={"ratios": ["current", "quick"]},
        content_library={"articles": 2},
        module_mappings={"Ratios": ["current"]},
        total_topics=2,
        total_sources=5,
        sources_analyzed=["https://example.com/a"],
        execution_metrics={"seconds": 1.5},
    )
    read = await research.get_research_result(ctx.conn, started.research_id)
    assert read == completed
    assert read.status == "completed"
    assert read.research_findings == {"ratios": ["current", "quick"]}
    assert (read.total_topics, read.total_sources) == (2, 5)
    assert read.search_queries == ["ratio analysis"]  # kept: not given again
    assert read.sources_analyzed == ["https://example.com/a"]
    assert [e["new_status"] for e in await events_of(ctx.conn, started.research_id)] == [
        "started",
        "completed",
    ]


async def test_research_failure_and_latest(ctx: DataCtx) -> None:
    plan = await make_plan(ctx.conn, ctx.seed)
    first = await research.create_research_result(ctx.conn, plan_id=plan.plan_id)
    failed = await research.fail_research_result(ctx.conn, first.research_id, "search timed out")
    second = await research.create_research_result(ctx.conn, plan_id=plan.plan_id)
    latest = await research.get_latest_research(ctx.conn, plan.plan_id)
    assert (failed.status, failed.error_message) == ("failed", "search timed out")
    assert latest is not None
    assert latest.research_id == second.research_id
    assert await research.get_latest_research(ctx.conn, uuid.uuid4()) is None


async def test_research_idempotent_create_and_missing_plan(ctx: DataCtx) -> None:
    plan = await make_plan(ctx.conn, ctx.seed)
    research_id = uuid.uuid4()
    first = await research.create_research_result(
        ctx.conn, plan_id=plan.plan_id, research_id=research_id
    )
    again = await research.create_research_result(
        ctx.conn, plan_id=plan.plan_id, research_id=research_id
    )
    assert again == first
    with pytest.raises(RowNotFoundError, match="cm_course_plans"):
        await research.create_research_result(ctx.conn, plan_id=uuid.uuid4())


async def test_research_arguments_are_validated_before_sql(ctx: DataCtx) -> None:
    ctx.conn.forget()
    with pytest.raises(DataValidationError, match="research_findings"):
        await research.complete_research_result(
            ctx.conn,
            uuid.uuid4(),
            research_findings=None,  # type: ignore[arg-type]
        )
    with pytest.raises(DataValidationError, match="total_sources: -2"):
        await research.complete_research_result(
            ctx.conn, uuid.uuid4(), research_findings={}, total_sources=-2
        )
    with pytest.raises(DataValidationError, match="error_message"):
        await research.fail_research_result(ctx.conn, uuid.uuid4(), "")
    assert ctx.conn.statements == []
