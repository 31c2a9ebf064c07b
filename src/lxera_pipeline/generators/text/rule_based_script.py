"""Offline script writer: condenses a module into narrated slides of a chosen spoken length.

Narration budget = round(target_seconds * WORDS_PER_MINUTE / 60) words, shared evenly by the
slides: a title slide, one slide per section (two for core content and practical applications
when every slide can have at least TWO_SLIDE_MIN_WORDS words) and a summary slide. Each slide
speaks a short lead sentence, then those sentences of its section that bring the running total
closer to its share of the budget, so the total lands within about half a sentence of the target.
Leads are always spoken, so targets under about 40 words come out longer.
"""

from __future__ import annotations

from lxera_pipeline.generators.text import metrics
from lxera_pipeline.generators.text.prose import first_name, with_article
from lxera_pipeline.generators.text.script_slides import SlidePlan, section_slides
from lxera_pipeline.generators.text.usage import counted_usage
from lxera_pipeline.generators.types import (
    Learner,
    ModuleSections,
    ModuleSpec,
    Script,
    ScriptSlide,
)
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

WORDS_PER_MINUTE = 150
BACKEND = "rule_based"


class InvalidScriptTargetError(ValueError):
    """A narration length that is not a positive number of seconds."""


def narration_budget(target_seconds: float) -> int:
    if not target_seconds > 0:
        raise InvalidScriptTargetError(
            f"target_seconds must be a positive number of seconds, not {target_seconds!r}"
        )
    return max(1, round(target_seconds * WORDS_PER_MINUTE / 60))


def fit(candidates: list[str], budget: int) -> list[str]:
    """The first sentence, then each later one that brings the word count closer to `budget`."""
    chosen, used = candidates[:1], metrics.word_count(candidates[0]) if candidates else 0
    for sentence in candidates[1:]:
        size = metrics.word_count(sentence)
        if abs(used + size - budget) < abs(used - budget):
            chosen.append(sentence)
            used += size
    return chosen


def role_phrase(learner: Learner) -> str:
    return f"your work as {with_article(learner.role)}" if learner.role else "your own work"


def title_plan(module: ModuleSpec, learner: Learner) -> SlidePlan:
    who = f"{learner.name}, {learner.role}" if learner.role else learner.name
    minutes = [f"{module.duration_minutes} minutes"] if module.duration_minutes else []
    welcome = f"Welcome, {first_name(learner)}, to {module.title}, made for {role_phrase(learner)}."
    return SlidePlan("title", module.title, [f"Prepared for {who}", *minutes], [welcome])


def summary_plan(module: ModuleSpec, learner: Learner) -> SlidePlan:
    points = [t for t in module.key_topics if t.strip()][:3] or [module.title]
    done = f"Well done, {first_name(learner)}: you have finished {module.title}."
    return SlidePlan(
        "summary", "Summary", points, [done, f"Take these ideas into {role_phrase(learner)}."]
    )


def narrate(plans: list[SlidePlan], budget: int) -> list[ScriptSlide]:
    """Give every slide its cumulative share of the budget, correcting drift as it goes."""
    slides: list[ScriptSlide] = []
    used = 0
    for number, plan in enumerate(plans, start=1):
        share = round(budget * number / len(plans)) - used
        text = " ".join(fit(plan.candidates, share))
        used += metrics.word_count(text)
        slides.append(
            ScriptSlide(
                slide_number=number,
                section_name=plan.section_name,
                title=plan.title,
                bullets=plan.bullets,
                narration=text,
            )
        )
    return slides


class RuleBasedScriptWriter:
    """Implements the ScriptWriter port offline; deterministic for the same input. Its token
    usage is counted (:func:`metrics.count_tokens` over input and output)."""

    async def write_script(
        self, module: ModuleSpec, sections: ModuleSections, learner: Learner, target_seconds: float
    ) -> Script:
        budget = narration_budget(target_seconds)
        sections_plans = section_slides(module, sections, budget)
        plans = [title_plan(module, learner), *sections_plans, summary_plan(module, learner)]
        slides = narrate(plans, budget)
        script = Script(module_title=module.title, learner_name=learner.name, slides=slides)
        usage = counted_usage(BACKEND, None, module, sections, learner, script)
        script = script.model_copy(update={"usage": usage})
        words = metrics.word_count(script.full_text)
        log.info("script.written", module=module.title, slides=len(slides), words=words)
        return script
