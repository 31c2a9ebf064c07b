"""Research results of a course plan: start, complete or fail, read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data import validation as v
from lxera_pipeline.data.plan_models import ResearchResult
from lxera_pipeline.data.statements import fetch_one, insert_or_fetch, jsonb

RESEARCH = "cm_research_results"
JsonMap = Mapping[str, Any]


async def create_research_result(
    conn: AsyncConnection[Any],
    *,
    plan_id: UUID,
    session_id: str | None = None,
    search_queries: Sequence[str] = (),
    research_agent_version: str | None = None,
    research_id: UUID | None = None,
) -> ResearchResult:
    """Start research for a plan (status 'started'); company and session come from the plan.
    With ``research_id`` the call is idempotent (an existing row is returned unchanged)."""
    params = {
        "research_id": v.check_optional_uuid("research_id", research_id),
        "plan_id": v.check_uuid("plan_id", plan_id),
        "session_id": None if session_id is None else v.check_text("session_id", session_id),
        "search_queries": jsonb(list(search_queries)),
        "research_agent_version": research_agent_version,
    }
    row = await insert_or_fetch(
        conn, "insert_research_result", "select_research_result", params, "research_id"
    )
    return ResearchResult.from_found(row, "cm_course_plans", plan_id)


async def complete_research_result(
    conn: AsyncConnection[Any],
    research_id: UUID,
    *,
    research_findings: JsonMap,
    content_library: JsonMap | None = None,
    module_mappings: JsonMap | None = None,
    total_topics: int | None = None,
    total_sources: int | None = None,
    search_queries: Sequence[str] | None = None,
    sources_analyzed: Sequence[Any] | None = None,
    execution_metrics: JsonMap | None = None,
) -> ResearchResult:
    """Record the findings and move the research to 'completed'. None keeps a column."""
    params = {
        "research_id": v.check_uuid("research_id", research_id),
        "research_findings": jsonb(
            v.check_object("research_findings", research_findings, required=True)
        ),
        "content_library": jsonb(v.check_object("content_library", content_library)),
        "module_mappings": jsonb(v.check_object("module_mappings", module_mappings)),
        "total_topics": v.check_count("total_topics", total_topics),
        "total_sources": v.check_count("total_sources", total_sources),
        "search_queries": None if search_queries is None else jsonb(list(search_queries)),
        "sources_analyzed": None if sources_analyzed is None else jsonb(list(sources_analyzed)),
        "execution_metrics": jsonb(v.check_object("execution_metrics", execution_metrics)),
    }
    row = await fetch_one(conn, "complete_research_result", params)
    return ResearchResult.from_found(row, RESEARCH, params["research_id"])


async def fail_research_result(
    conn: AsyncConnection[Any], research_id: UUID, error_message: str
) -> ResearchResult:
    """Move the research to 'failed', recording why."""
    params = {
        "research_id": v.check_uuid("research_id", research_id),
        "error_message": v.check_text("error_message", error_message),
    }
    row = await fetch_one(conn, "fail_research_result", params)
    return ResearchResult.from_found(row, RESEARCH, params["research_id"])


async def get_research_result(
    conn: AsyncConnection[Any], research_id: UUID
) -> ResearchResult | None:
    params = {"research_id": v.check_uuid("research_id", research_id)}
    return ResearchResult.from_optional(await fetch_one(conn, "select_research_result", params))


async def get_latest_research(conn: AsyncConnection[Any], plan_id: UUID) -> ResearchResult | None:
    """The plan's newest research row (a plan may have several: retries, re-research)."""
    params = {"plan_id": v.check_uuid("plan_id", plan_id)}
    return ResearchResult.from_optional(
        await fetch_one(conn, "select_latest_plan_research", params)
    )
