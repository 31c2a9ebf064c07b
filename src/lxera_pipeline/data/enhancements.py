"""Enhancement sessions of module content: create, advance through the state machine, read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data import validation as v
from lxera_pipeline.data.content_models import EnhancementSession
from lxera_pipeline.data.errors import DataValidationError
from lxera_pipeline.data.statements import fetch_all, fetch_one, insert_or_fetch
from lxera_pipeline.data.vocabulary import ENHANCEMENT_TYPES, SECTION_NAMES

SESSIONS = "cm_enhancement_sessions"


def _section_list(argument: str, names: Sequence[str]) -> list[str]:
    if isinstance(names, str):
        raise DataValidationError(argument, names, "a sequence of section names")
    return v.check_sections(names, argument)


async def create_enhancement_session(
    conn: AsyncConnection[Any],
    *,
    content_id: UUID,
    sections_to_enhance: Sequence[str],
    quality_assessment_id: UUID | None = None,
    enhancement_type: str = "targeted",
    sections_preserved: Sequence[str] | None = None,
    quality_score_before: float | None = None,
    initiated_by: UUID | None = None,
    session_id: UUID | None = None,
) -> EnhancementSession:
    """Start enhancing the listed sections (status 'started'). Company and word_count_before
    come from the content row, quality_score_before (unless given) from the assessment;
    sections_preserved defaults to the other sections. The content row's last_enhancement_id
    points at the new session. With ``session_id`` the call is idempotent."""
    to_enhance = _section_list("sections_to_enhance", sections_to_enhance)
    if not to_enhance:
        raise DataValidationError("sections_to_enhance", [], "at least one section name")
    preserved = (
        [name for name in SECTION_NAMES if name not in to_enhance]
        if sections_preserved is None
        else _section_list("sections_preserved", sections_preserved)
    )
    params = {
        "session_id": v.check_optional_uuid("session_id", session_id),
        "content_id": v.check_uuid("content_id", content_id),
        "quality_assessment_id": v.check_optional_uuid(
            "quality_assessment_id", quality_assessment_id
        ),
        "enhancement_type": v.check_choice("enhancement_type", enhancement_type, ENHANCEMENT_TYPES),
        "sections_to_enhance": to_enhance,
        "sections_preserved": preserved,
        "quality_score_before": v.check_score("quality_score_before", quality_score_before),
        "initiated_by": v.check_optional_uuid("initiated_by", initiated_by),
    }
    row = await insert_or_fetch(
        conn, "insert_enhancement_session", "select_enhancement_session", params, "session_id"
    )
    return EnhancementSession.from_found(row, "cm_module_content", content_id)


async def advance_enhancement_session(
    conn: AsyncConnection[Any],
    session_id: UUID,
    status: str | None = None,
    *,
    research_conducted: bool | None = None,
    content_regenerated: bool | None = None,
    integration_completed: bool | None = None,
    word_count_after: int | None = None,
    quality_score_after: float | None = None,
    enhancement_tokens_used: int | None = None,
    content_tokens_used: int | None = None,
    error_details: str | None = None,
) -> EnhancementSession:
    """Move the session to ``status`` (None: keep it) and record progress; None keeps a column.
    'completed' / 'failed' stamp completed_at, duration_seconds and success."""
    params = {
        "session_id": v.check_uuid("session_id", session_id),
        "status": None if status is None else v.check_status(SESSIONS, "status", status),
        "research_conducted": research_conducted,
        "content_regenerated": content_regenerated,
        "integration_completed": integration_completed,
        "word_count_after": v.check_count("word_count_after", word_count_after),
        "quality_score_after": v.check_score("quality_score_after", quality_score_after),
        "enhancement_tokens_used": v.check_count(
            "enhancement_tokens_used", enhancement_tokens_used
        ),
        "content_tokens_used": v.check_count("content_tokens_used", content_tokens_used),
        "error_details": error_details,
    }
    row = await fetch_one(conn, "advance_enhancement_session", params)
    return EnhancementSession.from_found(row, SESSIONS, session_id)


async def get_enhancement_session(
    conn: AsyncConnection[Any], session_id: UUID
) -> EnhancementSession | None:
    params = {"session_id": v.check_uuid("session_id", session_id)}
    return EnhancementSession.from_optional(
        await fetch_one(conn, "select_enhancement_session", params)
    )


async def list_enhancement_sessions(
    conn: AsyncConnection[Any], content_id: UUID
) -> list[EnhancementSession]:
    """Every enhancement session of the content, oldest first (count them for attempt limits)."""
    params = {"content_id": v.check_uuid("content_id", content_id)}
    rows = await fetch_all(conn, "list_content_enhancement_sessions", params)
    return EnhancementSession.from_rows(rows)
