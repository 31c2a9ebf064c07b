"""Closed value sets of the workflow tables' non-status columns (mirrors of their CHECKs).

The one definition of each set: the generators import section names, priorities and asset types
from here.

Status sets are not here: they live in `events/statuses.py`, the one source of truth. An
integration test compares every set below with the CHECK constraint it mirrors.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

SectionName = Literal[
    "introduction", "core_content", "practical_applications", "case_studies", "assessments"
]
SECTION_NAMES: Final[tuple[SectionName, ...]] = (
    "introduction",
    "core_content",
    "practical_applications",
    "case_studies",
    "assessments",
)
# An asset or narration may also cover the whole module.
WHOLE_MODULE: Final = "full_module"
ASSET_SECTION_NAMES: Final[tuple[str, ...]] = (*SECTION_NAMES, WHOLE_MODULE)

PriorityLevel = Literal["critical", "high", "medium", "low"]
PRIORITY_LEVELS: Final[tuple[PriorityLevel, ...]] = ("critical", "high", "medium", "low")

ApprovalStatus = Literal["pending_review", "approved", "rejected"]
APPROVAL_STATUSES: Final[tuple[ApprovalStatus, ...]] = get_args(ApprovalStatus)

AssessmentMethodology = Literal["standard_5_dimensional", "enhanced_9_dimensional"]
ASSESSMENT_METHODOLOGIES: Final[tuple[AssessmentMethodology, ...]] = (
    "standard_5_dimensional",
    "enhanced_9_dimensional",
)
EnhancementType = Literal["targeted", "comprehensive", "research_driven"]
ENHANCEMENT_TYPES: Final[tuple[EnhancementType, ...]] = (
    "targeted",
    "comprehensive",
    "research_driven",
)
SessionType = Literal["full_generation", "slide_only", "audio_only", "video_only", "section_video"]
SESSION_TYPES: Final[tuple[SessionType, ...]] = (
    "full_generation",
    "slide_only",
    "audio_only",
    "video_only",
    "section_video",
)
# The asset types that are storage folders (object key prefixes) of their own; the media
# storage refuses the others (a script is stored with the documents).
StoredAssetType = Literal["slide", "audio", "video", "image", "document"]
STORED_ASSET_TYPES: Final[tuple[StoredAssetType, ...]] = (
    "slide",
    "audio",
    "video",
    "image",
    "document",
)
AssetType = StoredAssetType | Literal["script", "thumbnail"]
ASSET_TYPES: Final[tuple[AssetType, ...]] = (*STORED_ASSET_TYPES, "script", "thumbnail")
PresentationType = Literal["module_slides", "section_slides", "summary_slides"]
PRESENTATION_TYPES: Final[tuple[PresentationType, ...]] = (
    "module_slides",
    "section_slides",
    "summary_slides",
)
NarrationType = Literal["full_module", "section", "section_narration", "slide_narration"]
NARRATION_TYPES: Final[tuple[NarrationType, ...]] = (
    "full_module",
    "section",
    "section_narration",
    "slide_narration",
)

# (table, column) -> the value set its CHECK allows; the integration test walks this.
CHECKED_COLUMNS: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("cm_module_content", "priority_level"): PRIORITY_LEVELS,
    ("cm_course_plans", "approval_status"): APPROVAL_STATUSES,
    ("cm_quality_assessments", "assessment_methodology"): ASSESSMENT_METHODOLOGIES,
    ("cm_enhancement_sessions", "enhancement_type"): ENHANCEMENT_TYPES,
    ("mm_multimedia_sessions", "session_type"): SESSION_TYPES,
    ("mm_multimedia_assets", "asset_type"): ASSET_TYPES,
    ("mm_slide_presentations", "presentation_type"): PRESENTATION_TYPES,
    ("mm_audio_narrations", "narration_type"): NARRATION_TYPES,
}

# The storage bucket media goes to (the column default of mm_multimedia_assets.storage_bucket).
DEFAULT_BUCKET: Final = "multimedia-assets"
