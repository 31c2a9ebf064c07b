"""Module content through the data API: create, read, update one / all sections, status."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest

from lxera_pipeline.data import content
from lxera_pipeline.data.errors import DataValidationError, RowNotFoundError
from tests.integration.data_support import (
    DataCtx,
    data_context,
    events_of,
    make_content,
    make_plan,
    row_of,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def ctx(schema_dsn: str) -> AsyncIterator[DataCtx]:
    async with data_context(schema_dsn) as value:
        yield value


async def test_create_and_read_back(ctx: DataCtx) -> None:
    created = await content.create_module_content(
        ctx.conn,
        company_id=ctx.seed.company_id,
        module_name="Financial Analysis",
        employee_name="Ada Lovelace",
        session_id="session-9",
        module_spec={"duration": "2h"},
        research_context={"sources": 3},
        priority_level="high",
        assigned_to=ctx.seed.employee_id,
        sections={"introduction": "one two  three\nfour"},
    )
    read = await content.get_module_content(ctx.conn, created.content_id)
    assert read == created
    assert (read.status, read.priority_level, read.revision_count) == ("draft", "high", 0)
    assert (read.module_spec, read.research_context) == ({"duration": "2h"}, {"sources": 3})
    assert read.introduction == "one two  three\nfour"
    assert read.total_word_count == 4  # counted by the database on any whitespace
    assert read.company_id == ctx.seed.company_id


async def test_create_with_an_id_is_idempotent(ctx: DataCtx) -> None:
    content_id = uuid.uuid4()
    first = await make_content(ctx.conn, ctx.seed, content_id=content_id)
    again = await make_content(ctx.conn, ctx.seed, content_id=content_id, module_name="Other")
    assert again == first
    assert [e["event_type"] for e in await events_of(ctx.conn, content_id)] == [
        "cm_module_content.created"
    ]


async def test_get_missing_content_is_none(ctx: DataCtx) -> None:
    assert await content.get_module_content(ctx.conn, uuid.uuid4()) is None
    assert await content.get_content_sections(ctx.conn, uuid.uuid4()) is None


async def test_update_one_section(ctx: DataCtx) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    updated = await content.update_section(
        ctx.conn, module.content_id, "case_studies", "a b c", base_version=module.version
    )
    sections = await content.get_content_sections(ctx.conn, module.content_id)
    assert sections is not None
    assert sections.case_studies == "a b c"
    assert sections.introduction == module.introduction  # others untouched
    assert updated.section_word_counts["case_studies"] == 3
    assert set(updated.section_updated_at) == {"case_studies"}


async def test_update_all_sections_in_one_statement(ctx: DataCtx) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    texts = {
        "introduction": "i",
        "core_content": "c c",
        "practical_applications": "p p p",
        "case_studies": None,
        "assessments": "a a a a",
    }
    ctx.conn.forget()
    updated = await content.update_sections(
        ctx.conn, module.content_id, texts, base_version=module.version
    )
    assert [method for method, _ in ctx.conn.statements] == ["execute"]
    sections = await content.get_content_sections(ctx.conn, module.content_id)
    assert sections is not None
    assert sections.as_dict() == texts
    assert updated.total_word_count == 10
    assert updated.sections().written() == {k: t for k, t in texts.items() if t}


async def test_unknown_section_is_refused_before_any_sql(ctx: DataCtx) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    before = await row_of(ctx.conn, "cm_module_content", "content_id", module.content_id)
    ctx.conn.forget()
    with pytest.raises(DataValidationError, match="section name: 'summary'"):
        await content.update_section(ctx.conn, module.content_id, "summary", "x", base_version=1)
    with pytest.raises(DataValidationError, match="'conclusion'"):
        await content.update_sections(
            ctx.conn, module.content_id, {"conclusion": "x"}, base_version=1
        )
    with pytest.raises(DataValidationError, match="'summary'"):
        await make_content(ctx.conn, ctx.seed, sections={"summary": "x"})
    assert ctx.conn.statements == []
    assert await row_of(ctx.conn, "cm_module_content", "content_id", module.content_id) == before


async def test_status_change_counts_revisions_and_emits_events(ctx: DataCtx) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    await content.set_content_status(ctx.conn, module.content_id, "quality_check")
    await content.set_content_status(ctx.conn, module.content_id, "revision")
    back = await content.set_content_status(
        ctx.conn, module.content_id, "quality_check", count_revision=True
    )
    assert (back.status, back.revision_count) == ("quality_check", 1)
    events = await events_of(ctx.conn, module.content_id)
    assert [(e["old_status"], e["new_status"]) for e in events] == [
        (None, "draft"),
        ("draft", "quality_check"),
        ("quality_check", "revision"),
        ("revision", "quality_check"),
    ]
    assert {e["company_id"] for e in events} == {ctx.seed.company_id}


async def test_failure_reason_is_kept_only_while_failed(ctx: DataCtx) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    failed = await content.set_content_status(
        ctx.conn, module.content_id, "failed", failure_reason="generator crashed"
    )
    again = await content.set_content_status(ctx.conn, module.content_id, "draft")
    assert (failed.failure_reason, again.failure_reason) == ("generator crashed", None)


async def test_unknown_status_is_refused_before_any_sql(ctx: DataCtx) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    ctx.conn.forget()
    with pytest.raises(DataValidationError, match=r"cm_module_content\.status: 'done'"):
        await content.set_content_status(ctx.conn, module.content_id, "done")
    with pytest.raises(DataValidationError, match="priority_level"):
        await make_content(ctx.conn, ctx.seed, priority_level="urgent")
    with pytest.raises(DataValidationError, match="content_id"):
        await content.get_module_content(ctx.conn, "not-a-uuid")  # type: ignore[arg-type]
    assert ctx.conn.statements == []


async def test_illegal_transition_is_refused_by_the_database(ctx: DataCtx) -> None:
    module = await make_content(ctx.conn, ctx.seed)
    with pytest.raises(psycopg.errors.CheckViolation, match="draft -> approved"):
        await content.set_content_status(ctx.conn, module.content_id, "approved")


async def test_missing_rows_raise_not_found(ctx: DataCtx) -> None:
    with pytest.raises(RowNotFoundError, match="cm_module_content"):
        await content.update_section(ctx.conn, uuid.uuid4(), "introduction", "x", base_version=1)
    with pytest.raises(RowNotFoundError):
        await content.set_content_status(ctx.conn, uuid.uuid4(), "failed")


async def test_list_plan_content(ctx: DataCtx) -> None:
    plan = await make_plan(ctx.conn, ctx.seed)
    first = await make_content(ctx.conn, ctx.seed, plan_id=plan.plan_id, module_name="One")
    second = await make_content(ctx.conn, ctx.seed, plan_id=plan.plan_id, module_name="Two")
    await make_content(ctx.conn, ctx.seed)  # another plan-less module
    listed = await content.list_plan_content(ctx.conn, plan.plan_id)
    assert [m.content_id for m in listed] == [first.content_id, second.content_id]
