"""Turn section templates into sentence lists of a chosen length, and sentences into paragraphs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lxera_pipeline.generators.text.metrics import word_count
from lxera_pipeline.generators.text.prose import ProseContext, lower_first
from lxera_pipeline.generators.text.templates import Body
from lxera_pipeline.generators.types import SectionName

# Used only when the templates run out before the word goal is met (tiny module specs).
REPRISE_PREFIXES = ("In practice, ", "To put it another way, ", "Remember that ", "In short, ")


def body_sentences(ctx: ProseContext, body: Body) -> list[str]:
    """Lead sentences, then item templates filled round by round (first item of each kind, then
    the second...) with one general ("once") sentence after each round; no duplicates."""
    filled = [
        [ctx.fill(t, value) for value in ctx.items(kind)] for kind, t in body if kind != "once"
    ]
    general = [ctx.fill(t, "") for kind, t in body if kind == "once"]
    rounds = max((len(group) for group in filled), default=0)
    ordered: list[str] = []
    for index in range(rounds):
        ordered.extend(group[index] for group in filled if index < len(group))
        ordered.extend(general[index : index + 1])
    ordered.extend(general[rounds:])
    return list(dict.fromkeys(ordered))


def with_reprises(sentences: list[str]) -> Iterator[str]:
    yield from sentences
    for prefix in REPRISE_PREFIXES:
        yield from (prefix + lower_first(sentence) for sentence in sentences)


def take_words(sentences: Iterable[str], goal: int) -> list[str]:
    """Sentences from the start of `sentences` until they hold at least `goal` words."""
    taken: list[str] = []
    words = 0
    for sentence in sentences:
        if words >= goal:
            break
        taken.append(sentence)
        words += word_count(sentence)
    return taken


def paragraphs(name: SectionName, sentences: list[str]) -> str:
    """Three sentences per paragraph; assessments get one question per line."""
    if name == "assessments":
        return "\n".join(sentences)
    groups = [sentences[i : i + 3] for i in range(0, len(sentences), 3)]
    return "\n\n".join(" ".join(group) for group in groups)
