"""Collaborative editing of module content: every edit advances cm_module_content.version by
exactly one (API roles and the pipeline alike), a stale edit is refused naming the stale version,
every accepted edit keeps the replaced text, and an API edit of approved or published content
sends it back through the quality gate."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from psycopg import errors

from lxera_pipeline.data import content as content_api
from tests.integration.schema_rows import Conn, acting_as, seed_company

Ids = dict[str, uuid.UUID]


def _admin(ids: Ids) -> dict[str, Any]:
    return {"sub": str(ids["users"]), "role": "company_admin", "company_id": str(ids["companies"])}


def _edit(conn: Conn, content: uuid.UUID, text: str, version: int | None) -> int:
    if version is None:
        return conn.execute(
            "update cm_module_content set introduction = %s where content_id = %s",
            (text, content),
        ).rowcount
    return conn.execute(
        "update cm_module_content set introduction = %s, version = %s where content_id = %s",
        (text, version, content),
    ).rowcount


def _row(conn: Conn, content: uuid.UUID) -> tuple[Any, ...]:
    row = conn.execute(
        "select version, introduction, status from cm_module_content where content_id = %s",
        (content,),
    ).fetchone()
    assert row is not None
    return tuple(row)


def _revisions(conn: Conn, content: uuid.UUID) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in conn.execute(
            "select version, replaced_by_version, introduction, edited_via, edited_by"
            " from cm_module_content_revisions where content_id = %s order by version",
            (content,),
        )
    ]


def test_an_edit_advances_the_version_and_keeps_the_replaced_text(schema_db: Conn) -> None:
    ids = seed_company(schema_db)
    content = ids["cm_module_content"]
    assert _row(schema_db, content)[0] == 1
    assert _edit(schema_db, content, "first", 2) == 1
    assert _edit(schema_db, content, "second", 3) == 1
    assert _row(schema_db, content)[:2] == (3, "second")
    assert _revisions(schema_db, content) == [
        (1, 2, None, "pipeline", None),
        (2, 3, "first", "pipeline", None),
    ]


@pytest.mark.parametrize("version", [None, 1, 2, 4])
def test_a_stale_edit_is_refused_naming_the_stale_version(
    schema_db: Conn, version: int | None
) -> None:
    ids = seed_company(schema_db)
    content = ids["cm_module_content"]
    _edit(schema_db, content, "accepted", 2)
    with pytest.raises(errors.SerializationFailure) as caught:
        _edit(schema_db, content, "stale", version)
    sent = 2 if version is None else version
    assert caught.value.sqlstate == "40001"
    assert str(caught.value).splitlines()[0] == (
        f"stale version {sent - 1} of cm_module_content {content}: the stored version is 2, "
        f"an edit must set version = 3 (it set {sent})"
    )
    assert _row(schema_db, content)[:2] == (2, "accepted")
    assert len(_revisions(schema_db, content)) == 1


def test_a_status_change_is_not_an_edit(schema_db: Conn) -> None:
    ids = seed_company(schema_db)
    content = ids["cm_module_content"]
    schema_db.execute(
        "update cm_module_content set status = 'quality_check', module_name = 'Renamed'"
        " where content_id = %s",
        (content,),
    )
    assert _row(schema_db, content) == (1, None, "quality_check")
    assert _revisions(schema_db, content) == []


def _approve(conn: Conn, content: uuid.UUID) -> None:
    for status in ("quality_check", "approved"):
        conn.execute(
            "update cm_module_content set status = %s where content_id = %s", (status, content)
        )


@pytest.mark.parametrize("start", ["approved", "published"])
def test_an_api_edit_of_approved_content_reenters_the_quality_gate(
    schema_db: Conn, start: str
) -> None:
    ids = seed_company(schema_db)
    content = ids["cm_module_content"]
    _approve(schema_db, content)
    if start == "published":
        schema_db.execute(
            "update cm_module_content set status = 'published' where content_id = %s", (content,)
        )
    with acting_as(schema_db, "authenticated", _admin(ids)) as conn:
        with (
            pytest.raises(errors.SerializationFailure, match="stale version 0"),
            conn.transaction(),
        ):
            _edit(conn, content, "no version", None)
        assert _edit(conn, content, "A reviewer's words.", 2) == 1
        assert _row(conn, content) == (2, "A reviewer's words.", "quality_check")
        assert _revisions(conn, content) == [(1, 2, None, "api", ids["users"])]
        conn.execute("reset role")
        events = conn.execute(
            "select old_status, new_status from pipeline.events where entity_id = %s"
            " order by event_id desc limit 1",
            (content,),
        ).fetchall()
        assert events == [(start, "quality_check")]


def test_a_pipeline_edit_of_approved_content_keeps_its_status(schema_db: Conn) -> None:
    ids = seed_company(schema_db)
    content = ids["cm_module_content"]
    _approve(schema_db, content)
    _edit(schema_db, content, "pipeline words", 2)
    assert _row(schema_db, content) == (2, "pipeline words", "approved")


@pytest.mark.anyio
async def test_the_data_api_and_so_every_handler_obeys_the_version(db_dsn: str) -> None:
    with psycopg.connect(db_dsn, autocommit=True) as setup:
        content = seed_company(setup)["cm_module_content"]
    async with await psycopg.AsyncConnection.connect(db_dsn, autocommit=True) as conn:
        read = await content_api.get_module_content(conn, content)
        assert read is not None
        first = await content_api.update_sections(
            conn, content, {"introduction": "one"}, base_version=read.version
        )
        assert first.version == read.version + 1
        # a second writer that read the same version is now stale
        with pytest.raises(errors.SerializationFailure, match=f"stale version {read.version} "):
            await content_api.update_sections(
                conn, content, {"introduction": "two"}, base_version=read.version
            )
        again = await content_api.get_module_content(conn, content)
        assert again is not None
        assert (again.version, again.introduction) == (first.version, "one")
