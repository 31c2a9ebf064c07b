"""The issue's case: a dry-run replay of a quality-gate event prints the assessment row and the
status change the real `content.quality_gate` would write, and the database stays byte-for-byte
as it was; its ports only record (no file, no upload)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import anyio
import psycopg
import pytest
from click.testing import CliRunner
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from lxera_pipeline.cli import cli
from lxera_pipeline.generators.text.factory import rule_based_text_ports
from lxera_pipeline.generators.types import Learner, ModuleResearch, ModuleSpec
from lxera_pipeline.handlers.registry import load_builtin_handlers, registry
from lxera_pipeline.handlers.workflow.resources import build_resources
from lxera_pipeline.operate.replay import ReplaySelection, dry_run, plan_dry_run
from lxera_pipeline.settings import Settings
from tests.integration.operate_support import fingerprint, seed_company

GATE = "content.quality_gate"
MODULE = ModuleSpec(
    title="Pivot tables",
    description="Summarise sales data.",
    priority="high",
    learning_objectives=["Build a pivot table"],
    key_topics=["pivot tables"],
)


def _sections(quality: str) -> dict[str, str]:
    writer = rule_based_text_ports(quality).writer  # type: ignore[arg-type]
    research = ModuleResearch(module_title=MODULE.title, key_points=["Group by region"])
    written = anyio.run(writer.write, MODULE, research, Learner(name="Zoë Martínez"))
    return written.model_dump()


def gate_event(dsn: str, quality: str) -> tuple[uuid.UUID, int]:
    """A module in quality_check whose gate has not run yet (only the gate is subscribed)."""
    load_builtin_handlers()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("update pipeline.subscriptions set active = (handler = %s)", (GATE,))
        row = conn.execute(
            "insert into cm_module_content (company_id, module_name, employee_name, session_id,"
            " module_spec, priority_level, introduction, core_content, practical_applications,"
            " case_studies, assessments) values (%(company)s, %(name)s, 'Zoë Martínez', 's-1',"
            " %(spec)s, 'high', %(introduction)s, %(core_content)s, %(practical_applications)s,"
            " %(case_studies)s, %(assessments)s) returning content_id",
            {
                "company": seed_company(conn),
                "name": MODULE.title,
                "spec": Jsonb(MODULE.model_dump()),
                **_sections(quality),
            },
        ).fetchone()
        assert row is not None
        conn.execute(
            "update cm_module_content set status = 'quality_check' where content_id = %s", (row[0],)
        )
        event = conn.execute("select max(event_id) from pipeline.events").fetchone()
    assert event is not None
    return row[0], int(event[0])


@pytest.mark.parametrize(("quality", "verdict"), [("full", "approved"), ("stub", "revision")])
def test_dry_run_of_the_quality_gate(
    db_dsn: str, tmp_path: Path, quality: str, verdict: str
) -> None:
    content, event_id = gate_event(db_dsn, quality)
    settings = Settings(
        database_url=db_dsn, storage_dir=tmp_path / "media", data_dir=tmp_path / "data"
    )
    before = fingerprint(db_dsn)
    with psycopg.connect(db_dsn, autocommit=True, row_factory=dict_row) as conn:
        items = plan_dry_run(conn, ReplaySelection(event_id=event_id), registry)
    assert [item.handler for item in items] == [GATE]
    [result] = anyio.run(dry_run, db_dsn, items, build_resources(settings))

    assert result.outcome == "succeeded", result.traceback
    [assessment] = result.capture.of_table("public.cm_quality_assessments")
    row: dict[str, Any] = assessment.row
    assert assessment.kind == "insert"
    assert row["content_id"] == str(content)
    assert row["passed"] is (verdict == "approved")
    assert set(row["section_scores"]) >= {"introduction", "core_content", "assessments"}
    [update] = result.capture.of_table("public.cm_module_content")
    assert update.changed["status"] == ("quality_check", verdict)
    [emitted] = result.capture.events
    assert (emitted["old_status"], emitted["new_status"], emitted["causation_id"]) == (
        "quality_check",
        verdict,
        event_id,
    )
    assert [(call.port, call.method) for call in result.port_calls] == [("assessor", "assess")]
    assert fingerprint(db_dsn) == before
    assert not any(tmp_path.rglob("*"))  # nothing written where the real ports would write


def test_dry_run_command_prints_the_assessment_and_the_status_change(db_dsn: str) -> None:
    content, event_id = gate_event(db_dsn, "full")
    before = fingerprint(db_dsn)
    env = {"DATABASE_URL": db_dsn, "COLUMNS": "250", "LXERA_LOG_LEVEL": "warning"}
    result = CliRunner().invoke(cli, ["replay", "--event", str(event_id), "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"event {event_id} cm_module_content draft -> quality_check" in out
    assert "handler content.quality_gate: succeeded" in out
    assert "would insert public.cm_quality_assessments: " in out
    assert f"content_id={content}" in out
    assert "status: quality_check -> approved" in out
    assert "would emit cm_module_content quality_check -> approved" in out
    assert "port assessor.assess(" in out
    assert "everything was rolled back" in out
    assert fingerprint(db_dsn) == before
