"""Module content: create, update one or all sections, read, move through the state machine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data import validation as v
from lxera_pipeline.data.content_models import ContentSections, ModuleContent
from lxera_pipeline.data.errors import DataValidationError
from lxera_pipeline.data.statements import fetch_all, fetch_one, insert_or_fetch, jsonb
from lxera_pipeline.data.vocabulary import PRIORITY_LEVELS

CONTENT = "cm_module_content"
JsonMap = Mapping[str, Any]


def _check_section_texts(sections: Mapping[str, str | None]) -> dict[str, str | None]:
    """Known section names mapped to text (or None to clear a section)."""
    if not isinstance(sections, Mapping):
        raise DataValidationError("sections", sections, "a mapping of section name to text")
    for name, text in sections.items():
        v.check_section(name)
        if text is not None and not isinstance(text, str):
            raise DataValidationError(f"sections[{name!r}]", text, "a string or None")
    return dict(sections)


async def create_module_content(
    conn: AsyncConnection[Any],
    *,
    company_id: UUID,
    module_name: str,
    employee_name: str,
    session_id: str,
    module_spec: JsonMap | None = None,
    plan_id: UUID | None = None,
    module_id: str | None = None,
    research_context: JsonMap | None = None,
    priority_level: str = "medium",
    assigned_to: UUID | None = None,
    created_by: UUID | None = None,
    sections: Mapping[str, str | None] | None = None,
    content_id: UUID | None = None,
) -> ModuleContent:
    """Insert a module (status 'draft'), optionally with section texts. With ``content_id`` the
    call is idempotent: an existing row with that id is returned unchanged."""
    params = {
        "content_id": v.check_optional_uuid("content_id", content_id),
        "company_id": v.check_uuid("company_id", company_id),
        "plan_id": v.check_optional_uuid("plan_id", plan_id),
        "module_id": module_id,
        "module_name": v.check_text("module_name", module_name),
        "employee_name": v.check_text("employee_name", employee_name),
        "session_id": v.check_text("session_id", session_id),
        "module_spec": jsonb(v.check_object("module_spec", module_spec) or {}),
        "research_context": jsonb(v.check_object("research_context", research_context) or {}),
        "priority_level": v.check_choice("priority_level", priority_level, PRIORITY_LEVELS),
        "assigned_to": v.check_optional_uuid("assigned_to", assigned_to),
        "created_by": v.check_optional_uuid("created_by", created_by),
        "sections": jsonb(_check_section_texts(sections or {})),
    }
    row = await insert_or_fetch(
        conn, "insert_module_content", "select_module_content", params, "content_id"
    )
    assert row is not None  # no parent row is read: the insert or the select found it
    return ModuleContent.from_row(row)


async def update_section(
    conn: AsyncConnection[Any],
    content_id: UUID,
    section_name: str,
    text: str | None,
    *,
    base_version: int,
) -> ModuleContent:
    """Replace one section's text (None clears it); word counts are recomputed. See
    :func:`update_sections` for ``base_version``."""
    return await update_sections(
        conn, content_id, {v.check_section(section_name): text}, base_version=base_version
    )


async def update_sections(
    conn: AsyncConnection[Any],
    content_id: UUID,
    sections: Mapping[str, str | None],
    *,
    base_version: int,
) -> ModuleContent:
    """Replace the given sections (any or all five) in one UPDATE; others keep their text.

    ``base_version`` is the ``version`` the caller's text was based on; the edit stores
    ``base_version + 1``. When another edit advanced the version first, the database refuses the
    edit with ``psycopg.errors.SerializationFailure`` (SQLSTATE 40001) naming the stale version;
    the replaced text is kept in ``cm_module_content_revisions``."""
    params = {
        "content_id": v.check_uuid("content_id", content_id),
        "sections": jsonb(_check_section_texts(sections)),
        "base_version": v.check_version("base_version", base_version),
    }
    row = await fetch_one(conn, "update_module_sections", params)
    return ModuleContent.from_found(row, CONTENT, params["content_id"])


async def set_content_status(
    conn: AsyncConnection[Any],
    content_id: UUID,
    status: str,
    *,
    count_revision: bool = False,
    failure_reason: str | None = None,
) -> ModuleContent:
    """Move the content to ``status`` (the database refuses illegal transitions and records the
    event). ``count_revision`` adds one to revision_count in the same statement;
    ``failure_reason`` is kept only while the content is 'failed'."""
    params = {
        "content_id": v.check_uuid("content_id", content_id),
        "status": v.check_status(CONTENT, "status", status),
        "count_revision": bool(count_revision),
        "failure_reason": failure_reason,
    }
    row = await fetch_one(conn, "update_module_content_status", params)
    return ModuleContent.from_found(row, CONTENT, params["content_id"])


async def set_approval_status(
    conn: AsyncConnection[Any], content_id: UUID, approval_status: str
) -> ModuleContent:
    """Move the content's approval_status (a tracked column: the database checks the transition
    and records the event)."""
    params = {
        "content_id": v.check_uuid("content_id", content_id),
        "approval_status": v.check_status(CONTENT, "approval_status", approval_status),
    }
    row = await fetch_one(conn, "update_module_approval_status", params)
    return ModuleContent.from_found(row, CONTENT, params["content_id"])


async def get_module_content(conn: AsyncConnection[Any], content_id: UUID) -> ModuleContent | None:
    params = {"content_id": v.check_uuid("content_id", content_id)}
    return ModuleContent.from_optional(await fetch_one(conn, "select_module_content", params))


async def get_content_sections(
    conn: AsyncConnection[Any], content_id: UUID
) -> ContentSections | None:
    """Only the five section texts of a module (None: no such module)."""
    params = {"content_id": v.check_uuid("content_id", content_id)}
    row = await fetch_one(conn, "select_content_sections", params)
    return None if row is None else ContentSections.model_validate(row)


async def list_plan_content(conn: AsyncConnection[Any], plan_id: UUID) -> list[ModuleContent]:
    """The current version of every module of a plan, oldest first."""
    rows = await fetch_all(
        conn, "list_plan_module_content", {"plan_id": v.check_uuid("plan_id", plan_id)}
    )
    return ModuleContent.from_rows(rows)
