"""One plan with two modules, driven from cm_course_plans to completed sessions by status changes
alone (the in-process daemon runs every handler): the planning and content side, the audit rows
and the causation chain. The media side is checked in test_workflow_media.py."""

from __future__ import annotations

from decimal import Decimal
from itertools import groupby

from lxera_pipeline.generators.text.quality import WEIGHTS
from lxera_pipeline.generators.types import SECTION_NAMES
from tests.integration.workflow_support import Row, WorkflowRun


def test_plan_is_delivered_with_one_research_row_and_one_content_row_per_module(
    workflow_run: WorkflowRun,
) -> None:
    run = workflow_run
    [plan] = run.rows("select * from cm_course_plans where plan_id = %(plan)s")
    assert (plan["status"], plan["total_modules"]) == ("delivered", 2)
    [research] = run.rows("select * from cm_research_results where plan_id = %(plan)s")
    assert research["status"] == "completed"
    assert research["company_id"] == run.seeded.company_id
    assert set(research["research_findings"]) == {"Pivot tables", "Data cleaning"}
    assert research["total_sources"] > 0
    assert research["search_queries"]
    contents = run.rows("select * from cm_module_content where plan_id = %(plan)s")
    assert sorted(c["module_name"] for c in contents) == ["Data cleaning", "Pivot tables"]
    for content in contents:
        assert content["company_id"] == run.seeded.company_id
        assert content["status"] == "published"
        assert content["assigned_to"] == run.seeded.employee_id
        assert content["module_spec"]["title"] == content["module_name"]
        assert content["research_context"]["module_title"] == content["module_name"]
        assert all(content[name] for name in SECTION_NAMES)
        assert content["last_quality_check"] is not None
        assert "Zoë" in content["introduction"]  # personalised to the learner
    assert run.content("Pivot tables")["priority_level"] == "high"


def test_first_module_passes_at_once_second_after_one_enhancement(
    workflow_run: WorkflowRun,
) -> None:
    run = workflow_run
    full, draft = run.content("Pivot tables"), run.content("Data cleaning")
    assert full["revision_count"] == 0
    assert draft["revision_count"] == 1
    [passed] = _assessments(run, full["content_id"])
    assert passed["passed"]
    assert not passed["requires_revision"]
    first, second = _assessments(run, draft["content_id"])
    assert not first["passed"]
    assert first["requires_revision"]
    assert first["sections_needing_work"]
    assert first["critical_issues"] is not None
    assert second["passed"]
    assert second["overall_score"] >= Decimal("7.0")
    for row in (passed, first, second):
        weighted = sum(float(row[f"{name}_score"]) * w for name, w in WEIGHTS.items())
        assert abs(weighted - float(row["overall_score"])) <= 0.06
        assert set(row["section_scores"]) == set(SECTION_NAMES)
        assert row["quality_feedback"]
    [session] = run.rows(
        "select * from cm_enhancement_sessions where content_id = %(c)s", c=draft["content_id"]
    )
    assert session["status"] == "completed"
    assert session["success"]
    assert session["quality_assessment_id"] == first["assessment_id"]
    assert session["sections_to_enhance"] == first["sections_needing_work"]
    assert session["quality_score_before"] == first["overall_score"]
    assert session["word_count_before"] < session["word_count_after"] == draft["total_word_count"]
    assert session["research_conducted"]
    assert session["content_regenerated"]
    assert session["integration_completed"]
    assert session["completed_at"] is not None
    assert draft["last_enhancement_id"] == session["session_id"]
    counts = draft["section_enhancement_count"]
    assert all(counts[name] == 1 for name in session["sections_to_enhance"])


def _assessments(run: WorkflowRun, content_id: object) -> list[Row]:
    return run.rows(
        "select * from cm_quality_assessments where content_id = %(c)s order by assessed_at",
        c=content_id,
    )


def test_content_status_history_follows_the_gate(workflow_run: WorkflowRun) -> None:
    run = workflow_run
    histories = {
        title: [
            e["new_status"]
            for e in run.rows(
                "select new_status from pipeline.events where entity_id = %(c)s "
                "and table_name = 'cm_module_content' order by event_id",
                c=run.content(title)["content_id"],
            )
        ]
        for title in ("Pivot tables", "Data cleaning")
    }
    assert histories["Pivot tables"] == ["draft", "quality_check", "approved", "published"]
    assert histories["Data cleaning"] == [
        "draft",
        "quality_check",
        "revision",
        "quality_check",
        "approved",
        "published",
    ]


def test_every_delivery_is_done_with_one_audit_row_per_attempt(workflow_run: WorkflowRun) -> None:
    deliveries = workflow_run.rows(
        "select d.delivery_id, d.handler, d.state, d.attempts, "
        "       (select count(*) from pipeline.audit_log a where a.delivery_id = d.delivery_id) "
        "         as audits, "
        "       (select count(*) from pipeline.audit_log a where a.delivery_id = d.delivery_id "
        "          and a.outcome = 'succeeded') as succeeded "
        "  from pipeline.deliveries d"
    )
    assert len(deliveries) >= 29
    for row in deliveries:
        assert row["state"] == "done", row
        assert row["audits"] == row["attempts"], row
        assert row["succeeded"] == 1, row
    handlers = {row["handler"] for row in deliveries}
    assert {"plan.start_research", "enhancement.return_to_gate", "media.upload"} <= handlers


def test_causation_chain_leads_from_the_video_back_to_the_plan(workflow_run: WorkflowRun) -> None:
    run = workflow_run
    draft = run.content("Data cleaning")
    [video] = run.rows(
        "select asset_id from mm_multimedia_assets where content_id = %(c)s "
        "and asset_type = 'video'",
        c=draft["content_id"],
    )
    chain = run.rows(
        "with recursive up as ("
        "  select e.*, 0 as depth from pipeline.events e "
        "   where e.entity_id = %(v)s and e.old_status is null "
        "  union all "
        "  select p.*, up.depth + 1 from up join pipeline.events p on p.event_id = up.causation_id"
        ") select * from up order by depth desc",
        v=video["asset_id"],
    )
    root = chain[0]
    assert (root["table_name"], root["entity_id"]) == ("cm_course_plans", run.seeded.plan_id)
    assert (root["new_status"], root["causation_id"]) == ("completed", None)
    tables = [table for table, _ in groupby(event["table_name"] for event in chain)]
    assert tables == [
        "cm_course_plans",
        "cm_research_results",
        "cm_module_content",
        "cm_enhancement_sessions",
        "cm_module_content",
        "mm_multimedia_sessions",
        "mm_multimedia_assets",
    ]
    assert {event["correlation_id"] for event in chain} == {run.seeded.plan_id}
    stages = [e["new_status"] for e in chain if e["status_column"] == "current_stage"]
    assert stages == ["script_generation", "slide_generation", "audio_generation", "video_assembly"]
