"""The rule-based script writer: slide structure, personalisation and narration length."""

from __future__ import annotations

import math

import pytest

from lxera_pipeline.generators.text.metrics import count_tokens
from lxera_pipeline.generators.text.rule_based import RuleBasedContentWriter, RuleBasedScriptWriter
from lxera_pipeline.generators.text.rule_based_script import (
    WORDS_PER_MINUTE,
    InvalidScriptTargetError,
)
from lxera_pipeline.generators.text.usage import completion_text, prompt_text
from lxera_pipeline.generators.types import (
    SECTION_NAMES,
    Learner,
    ModuleResearch,
    ModuleSections,
    ModuleSpec,
)


@pytest.fixture
async def sections(
    module: ModuleSpec, research: ModuleResearch, learner: Learner
) -> ModuleSections:
    return await RuleBasedContentWriter().write(module, research, learner)


@pytest.mark.anyio
@pytest.mark.parametrize("seconds", [20.0, 45.0, 90.0, 180.0])
async def test_narration_length_is_near_the_target(
    seconds: float, module: ModuleSpec, sections: ModuleSections, learner: Learner
) -> None:
    script = await RuleBasedScriptWriter().write_script(module, sections, learner, seconds)
    expected = seconds * WORDS_PER_MINUTE / 60
    assert abs(len(script.full_text.split()) - expected) <= 0.2 * expected


@pytest.mark.anyio
async def test_slides_cover_title_each_section_and_summary(
    module: ModuleSpec, sections: ModuleSections, learner: Learner
) -> None:
    script = await RuleBasedScriptWriter().write_script(module, sections, learner, 20)
    kinds = [slide.section_name for slide in script.slides]
    assert kinds == ["title", *SECTION_NAMES, "summary"]
    assert [s.slide_number for s in script.slides] == list(range(1, len(kinds) + 1))
    assert all(slide.narration.strip() and slide.bullets for slide in script.slides)
    assert (script.module_title, script.learner_name) == ("Data Basics", "Maria Lopez")


@pytest.mark.anyio
async def test_script_is_personalised(
    module: ModuleSpec, sections: ModuleSections, learner: Learner
) -> None:
    script = await RuleBasedScriptWriter().write_script(module, sections, learner, 20)
    assert "Maria" in script.slides[0].narration
    assert "Maria" in script.slides[-1].narration
    assert "Data Analyst" in script.full_text


@pytest.mark.anyio
async def test_long_targets_split_core_content_over_two_slides(
    module: ModuleSpec, sections: ModuleSections, learner: Learner
) -> None:
    script = await RuleBasedScriptWriter().write_script(module, sections, learner, 150)
    core = [s for s in script.slides if s.section_name == "core_content"]
    assert [s.title for s in core] == ["Core concepts (1/2)", "Core concepts (2/2)"]
    assert len(script.slides) == 9


@pytest.mark.anyio
async def test_same_input_same_script(
    module: ModuleSpec, sections: ModuleSections, learner: Learner
) -> None:
    writer = RuleBasedScriptWriter()
    first = await writer.write_script(module, sections, learner, 30)
    assert first == await writer.write_script(module, sections, learner, 30)


@pytest.mark.anyio
async def test_empty_sections_still_give_a_complete_script(
    module: ModuleSpec, learner: Learner
) -> None:
    script = await RuleBasedScriptWriter().write_script(module, ModuleSections(), learner, 20)
    assert len(script.slides) == 7
    assert all(slide.narration for slide in script.slides)


@pytest.mark.anyio
@pytest.mark.parametrize("seconds", [0.0, -5.0, math.nan])
async def test_bad_target_is_rejected(
    seconds: float, module: ModuleSpec, sections: ModuleSections, learner: Learner
) -> None:
    with pytest.raises(InvalidScriptTargetError, match="target_seconds"):
        await RuleBasedScriptWriter().write_script(module, sections, learner, seconds)


def test_tokens_are_word_runs_and_single_punctuation() -> None:
    assert count_tokens("Hello, world!") == 4
    assert count_tokens("don't  stop\n3.5%") == 8  # don ' t stop 3 . 5 %
    assert count_tokens("") == 0


@pytest.mark.anyio
async def test_the_offline_writer_counts_its_tokens(
    module: ModuleSpec, sections: ModuleSections, learner: Learner
) -> None:
    script = await RuleBasedScriptWriter().write_script(module, sections, learner, 45)
    assert script.usage is not None
    assert (script.usage.backend, script.usage.source) == ("rule_based", "counted")
    assert script.usage.completion_tokens == count_tokens(completion_text(script))
    assert script.usage.prompt_tokens == count_tokens(prompt_text(module, sections, learner))
    assert script.usage.completion_tokens >= len(script.full_text.split())
    assert script.usage.prompt_tokens > script.usage.completion_tokens  # it condenses
