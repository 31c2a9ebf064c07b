"""The database state machines equal statuses.TRANSITIONS, in rows and in behaviour."""

from __future__ import annotations

import uuid
from collections import deque

import pytest
from psycopg import errors

from lxera_pipeline.events.statuses import NEW, STATUS_SETS, TRANSITIONS, allowed_next
from tests.integration.schema_rows import Conn, insert_row, seed_company, set_column


def test_transition_rows_equal_the_python_tuples(schema_db: Conn) -> None:
    rows = schema_db.execute(
        "select table_name, status_column, from_status, to_status from pipeline.transitions"
    ).fetchall()
    found: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for table, column, frm, to in rows:
        found.setdefault((table, column), set()).add((frm, to))
    assert found == {key: set(pairs) for key, pairs in TRANSITIONS.items()}


def test_every_status_column_is_tracked(schema_db: Conn) -> None:
    rows = schema_db.execute("select table_name, status_column from pipeline.status_columns")
    assert {(table, column) for table, column in rows} >= set(STATUS_SETS)


def _paths(table: str, column: str) -> dict[str, list[str]]:
    """Shortest status path from an insert to every reachable status."""
    paths: dict[str, list[str]] = {}
    queue = deque([(NEW, list[str]())])
    while queue:
        status, path = queue.popleft()
        for nxt in allowed_next(table, column, None if status == NEW else status):
            if nxt not in paths:
                paths[nxt] = [*path, nxt]
                queue.append((nxt, paths[nxt]))
    return paths


def _row_in(
    conn: Conn, ids: dict[str, uuid.UUID], key: tuple[str, str], path: list[str]
) -> uuid.UUID:
    table, column = key
    row = insert_row(conn, table, ids, **{column: path[0]})
    for status in path[1:]:
        set_column(conn, table, row, column, status)
    return row


@pytest.mark.parametrize("key", list(STATUS_SETS), ids=lambda key: ".".join(key))
def test_every_pair_is_allowed_or_refused_as_declared(
    schema_db: Conn, key: tuple[str, str]
) -> None:
    table, column = key
    ids = seed_company(schema_db)
    paths = _paths(table, column)
    assert set(paths) == set(STATUS_SETS[key]), "every status is reachable"
    for current, path in paths.items():
        row = _row_in(schema_db, ids, key, path)
        allowed = allowed_next(table, column, current)
        for target in STATUS_SETS[key]:
            if target == current:
                continue
            with schema_db.transaction(force_rollback=True):
                if target in allowed:
                    assert set_column(schema_db, table, row, column, target) == 1
                    continue
                with pytest.raises(errors.CheckViolation) as caught:
                    set_column(schema_db, table, row, column, target)
                assert caught.value.diag.constraint_name == "pipeline_state_machine"


@pytest.mark.parametrize("key", list(STATUS_SETS), ids=lambda key: ".".join(key))
def test_only_declared_initial_statuses_are_accepted(schema_db: Conn, key: tuple[str, str]) -> None:
    table, column = key
    ids = seed_company(schema_db)
    initial = allowed_next(table, column, None)
    for status in STATUS_SETS[key]:
        with schema_db.transaction(force_rollback=True):
            if status in initial:
                insert_row(schema_db, table, ids, **{column: status})
                continue
            with pytest.raises(errors.CheckViolation, match=f"illegal initial {table}.{column}"):
                insert_row(schema_db, table, ids, **{column: status})


def test_an_illegal_transition_names_table_row_statuses_and_the_way_out(schema_db: Conn) -> None:
    ids = seed_company(schema_db)
    content = ids["cm_module_content"]
    for status in ("quality_check", "approved"):
        set_column(schema_db, "cm_module_content", content, "status", status)
    with pytest.raises(errors.CheckViolation) as caught:
        set_column(schema_db, "cm_module_content", content, "status", "draft")
    assert str(caught.value).splitlines()[0] == (
        f"illegal status transition on cm_module_content row {content}: "
        "approved -> draft (allowed next: failed, published, quality_check)"
    )
    assert caught.value.diag.sqlstate == "23514"
    row = schema_db.execute(
        "select status from cm_module_content where content_id = %s", (content,)
    ).fetchone()
    assert row == ("approved",)


def test_setting_the_same_status_again_is_not_a_transition(schema_db: Conn) -> None:
    ids = seed_company(schema_db)
    plan = ids["cm_course_plans"]
    assert set_column(schema_db, "cm_course_plans", plan, "status", "planning") == 1
