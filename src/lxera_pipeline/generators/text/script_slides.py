"""Slide plans for the script writer: title, bullets and candidate narration per section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lxera_pipeline.generators.text import metrics
from lxera_pipeline.generators.text.prose import as_sentence, join_and
from lxera_pipeline.generators.types import SECTION_NAMES, ModuleSections, ModuleSpec, SectionName

SlideKind = SectionName | Literal["title", "summary"]
TWO_SLIDE_SECTIONS: tuple[SectionName, ...] = ("core_content", "practical_applications")
TWO_SLIDE_MIN_WORDS = 30
SLIDE_COUNT_ONE_EACH = len(SECTION_NAMES) + 2
BULLET_WORDS = 8
LABELS: dict[SectionName, str] = {
    "introduction": "Introduction",
    "core_content": "Core concepts",
    "practical_applications": "Putting it into practice",
    "case_studies": "Case study",
    "assessments": "Check your understanding",
}


@dataclass(frozen=True)
class SlidePlan:
    """A slide before narration is fitted: the first candidate sentence is always spoken."""

    section_name: SlideKind
    title: str
    bullets: list[str]
    candidates: list[str]


def clip(sentence: str, words: int = BULLET_WORDS) -> str:
    parts = sentence.rstrip(" .!?").split()
    return " ".join(parts) if len(parts) <= words else " ".join(parts[:words]) + "…"


def lead(name: SectionName, module: ModuleSpec) -> str:
    topics = [t for t in module.key_topics if t.strip()][:2] or [module.title]
    leads: dict[SectionName, str] = {
        "introduction": f"First, why {module.title} matters.",
        "core_content": f"The core ideas: {join_and(topics)}.",
        "practical_applications": "Next, how to apply this in practice.",
        "case_studies": "A short case study shows it in action.",
        "assessments": "Finally, test yourself with a few questions.",
    }
    return as_sentence(leads[name])


def bullets(name: SectionName, module: ModuleSpec, spoken: list[str]) -> list[str]:
    topics = [t.strip() for t in module.key_topics if t.strip()][:3]
    objectives = [clip(o) for o in module.learning_objectives if o.strip()][:3]
    by_section: dict[SectionName, list[str]] = {
        "introduction": objectives,
        "core_content": topics,
        "practical_applications": [f"Apply {t}" for t in topics],
    }
    chosen = by_section.get(name) or []
    return chosen or [clip(s) for s in (spoken[1:4] if len(spoken) > 1 else spoken)]


def section_slides(module: ModuleSpec, sections: ModuleSections, budget: int) -> list[SlidePlan]:
    two_slides = budget / (SLIDE_COUNT_ONE_EACH + len(TWO_SLIDE_SECTIONS)) >= TWO_SLIDE_MIN_WORDS
    plans: list[SlidePlan] = []
    for name in SECTION_NAMES:
        spoken = metrics.sentences(sections.get(name))
        if two_slides and name in TWO_SLIDE_SECTIONS and len(spoken) > 1:
            plans.extend(split_section(name, module, spoken))
        else:
            plans.append(
                SlidePlan(
                    name, LABELS[name], bullets(name, module, spoken), [lead(name, module), *spoken]
                )
            )
    return plans


def split_section(name: SectionName, module: ModuleSpec, spoken: list[str]) -> list[SlidePlan]:
    half = (len(spoken) + 1) // 2
    first, second = spoken[:half], spoken[half:]
    label = LABELS[name]
    return [
        SlidePlan(
            name, f"{label} (1/2)", bullets(name, module, first), [lead(name, module), *first]
        ),
        SlidePlan(
            name,
            f"{label} (2/2)",
            [clip(s) for s in second[:3]],
            [f"More on {label.lower()}.", *second],
        ),
    ]
