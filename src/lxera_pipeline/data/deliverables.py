"""A session's slide presentations and audio narrations: idempotent upserts and reads.

A presentation is identified within its session by its type, a narration by its type and
section: calling an upsert again (a retry, a replay) updates that row. Its status only moves
where the state machine allows, so a replay never moves a row back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data import validation as v
from lxera_pipeline.data.errors import DataValidationError
from lxera_pipeline.data.media_models import AudioNarration, SlidePresentation
from lxera_pipeline.data.statements import fetch_all, fetch_one, jsonb
from lxera_pipeline.data.vocabulary import ASSET_SECTION_NAMES, NARRATION_TYPES, PRESENTATION_TYPES


def _uuids(argument: str, values: Sequence[UUID]) -> list[UUID]:
    if isinstance(values, str):
        raise DataValidationError(argument, values, "a sequence of UUIDs")
    return [v.check_uuid(argument, value) for value in values]


def _segments(segments: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(segments, str | Mapping):
        raise DataValidationError("audio_segments", segments, "a sequence of mappings")
    return [v.check_object("audio_segments item", item, required=True) or {} for item in segments]


async def upsert_presentation(
    conn: AsyncConnection[Any],
    *,
    session_id: UUID,
    presentation_name: str,
    slide_order: Sequence[UUID],
    status: str = "generated",
    presentation_type: str = "module_slides",
    template_used: str | None = None,
    theme_config: Mapping[str, Any] | None = None,
    pdf_asset_id: UUID | None = None,
    pptx_asset_id: UUID | None = None,
    html_asset_id: UUID | None = None,
) -> SlidePresentation:
    """Create or update the session's presentation of ``presentation_type``. ``slide_order``
    lists the slide asset ids in order (total_slides follows); an export asset id sets its
    ``*_generated`` flag. None keeps a column on update."""
    params = {
        "session_id": v.check_uuid("session_id", session_id),
        "presentation_name": v.check_text("presentation_name", presentation_name),
        "slide_order": jsonb([str(value) for value in _uuids("slide_order", slide_order)]),
        "status": v.check_status("mm_slide_presentations", "status", status),
        "presentation_type": v.check_choice(
            "presentation_type", presentation_type, PRESENTATION_TYPES
        ),
        "template_used": template_used,
        "theme_config": jsonb(v.check_object("theme_config", theme_config)),
        "pdf_asset_id": v.check_optional_uuid("pdf_asset_id", pdf_asset_id),
        "pptx_asset_id": v.check_optional_uuid("pptx_asset_id", pptx_asset_id),
        "html_asset_id": v.check_optional_uuid("html_asset_id", html_asset_id),
    }
    row = await fetch_one(conn, "upsert_slide_presentation", params)
    return SlidePresentation.from_found(row, "mm_multimedia_sessions", session_id)


async def upsert_narration(
    conn: AsyncConnection[Any],
    *,
    session_id: UUID,
    narration_name: str,
    narration_type: str = "full_module",
    section_name: str | None = None,
    status: str = "generated",
    script_content: str | None = None,
    total_duration_seconds: float = 0.0,
    audio_segments: Sequence[Mapping[str, Any]] = (),
    voice_config: Mapping[str, Any] | None = None,
    master_audio_id: UUID | None = None,
    segments_audio_ids: Sequence[UUID] = (),
    synthesis_completed: bool = False,
    segments_merged: bool = False,
) -> AudioNarration:
    """Create or update the session's narration of ``narration_type`` (and ``section_name``).
    ``master_audio_id`` must be the id of the merged AUDIO asset. None keeps a column."""
    if section_name is not None:
        v.check_choice("section name", section_name, ASSET_SECTION_NAMES)
    params = {
        "session_id": v.check_uuid("session_id", session_id),
        "narration_name": v.check_text("narration_name", narration_name),
        "narration_type": v.check_choice("narration_type", narration_type, NARRATION_TYPES),
        "section_name": section_name,
        "status": v.check_status("mm_audio_narrations", "status", status),
        "script_content": script_content,
        "total_duration_seconds": v.check_non_negative(
            "total_duration_seconds", total_duration_seconds
        ),
        "audio_segments": jsonb(_segments(audio_segments)),
        "voice_config": jsonb(v.check_object("voice_config", voice_config)),
        "master_audio_id": v.check_optional_uuid("master_audio_id", master_audio_id),
        "segments_audio_ids": _uuids("segments_audio_ids", segments_audio_ids),
        "synthesis_completed": bool(synthesis_completed),
        "segments_merged": bool(segments_merged),
    }
    row = await fetch_one(conn, "upsert_audio_narration", params)
    return AudioNarration.from_found(row, "mm_multimedia_sessions", session_id)


async def list_session_presentations(
    conn: AsyncConnection[Any], session_id: UUID
) -> list[SlidePresentation]:
    params = {"session_id": v.check_uuid("session_id", session_id)}
    return SlidePresentation.from_rows(await fetch_all(conn, "list_session_presentations", params))


async def list_session_narrations(
    conn: AsyncConnection[Any], session_id: UUID
) -> list[AudioNarration]:
    params = {"session_id": v.check_uuid("session_id", session_id)}
    return AudioNarration.from_rows(await fetch_all(conn, "list_session_narrations", params))
