"""Render the state machines of `statuses.TRANSITIONS` as Mermaid or plain-text diagrams.

docs/architecture.md embeds the Mermaid output; a test keeps the two identical.
"""

from __future__ import annotations

from lxera_pipeline.events.statuses import NEW, TRANSITIONS


def mermaid(table: str, column: str) -> str:
    """A `stateDiagram-v2` block for one (table, status column)."""
    lines = ["stateDiagram-v2"]
    for frm, to in TRANSITIONS[(table, column)]:
        lines.append(f"    {'[*]' if frm == NEW else frm} --> {to}")
    return "\n".join(lines)


def all_mermaid() -> str:
    """Every state machine as a Markdown section with a fenced Mermaid block."""
    parts = []
    for table, column in TRANSITIONS:
        parts.append(f"#### `{table}.{column}`\n\n```mermaid\n{mermaid(table, column)}\n```\n")
    return "\n".join(parts)


def text(table: str, column: str) -> str:
    """One line per status: `status -> next, next`."""
    nexts: dict[str, list[str]] = {}
    for frm, to in TRANSITIONS[(table, column)]:
        nexts.setdefault(frm, []).append(to)
    return "\n".join(f"  {frm:>18} -> {', '.join(tos)}" for frm, tos in nexts.items())
