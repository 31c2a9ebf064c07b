"""Per-section dimension scores (0-10) behind the quality assessor; formulas in `quality.py`."""

from __future__ import annotations

from dataclasses import dataclass

from lxera_pipeline.generators.text import metrics
from lxera_pipeline.generators.types import Learner, ModuleSpec

IDEAL_SENTENCE_WORDS = (8, 22)
SECOND_PERSON_FULL_SHARE = 0.03
_STOPWORD_TEXT = """
about after also among basic before being between both could each from have into more most other
over same some such than that their them then there these they this those through under using
what when where which while with within would your
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class SectionDimensions:
    """The five dimension scores of one section, unrounded."""

    accuracy: float
    clarity: float
    completeness: float
    engagement: float
    personalization: float


def clamp(value: float) -> float:
    return max(0.0, min(10.0, value))


def length_coverage(words: int, target: int) -> float:
    """1.0 from the target up to 1.5x the target; proportional below, decaying above."""
    if words >= target:
        return min(1.0, 1.5 * target / words)
    return words / target


def clarity(text: str) -> float:
    if not text.strip():
        return 0.0
    low, high = IDEAL_SENTENCE_WORDS
    length = metrics.mean_sentence_words(text)
    penalty = 0.5 * max(0.0, length - high) + 1.0 * max(0.0, low - length)
    return clamp(10.0 - penalty - 5.0 * metrics.long_sentence_share(text))


def engagement(text: str) -> float:
    questions = min(1.0, float(metrics.question_count(text)))
    examples = min(1.0, float(metrics.example_count(text)))
    you = min(1.0, metrics.second_person_share(text) / SECOND_PERSON_FULL_SHARE)
    return 10.0 * (0.35 * questions + 0.35 * examples + 0.30 * you)


def name_mentioned(text: str, learner: Learner) -> bool:
    first = learner.name.split()[0] if learner.name.split() else ""
    return metrics.mentions(text, learner.name) or (
        len(first) > 1 and metrics.mentions(text, first)
    )


def personalization(text: str, learner: Learner) -> float:
    named = 1.0 if name_mentioned(text, learner) else 0.0
    if not learner.role or not learner.role.strip():
        return 10.0 * named
    role = 1.0 if metrics.mentions(text, learner.role) else 0.0
    return 10.0 * (0.6 * named + 0.4 * role)


def _content_words(text: str) -> set[str]:
    return {w for w in metrics.normalised_words(text) if len(w) >= 4 and w not in _STOPWORDS}


def topic_coverage(text: str, module: ModuleSpec) -> float:
    topics = [topic for topic in module.key_topics if topic.strip()] or [module.title]
    return sum(metrics.mentions(text, topic) for topic in topics) / len(topics)


def objective_coverage(text: str, module: ModuleSpec) -> float | None:
    present = _content_words(text)
    shares = [
        len(words & present) / len(words)
        for words in (_content_words(obj) for obj in module.learning_objectives)
        if words
    ]
    return sum(shares) / len(shares) if shares else None


def module_accuracy(full_text: str, module: ModuleSpec) -> float:
    topics = topic_coverage(full_text, module)
    objectives = objective_coverage(full_text, module)
    coverage = 0.6 * topics + 0.4 * (topics if objectives is None else objectives)
    return clamp(10.0 * coverage - 2.0 * metrics.placeholder_count(full_text))


def section_dimensions(
    text: str, target: int, accuracy: float, learner: Learner
) -> SectionDimensions:
    if not text.strip():
        return SectionDimensions(0.0, 0.0, 0.0, 0.0, 0.0)
    return SectionDimensions(
        accuracy=accuracy,
        clarity=clarity(text),
        completeness=10.0 * length_coverage(metrics.word_count(text), target),
        engagement=engagement(text),
        personalization=personalization(text, learner),
    )
