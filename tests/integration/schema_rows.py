"""Rows for the schema tests: one company with one row in every workflow table, and helpers to
insert more rows or to act as an API user (role + JWT claims) inside a rolled-back transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from lxera_pipeline.events.statuses import KEY_COLUMNS

Conn = psycopg.Connection[Any]

# Every workflow table in dependency order (parents first).
TABLES: tuple[str, ...] = (
    "companies",
    "users",
    "employees",
    "cm_course_plans",
    "cm_research_results",
    "cm_module_content",
    "cm_quality_assessments",
    "cm_enhancement_sessions",
    "mm_multimedia_sessions",
    "mm_multimedia_assets",
    "mm_slide_presentations",
    "mm_audio_narrations",
)
COMPANY_TABLES: tuple[str, ...] = tuple(t for t in TABLES if t.startswith(("cm_", "mm_")))
KEYS: dict[str, str] = {
    "companies": "id",
    "users": "id",
    "employees": "id",
    "cm_quality_assessments": "assessment_id",
    **KEY_COLUMNS,
}

# column -> the parent table whose seeded row fills it
PARENTS: dict[str, dict[str, str]] = {
    "users": {"company_id": "companies"},
    "employees": {"company_id": "companies", "user_id": "users"},
    "cm_course_plans": {"company_id": "companies", "employee_id": "employees"},
    "cm_research_results": {"company_id": "companies", "plan_id": "cm_course_plans"},
    "cm_module_content": {"company_id": "companies", "plan_id": "cm_course_plans"},
    "cm_quality_assessments": {"company_id": "companies", "content_id": "cm_module_content"},
    "cm_enhancement_sessions": {"company_id": "companies", "content_id": "cm_module_content"},
    "mm_multimedia_sessions": {"company_id": "companies", "content_id": "cm_module_content"},
    "mm_multimedia_assets": {
        "company_id": "companies",
        "content_id": "cm_module_content",
        "session_id": "mm_multimedia_sessions",
    },
    "mm_slide_presentations": {
        "company_id": "companies",
        "content_id": "cm_module_content",
        "session_id": "mm_multimedia_sessions",
    },
    "mm_audio_narrations": {
        "company_id": "companies",
        "content_id": "cm_module_content",
        "session_id": "mm_multimedia_sessions",
    },
}


def _base(table: str) -> dict[str, Any]:
    """Required non-parent columns; unique values where the schema demands them."""
    tag = uuid.uuid4().hex[:10]
    values: dict[str, dict[str, Any]] = {
        "companies": {"name": f"Company {tag}", "domain": f"{tag}.example"},
        "users": {"email": f"{tag}@example.com", "full_name": "Ada Lovelace"},
        "employees": {"position": "Analyst"},
        "cm_course_plans": {"employee_name": "Ada Lovelace", "session_id": f"s-{tag}"},
        "cm_research_results": {"session_id": f"s-{tag}"},
        "cm_module_content": {
            "module_name": "Financial Analysis",
            "employee_name": "Ada Lovelace",
            "session_id": f"s-{tag}",
        },
        "cm_quality_assessments": {"overall_score": 8.5},
        "cm_enhancement_sessions": {},
        "mm_multimedia_sessions": {"module_name": "Financial Analysis", "employee_name": "Ada"},
        "mm_multimedia_assets": {
            "asset_type": "video",
            "asset_name": "intro.mp4",
            "file_path": f"video/{tag}.mp4",
        },
        "mm_slide_presentations": {"presentation_name": "Deck"},
        "mm_audio_narrations": {"narration_name": "Narration"},
    }
    return values[table]


def insert_row(conn: Conn, table: str, parents: dict[str, uuid.UUID], **values: Any) -> uuid.UUID:
    """Insert one row of ``table`` linked to ``parents`` (table -> id); returns its key."""
    row = _base(table)
    row.update({column: parents[parent] for column, parent in PARENTS.get(table, {}).items()})
    row.update(values)
    statement = sql.SQL("insert into public.{} ({}) values ({}) returning {}").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, row)),
        sql.SQL(", ").join(sql.Placeholder(column) for column in row),
        sql.Identifier(KEYS[table]),
    )
    found = conn.execute(statement, row).fetchone()
    assert found is not None
    key: uuid.UUID = found[0]
    return key


def seed_company(conn: Conn) -> dict[str, uuid.UUID]:
    """One row in every workflow table for a new company; returns table -> key."""
    ids: dict[str, uuid.UUID] = {}
    for table in TABLES:
        ids[table] = insert_row(conn, table, ids)
    return ids


def set_column(conn: Conn, table: str, key: uuid.UUID, column: str, value: Any) -> int:
    """UPDATE one column of one row; returns the number of rows changed."""
    statement = sql.SQL("update public.{} set {} = %s where {} = %s").format(
        sql.Identifier(table), sql.Identifier(column), sql.Identifier(KEYS[table])
    )
    return conn.execute(statement, (value, key)).rowcount


@contextmanager
def acting_as(conn: Conn, role: str, claims: dict[str, Any] | None = None) -> Iterator[Conn]:
    """Run as a Supabase API role with the given JWT claims; everything is rolled back after."""
    with conn.transaction(force_rollback=True):
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
        if claims is not None:
            conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
        yield conn
