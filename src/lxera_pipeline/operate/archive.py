"""`archive`: move published modules older than a cut-off, with everything under them (quality
assessments, enhancement sessions, multimedia sessions, assets, slide presentations, narrations),
out of the workflow tables into ``pipeline.content_archive``, and restore them exactly.

Each module moves in a transaction of its own (``pipeline.archive_content``), under its row lock,
after the same eligibility rules a dry run reports (``pipeline.content_archive_blocker``): it is
published before the cut-off, no newer version points at it, its plan is finished, nothing of it
has unfinished deliveries. Every move is logged in ``pipeline.content_archive_log``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.log import get_logger
from lxera_pipeline.operate.common import OpsInputError, RefusedError, UnknownIdError

log = get_logger(__name__)

MAX_LIMIT = 100_000


@dataclass
class Candidate:
    content_id: uuid.UUID
    company_id: uuid.UUID
    module_name: str
    published_at: datetime
    blocker: str | None
    row_counts: dict[str, int] = field(default_factory=dict)


@dataclass
class ArchiveReport:
    cutoff: datetime
    dry_run: bool
    archived: list[Candidate] = field(default_factory=list)
    kept: list[Candidate] = field(default_factory=list)

    @property
    def rows(self) -> dict[str, int]:
        """Rows moved (or, in a dry run, that would be movable) per table."""
        total: dict[str, int] = {}
        for candidate in self.archived:
            for table, count in candidate.row_counts.items():
                total[table] = total.get(table, 0) + count
        return total


def archive_content(
    conn: psycopg.Connection[DictRow],
    older_than: timedelta,
    *,
    actor: str,
    dry_run: bool = False,
    limit: int = 1000,
    now: datetime | None = None,
) -> ArchiveReport:
    """Archive (or, with ``dry_run``, list) the modules published more than ``older_than`` ago."""
    if older_than <= timedelta(0):
        raise OpsInputError("--older-than: must be a positive age such as 180d")
    if not 1 <= limit <= MAX_LIMIT:
        raise OpsInputError(f"--limit: must be between 1 and {MAX_LIMIT}, got {limit}")
    report = ArchiveReport(cutoff=(now or datetime.now(UTC)) - older_than, dry_run=dry_run)
    params: dict[str, Any] = {"cutoff": report.cutoff, "limit": limit}
    candidates = [
        Candidate(**row) for row in conn.execute(load_query("archive_candidates"), params)
    ]
    for candidate in candidates:
        if candidate.blocker is not None or dry_run:
            (report.kept if candidate.blocker else report.archived).append(candidate)
            continue
        try:
            with conn.transaction():
                row = conn.execute(
                    load_query("archive_content"),
                    {"content_id": candidate.content_id, "cutoff": report.cutoff, "actor": actor},
                ).fetchone()
        except psycopg.errors.ObjectNotInPrerequisiteState as exc:  # changed since the listing
            candidate.blocker = _reason(exc)
            report.kept.append(candidate)
            continue
        except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
            candidate.blocker = "busy: a concurrent writer holds its rows; run again"
            report.kept.append(candidate)
            continue
        candidate.row_counts = dict(row["row_counts"]) if row else {}
        report.archived.append(candidate)
        log.info("archive.content", content_id=str(candidate.content_id), actor=actor)
    return report


def restore_content(
    conn: psycopg.Connection[DictRow], content_id: str, *, actor: str
) -> dict[str, int]:
    """Put an archived module back; returns the rows restored per table."""
    try:
        key = uuid.UUID(content_id)
    except ValueError:
        raise OpsInputError(f"{content_id!r} is not a module id (a UUID)") from None
    try:
        with conn.transaction():
            row = conn.execute(
                load_query("restore_content"), {"content_id": key, "actor": actor}
            ).fetchone()
    except psycopg.errors.NoDataFound:
        raise UnknownIdError(f"module {key} is not in the archive") from None
    except psycopg.errors.UniqueViolation:
        raise RefusedError(
            f"module {key} cannot be restored: a row with one of its ids exists again"
        ) from None
    except psycopg.errors.ForeignKeyViolation as exc:
        raise RefusedError(_reason(exc)) from None
    except psycopg.errors.InsufficientPrivilege:
        raise RefusedError(
            "restoring needs session_replication_role: run as a superuser or "
            "GRANT SET ON PARAMETER session_replication_role TO the role of DATABASE_URL"
        ) from None
    log.info("archive.restore", content_id=str(key), actor=actor)
    return dict(row["row_counts"]) if row else {}


def archived(conn: psycopg.Connection[DictRow], limit: int = 100) -> list[dict[str, Any]]:
    """The most recently archived modules."""
    if not 1 <= limit <= MAX_LIMIT:
        raise OpsInputError(f"--limit: must be between 1 and {MAX_LIMIT}, got {limit}")
    return list(conn.execute(load_query("archived_content"), {"limit": limit}))


def _reason(exc: psycopg.Error) -> str:
    """The first line of the database's message (our own text: ids and a reason, no row data)."""
    diag = exc.diag.message_primary
    return diag if diag else str(exc).splitlines()[0]
