"""Status value sets and state machines of every workflow table.

This module is the Python mirror of the CHECK constraints and `pipeline.transitions` rows that the
migrations create, and the one place a status is spelled in Python (the event models use its
Literal types); an integration test asserts both sides agree. The sets follow what the real
system writes (wider than the seed document); docs/architecture.md draws the state machines.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

NEW: Final = "new"  # pseudo-status: the row is being inserted

# The status values of every workflow column, spelled once: the Literal types the event models
# use, and the tuples derived from them (in the order the workflow goes through them).
PlanStatus = Literal["planning", "completed", "researching", "producing", "delivered", "failed"]
ResearchStatus = Literal["started", "completed", "failed"]
ContentStatus = Literal["draft", "quality_check", "revision", "approved", "published", "failed"]
EnhancementStatus = Literal[
    "started", "research_complete", "content_enhanced", "completed", "failed"
]
SessionStatus = Literal["started", "processing", "completed", "failed"]
SessionStage = Literal[
    "initialization",
    "script_generation",
    "slide_generation",
    "audio_generation",
    "video_assembly",
    "uploading",
    "completed",
]
AssetStatus = Literal["generated", "processed", "optimized", "failed"]
PresentationStatus = Literal["draft", "generated", "exported", "published"]
NarrationStatus = Literal["draft", "generated", "processed", "published"]

PLAN_STATUSES: Final[tuple[str, ...]] = get_args(PlanStatus)
RESEARCH_STATUSES: Final[tuple[str, ...]] = get_args(ResearchStatus)
CONTENT_STATUSES: Final[tuple[str, ...]] = get_args(ContentStatus)
ENHANCEMENT_STATUSES: Final[tuple[str, ...]] = get_args(EnhancementStatus)
SESSION_STATUSES: Final[tuple[str, ...]] = get_args(SessionStatus)
SESSION_STAGES: Final[tuple[str, ...]] = get_args(SessionStage)
STAGE_PROGRESS: Final[dict[str, int]] = {
    "initialization": 0,
    "script_generation": 10,
    "slide_generation": 30,
    "audio_generation": 50,
    "video_assembly": 70,
    "uploading": 85,
    "completed": 100,
}
ASSET_STATUSES: Final[tuple[str, ...]] = get_args(AssetStatus)
PRESENTATION_STATUSES: Final[tuple[str, ...]] = get_args(PresentationStatus)
NARRATION_STATUSES: Final[tuple[str, ...]] = get_args(NarrationStatus)

# (from, to) pairs per (table, status column); "new" is the insert.
TRANSITIONS: Final[dict[tuple[str, str], tuple[tuple[str, str], ...]]] = {
    ("cm_course_plans", "status"): (
        ("new", "planning"),
        ("new", "completed"),
        ("planning", "completed"),
        ("planning", "failed"),
        ("completed", "researching"),
        ("completed", "failed"),
        ("researching", "producing"),
        ("researching", "failed"),
        ("producing", "delivered"),
        ("producing", "failed"),
        ("failed", "planning"),
        ("failed", "completed"),
    ),
    ("cm_research_results", "status"): (
        ("new", "started"),
        ("started", "completed"),
        ("started", "failed"),
        ("failed", "started"),
    ),
    ("cm_module_content", "status"): (
        ("new", "draft"),
        ("draft", "quality_check"),
        ("draft", "failed"),
        ("quality_check", "approved"),
        ("quality_check", "revision"),
        ("quality_check", "failed"),
        ("revision", "quality_check"),
        ("revision", "failed"),
        ("approved", "published"),
        ("approved", "failed"),
        ("failed", "draft"),
    ),
    ("cm_enhancement_sessions", "status"): (
        ("new", "started"),
        ("started", "research_complete"),
        ("started", "failed"),
        ("research_complete", "content_enhanced"),
        ("research_complete", "failed"),
        ("content_enhanced", "completed"),
        ("content_enhanced", "failed"),
    ),
    ("mm_multimedia_sessions", "status"): (
        ("new", "started"),
        ("started", "processing"),
        ("started", "failed"),
        ("processing", "completed"),
        ("processing", "failed"),
        ("failed", "processing"),
    ),
    ("mm_multimedia_sessions", "current_stage"): (
        ("new", "initialization"),
        ("initialization", "script_generation"),
        ("script_generation", "slide_generation"),
        ("slide_generation", "audio_generation"),
        ("audio_generation", "video_assembly"),
        ("video_assembly", "uploading"),
        ("uploading", "completed"),
    ),
    ("mm_multimedia_assets", "status"): (
        ("new", "generated"),
        ("new", "processed"),
        ("generated", "processed"),
        ("generated", "failed"),
        ("processed", "optimized"),
        ("processed", "failed"),
        ("optimized", "failed"),
        ("failed", "generated"),
    ),
    ("mm_slide_presentations", "status"): (
        ("new", "draft"),
        ("new", "generated"),
        ("draft", "generated"),
        ("generated", "exported"),
        ("exported", "published"),
    ),
    ("mm_audio_narrations", "status"): (
        ("new", "draft"),
        ("new", "generated"),
        ("draft", "generated"),
        ("generated", "processed"),
        ("processed", "published"),
    ),
}

STATUS_SETS: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("cm_course_plans", "status"): PLAN_STATUSES,
    ("cm_research_results", "status"): RESEARCH_STATUSES,
    ("cm_module_content", "status"): CONTENT_STATUSES,
    ("cm_enhancement_sessions", "status"): ENHANCEMENT_STATUSES,
    ("mm_multimedia_sessions", "status"): SESSION_STATUSES,
    ("mm_multimedia_sessions", "current_stage"): SESSION_STAGES,
    ("mm_multimedia_assets", "status"): ASSET_STATUSES,
    ("mm_slide_presentations", "status"): PRESENTATION_STATUSES,
    ("mm_audio_narrations", "status"): NARRATION_STATUSES,
}

# Primary key column of every table that emits events.
KEY_COLUMNS: Final[dict[str, str]] = {
    "cm_course_plans": "plan_id",
    "cm_research_results": "research_id",
    "cm_module_content": "content_id",
    "cm_enhancement_sessions": "session_id",
    "mm_multimedia_sessions": "session_id",
    "mm_multimedia_assets": "asset_id",
    "mm_slide_presentations": "presentation_id",
    "mm_audio_narrations": "narration_id",
}


def _check_transitions() -> None:
    """Every transition names statuses of its column's set (caught at import, not in production)."""
    for key, pairs in TRANSITIONS.items():
        allowed = {NEW, *STATUS_SETS[key]}
        unknown = {status for pair in pairs for status in pair} - allowed
        if unknown:
            raise RuntimeError(f"{key}: transitions name unknown statuses {sorted(unknown)}")


_check_transitions()


def allowed_next(table: str, column: str, current: str | None) -> list[str]:
    """Statuses a row may move to from ``current`` (None: a new row)."""
    start = current if current is not None else NEW
    return sorted(to for frm, to in TRANSITIONS[(table, column)] if frm == start)


# Status columns declared at run time by code outside the workflow (the acceptance tests and the
# benchmark track their own tables). Kept apart from STATUS_SETS, which mirrors the migrations.
EXTRA_STATUS_SETS: Final[dict[tuple[str, str], tuple[str, ...]]] = {}


class StatusSetError(ValueError):
    """A status set that cannot be declared."""


def register_status_set(table: str, column: str, statuses: tuple[str, ...]) -> None:
    """Declare the statuses of a tracked column that is not part of the workflow.

    The table must also be tracked in the database (``pipeline.track_status``); this only lets
    handlers subscribe to it and its events parse (as ``ExtraStatusEvent``). Declaring the same
    set twice is allowed; a different set for the same column is refused.
    """
    key = (table, column)
    if key in STATUS_SETS:
        raise StatusSetError(f"{table}.{column} is a workflow status column; its set is fixed")
    if not statuses or len(set(statuses)) != len(statuses):
        raise StatusSetError(f"{table}.{column}: statuses must be non-empty and distinct")
    if NEW in statuses or "*" in statuses:
        raise StatusSetError(f"{table}.{column}: {NEW!r} and '*' are reserved, not statuses")
    existing = EXTRA_STATUS_SETS.get(key)
    if existing is not None and existing != statuses:
        raise StatusSetError(f"{table}.{column} is already declared as {', '.join(existing)}")
    EXTRA_STATUS_SETS[key] = statuses


def status_set(table: str, column: str) -> tuple[str, ...] | None:
    """The statuses of a workflow or declared column; None when the column has no events."""
    return STATUS_SETS.get((table, column)) or EXTRA_STATUS_SETS.get((table, column))
