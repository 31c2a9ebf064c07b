"""The workflow tables' constraints: value sets equal to statuses.py, named CHECK violations,
company consistency, defaults, database-computed word counts and updated_at on every table."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from psycopg import errors, sql

from lxera_pipeline.events.statuses import STATUS_SETS
from tests.integration.schema_rows import (
    COMPANY_TABLES,
    KEYS,
    TABLES,
    Conn,
    insert_row,
    seed_company,
    set_column,
)

TYPE_SETS: dict[tuple[str, str], tuple[str, ...]] = {
    ("cm_module_content", "priority_level"): ("critical", "high", "medium", "low"),
    ("cm_enhancement_sessions", "enhancement_type"): (
        "targeted",
        "comprehensive",
        "research_driven",
    ),
    ("mm_multimedia_sessions", "session_type"): (
        "full_generation",
        "slide_only",
        "audio_only",
        "video_only",
        "section_video",
    ),
    ("mm_multimedia_assets", "asset_type"): (
        "slide",
        "audio",
        "video",
        "image",
        "document",
        "script",
        "thumbnail",
    ),
    ("mm_slide_presentations", "presentation_type"): (
        "module_slides",
        "section_slides",
        "summary_slides",
    ),
    ("mm_audio_narrations", "narration_type"): (
        "full_module",
        "section",
        "section_narration",
        "slide_narration",
    ),
    ("users", "role"): ("super_admin", "company_admin", "learner"),
    ("companies", "plan_type"): ("trial", "basic", "premium", "enterprise"),
    ("employees", "skill_level"): ("beginner", "intermediate", "advanced"),
    ("cm_course_plans", "approval_status"): ("pending_review", "approved", "rejected"),
}


def _check_values(conn: Conn, table: str, column: str) -> tuple[str, ...]:
    """The literals of CHECK constraint <table>_<column>_check, in their written order."""
    row = conn.execute(
        "select pg_get_constraintdef(oid) from pg_constraint "
        "where conrelid = %s::regclass and conname = %s",
        (f"public.{table}", f"{table}_{column}_check"),
    ).fetchone()
    assert row is not None, f"no constraint {table}_{column}_check"
    return tuple(re.findall(r"'([^']*)'::text", row[0]))


def test_status_checks_equal_the_python_status_sets(schema_db: Conn) -> None:
    found = {key: _check_values(schema_db, *key) for key in STATUS_SETS}
    assert found == dict(STATUS_SETS)


@pytest.mark.parametrize(("key", "values"), TYPE_SETS.items(), ids=lambda v: str(v))
def test_type_checks_hold_the_documented_values(
    schema_db: Conn, key: tuple[str, str], values: tuple[str, ...]
) -> None:
    assert _check_values(schema_db, *key) == values


BAD_VALUES: list[tuple[str, str, Any, str]] = [
    ("cm_module_content", "priority_level", "urgent", "cm_module_content_priority_level_check"),
    ("cm_quality_assessments", "overall_score", 10.5, "cm_quality_assessments_overall_score_check"),
    ("cm_quality_assessments", "clarity_score", -1, "cm_quality_assessments_clarity_score_check"),
    (
        "mm_multimedia_sessions",
        "progress_percentage",
        100.5,
        "mm_multimedia_sessions_progress_percentage_check",
    ),
    ("mm_multimedia_sessions", "retry_count", -1, "mm_multimedia_sessions_retry_count_check"),
    ("mm_multimedia_assets", "asset_type", "slides", "mm_multimedia_assets_asset_type_check"),
    ("mm_multimedia_assets", "file_size_bytes", -5, "mm_multimedia_assets_file_size_bytes_check"),
    ("cm_research_results", "search_queries", "{}", "cm_research_results_search_queries_check"),
    ("employees", "skill_level", "guru", "employees_skill_level_check"),
]


@pytest.mark.parametrize(("table", "column", "value", "constraint"), BAD_VALUES)
def test_check_violations_name_the_constraint(
    schema_db: Conn, table: str, column: str, value: Any, constraint: str
) -> None:
    ids = seed_company(schema_db)
    with pytest.raises(errors.CheckViolation, match=constraint) as caught:
        set_column(schema_db, table, ids[table], column, value)
    assert caught.value.diag.constraint_name == constraint


def test_status_checks_hold_even_without_the_state_machine_triggers(schema_db: Conn) -> None:
    ids = seed_company(schema_db)
    with schema_db.transaction(force_rollback=True):
        schema_db.execute("set local session_replication_role = replica")  # triggers off
        with pytest.raises(errors.CheckViolation, match="cm_module_content_status_check"):
            set_column(schema_db, "cm_module_content", ids["cm_module_content"], "status", "done")


def test_every_company_table_requires_a_company(schema_db: Conn) -> None:
    rows = schema_db.execute(
        "select table_name from information_schema.columns where table_schema = 'public' "
        "and column_name = 'company_id' and is_nullable = 'NO'"
    ).fetchall()
    assert {row[0] for row in rows} >= {*COMPANY_TABLES, "employees"}


def test_a_child_row_cannot_point_at_another_companys_parent(schema_db: Conn) -> None:
    first, second = seed_company(schema_db), seed_company(schema_db)
    parents = {**second, "cm_module_content": first["cm_module_content"]}
    with pytest.raises(errors.ForeignKeyViolation) as caught:
        insert_row(schema_db, "mm_multimedia_sessions", parents)
    assert caught.value.diag.constraint_name == "mm_multimedia_sessions_content_fkey"


def test_defaults_and_widened_columns(schema_db: Conn) -> None:
    ids = seed_company(schema_db)
    asset = insert_row(schema_db, "mm_multimedia_assets", ids, file_size_bytes=5_000_000_000)
    row = schema_db.execute(
        "select storage_bucket, file_size_bytes from mm_multimedia_assets where asset_id = %s",
        (asset,),
    ).fetchone()
    assert row == ("multimedia-assets", 5_000_000_000)
    session = schema_db.execute(
        "select current_stage, status from mm_multimedia_sessions where session_id = %s",
        (ids["mm_multimedia_sessions"],),
    ).fetchone()
    assert session == ("initialization", "started")
    set_column(
        schema_db, "cm_module_content", ids["cm_module_content"], "failure_reason", "timeout"
    )


SECTIONS = ("introduction", "core_content", "practical_applications", "case_studies")


def test_word_counts_split_on_any_whitespace(schema_db: Conn) -> None:
    ids = seed_company(schema_db)
    texts = ("one two\nthree", "a\tb\t\tc   d", "  \n\t ", "solo")
    content = insert_row(
        schema_db, "cm_module_content", ids, **dict(zip(SECTIONS, texts, strict=True))
    )
    expected = {"introduction": 3, "core_content": 4, "practical_applications": 0}
    expected |= {"case_studies": 1, "assessments": 0}
    assert _counts(schema_db, content) == (8, expected)
    schema_db.execute(
        "update cm_module_content set assessments = %s, version = version + 1"
        " where content_id = %s",
        ("q1?\r\nq2?\n\nq3?", content),
    )
    assert _counts(schema_db, content) == (11, expected | {"assessments": 3})
    set_column(
        schema_db, "cm_module_content", content, "total_word_count", 99999
    )  # cannot be forged
    assert _counts(schema_db, content)[0] == 11


def _counts(conn: Conn, content: object) -> tuple[int, dict[str, int]]:
    row = conn.execute(
        "select total_word_count, section_word_counts from cm_module_content where content_id = %s",
        (content,),
    ).fetchone()
    assert row is not None
    return row[0], row[1]


@pytest.mark.parametrize("table", TABLES)
def test_updated_at_moves_on_update(schema_db: Conn, table: str) -> None:
    ids = seed_company(schema_db)
    before = _stamps(schema_db, table, ids)
    assert before[0] == before[1]
    time.sleep(0.002)
    set_column(schema_db, table, ids[table], "created_at", before[0])  # any update touches
    after = _stamps(schema_db, table, ids)
    assert after[0] == before[0]
    assert after[1] > before[1]


def _stamps(conn: Conn, table: str, ids: dict[str, Any]) -> tuple[Any, Any]:
    statement = sql.SQL("select created_at, updated_at from public.{} where {} = %s").format(
        sql.Identifier(table), sql.Identifier(KEYS[table])
    )
    row = conn.execute(statement, (ids[table],)).fetchone()
    assert row is not None
    return row[0], row[1]
