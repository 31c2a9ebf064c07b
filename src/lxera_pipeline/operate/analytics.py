"""`analytics refresh` / `analytics show` (the daemon's periodic refresh is
lxera_pipeline.cli.side_tasks).

The analytics materialized views (per video, per module, per pipeline stage, enhancement loops;
see migrations/20261125001030_video_analytics.sql) are refreshed CONCURRENTLY by
``pipeline.refresh_analytics()``; one refresh runs at a time across all daemons and commands.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.log import get_logger
from lxera_pipeline.operate.common import OpsInputError

log = get_logger(__name__)

MAX_LIMIT = 1000


def refresh(conn: psycopg.Connection[DictRow]) -> dict[str, Any]:
    """Refresh every analytics view; ``refreshed`` is False when another refresh was running."""
    started = time.perf_counter()
    with conn.transaction():
        row = conn.execute(load_query("analytics_refresh")).fetchone()
    took = round(time.perf_counter() - started, 3)
    refreshed = bool(row and row["refreshed"])
    log.info("analytics.refreshed", refreshed=refreshed, seconds=took)
    return {"refreshed": refreshed, "seconds": took}


def show(conn: psycopg.Connection[DictRow], limit: int = 20) -> dict[str, list[dict[str, Any]]]:
    """The views as they were last refreshed."""
    if not 1 <= limit <= MAX_LIMIT:
        raise OpsInputError(f"--limit: must be between 1 and {MAX_LIMIT}, got {limit}")
    return {
        name: [dict(row) for row in conn.execute(load_query(f"analytics_{name}"), {"limit": limit})]
        for name in ("stage_stats", "module_views", "video_views", "enhancement_loops")
    }
