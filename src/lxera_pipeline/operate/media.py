"""`media regenerate`, `media rollback`, `media versions`: a module's media versions.

Regenerating opens a new multimedia session for a module (or one of its sections) that is
approved or published; the pipeline renders it as the next media version, which becomes current
when its session completes, while the earlier versions keep their rows, assets and stored objects.
A rollback makes an older completed version current again (its assets active, the others not).
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from psycopg.rows import DictRow

from lxera_pipeline.data.vocabulary import SECTION_NAMES, WHOLE_MODULE
from lxera_pipeline.db.queries import load_query
from lxera_pipeline.log import get_logger
from lxera_pipeline.operate.common import OpsInputError, RefusedError, UnknownIdError

log = get_logger(__name__)

REASON_LIMIT = 500
REGENERABLE = ("approved", "published")


def parse_content_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise OpsInputError(f"{value!r} is not a module id (a UUID)") from None


def check_section(section: str | None) -> str:
    """The version scope: one of the five sections, or the whole module (None)."""
    if section is None or section == WHOLE_MODULE:
        return WHOLE_MODULE
    if section not in SECTION_NAMES:
        raise OpsInputError(
            f"--section: must be one of {', '.join(SECTION_NAMES)}, got {section!r}"
        )
    return section


def regenerate(
    conn: psycopg.Connection[DictRow],
    content_id: str,
    *,
    reason: str,
    actor: str,
    section: str | None = None,
) -> dict[str, Any]:
    """Open a new media session (the next version) for the module; returns its version row."""
    key = parse_content_id(content_id)
    scope = check_section(section)
    text = " ".join(reason.split())
    if not text:
        raise OpsInputError("--reason: must say why the media is regenerated")
    if len(text) > REASON_LIMIT:
        raise OpsInputError(f"--reason: at most {REASON_LIMIT} characters, got {len(text)}")
    params = {"content_id": key, "section": scope, "reason": f"{text} (by {actor})"[:REASON_LIMIT]}
    with conn.transaction():
        target = conn.execute(load_query("media_regenerate_target"), params).fetchone()
        if target is None:
            raise UnknownIdError(f"no module {key}")
        if target["status"] not in REGENERABLE:
            raise RefusedError(
                f"module {key} is {target['status']}: only approved or published modules "
                "have media to regenerate"
            )
        if target["running"]:
            raise RefusedError(f"module {key} ({scope}) already has a media session running")
        opened = conn.execute(load_query("media_regenerate"), params).fetchone()
        assert opened is not None  # the content row is locked above
        version = conn.execute(
            load_query("media_mark_operator_version"), {"session_id": opened["session_id"]}
        ).fetchone()
    assert version is not None  # the session's insert trigger opened it
    log.info("media.regenerate", content_id=str(key), section=scope, actor=actor)
    return dict(version)


def rollback(
    conn: psycopg.Connection[DictRow],
    content_id: str,
    version: int,
    *,
    actor: str,
    section: str | None = None,
) -> dict[str, Any]:
    """Make media version ``version`` of the module (section) current again."""
    key = parse_content_id(content_id)
    scope = check_section(section)
    if version < 1:
        raise OpsInputError(f"--version: must be 1 or more, got {version}")
    params = {"content_id": key, "section": scope, "version": version}
    try:
        with conn.transaction():
            row = conn.execute(load_query("media_make_current"), params).fetchone()
    except psycopg.errors.NoDataFound as exc:
        raise UnknownIdError(_first_line(exc)) from None
    except psycopg.errors.ObjectNotInPrerequisiteState as exc:
        raise RefusedError(_first_line(exc)) from None
    assert row is not None
    log.info("media.rollback", content_id=str(key), section=scope, version=version, actor=actor)
    return dict(row)


def versions(conn: psycopg.Connection[DictRow], content_id: str) -> list[dict[str, Any]]:
    """Every media version of the module, by section and number."""
    key = parse_content_id(content_id)
    return [dict(row) for row in conn.execute(load_query("media_versions"), {"content_id": key})]


def _first_line(exc: psycopg.Error) -> str:
    return exc.diag.message_primary or str(exc).splitlines()[0]
