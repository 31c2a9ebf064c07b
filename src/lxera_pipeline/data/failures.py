"""Marking an entity failed after a dead letter, reading nothing but ids and statuses.

The on-dead hooks must work on rows that do not parse (a JSON column of the wrong shape, a
value the row models refuse), so these calls never build a row model: each is one plain
UPDATE guarded by the statuses it may leave, and returns whether it changed the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data import validation as v
from lxera_pipeline.data.statements import fetch_one

REASON_LIMIT = 2000


def _reason(reason: str) -> str:
    return reason[:REASON_LIMIT] or "failed"


async def fail_open_plan(
    conn: AsyncConnection[Any], plan_id: UUID, statuses: Sequence[str], reason: str
) -> bool:
    """The plan becomes 'failed' with ``reason`` if its status is one of ``statuses``."""
    params = {
        "plan_id": v.check_uuid("plan_id", plan_id),
        "statuses": list(statuses),
        "reason": _reason(reason),
    }
    return await fetch_one(conn, "fail_open_plan", params) is not None


async def fail_open_research(
    conn: AsyncConnection[Any], research_id: UUID, reason: str
) -> tuple[bool, UUID | None]:
    """The research becomes 'failed' if it was 'started'; (whether it did, its plan's id)."""
    params = {"research_id": v.check_uuid("research_id", research_id), "reason": _reason(reason)}
    failed = await fetch_one(conn, "fail_open_research", params) is not None
    row = await fetch_one(conn, "select_research_plan_id", params)
    return failed, None if row is None else row["plan_id"]


async def fail_open_content(
    conn: AsyncConnection[Any], content_id: UUID, statuses: Sequence[str], reason: str
) -> bool:
    """The content becomes 'failed' with ``reason`` if its status is one of ``statuses``."""
    params = {
        "content_id": v.check_uuid("content_id", content_id),
        "statuses": list(statuses),
        "reason": _reason(reason),
    }
    return await fetch_one(conn, "fail_open_content", params) is not None


async def fail_open_enhancement(
    conn: AsyncConnection[Any], session_id: UUID, reason: str
) -> tuple[bool, UUID | None]:
    """An open enhancement session becomes 'failed'; (whether it did, its content's id)."""
    params = {"session_id": v.check_uuid("session_id", session_id), "reason": _reason(reason)}
    failed = await fetch_one(conn, "fail_open_enhancement", params) is not None
    row = await fetch_one(conn, "select_enhancement_content_id", params)
    return failed, None if row is None else row["content_id"]


async def plan_status_for_update(conn: AsyncConnection[Any], plan_id: UUID) -> str | None:
    """The plan's status, its row locked until the transaction ends (None: no such plan)."""
    params = {"plan_id": v.check_uuid("plan_id", plan_id)}
    row = await fetch_one(conn, "lock_plan_status", params)
    return None if row is None else str(row["status"])


async def content_plan_id(conn: AsyncConnection[Any], content_id: UUID) -> UUID | None:
    """The plan a module content row belongs to (None: no plan, or no such row)."""
    params = {"content_id": v.check_uuid("content_id", content_id)}
    row = await fetch_one(conn, "select_content_plan_id", params)
    return None if row is None else row["plan_id"]


async def fail_open_session(conn: AsyncConnection[Any], session_id: UUID, reason: str) -> bool:
    """A media session that is 'started' or 'processing' becomes 'failed'; the reason is prefixed
    with the stage it stopped at."""
    params = {"session_id": v.check_uuid("session_id", session_id), "reason": _reason(reason)}
    return await fetch_one(conn, "fail_open_session", params) is not None
