"""Offline content writer and enhancer built from templates (no network, deterministic).

Pass/fail knob, `DemoQuality` (writer/enhancer parameter `quality`, overridden per module by
`ModuleSpec.demo_quality`), against the default `DeterministicQualityAssessor`:

- "full": personalised sections at their target length; passes at every priority.
- "draft": impersonal sections at half length; fails at every priority, and one enhancement
  brings every listed section to full quality, so it passes after one round.
- "stub": impersonal sections at 15% of target; the enhancer leaves them as they are, so the
  module never passes however often it is enhanced.

The researcher and script writer live in `rule_based_research.py` and `rule_based_script.py`.
"""

from __future__ import annotations

from lxera_pipeline.generators.text.compose import (
    body_sentences,
    paragraphs,
    take_words,
    with_reprises,
)
from lxera_pipeline.generators.text.metrics import word_count
from lxera_pipeline.generators.text.prose import ProseContext
from lxera_pipeline.generators.text.rule_based_research import RuleBasedResearcher
from lxera_pipeline.generators.text.rule_based_script import RuleBasedScriptWriter
from lxera_pipeline.generators.text.targets import DEFAULT_TARGETS, SectionTargets
from lxera_pipeline.generators.text.templates import TEMPLATES
from lxera_pipeline.generators.types import (
    SECTION_NAMES,
    DemoQuality,
    Learner,
    ModuleResearch,
    ModuleSections,
    ModuleSpec,
    QualityReport,
    SectionName,
)
from lxera_pipeline.log import get_logger

__all__ = [
    "LENGTH_FACTORS",
    "RuleBasedContentWriter",
    "RuleBasedEnhancer",
    "RuleBasedResearcher",
    "RuleBasedScriptWriter",
]

log = get_logger(__name__)

LENGTH_FACTORS: dict[str, float] = {"full": 1.0, "draft": 0.5, "stub": 0.15}


def write_section(name: SectionName, ctx: ProseContext, words: int, personal: bool) -> str:
    """One section of about `words` words, addressed to the learner when `personal`."""
    templates = TEMPLATES[name]
    if not personal:
        return paragraphs(
            name, take_words(with_reprises(body_sentences(ctx, templates.neutral)), words)
        )
    opening, closing = ctx.fill(templates.opening, ""), ctx.fill(templates.closing, "")
    goal = words - word_count(opening) - word_count(closing)
    body = take_words(with_reprises(body_sentences(ctx, templates.personal)), goal)
    return paragraphs(name, [opening, *body, closing])


def enhance_section(name: SectionName, text: str, ctx: ProseContext, words: int) -> str:
    """`text` kept, with a personal opening, new body sentences up to `words` and a question."""
    templates = TEMPLATES[name]
    opening, closing = ctx.fill(templates.opening, ""), ctx.fill(templates.closing, "")
    head = [] if opening in text else [opening]
    tail = [] if "?" in text or closing in text else [closing]
    goal = words - word_count(text) - sum(word_count(s) for s in head + tail)
    fresh = [s for s in body_sentences(ctx, templates.personal) if s not in text]
    added = take_words(with_reprises(fresh), goal)
    parts = [paragraphs(name, head), text.strip(), paragraphs(name, [*added, *tail])]
    return ("\n" if name == "assessments" else "\n\n").join(part for part in parts if part)


class _TemplateText:
    """What the template writer and enhancer share: the default DemoQuality and word targets."""

    def __init__(
        self, quality: DemoQuality = "full", target_words: SectionTargets = DEFAULT_TARGETS
    ) -> None:
        self.quality: DemoQuality = quality
        self.target_words = target_words

    def level(self, module: ModuleSpec) -> DemoQuality:
        """The module's own demo quality, else this generator's default."""
        return module.demo_quality or self.quality


class RuleBasedContentWriter(_TemplateText):
    """Implements the ContentWriter port; `quality` is the default DemoQuality (see module doc)."""

    async def write(
        self, module: ModuleSpec, research: ModuleResearch, learner: Learner
    ) -> ModuleSections:
        level = self.level(module)
        ctx = ProseContext.build(module, research, learner)
        factor = LENGTH_FACTORS[level]
        sections = {
            name: write_section(
                name, ctx, round(self.target_words.for_section(name) * factor), level == "full"
            )
            for name in SECTION_NAMES
        }
        log.info("content.written", module=module.title, quality=level)
        return ModuleSections(**sections)


class RuleBasedEnhancer(_TemplateText):
    """Implements the Enhancer port: listed sections become personal and reach their target."""

    async def enhance(
        self,
        module: ModuleSpec,
        sections: ModuleSections,
        report: QualityReport,
        research: ModuleResearch,
        learner: Learner,
    ) -> ModuleSections:
        level = self.level(module)
        if level == "stub":
            log.info("content.enhance_skipped", module=module.title, quality=level)
            return sections.model_copy()
        ctx = ProseContext.build(module, research, learner)
        updates: dict[str, str] = {
            name: enhance_section(
                name, sections.get(name), ctx, self.target_words.for_section(name)
            )
            for name in report.sections_needing_work
        }
        log.info("content.enhanced", module=module.title, sections=sorted(updates))
        return sections.model_copy(update=updates)
