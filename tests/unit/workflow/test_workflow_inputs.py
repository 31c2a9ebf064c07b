"""Turning plan, content and assessment rows into the generators' inputs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from lxera_pipeline.data.content_models import QualityAssessment
from lxera_pipeline.generators.types import ModuleResearch
from lxera_pipeline.handlers.workflow.inputs import (
    CourseStructureError,
    assessment_report,
    gap_names,
    learner_from,
    merge_research,
    plan_modules,
)


def test_modules_take_titles_numbers_and_priorities_from_the_structure() -> None:
    specs = plan_modules(
        {
            "modules": [
                {"module_name": "Budgets", "priority_level": "critical"},
                {"title": "Forecasts", "module_number": 7, "demo_quality": "draft"},
            ]
        }
    )
    assert [(s.title, s.module_number, s.priority) for s in specs] == [
        ("Budgets", 1, "critical"),
        ("Forecasts", 7, "medium"),
    ]
    assert specs[1].demo_quality == "draft"


@pytest.mark.parametrize(
    ("structure", "message"),
    [
        ({}, 'non-empty list under "modules"'),
        ({"modules": []}, 'non-empty list under "modules"'),
        ({"modules": ["Budgets"]}, "module 1 must be an object"),
        ({"modules": [{"description": "no title"}]}, "module 1 has no title"),
        ({"modules": [{"title": "A", "priority": "urgent"}]}, "module 1 ('A'): priority"),
        ({"modules": [{"title": "A"}, {"title": "A"}]}, "titles must be distinct"),
    ],
)
def test_a_bad_course_structure_names_what_is_wrong(
    structure: dict[str, Any], message: str
) -> None:
    with pytest.raises(CourseStructureError, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan_modules(structure)


def test_learner_prefers_employee_rows_and_falls_back_to_the_plan() -> None:
    row = {
        "full_name": "Zoë Martínez",
        "role": "Analyst",
        "department": None,
        "key_tools": ["Excel"],
    }
    learner = learner_from(row, "ignored", {"department": "Finance"})
    assert (learner.name, learner.role, learner.department) == (
        "Zoë Martínez",
        "Analyst",
        "Finance",
    )
    assert learner.key_tools == ["Excel"]
    fallback = learner_from(None, "Ana Ruiz", {"role": "Engineer"})
    assert (fallback.name, fallback.role, fallback.skill_level) == (
        "Ana Ruiz",
        "Engineer",
        "beginner",
    )


def test_gap_names_from_a_list_or_from_keys() -> None:
    assert gap_names({"gaps": [{"name": "SQL"}, "Excel", {"other": 1}]}) == ["SQL", "Excel"]
    assert gap_names({"SQL": "high", "Excel": "low"}) == ["SQL", "Excel"]


def test_merged_research_keeps_old_findings_and_adds_new_ones_once() -> None:
    old = ModuleResearch(module_title="M", key_points=["a", "b"], sources=["s1"])
    new = ModuleResearch(module_title="other", key_points=["b", "c"], examples=["e"])
    merged = merge_research(old, new)
    assert merged.module_title == "M"
    assert (merged.key_points, merged.examples, merged.sources) == (["a", "b", "c"], ["e"], ["s1"])


def test_an_assessment_row_becomes_the_report_the_gate_stored() -> None:
    now = datetime.now(UTC)
    row = QualityAssessment.model_validate(
        {
            "assessment_id": uuid4(),
            "content_id": uuid4(),
            "company_id": uuid4(),
            "overall_score": 6.4,
            "section_scores": {"introduction": 5.5},
            "accuracy_score": 7,
            "clarity_score": 8,
            "completeness_score": 4,
            "engagement_score": 6,
            "personalization_score": None,
            "source_credibility_score": None,
            "currency_timeliness_score": None,
            "source_diversity_score": None,
            "evidence_quality_score": None,
            "quality_feedback": "too short",
            "word_count_assessment": {"total": 300},
            "critical_issues": ["thin"],
            "improvement_suggestions": [],
            "assessment_criteria": "x",
            "module_context": None,
            "passed": False,
            "requires_revision": True,
            "sections_needing_work": ["introduction", "unknown"],
            "assessed_by": None,
            "assessed_at": now,
            "assessment_duration_seconds": 0,
            "enhanced_assessment": False,
            "assessment_methodology": "standard_5_dimensional",
            "created_at": now,
            "updated_at": now,
        }
    )
    report = assessment_report(row)
    assert report.overall_score == 6.4
    assert report.dimensions.personalization == 0
    assert report.sections_needing_work == ["introduction"]
    assert report.word_count_assessment == {"total": 300}
