"""Sample learner, module and research shared by the text generator tests."""

from __future__ import annotations

import pytest

from lxera_pipeline.generators.text.rule_based_research import research_module
from lxera_pipeline.generators.types import CoursePlanInput, Learner, ModuleResearch, ModuleSpec


@pytest.fixture
def learner() -> Learner:
    return Learner(
        name="Maria Lopez",
        role="Data Analyst",
        department="Finance",
        key_tools=["Excel"],
        career_goal="Lead the reporting team",
    )


@pytest.fixture
def module() -> ModuleSpec:
    return ModuleSpec(
        module_number=1,
        title="Data Basics",
        description="Foundations of working with data",
        learning_objectives=["Explain the purpose of pivot tables", "Clean a messy dataset"],
        key_topics=["pivot tables", "data cleaning", "SQL joins"],
        duration_minutes=30,
    )


@pytest.fixture
def research(module: ModuleSpec, learner: Learner) -> ModuleResearch:
    return research_module(module, learner)


@pytest.fixture
def plan(module: ModuleSpec, learner: Learner) -> CoursePlanInput:
    second = ModuleSpec(module_number=2, title="Reporting", key_topics=["dashboards"])
    return CoursePlanInput(
        course_title="Analytics for Finance",
        learner=learner,
        modules=[module, second],
        prioritized_gaps=["spreadsheet modelling"],
    )
