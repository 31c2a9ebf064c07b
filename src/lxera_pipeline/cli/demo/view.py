"""What the demo prints at the end: a tree of each module's artifacts and its timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from psycopg import AsyncConnection
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from lxera_pipeline.cli.demo.progress import ModuleProgress
from lxera_pipeline.data.statements import Row, fetch_all

KINDS = {
    ("cm_module_content", "status"): "content",
    ("cm_enhancement_sessions", "status"): "enhancement",
    ("mm_multimedia_sessions", "status"): "media session",
    ("mm_multimedia_sessions", "current_stage"): "media stage",
}
DOCUMENTS = {"deck.pdf": "PDF", "deck.pptx": "PPTX", "deck.html": "HTML"}


def size(num_bytes: int | None) -> str:
    value = float(num_bytes or 0)
    for unit in ("B", "KB", "MB"):
        if value < 1024 or unit == "MB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} MB"


def shown(path: str | Path, root: Path) -> str:
    """A file's path relative to the media root when it lies inside it."""
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)


def _file(label: str, asset: Row, root: Path, extra: str = "") -> str:
    seconds = f", {float(asset['duration_seconds']):.1f} s" if asset["duration_seconds"] else ""
    where = shown(asset["file_path"], root)
    return f"[bold]{label}[/] {where} ({size(asset['file_size_bytes'])}{seconds}{extra})"


def module_branch(tree: Tree, module: ModuleProgress, assets: list[Row], root: Path) -> None:
    branch = tree.add(f"[bold]{module.module_name}[/] - {module.label}")
    by_type: dict[str, list[Row]] = {}
    for asset in assets:
        by_type.setdefault(asset["asset_type"], []).append(asset)
    for video in by_type.get("video", []):
        branch.add(_file("MP4", video, root))
    for document in by_type.get("document", []):
        label = DOCUMENTS.get(document["asset_name"], "document")
        branch.add(_file(label, document, root))
    audio = by_type.get("audio", [])
    for master in (a for a in audio if a["slide_number"] is None):
        branch.add(_file("audio", master, root, f", plus {len(audio) - 1} per-slide segments"))
    slides = by_type.get("slide", [])
    if slides:
        folder = shown(Path(slides[0]["file_path"]).parent, root)
        branch.add(f"[bold]slides[/] {len(slides)} PNG images (1920x1080) in {folder}")
    for script in by_type.get("script", []):
        branch.add(_file("script", script, root))
    stored = [a for a in assets if a["storage_path"]]
    if stored:
        video = next((a for a in stored if a["asset_type"] == "video"), stored[0])
        where = video["public_url"] or f"{video['storage_path']} (private)"
        branch.add(f"[bold]stored[/] {len(stored)} objects, e.g. {where}")


async def artifact_tree(
    conn: AsyncConnection[Any], modules: list[ModuleProgress], media_root: Path
) -> Tree:
    tree = Tree(f"[bold]Artifacts[/] (media root {media_root})")
    for module in modules:
        assets = (
            await fetch_all(conn, "demo_session_assets", {"session_id": module.session_id})
            if module.session_id
            else []
        )
        module_branch(tree, module, assets, media_root)
    return tree


def _attempts(event: Row) -> str:
    return "\n".join(
        f"{a['handler']}: {a['outcome']}{' #' + str(a['attempt']) if a['attempt'] > 1 else ''}"
        f" {float(a['duration_ms']):.0f} ms" + (f" ({str(a['error'])[:60]})" if a["error"] else "")
        for a in event["attempts"]
    )


def timeline_table(module: ModuleProgress, events: list[Row]) -> Table:
    table = Table("+s", "what", "transition", "handler attempts (audit rows)", title_justify="left")
    table.title = f"Timeline of {module.module_name}"
    start = events[0]["committed_at"] if events else None
    for event in events:
        offset = (event["committed_at"] - start).total_seconds() if start else 0.0
        kind = KINDS.get((event["table_name"], event["status_column"]), event["table_name"])
        move = f"{event['old_status'] or 'new'} -> {event['new_status']}"
        table.add_row(f"{offset:6.2f}", kind, move, _attempts(event))
    return table


async def print_summary(
    conn: AsyncConnection[Any], modules: list[ModuleProgress], media_root: Path, console: Console
) -> None:
    console.print(await artifact_tree(conn, modules, media_root))
    for module in modules:
        events = await fetch_all(conn, "demo_module_events", {"content_id": module.content_id})
        console.print(timeline_table(module, events))
