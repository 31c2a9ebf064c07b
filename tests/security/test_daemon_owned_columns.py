"""The columns the pipeline owns cannot be written through the Supabase API roles.

Replays the attack on the media stages' input: a company_admin (role ``authenticated`` with its
JWT claims, as PostgREST sets them) points ``mm_multimedia_assets.file_path`` at
``/proc/self/environ``. Every daemon-owned column is tried on its own, for UPDATE and INSERT, as
that admin and as ``anon``: each must fail with a permission error, while the columns a tenant may
write still work and the pipeline's own connection still writes everything.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import errors, sql

from tests.integration.schema_rows import KEYS, Conn, acting_as, seed_company, set_column
from tests.support import servers

# Table -> the columns only the pipeline writes (migration 20261125000710).
DAEMON_OWNED: dict[str, tuple[str, ...]] = {
    "mm_multimedia_sessions": (
        "current_stage", "progress_percentage", "total_assets_generated", "slides_generated",
        "audio_files_generated", "video_files_generated", "processing_duration_seconds",
        "tokens_used", "error_details", "retry_count", "generation_config", "started_at",
        "completed_at",
    ),
    "mm_multimedia_assets": (
        "session_id", "content_id", "asset_type", "asset_name", "file_path", "file_size_bytes",
        "mime_type", "section_name", "slide_number", "duration_seconds", "generation_config",
        "quality_metrics", "processing_time_seconds", "tokens_used", "storage_bucket",
        "storage_path", "public_url",
    ),
    "mm_slide_presentations": (
        "total_slides", "slide_order", "template_used", "theme_config", "pdf_generated",
        "pptx_generated", "html_generated", "pdf_asset_id", "pptx_asset_id", "html_asset_id",
    ),
    "mm_audio_narrations": (
        "total_duration_seconds", "audio_segments", "voice_config", "script_content",
        "master_audio_id", "segments_audio_ids", "synthesis_completed", "segments_merged",
    ),
    "cm_course_plans": ("error_message",),
    "cm_research_results": (
        "research_findings", "content_library", "module_mappings", "total_topics",
        "total_sources", "search_queries", "sources_analyzed", "execution_metrics",
        "error_message",
    ),
    "cm_module_content": (
        "failure_reason", "revision_count", "total_word_count", "section_word_counts",
        "section_quality_scores", "section_quality_issues", "section_last_assessed",
        "last_quality_check", "last_enhancement_id", "enhancement_history",
        "section_enhancement_count",
    ),
    "cm_quality_assessments": (
        "overall_score", "section_scores", "accuracy_score", "clarity_score",
        "completeness_score", "engagement_score", "personalization_score",
        "source_credibility_score", "currency_timeliness_score", "source_diversity_score",
        "evidence_quality_score", "quality_feedback", "word_count_assessment", "critical_issues",
        "improvement_suggestions", "assessment_criteria", "module_context", "passed",
        "requires_revision", "sections_needing_work", "assessed_at",
        "assessment_duration_seconds", "enhanced_assessment", "assessment_methodology",
    ),
    "cm_enhancement_sessions": (
        "research_conducted", "content_regenerated", "integration_completed",
        "word_count_before", "word_count_after", "quality_score_before", "quality_score_after",
        "enhancement_tokens_used", "content_tokens_used", "total_tokens_saved", "success",
        "error_details", "completed_at", "duration_seconds",
    ),
}  # fmt: skip
CASES = [(table, column) for table, columns in DAEMON_OWNED.items() for column in columns]
# A column of each table the tenant may still write, with a value the state machines accept.
TENANT_WRITABLE: dict[str, tuple[str, Any]] = {
    "mm_multimedia_sessions": ("employee_name", "Ada L."),
    "mm_multimedia_assets": ("is_active", False),
    "mm_slide_presentations": ("presentation_name", "Renamed deck"),
    "mm_audio_narrations": ("narration_name", "Renamed narration"),
    "cm_course_plans": ("course_title", "Renamed course"),
    "cm_research_results": ("research_methodology", "interviews"),
    "cm_module_content": ("introduction", "A tenant's own words."),
    "cm_quality_assessments": ("updated_at", "2001-01-01T00:00:00Z"),
    "cm_enhancement_sessions": ("sections_to_enhance", ["introduction"]),
}
Ids = dict[str, uuid.UUID]


@pytest.fixture(scope="module")
def columns_db(pg_server: servers.TestServer, template_db: str) -> Iterator[Conn]:
    name = f"lxera_c_{uuid.uuid4().hex[:12]}"
    pg_server.clone_database(template_db, name)
    try:
        with psycopg.connect(pg_server.dsn_for(name), autocommit=True) as conn:
            yield conn
    finally:
        pg_server.drop_database(name)


@pytest.fixture(scope="module")
def company(columns_db: Conn) -> Ids:
    return seed_company(columns_db)


def _admin(ids: Ids) -> dict[str, Any]:
    return {"sub": str(ids["users"]), "role": "company_admin", "company_id": str(ids["companies"])}


def _update_to_itself(conn: Conn, table: str, column: str, key: uuid.UUID) -> int:
    statement = sql.SQL("update public.{t} set {c} = {c} where {k} = %s").format(
        t=sql.Identifier(table), c=sql.Identifier(column), k=sql.Identifier(KEYS[table])
    )
    return conn.execute(statement, (key,)).rowcount


def _insert_copy(conn: Conn, table: str, column: str) -> None:
    """INSERT naming the column (no row is selected, so only the privilege is tested)."""
    statement = sql.SQL("insert into public.{t} ({c}) select {c} from public.{t} where false")
    conn.execute(statement.format(t=sql.Identifier(table), c=sql.Identifier(column)))


@pytest.mark.parametrize(("table", "column"), CASES)
def test_api_roles_cannot_write_a_daemon_owned_column(
    columns_db: Conn, company: Ids, table: str, column: str
) -> None:
    for role, claims in (("authenticated", _admin(company)), ("anon", None)):
        for write in (
            lambda conn: _update_to_itself(conn, table, column, company[table]),
            lambda conn: _insert_copy(conn, table, column),
        ):
            with (
                acting_as(columns_db, role, claims) as conn,
                pytest.raises(errors.InsufficientPrivilege, match="permission denied"),
            ):
                write(conn)


def test_the_admin_cannot_point_an_asset_at_a_host_file(columns_db: Conn, company: Ids) -> None:
    asset = company["mm_multimedia_assets"]
    with (
        acting_as(columns_db, "authenticated", _admin(company)) as conn,
        pytest.raises(errors.InsufficientPrivilege, match="mm_multimedia_assets"),
    ):
        set_column(conn, "mm_multimedia_assets", asset, "file_path", "/proc/self/environ")


@pytest.mark.parametrize("table", sorted(DAEMON_OWNED))
def test_the_tenants_own_columns_stay_writable(columns_db: Conn, company: Ids, table: str) -> None:
    column, value = TENANT_WRITABLE[table]
    assert column not in DAEMON_OWNED[table]
    with acting_as(columns_db, "authenticated", _admin(company)) as conn:
        assert set_column(conn, table, company[table], column, value) == 1
        assert _update_to_itself(conn, table, "updated_at", company[table]) == 1


@pytest.mark.parametrize("table", sorted(DAEMON_OWNED))
def test_the_pipeline_still_writes_every_column(columns_db: Conn, company: Ids, table: str) -> None:
    with columns_db.transaction(force_rollback=True):
        for column in DAEMON_OWNED[table]:
            assert _update_to_itself(columns_db, table, column, company[table]) == 1
    with acting_as(columns_db, "service_role") as conn:
        for column in DAEMON_OWNED[table]:
            assert _update_to_itself(conn, table, column, company[table]) == 1
