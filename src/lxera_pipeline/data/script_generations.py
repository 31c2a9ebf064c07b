"""mm_script_generations: what writing each media session's script cost and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data import validation as v
from lxera_pipeline.data.errors import RowNotFoundError
from lxera_pipeline.data.row_base import Row
from lxera_pipeline.data.statements import fetch_all, fetch_one
from lxera_pipeline.events.failures import TENANT_MESSAGE_LIMIT

GENERATIONS = "mm_script_generations"


class ScriptGeneration(Row):
    """A row of `mm_script_generations`."""

    TABLE = GENERATIONS

    generation_id: UUID
    session_id: UUID
    content_id: UUID
    company_id: UUID
    section_name: str
    backend: str
    model: str | None
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    token_source: Literal["reported", "counted"]
    duration_seconds: Decimal
    status: Literal["completed", "failed"]
    error_message: str | None
    script_asset_id: UUID | None
    slides: int | None
    words: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ScriptRun:
    """One script writer run, as the script stage saw it."""

    section_name: str
    backend: str
    model: str | None
    prompt_tokens: int
    completion_tokens: int
    token_source: Literal["reported", "counted"]
    duration_seconds: float
    error_message: str | None = None  # None: the script was written
    script_asset_id: UUID | None = None
    slides: int | None = None
    words: int | None = None


async def record_script_generation(
    conn: AsyncConnection[Any], session_id: UUID, run: ScriptRun
) -> ScriptGeneration:
    """Insert the run's row ('completed', or 'failed' with its short error message)."""
    error = run.error_message
    params = {
        "session_id": v.check_uuid("session_id", session_id),
        "section_name": v.check_text("section_name", run.section_name),
        "backend": v.check_text("backend", run.backend),
        "model": run.model,
        "prompt_tokens": v.check_count("prompt_tokens", run.prompt_tokens),
        "completion_tokens": v.check_count("completion_tokens", run.completion_tokens),
        "token_source": v.check_choice("token_source", run.token_source, ("reported", "counted")),
        "duration_seconds": round(v.check_non_negative("duration", run.duration_seconds) or 0, 3),
        "status": "completed" if error is None else "failed",
        "error_message": None if error is None else error[:TENANT_MESSAGE_LIMIT],
        "script_asset_id": run.script_asset_id,
        "slides": v.check_count("slides", run.slides),
        "words": v.check_count("words", run.words),
    }
    row = await fetch_one(conn, "insert_script_generation", params)
    if row is None:
        raise RowNotFoundError("mm_multimedia_sessions", params["session_id"])
    return ScriptGeneration.from_row(row)


async def list_script_generations(
    conn: AsyncConnection[Any], session_id: UUID
) -> list[ScriptGeneration]:
    """The session's script generations, oldest first."""
    params = {"session_id": v.check_uuid("session_id", session_id)}
    return ScriptGeneration.from_rows(await fetch_all(conn, "list_script_generations", params))
