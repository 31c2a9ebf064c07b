"""The deterministic quality assessor: formula, thresholds, word counts and detection rules."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from lxera_pipeline.generators.text import metrics, scoring
from lxera_pipeline.generators.text.quality import (
    MIN_COMPLETENESS,
    WEIGHTS,
    DeterministicQualityAssessor,
    UnknownPriorityError,
    passes,
    threshold_for,
)
from lxera_pipeline.generators.text.targets import DEFAULT_TARGETS, SectionTargets
from lxera_pipeline.generators.types import (
    SECTION_NAMES,
    DimensionScores,
    Learner,
    ModuleSections,
    ModuleSpec,
    QualityReport,
)

GOOD_SENTENCE = (
    "Maria, as a Data Analyst you can use pivot tables and data cleaning with SQL joins daily."
)
EXAMPLE_SENTENCE = (
    "For example, your team can explain the purpose of pivot tables to clean a dataset."
)
QUESTION = "Which messy dataset would you clean first in your own reports?"


def good_text(words: int) -> str:
    sentences = [EXAMPLE_SENTENCE, QUESTION]
    while metrics.word_count(" ".join(sentences)) < words:
        sentences.insert(0, GOOD_SENTENCE)
    return " ".join(sentences)


def good_sections(targets: SectionTargets = DEFAULT_TARGETS) -> ModuleSections:
    return ModuleSections(**{n: good_text(targets.for_section(n)) for n in SECTION_NAMES})


def report_with(overall: float, completeness: float) -> QualityReport:
    dims = DimensionScores(
        accuracy=9, clarity=9, completeness=completeness, engagement=9, personalization=9
    )
    return QualityReport(overall_score=overall, dimensions=dims, section_scores={}, feedback="")


def test_weights_cover_the_five_dimensions_and_sum_to_one() -> None:
    assert set(WEIGHTS) == set(DimensionScores.model_fields)
    assert math.isclose(sum(WEIGHTS.values()), 1.0)
    assert WEIGHTS["accuracy"] == 0.25
    assert WEIGHTS["personalization"] == 0.15


@pytest.mark.parametrize(
    ("priority", "expected"), [("critical", 8.0), ("high", 7.5), ("medium", 7.0), ("low", 6.5)]
)
def test_thresholds_by_priority(priority: str, expected: float) -> None:
    assert threshold_for(priority) == expected  # type: ignore[arg-type]


def test_unknown_priority_is_a_clear_value_error() -> None:
    with pytest.raises(UnknownPriorityError, match="urgent"):
        threshold_for("urgent")  # type: ignore[arg-type]
    assert issubclass(UnknownPriorityError, ValueError)


def test_passes_uses_threshold_and_completeness_floor() -> None:
    assert passes(report_with(7.0, 8.0), "medium")
    assert not passes(report_with(7.0, 8.0), "high")
    assert not passes(report_with(6.9, 8.0), "medium")
    assert not passes(report_with(9.5, MIN_COMPLETENESS - 0.1), "low")


def test_word_count_splits_on_any_whitespace() -> None:
    assert metrics.word_count("one\ttwo\n\nthree  four \r\n five") == 5
    assert metrics.word_count("   \n\t ") == 0


def test_report_word_counts_split_on_newlines_tabs_and_double_spaces(
    module: ModuleSpec, learner: Learner
) -> None:
    sections = ModuleSections(introduction="a\tb\nc  d", core_content="one\n\ntwo")
    report = DeterministicQualityAssessor().score(sections, module, learner, "medium")
    counts = report.word_count_assessment
    assert (counts["introduction"], counts["core_content"], counts["assessments"]) == (4, 2, 0)
    assert counts["total"] == 6
    assert counts["target_total"] == DEFAULT_TARGETS.total


def test_same_input_gives_the_same_report(module: ModuleSpec, learner: Learner) -> None:
    sections = good_sections()
    first = DeterministicQualityAssessor().score(sections, module, learner, "high")
    second = DeterministicQualityAssessor().score(sections, module, learner, "high")
    assert first.model_dump() == second.model_dump()


@pytest.mark.anyio
async def test_assess_is_the_async_form_of_score(module: ModuleSpec, learner: Learner) -> None:
    assessor = DeterministicQualityAssessor()
    sections = good_sections()
    report = await assessor.assess(sections, module, learner, "low")
    assert report == assessor.score(sections, module, learner, "low")


def test_good_sections_score_high_with_one_decimal(module: ModuleSpec, learner: Learner) -> None:
    report = DeterministicQualityAssessor().score(good_sections(), module, learner, "critical")
    assert report.overall_score >= 9.0
    assert passes(report, "critical")
    assert report.sections_needing_work == []
    for value in [*report.dimensions.model_dump().values(), *report.section_scores.values()]:
        assert round(value, 1) == value


def test_overall_is_the_weighted_sum_of_the_dimensions(
    module: ModuleSpec, learner: Learner
) -> None:
    sections = good_sections().model_copy(update={"case_studies": "Too short.", "assessments": ""})
    report = DeterministicQualityAssessor().score(sections, module, learner, "medium")
    dims = report.dimensions.model_dump()
    assert report.overall_score == round(sum(w * dims[d] for d, w in WEIGHTS.items()), 1)


def test_weak_sections_are_listed_as_needing_work(module: ModuleSpec, learner: Learner) -> None:
    sections = good_sections().model_copy(update={"case_studies": "", "assessments": "Short."})
    report = DeterministicQualityAssessor().score(sections, module, learner, "medium")
    assert report.sections_needing_work == ["case_studies", "assessments"]
    assert report.section_scores["case_studies"] == 0.0
    assert "Section 'case_studies' is empty." in report.critical_issues
    assert report.dimensions.completeness == pytest.approx(6.0, abs=0.1)


def test_personalisation_needs_name_and_role(learner: Learner) -> None:
    assert scoring.personalization("Maria Lopez, a data analyst, reads this.", learner) == 10.0
    assert scoring.personalization("Hello MARIA, read this.", learner) == 6.0
    assert scoring.personalization("A Data Analyst reads this.", learner) == 4.0
    assert scoring.personalization("Marianne reads this.", learner) == 0.0


def test_personalisation_without_role_counts_the_name_only() -> None:
    nameless_role = Learner(name="Sam Park")
    assert scoring.personalization("Sam, this is for you.", nameless_role) == 10.0
    assert scoring.personalization("This is for everyone.", nameless_role) == 0.0


def test_long_sentences_lower_clarity() -> None:
    short = "You read the table. You check each column. You write the summary for the team."
    long = " ".join(["word"] * 60) + "."
    assert scoring.clarity(short) > scoring.clarity(long)
    assert scoring.clarity(long) == 0.0
    assert scoring.clarity("") == 0.0


def test_engagement_rewards_questions_examples_and_second_person() -> None:
    assert scoring.engagement(f"{EXAMPLE_SENTENCE} {QUESTION}") == 10.0
    assert scoring.engagement("The report lists the totals of the quarter.") == 0.0
    assert scoring.engagement("The team asked what changed?") == pytest.approx(3.5)


def test_accuracy_drops_for_missing_topics_and_placeholders(module: ModuleSpec) -> None:
    full = good_text(100)
    assert scoring.module_accuracy(full, module) == 10.0
    assert scoring.module_accuracy(full + " TODO add a figure.", module) == 8.0
    assert scoring.module_accuracy("Only pivot tables here.", module) < 5.0


def test_targets_are_configurable(module: ModuleSpec, learner: Learner) -> None:
    sections = good_sections()
    default = DeterministicQualityAssessor().score(sections, module, learner, "medium")
    doubled = DeterministicQualityAssessor(DEFAULT_TARGETS.scaled(2.0))
    strict = doubled.score(sections, module, learner, "medium")
    assert strict.dimensions.completeness < default.dimensions.completeness
    assert not passes(strict, "medium")


def test_targets_reject_bad_values() -> None:
    with pytest.raises(ValidationError):
        SectionTargets(introduction=0)
    with pytest.raises(ValueError, match="positive"):
        DEFAULT_TARGETS.scaled(0)
