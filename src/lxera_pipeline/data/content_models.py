"""Row models of the content tables: module content, quality assessments, enhancement sessions."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from lxera_pipeline.data.row_base import JsonArray, JsonObject, Row
from lxera_pipeline.data.vocabulary import (
    SECTION_NAMES,
    AssessmentMethodology,
    EnhancementType,
    PriorityLevel,
)
from lxera_pipeline.events.statuses import ContentStatus, EnhancementStatus


class ModuleContent(Row):
    """A row of `cm_module_content` (word counts are computed by the database)."""

    TABLE = "cm_module_content"

    content_id: UUID
    company_id: UUID
    plan_id: UUID | None
    module_id: str | None
    module_name: str
    employee_name: str
    session_id: str
    introduction: str | None
    core_content: str | None
    practical_applications: str | None
    case_studies: str | None
    assessments: str | None
    module_spec: JsonObject
    research_context: JsonObject
    total_word_count: int
    section_word_counts: dict[str, int]
    status: ContentStatus
    failure_reason: str | None
    priority_level: PriorityLevel
    revision_count: int
    assigned_to: UUID | None
    created_by: UUID | None
    last_quality_check: datetime | None
    version_number: int
    parent_content_id: UUID | None
    is_current_version: bool
    version_notes: str | None
    section_quality_scores: JsonObject
    section_quality_issues: JsonObject
    section_last_assessed: JsonObject
    section_updated_at: JsonObject
    section_enhancement_count: JsonObject
    section_status: JsonObject
    last_enhancement_id: UUID | None
    enhancement_history: JsonArray
    draft_content: JsonObject | None
    is_draft: bool
    last_edited_at: datetime | None
    last_edited_by: UUID | None
    created_at: datetime
    updated_at: datetime

    def sections(self) -> ContentSections:
        return ContentSections.model_validate({name: getattr(self, name) for name in SECTION_NAMES})


class ContentSections(BaseModel):
    """The five text sections of one module (None: not written yet)."""

    model_config = ConfigDict(frozen=True)

    introduction: str | None = None
    core_content: str | None = None
    practical_applications: str | None = None
    case_studies: str | None = None
    assessments: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in SECTION_NAMES}

    def written(self) -> dict[str, str]:
        """Only the sections that have text."""
        return {name: text for name, text in self.as_dict().items() if text}


class QualityAssessment(Row):
    """A row of `cm_quality_assessments`."""

    TABLE = "cm_quality_assessments"

    assessment_id: UUID
    content_id: UUID
    company_id: UUID
    overall_score: float
    section_scores: dict[str, float]
    accuracy_score: float | None
    clarity_score: float | None
    completeness_score: float | None
    engagement_score: float | None
    personalization_score: float | None
    source_credibility_score: float | None
    currency_timeliness_score: float | None
    source_diversity_score: float | None
    evidence_quality_score: float | None
    quality_feedback: str | None
    word_count_assessment: JsonObject
    critical_issues: list[str]
    improvement_suggestions: list[str]
    assessment_criteria: str
    module_context: JsonObject | None
    passed: bool
    requires_revision: bool
    sections_needing_work: list[str]
    assessed_by: UUID | None
    assessed_at: datetime
    assessment_duration_seconds: int | None
    enhanced_assessment: bool
    assessment_methodology: AssessmentMethodology
    created_at: datetime
    updated_at: datetime


class EnhancementSession(Row):
    """A row of `cm_enhancement_sessions`."""

    TABLE = "cm_enhancement_sessions"

    session_id: UUID
    content_id: UUID
    company_id: UUID
    quality_assessment_id: UUID | None
    enhancement_type: EnhancementType
    sections_to_enhance: list[str]
    sections_preserved: list[str]
    research_conducted: bool
    content_regenerated: bool
    integration_completed: bool
    word_count_before: int | None
    word_count_after: int | None
    quality_score_before: float | None
    quality_score_after: float | None
    enhancement_tokens_used: int | None
    content_tokens_used: int | None
    total_tokens_saved: int | None
    status: EnhancementStatus
    success: bool | None
    error_details: str | None
    initiated_by: UUID | None
    started_at: datetime
    completed_at: datetime | None
    duration_seconds: int | None
    created_at: datetime
    updated_at: datetime
