"""Rule-based researcher, writer and enhancer against the default quality assessor."""

from __future__ import annotations

import pytest

from lxera_pipeline.generators.text.quality import DeterministicQualityAssessor, passes
from lxera_pipeline.generators.text.rule_based import (
    RuleBasedContentWriter,
    RuleBasedEnhancer,
    RuleBasedResearcher,
)
from lxera_pipeline.generators.text.rule_based_research import GENERATED_SOURCE_PREFIX
from lxera_pipeline.generators.text.targets import DEFAULT_TARGETS
from lxera_pipeline.generators.types import (
    SECTION_NAMES,
    CoursePlanInput,
    DemoQuality,
    Learner,
    ModuleResearch,
    ModuleSections,
    ModuleSpec,
    Priority,
    QualityReport,
    SectionName,
)

PRIORITIES: tuple[Priority, ...] = ("critical", "high", "medium", "low")
ASSESSOR = DeterministicQualityAssessor()


async def enhance_until_pass(
    module: ModuleSpec, research: ModuleResearch, learner: Learner, rounds: int
) -> tuple[int | None, QualityReport]:
    """Rounds of enhancement needed to pass at medium (None if never), and the last report."""
    sections = await RuleBasedContentWriter().write(module, research, learner)
    report = ASSESSOR.score(sections, module, learner, module.priority)
    for attempt in range(rounds + 1):
        if passes(report, module.priority):
            return attempt, report
        sections = await RuleBasedEnhancer().enhance(module, sections, report, research, learner)
        report = ASSESSOR.score(sections, module, learner, module.priority)
    return None, report


@pytest.mark.anyio
async def test_research_covers_every_module_with_marked_sources(plan: CoursePlanInput) -> None:
    result = await RuleBasedResearcher().research(plan)
    assert set(result.findings) == {"Data Basics", "Reporting"}
    for title, finding in result.findings.items():
        assert finding.module_title == title
        assert finding.key_points
        assert finding.examples
        assert finding.sources
        assert all(s.startswith(GENERATED_SOURCE_PREFIX) for s in finding.sources)
    assert result.total_sources == len(result.sources_analyzed) == 8
    assert result.total_topics == 4
    assert any("spreadsheet modelling" in q for q in result.search_queries)
    assert any("Data Analyst" in q and "SQL joins" in q for q in result.search_queries)
    assert result == await RuleBasedResearcher().research(plan)


@pytest.mark.anyio
async def test_full_writer_output_passes_at_every_priority(
    module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    sections = await RuleBasedContentWriter().write(module, research, learner)
    for priority in PRIORITIES:
        assert passes(ASSESSOR.score(sections, module, learner, priority), priority)
    for name in SECTION_NAMES:
        assert "Maria" in sections.get(name)
        assert "Data Analyst" in sections.get(name)
    assert "explain the purpose of pivot tables" in sections.introduction
    assert "SQL joins" in sections.core_content
    assert "For example" in sections.case_studies
    assert sections.assessments.count("?") >= 3
    assert sections == await RuleBasedContentWriter().write(module, research, learner)


@pytest.mark.anyio
@pytest.mark.parametrize("quality", ["draft", "stub"])
async def test_weak_writer_output_fails_at_every_priority(
    quality: DemoQuality, module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    sections = await RuleBasedContentWriter(quality).write(module, research, learner)
    for priority in PRIORITIES:
        report = ASSESSOR.score(sections, module, learner, priority)
        assert not passes(report, priority)
        assert report.sections_needing_work == list(SECTION_NAMES)
    assert "Maria" not in sections.introduction


@pytest.mark.anyio
async def test_lower_word_target_fails_on_completeness(
    module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    writer = RuleBasedContentWriter(target_words=DEFAULT_TARGETS.scaled(0.5))
    report = ASSESSOR.score(await writer.write(module, research, learner), module, learner, "low")
    assert report.dimensions.completeness < 7.0
    assert not passes(report, "low")
    assert report.sections_needing_work


@pytest.mark.anyio
async def test_module_knob_overrides_writer_default(
    module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    drafted = module.model_copy(update={"demo_quality": "draft"})
    sections = await RuleBasedContentWriter("full").write(drafted, research, learner)
    assert not passes(ASSESSOR.score(sections, drafted, learner, "low"), "low")
    full = module.model_copy(update={"demo_quality": "full"})
    sections = await RuleBasedContentWriter("stub").write(full, research, learner)
    assert passes(ASSESSOR.score(sections, full, learner, "critical"), "critical")


@pytest.mark.anyio
@pytest.mark.parametrize("priority", PRIORITIES)
async def test_draft_passes_after_exactly_one_enhancement(
    priority: Priority, module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    drafted = module.model_copy(update={"demo_quality": "draft", "priority": priority})
    rounds, report = await enhance_until_pass(drafted, research, learner, rounds=2)
    assert rounds == 1
    assert report.overall_score >= 9.0


@pytest.mark.anyio
async def test_full_passes_without_enhancement(
    module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    rounds, _ = await enhance_until_pass(module, research, learner, rounds=2)
    assert rounds == 0


@pytest.mark.anyio
async def test_stub_never_passes(
    module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    stub = module.model_copy(update={"demo_quality": "stub", "priority": "low"})
    rounds, report = await enhance_until_pass(stub, research, learner, rounds=5)
    assert rounds is None
    assert report.overall_score < 6.5


@pytest.mark.anyio
async def test_enhancer_changes_only_listed_sections_and_raises_their_score(
    module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    sections = await RuleBasedContentWriter("draft").write(module, research, learner)
    report = ASSESSOR.score(sections, module, learner, "medium")
    report = report.model_copy(update={"sections_needing_work": ["introduction", "assessments"]})
    improved = await RuleBasedEnhancer().enhance(module, sections, report, research, learner)
    after = ASSESSOR.score(improved, module, learner, "medium")
    kept: tuple[SectionName, ...] = ("core_content", "practical_applications", "case_studies")
    for name in kept:
        assert improved.get(name) == sections.get(name)
    listed: tuple[SectionName, ...] = ("introduction", "assessments")
    for name in listed:
        assert improved.get(name).startswith(("Maria", "Welcome, Maria"))
        assert sections.get(name) in improved.get(name)
        assert after.section_scores[name] > report.section_scores[name]
        assert after.word_count_assessment[name] >= DEFAULT_TARGETS.for_section(name)


@pytest.mark.anyio
async def test_enhancer_with_nothing_listed_returns_the_same_text(
    module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> None:
    sections = await RuleBasedContentWriter().write(module, research, learner)
    report = ASSESSOR.score(sections, module, learner, "medium")
    assert report.sections_needing_work == []
    assert (
        await RuleBasedEnhancer().enhance(module, sections, report, research, learner) == sections
    )


@pytest.mark.anyio
async def test_tiny_spec_without_research_still_passes() -> None:
    learner = Learner(name="Sam")
    module = ModuleSpec(title="Onboarding")
    sections = await RuleBasedContentWriter().write(
        module, ModuleResearch(module_title="x"), learner
    )
    report = ASSESSOR.score(sections, module, learner, "critical")
    assert passes(report, "critical")
    assert isinstance(sections, ModuleSections)
