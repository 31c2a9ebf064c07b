"""Named SQL queries kept in `.sql` files under `db/queries/`.

A file holds one or more queries, each introduced by a line ``-- name: <query_name>``. Code asks
for queries by name; no SQL text lives in Python modules.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from psycopg import sql

_NAME = re.compile(r"^--\s*name:\s*(?P<name>[a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


@cache
def _all_queries() -> dict[str, str]:
    found: dict[str, str] = {}
    folder = resources.files("lxera_pipeline.db") / "queries"
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".sql"):
            continue
        text = entry.read_text()
        marks = list(_NAME.finditer(text))
        for index, mark in enumerate(marks):
            end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
            name = mark["name"]
            if name in found:
                raise RuntimeError(f"query {name!r} is defined twice ({entry.name})")
            found[name] = text[mark.end() : end].strip()
    return found


def load_query(name: str) -> sql.SQL:
    """The query called ``name``; KeyError names the missing query."""
    try:
        return sql.SQL(_all_queries()[name])
    except KeyError:
        raise KeyError(f"no SQL query named {name!r} in lxera_pipeline/db/queries") from None


def query_names() -> list[str]:
    return sorted(_all_queries())
