"""The demo's live view: one rich progress bar per module, showing its status or media stage.

A module's bar covers its whole life: writing and the quality gate fill the first fifth, the
multimedia session's stage percentage (script 10% ... uploading 85%, completed 100%) the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import anyio
from psycopg import AsyncConnection
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from lxera_pipeline.data.statements import Row, fetch_all

CONTENT_SHARE = 20.0
CONTENT_STEPS = {"draft": 5.0, "quality_check": 10.0, "revision": 12.0, "approved": 20.0}
CONTENT_LABELS = {
    "draft": "writing the five sections",
    "quality_check": "quality gate",
    "revision": "enhancing weak sections",
    "approved": "approved, starting media",
}


@dataclass(frozen=True)
class ModuleProgress:
    """Where one module of the demo plan stands."""

    content_id: UUID
    module_name: str
    content_status: str
    revision_count: int
    failure_reason: str | None
    session_id: UUID | None
    session_status: str | None
    current_stage: str | None
    stage_percent: float
    error_details: str | None

    @classmethod
    def from_row(cls, row: Row) -> ModuleProgress:
        return cls(
            content_id=row["content_id"],
            module_name=row["module_name"],
            content_status=row["content_status"],
            revision_count=row["revision_count"],
            failure_reason=row["failure_reason"],
            session_id=row["session_id"],
            session_status=row["session_status"],
            current_stage=row["current_stage"],
            stage_percent=float(row["progress_percentage"] or 0),
            error_details=row["error_details"],
        )

    @property
    def finished(self) -> bool:
        return self.content_status in ("published", "failed") or self.session_status == "failed"

    @property
    def percent(self) -> float:
        if self.content_status in ("published", "failed"):
            return 100.0
        if self.session_status is None:
            return CONTENT_STEPS.get(self.content_status, 0.0)
        return CONTENT_SHARE + (100 - CONTENT_SHARE) * self.stage_percent / 100

    @property
    def label(self) -> str:
        if self.content_status == "failed":
            return f"[red]failed: {self.failure_reason or 'no reason recorded'}"
        if self.session_status == "failed":
            return f"[red]media failed: {self.error_details or 'no detail'}"
        if self.content_status == "published":
            return "[green]published"
        if self.session_status is not None:
            return f"media: {(self.current_stage or '').replace('_', ' ')}"
        label = CONTENT_LABELS.get(self.content_status, self.content_status)
        return f"{label} (revision {self.revision_count})" if self.revision_count else label


async def read_progress(conn: AsyncConnection[Any], plan_id: UUID) -> list[ModuleProgress]:
    rows = await fetch_all(conn, "demo_plan_progress", {"plan_id": plan_id})
    return [ModuleProgress.from_row(row) for row in rows]


def progress_bars(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}", style="bold"),
        BarColumn(bar_width=32),
        TaskProgressColumn(),
        TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(),
        console=console,
    )


async def follow_plan(
    conn: AsyncConnection[Any], plan_id: UUID, modules: int, console: Console
) -> list[ModuleProgress]:
    """Show the bars until every one of the plan's ``modules`` is finished; the final state."""
    tasks: dict[UUID, TaskID] = {}
    with progress_bars(console) as bars:
        research = bars.add_task("course plan", total=100, stage="researching the plan")
        while True:
            found = await read_progress(conn, plan_id)
            if found:
                bars.update(research, completed=100, stage="[green]modules created")
            for module in found:
                if module.content_id not in tasks:
                    tasks[module.content_id] = bars.add_task(
                        module.module_name, total=100, stage=""
                    )
                bars.update(tasks[module.content_id], completed=module.percent, stage=module.label)
            if len(found) >= modules and all(module.finished for module in found):
                return found
            await anyio.sleep(0.25)
