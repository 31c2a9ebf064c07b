"""Multimedia sessions: create, update status / stage / progress / counters, read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data import validation as v
from lxera_pipeline.data.errors import DataValidationError
from lxera_pipeline.data.media_models import MultimediaSession
from lxera_pipeline.data.statements import fetch_all, fetch_one, insert_or_fetch, jsonb
from lxera_pipeline.data.vocabulary import SESSION_TYPES
from lxera_pipeline.events.statuses import STAGE_PROGRESS

SESSIONS = "mm_multimedia_sessions"


async def create_multimedia_session(
    conn: AsyncConnection[Any],
    *,
    content_id: UUID,
    session_type: str = "full_generation",
    module_name: str | None = None,
    employee_name: str | None = None,
    content_sections: Sequence[str] | None = None,
    generation_config: Mapping[str, Any] | None = None,
    initiated_by: UUID | None = None,
    session_id: UUID | None = None,
) -> MultimediaSession:
    """Start a session for the content (status 'started', stage 'initialization', progress 0).
    Company and, unless given, module/employee names come from the content row;
    content_sections defaults to the sections that have text. With ``session_id`` the call is
    idempotent (an existing session is returned unchanged)."""
    if isinstance(content_sections, str):
        raise DataValidationError("content_sections", content_sections, "a sequence of sections")
    params = {
        "session_id": v.check_optional_uuid("session_id", session_id),
        "content_id": v.check_uuid("content_id", content_id),
        "session_type": v.check_choice("session_type", session_type, SESSION_TYPES),
        "module_name": None if module_name is None else v.check_text("module_name", module_name),
        "employee_name": (
            None if employee_name is None else v.check_text("employee_name", employee_name)
        ),
        "content_sections": (
            None
            if content_sections is None
            else v.check_sections(content_sections, "content_sections")
        ),
        "generation_config": jsonb(v.check_object("generation_config", generation_config) or {}),
        "initiated_by": v.check_optional_uuid("initiated_by", initiated_by),
    }
    row = await insert_or_fetch(
        conn, "insert_multimedia_session", "select_multimedia_session", params, "session_id"
    )
    return MultimediaSession.from_found(row, "cm_module_content", content_id)


async def update_session_status(
    conn: AsyncConnection[Any],
    session_id: UUID,
    *,
    status: str | None = None,
    stage: str | None = None,
    progress: float | None = None,
    error_details: str | None = None,
    total_assets_generated: int | None = None,
    slides_generated: int | None = None,
    audio_files_generated: int | None = None,
    video_files_generated: int | None = None,
    tokens_used: int | None = None,
    processing_duration_seconds: int | None = None,
) -> MultimediaSession:
    """Update a session in one statement; None keeps a column, counters are absolute values.

    ``stage`` without ``progress`` sets the stage's standard percentage (STAGE_PROGRESS).
    'completed' stamps completed_at; finishing stamps the processing duration unless given;
    'failed' -> 'processing' counts a retry. Status and stage changes are checked by the
    database's state machines (one step at a time) and emit events."""
    if stage is not None:
        v.check_status(SESSIONS, "current_stage", stage)
        progress = STAGE_PROGRESS[stage] if progress is None else progress
    counters = {
        "total_assets_generated": total_assets_generated,
        "slides_generated": slides_generated,
        "audio_files_generated": audio_files_generated,
        "video_files_generated": video_files_generated,
        "tokens_used": tokens_used,
        "processing_duration_seconds": processing_duration_seconds,
    }
    params: dict[str, Any] = {
        "session_id": v.check_uuid("session_id", session_id),
        "status": None if status is None else v.check_status(SESSIONS, "status", status),
        "stage": stage,
        "progress": v.check_progress(progress),
        "error_details": error_details,
    }
    params |= {name: v.check_count(name, value) for name, value in counters.items()}
    row = await fetch_one(conn, "update_multimedia_session", params)
    return MultimediaSession.from_found(row, SESSIONS, session_id)


async def get_multimedia_session(
    conn: AsyncConnection[Any], session_id: UUID
) -> MultimediaSession | None:
    params = {"session_id": v.check_uuid("session_id", session_id)}
    return MultimediaSession.from_optional(
        await fetch_one(conn, "select_multimedia_session", params)
    )


async def list_content_sessions(
    conn: AsyncConnection[Any], content_id: UUID
) -> list[MultimediaSession]:
    """Every multimedia session of the content, oldest first."""
    params = {"content_id": v.check_uuid("content_id", content_id)}
    rows = await fetch_all(conn, "list_content_multimedia_sessions", params)
    return MultimediaSession.from_rows(rows)
