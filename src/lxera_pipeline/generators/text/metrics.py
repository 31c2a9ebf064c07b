"""Text measurements used by the quality assessor: words, sentences and simple markers.

All functions are pure and deterministic. Words are whatever `str.split()` separates, so any run
of whitespace (spaces, tabs, newlines) counts as one separator.
"""

from __future__ import annotations

import re

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
_EXAMPLE_MARKERS = re.compile(
    r"(?<!\w)(for example|for instance|e\.g\.|such as|imagine|example|examples)(?!\w)",
    re.IGNORECASE,
)
_SECOND_PERSON = frozenset({"you", "your", "yours", "yourself", "you're", "you'll", "you've"})
_PLACEHOLDERS = re.compile(r"\b(TODO|TBD|lorem ipsum|FIXME)\b|\[insert", re.IGNORECASE)
_WORD_CHARS = re.compile(r"[^\w']+")


def word_count(text: str) -> int:
    return len(text.split())


_TOKEN = re.compile(r"\w+|[^\w\s]")


def count_tokens(text: str) -> int:
    """Tokens by a simple, documented rule: every run of word characters is one token and every
    other non-space character (punctuation, symbols) is one token. Used where no LLM reports its
    own counts (the offline script writer); a rough stand-in for an LLM tokenizer's count."""
    return len(_TOKEN.findall(text))


def sentences(text: str) -> list[str]:
    """Sentences split at `.`, `!` or `?` followed by whitespace, and at line breaks."""
    return [part.strip() for part in _SENTENCE_BREAK.split(text) if part.strip()]


def mean_sentence_words(text: str) -> float:
    parts = sentences(text)
    return sum(word_count(part) for part in parts) / len(parts) if parts else 0.0


def long_sentence_share(text: str, limit: int = 35) -> float:
    parts = sentences(text)
    return sum(word_count(part) > limit for part in parts) / len(parts) if parts else 0.0


def question_count(text: str) -> int:
    return text.count("?")


def example_count(text: str) -> int:
    return len(_EXAMPLE_MARKERS.findall(text))


def placeholder_count(text: str) -> int:
    return len(_PLACEHOLDERS.findall(text))


def normalised_words(text: str) -> list[str]:
    """Lower-case words with surrounding punctuation removed."""
    return [word for word in _WORD_CHARS.sub(" ", text.lower()).split() if word]


def second_person_share(text: str) -> float:
    words = normalised_words(text)
    return sum(word in _SECOND_PERSON for word in words) / len(words) if words else 0.0


def mentions(text: str, phrase: str) -> bool:
    """Whether `phrase` occurs in `text` as whole words, ignoring case."""
    phrase = phrase.strip()
    if not phrase:
        return False
    pattern = r"(?<!\w)" + re.escape(phrase) + r"(?!\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None
