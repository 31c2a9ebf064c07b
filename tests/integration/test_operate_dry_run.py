"""`replay --dry-run`: the handler runs in a rolled-back transaction; the report lists what it would
write, and the database is left byte-for-byte as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import anyio
import psycopg
import pytest
from psycopg.rows import dict_row

from lxera_pipeline.operate.replay import ReplaySelection, dry_run, plan_dry_run
from tests.integration.operate_support import (
    BEHAVIOUR,
    GRADER,
    fingerprint,
    new_content,
    run_daemon,
    seed_company,
    set_status,
    subscribe_test_handlers,
    test_registry,
)


@pytest.fixture
def gated(db_dsn: str) -> tuple[str, Any, int]:
    """A content row sent to quality_check whose grader delivery died (the grader was broken)."""
    subscribe_test_handlers(db_dsn)
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        content = new_content(conn, seed_company(conn))
        set_status(conn, content, "quality_check")
        row = conn.execute("select max(event_id) from pipeline.events").fetchone()
    BEHAVIOUR.broken = True
    try:
        run_daemon(db_dsn)
    finally:
        BEHAVIOUR.broken = False
    assert row is not None
    return db_dsn, content, int(row[0])


def _cli(dsn: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": dsn, "LXERA_LOG_LEVEL": "warning", "COLUMNS": "250"}
    return subprocess.run(
        [sys.executable, "-m", "lxera_pipeline", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_dry_run_reports_rows_and_status_change_and_changes_nothing(
    gated: tuple[str, Any, int],
) -> None:
    dsn, content, event_id = gated
    before = fingerprint(dsn)
    with psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as conn:
        items = plan_dry_run(conn, ReplaySelection(event_id=event_id), test_registry)
    [result] = anyio.run(dry_run, dsn, items, None)

    assert result.outcome == "succeeded", result.error
    assert result.handler == GRADER
    assert result.moved_on is None
    [assessment] = result.capture.of_table("public.cm_quality_assessments")
    assert assessment.kind == "insert"
    assert assessment.row["content_id"] == str(content)
    assert float(assessment.row["overall_score"]) == 8.5
    [update] = result.capture.of_table("public.cm_module_content")
    assert update.kind == "update"
    assert update.changed["status"] == ("quality_check", "approved")
    [emitted] = result.capture.events
    assert (emitted["old_status"], emitted["new_status"]) == ("quality_check", "approved")
    assert emitted["causation_id"] == event_id
    assert fingerprint(dsn) == before


def test_dry_run_cli_prints_the_assessment_and_the_status_change(
    gated: tuple[str, Any, int],
) -> None:
    dsn, content, event_id = gated
    before = fingerprint(dsn)
    done = _cli(
        dsn,
        "replay",
        "--event",
        str(event_id),
        "--dry-run",
        "--handlers",
        "tests.integration.operate_handlers",
    )
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    assert "insert public.cm_quality_assessments" in out
    assert (
        f"update public.cm_module_content (content_id={content}): status: quality_check -> approved"
        in out
    )
    assert "would emit cm_module_content quality_check -> approved" in out
    assert fingerprint(dsn) == before
