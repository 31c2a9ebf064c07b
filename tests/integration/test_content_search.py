"""public.search_module_content: full-text search over module content with the caller's rights
(row-level security decides the companies), best match first, bounded inputs, served by the GIN
index."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from psycopg import errors

from tests.integration.schema_rows import Conn, acting_as, insert_row, seed_company


def _claims(role: str, ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"sub": str(ids["users"]), "role": role, "company_id": str(ids["companies"])}


def _search(conn: Conn, query: str, limit: int = 20) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in conn.execute(
            "select module_name, company_id from public.search_module_content(%s, %s)",
            (query, limit),
        )
    ]


def test_search_ranks_matches_and_respects_row_level_security(schema_db: Conn) -> None:
    mine, theirs = seed_company(schema_db), seed_company(schema_db)
    tag = uuid.uuid4().hex[:8]
    insert_row(
        schema_db, "cm_module_content", mine, module_name=f"Pivot tables {tag}",
        introduction="Summarise revenue quickly.",
    )  # fmt: skip
    insert_row(
        schema_db, "cm_module_content", mine, module_name=f"Charts {tag}",
        core_content="A pivot table feeds the chart.",
    )  # fmt: skip
    insert_row(
        schema_db, "cm_module_content", mine, module_name=f"Budgets {tag}",
        core_content="Nothing about that here.",
    )  # fmt: skip
    insert_row(
        schema_db, "cm_module_content", theirs, module_name=f"Pivot secrets {tag}",
        introduction="Another company's pivots.",
    )  # fmt: skip
    with acting_as(schema_db, "authenticated", _claims("learner", mine)) as conn:
        found = _search(conn, f"pivot {tag}")
        assert found == [
            (f"Pivot tables {tag}", mine["companies"]),
            (f"Charts {tag}", mine["companies"]),
        ]  # the name weighs most; the other company's module is invisible
        assert _search(conn, f'"pivot table" -chart {tag}') == [
            (f"Pivot tables {tag}", mine["companies"])
        ]  # a phrase, and "-chart" drops the Charts module
        assert _search(conn, f"pivot {tag}", limit=1) == [
            (f"Pivot tables {tag}", mine["companies"])
        ]
        excerpt = conn.execute(
            "select excerpt from public.search_module_content(%s)", (f"revenue {tag}",)
        ).fetchone()
        assert excerpt is None or "<b>" in excerpt[0]
    with acting_as(schema_db, "authenticated", {"role": "super_admin"}) as conn:
        assert len(_search(conn, f"pivot {tag}")) == 3
    with acting_as(schema_db, "anon") as conn, pytest.raises(errors.InsufficientPrivilege):
        _search(conn, "pivot")


@pytest.mark.parametrize(("query", "limit"), [("", 5), ("x" * 201, 5), ("pivot", 0), ("a", 101)])
def test_search_inputs_are_bounded(schema_db: Conn, query: str, limit: int) -> None:
    with pytest.raises(errors.InvalidParameterValue, match="search_module_content"):
        _search(schema_db, query, limit)


def test_search_uses_the_index(schema_db: Conn) -> None:
    with schema_db.transaction(force_rollback=True):
        schema_db.execute("set local enable_seqscan = off")
        plan = "\n".join(
            row[0]
            for row in schema_db.execute(
                "explain select content_id from public.cm_module_content c"
                " where public.module_content_document(c.module_name, c.introduction,"
                " c.core_content, c.practical_applications, c.case_studies, c.assessments)"
                " @@ websearch_to_tsquery('english', 'pivot')"
            )
        )
    assert "cm_module_content_search_idx" in plan
