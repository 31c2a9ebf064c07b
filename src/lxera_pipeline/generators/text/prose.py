"""What the rule-based writers know about a module and a learner, plus small text helpers."""

from __future__ import annotations

from dataclasses import dataclass

from lxera_pipeline.generators.types import Learner, ModuleResearch, ModuleSpec


def as_sentence(text: str) -> str:
    """Capitalised, stripped, ending with `.`, `!` or `?`."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word looks like an acronym."""
    text = text.strip()
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def as_clause(text: str) -> str:
    """A sentence fragment to follow 'For example, ': lower-cased start, final full stop."""
    return lower_first(as_sentence(text))


def bare(text: str) -> str:
    """Lower-cased start and no final punctuation: fits inside a sentence."""
    return lower_first(text).rstrip(" .!?;:")


def with_article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def join_and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def first_name(learner: Learner) -> str:
    parts = learner.name.split()
    return parts[0] if parts else "there"


@dataclass(frozen=True)
class ProseContext:
    """Everything a template may mention, with fallbacks so no list is empty when needed."""

    title: str
    description: str
    topics: tuple[str, ...]
    objectives: tuple[str, ...]
    points: tuple[str, ...]
    examples: tuple[str, ...]
    tools: tuple[str, ...]
    goals: tuple[str, ...]
    first: str
    role_a: str

    @classmethod
    def build(cls, module: ModuleSpec, research: ModuleResearch, learner: Learner) -> ProseContext:
        topics = tuple(t.strip() for t in module.key_topics if t.strip()) or (module.title,)
        objectives = tuple(bare(o) for o in module.learning_objectives if o.strip())
        return cls(
            title=module.title,
            description=as_sentence(module.description),
            topics=topics,
            objectives=objectives or (f"explain the essentials of {module.title}",),
            points=tuple(as_clause(p) for p in research.key_points if p.strip()),
            examples=tuple(as_clause(e) for e in research.examples if e.strip()),
            tools=tuple(t for t in learner.key_tools if t.strip()),
            goals=(bare(learner.career_goal),) if learner.career_goal else (),
            first=first_name(learner),
            role_a=with_article(learner.role) if learner.role else "a professional in your field",
        )

    def items(self, kind: str) -> tuple[str, ...]:
        """The values a template of this kind is filled with, one sentence per value."""
        table = {
            "topic": self.topics,
            "objective": self.objectives,
            "point": self.points,
            "example": self.examples,
            "tool": self.tools,
            "goal": self.goals,
            "once": ("",),
            "lead": ("",),
        }
        if kind not in table:
            raise ValueError(f"unknown template kind {kind!r}")
        return table[kind]

    def fill(self, template: str, value: str) -> str:
        return template.format(
            value=value,
            title=self.title,
            first=self.first,
            role_a=self.role_a,
            topic0=self.topics[0],
            topics=join_and(list(self.topics)),
            objectives=join_and(list(self.objectives)),
        )
