"""Limits, replayed as the issue describes with the real workflow handlers running: a plan with
10,000 modules, a 100 KB title, an oversized JSON document or text, a JSON column of the wrong
shape. Each over-limit plan ends 'failed' with an error_message naming the limit (and the setting
that changes it) and creates no child row; the database refuses what no setting may allow."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import AsyncConnection, errors

from lxera_pipeline.cli.demo.seed import DemoCourse, seed_course
from lxera_pipeline.data.content import create_module_content
from tests.integration.schema_rows import acting_as, seed_company, set_column
from tests.integration.workflow_support import fetch, module
from tests.security.support import nothing_open, people, run_daemon_until, settings_for


def _modules(count: int, **extra: Any) -> tuple[dict[str, Any], ...]:
    return tuple({**module(f"Module {n}", "full"), **extra} for n in range(1, count + 1))


async def _plan_fails(dsn: str, tmp_path: Path, demo: DemoCourse, **limits: Any) -> UUID:
    """Seed ``demo`` and run the daemon until its plan is settled; returns the plan id."""
    settings = settings_for(dsn, tmp_path, **limits)
    plan: dict[str, UUID] = {}

    async def setup(conn: AsyncConnection[Any]) -> None:
        plan["id"] = (await seed_course(conn, demo)).plan_id

    def settled() -> bool:
        params = {"p": plan.get("id")}
        rows = fetch(dsn, "select status from cm_course_plans where plan_id = %(p)s", params)
        return bool(rows) and rows[0]["status"] in ("failed", "delivered") and nothing_open(dsn)

    await run_daemon_until(dsn, settings, setup, settled)
    return plan["id"]


def _failed_with_no_children(dsn: str, plan_id: UUID) -> str:
    [plan] = fetch(
        dsn,
        "select status, error_message, total_modules from cm_course_plans where plan_id = %(p)s",
        {"p": plan_id},
    )
    assert plan["status"] == "failed"
    for table in ("cm_research_results", "cm_module_content"):
        assert fetch(dsn, f"select 1 from {table} where plan_id = %(p)s", {"p": plan_id}) == []
    assert fetch(dsn, "select 1 from mm_multimedia_sessions") == []
    return str(plan["error_message"])


@pytest.mark.anyio
async def test_a_plan_with_ten_thousand_modules_fails_naming_the_limit(
    db_dsn: str, tmp_path: Path
) -> None:
    demo = DemoCourse(modules=_modules(10_000))
    plan_id = await _plan_fails(db_dsn, tmp_path, demo)
    message = _failed_with_no_children(db_dsn, plan_id)
    assert message == (
        "course_structure has 10000 modules; the limit is 200 (LXERA_MAX_MODULES_PER_PLAN)"
    )


@pytest.mark.anyio
async def test_the_module_limit_is_a_setting(db_dsn: str, tmp_path: Path) -> None:
    demo = DemoCourse(modules=_modules(3))
    plan_id = await _plan_fails(db_dsn, tmp_path, demo, max_modules_per_plan=2)
    message = _failed_with_no_children(db_dsn, plan_id)
    assert message == "course_structure has 3 modules; the limit is 2 (LXERA_MAX_MODULES_PER_PLAN)"


@pytest.mark.anyio
async def test_a_100_kb_title_fails_at_once(db_dsn: str, tmp_path: Path) -> None:
    title = "T" * 100_000
    demo = DemoCourse(modules=({**module("x", "full"), "title": title},))
    started = time.process_time()
    plan_id = await _plan_fails(db_dsn, tmp_path, demo)
    message = _failed_with_no_children(db_dsn, plan_id)
    assert message == (
        "the title of module 1 has 100000 characters; the limit is 200 (LXERA_MAX_TITLE_CHARS)"
    )
    assert time.process_time() - started < 5.0  # nothing rendered a 100 KB title


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("limits", "modules", "expected"),
    [
        (
            {"max_json_bytes": 2_000},
            _modules(1, description="d" * 3_000),
            "course_structure has {size} bytes; the limit is 2000 (LXERA_MAX_JSON_BYTES)",
        ),
        (
            {"max_text_chars": 100},
            _modules(1, description="d" * 150),
            "description of module 1 has 150 characters; the limit is 100 (LXERA_MAX_TEXT_CHARS)",
        ),
        (
            {"max_text_chars": 100},
            _modules(1, learning_objectives=["ok", "o" * 101]),
            "learning_objectives of module 1 has 101 characters; the limit is 100 "
            "(LXERA_MAX_TEXT_CHARS)",
        ),
    ],
)
async def test_json_and_text_limits_fail_the_plan_naming_them(
    db_dsn: str,
    tmp_path: Path,
    limits: dict[str, int],
    modules: tuple[dict[str, Any], ...],
    expected: str,
) -> None:
    demo = DemoCourse(modules=modules)
    plan_id = await _plan_fails(db_dsn, tmp_path, demo, **limits)
    message = _failed_with_no_children(db_dsn, plan_id)
    structure = {"modules": [dict(m) for m in modules]}
    size = len(json.dumps(structure, separators=(",", ":"), ensure_ascii=False).encode())
    assert message == expected.format(size=size)


@pytest.mark.anyio
async def test_a_module_row_over_the_title_cap_fails_before_anything_is_written(
    db_dsn: str, tmp_path: Path
) -> None:
    """A module row (whose name an admin may set) is capped where the handlers read it."""
    settings = settings_for(db_dsn, tmp_path)
    made: dict[str, Any] = {}

    async def setup(conn: AsyncConnection[Any]) -> None:
        company, employee = await people(conn)
        content = await create_module_content(
            conn,
            company_id=company,
            module_name="N" * 900,
            employee_name="Zoë",
            session_id="s-limits",
            module_spec={"description": "no title: the module name stands in"},
            assigned_to=employee,
        )
        made["content"] = content.content_id

    def failed() -> bool:
        rows = fetch(db_dsn, "select status from cm_module_content")
        return bool(rows) and rows[0]["status"] == "failed" and nothing_open(db_dsn)

    await run_daemon_until(db_dsn, settings, setup, failed)
    [content] = fetch(db_dsn, "select * from cm_module_content")
    assert content["failure_reason"] == (
        "new -> draft handling gave up: module_name has 900 characters; the limit is 200 "
        "(LXERA_MAX_TITLE_CHARS)"
    )
    assert content["total_word_count"] == 0


def test_the_database_refuses_what_no_setting_allows(db_dsn: str) -> None:
    """A company admin cannot store a 100 KB title or a JSON column of the wrong shape."""
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        ids = seed_company(conn)
        claims = {
            "sub": str(ids["users"]),
            "role": "company_admin",
            "company_id": str(ids["companies"]),
        }
        attempts: list[tuple[str, str, Any, str]] = [
            ("cm_course_plans", "course_title", "T" * 100_000, "course_title_length_check"),
            ("cm_module_content", "module_name", "T" * 100_000, "module_name_length_check"),
            ("mm_multimedia_sessions", "module_name", "T" * 1_001, "module_name_length_check"),
            ("cm_course_plans", "course_structure", "[]", "course_structure_shape_check"),
            ("cm_module_content", "module_spec", '"x"', "module_spec_shape_check"),
        ]
        for table, column, value, constraint in attempts:
            with (
                acting_as(conn, "authenticated", claims) as api,
                pytest.raises(errors.CheckViolation, match=constraint),
            ):
                set_column(api, table, ids[table], column, value)
        # Columns only the pipeline writes have their shapes too.
        for table, column, value in (
            ("mm_slide_presentations", "slide_order", "{}"),
            ("cm_research_results", "research_findings", "[]"),
        ):
            with (
                acting_as(conn, "service_role") as api,
                pytest.raises(errors.CheckViolation, match=f"{column}_shape_check"),
            ):
                set_column(api, table, ids[table], column, value)


@pytest.mark.anyio
async def test_a_module_spec_without_a_title_uses_the_module_name(
    db_dsn: str, tmp_path: Path
) -> None:
    settings = settings_for(db_dsn, tmp_path)

    async def setup(conn: AsyncConnection[Any]) -> None:
        company, employee = await people(conn)
        await create_module_content(
            conn,
            company_id=company,
            module_name="Budgets",
            employee_name="Zoë",
            session_id="s-untitled",
            module_spec={"description": "Plan a budget.", "demo_quality": "full"},
            assigned_to=employee,
        )

    def written() -> bool:
        rows = fetch(db_dsn, "select status from cm_module_content")
        return bool(rows) and rows[0]["status"] not in ("draft",)

    await run_daemon_until(db_dsn, settings, setup, written)
    [content] = fetch(db_dsn, "select * from cm_module_content")
    assert content["status"] != "failed", content["failure_reason"]
    assert content["total_word_count"] > 0
    assert "Budgets" in (content["introduction"] or "")
