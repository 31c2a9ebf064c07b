"""Row models of the planning tables: course plans and research results."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from lxera_pipeline.data.row_base import JsonArray, JsonObject, Row
from lxera_pipeline.data.vocabulary import ApprovalStatus
from lxera_pipeline.events.statuses import PlanStatus, ResearchStatus


class CoursePlan(Row):
    """A row of `cm_course_plans`."""

    TABLE = "cm_course_plans"

    plan_id: UUID
    company_id: UUID
    employee_id: UUID
    employee_name: str
    session_id: str
    course_title: str | None
    course_structure: JsonObject
    prioritized_gaps: JsonObject
    research_strategy: JsonObject
    learning_path: JsonObject
    employee_profile: JsonObject
    total_modules: int | None
    course_duration_weeks: int | None
    planning_agent_version: str
    tool_calls: JsonArray
    execution_time_seconds: float | None
    agent_turns: int | None
    status: PlanStatus
    error_message: str | None
    is_preview_mode: bool
    approval_status: ApprovalStatus | None
    approved_by: UUID | None
    approved_at: datetime | None
    approval_feedback: str | None
    rejection_reason: str | None
    revision_count: int
    metadata: JsonObject
    created_at: datetime
    updated_at: datetime


class ResearchResult(Row):
    """A row of `cm_research_results`."""

    TABLE = "cm_research_results"

    research_id: UUID
    company_id: UUID
    plan_id: UUID
    session_id: str
    research_findings: JsonObject
    content_library: JsonObject
    module_mappings: JsonObject
    total_topics: int
    total_sources: int
    research_agent_version: str
    search_queries: JsonArray
    sources_analyzed: JsonArray
    synthesis_sessions: JsonArray
    tool_calls: JsonArray
    execution_metrics: JsonObject
    source_types: JsonObject | JsonArray | None
    credibility_analysis: JsonObject | JsonArray | None
    research_methodology: str | None
    enhanced_features_used: JsonObject | JsonArray | None
    status: ResearchStatus
    error_message: str | None
    created_at: datetime
    updated_at: datetime
