"""`renders`: the rendering queue (mm_rendering_queue), open renders first by priority and age."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.operate.common import OpsInputError

RENDER_STATUSES = ("queued", "rendering", "done", "failed")
MAX_LIMIT = 10_000


def list_renders(
    conn: psycopg.Connection[DictRow],
    *,
    status: str | None = None,
    company: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    if status is not None and status not in RENDER_STATUSES:
        raise OpsInputError(
            f"--status: must be one of {', '.join(RENDER_STATUSES)}, got {status!r}"
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise OpsInputError(f"--limit: must be between 1 and {MAX_LIMIT}, got {limit}")
    try:
        company_id = None if company is None else uuid.UUID(company)
    except ValueError:
        raise OpsInputError(f"--company: {company!r} is not a UUID") from None
    params = {"status": status, "company": company_id, "limit": limit}
    return [dict(row) for row in conn.execute(load_query("list_renders"), params)]
