"""Row models of the multimedia tables: sessions, assets, slide presentations, narrations."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from lxera_pipeline.data.row_base import JsonArray, JsonObject, Row
from lxera_pipeline.data.vocabulary import AssetType, NarrationType, PresentationType, SessionType
from lxera_pipeline.events.statuses import (
    AssetStatus,
    NarrationStatus,
    PresentationStatus,
    SessionStage,
    SessionStatus,
)


class MultimediaSession(Row):
    """A row of `mm_multimedia_sessions`."""

    TABLE = "mm_multimedia_sessions"

    session_id: UUID
    content_id: UUID
    company_id: UUID
    session_type: SessionType
    module_name: str
    employee_name: str
    generation_config: JsonObject
    content_sections: list[str]
    status: SessionStatus
    current_stage: SessionStage
    progress_percentage: float
    total_assets_generated: int
    slides_generated: int
    audio_files_generated: int
    video_files_generated: int
    processing_duration_seconds: int | None
    tokens_used: int
    error_details: str | None
    retry_count: int
    initiated_by: UUID | None
    started_at: datetime
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class MultimediaAsset(Row):
    """A row of `mm_multimedia_assets`."""

    TABLE = "mm_multimedia_assets"

    asset_id: UUID
    session_id: UUID
    content_id: UUID
    company_id: UUID
    asset_type: AssetType
    asset_name: str
    file_path: str
    file_size_bytes: int | None
    mime_type: str | None
    section_name: str | None
    slide_number: int | None
    duration_seconds: float | None
    generation_config: JsonObject
    quality_metrics: JsonObject
    processing_time_seconds: float | None
    tokens_used: int
    generation_prompt: str | None
    status: AssetStatus
    is_active: bool
    storage_bucket: str
    storage_path: str | None
    public_url: str | None
    version_number: int
    parent_asset_id: UUID | None
    created_at: datetime
    updated_at: datetime


class SlidePresentation(Row):
    """A row of `mm_slide_presentations`; ``slide_order`` lists slide asset ids in order."""

    TABLE = "mm_slide_presentations"

    presentation_id: UUID
    session_id: UUID
    content_id: UUID
    company_id: UUID
    presentation_name: str
    presentation_type: PresentationType
    total_slides: int
    slide_order: JsonArray
    template_used: str | None
    theme_config: JsonObject
    pdf_generated: bool
    pptx_generated: bool
    html_generated: bool
    pdf_asset_id: UUID | None
    pptx_asset_id: UUID | None
    html_asset_id: UUID | None
    status: PresentationStatus
    is_active: bool
    created_at: datetime
    updated_at: datetime


class AudioNarration(Row):
    """A row of `mm_audio_narrations`."""

    TABLE = "mm_audio_narrations"

    narration_id: UUID
    session_id: UUID
    content_id: UUID
    company_id: UUID
    narration_name: str
    narration_type: NarrationType
    section_name: str | None
    total_duration_seconds: float
    audio_segments: JsonArray
    voice_config: JsonObject
    script_content: str | None
    master_audio_id: UUID | None
    segments_audio_ids: list[UUID]
    synthesis_completed: bool
    segments_merged: bool
    status: NarrationStatus
    is_active: bool
    created_at: datetime
    updated_at: datetime
