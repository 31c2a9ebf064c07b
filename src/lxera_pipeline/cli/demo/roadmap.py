"""The demo's last act: the rendering queue the run went through, then one module's media
regenerated as version 2 (version 1 kept) and the module's media versions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import anyio
import psycopg
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from rich.console import Console
from rich.table import Table

from lxera_pipeline.data.statements import fetch_all
from lxera_pipeline.operate.media import regenerate


def queue_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("kind", "status", "priority", "attempts", "module", title="Rendering queue")
    for row in rows:
        table.add_row(
            row["kind"], row["status"], str(row["priority"]), str(row["attempts"]),
            row["module_name"],
        )  # fmt: skip
    return table


def versions_table(module_name: str, rows: list[dict[str, Any]]) -> Table:
    table = Table("version", "current", "session", "via", "reason", title=f"Media of {module_name}")
    for row in rows:
        table.add_row(
            str(row["version"]), "yes" if row["is_current"] else "no", row["session_status"],
            row["requested_via"], row["reason"],
        )  # fmt: skip
    return table


def _regenerate(dsn: str, content_id: UUID) -> dict[str, Any]:
    with psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as conn:
        return regenerate(
            conn, str(content_id), reason="the demo shows a second version", actor="demo"
        )


async def show_queue_and_regenerate(
    conn: AsyncConnection[Any], dsn: str, content_id: UUID, module_name: str, console: Console
) -> None:
    """Print the queue, regenerate the module's media and wait (the daemon is running) until
    the new version is current, then print its versions."""
    queue = await fetch_all(conn, "list_renders", {"status": None, "company": None, "limit": 30})
    console.print(queue_table(queue))
    opened = await anyio.to_thread.run_sync(_regenerate, dsn, content_id)
    console.print(f"Regenerating {module_name!r}: version {opened['version']} opened.")
    while True:
        rows = await fetch_all(conn, "media_versions", {"content_id": content_id})
        if any(row["version"] == opened["version"] and row["is_current"] for row in rows):
            break
        if any(row["session_status"] == "failed" for row in rows):
            break
        await anyio.sleep(0.3)
    console.print(versions_table(module_name, rows))
