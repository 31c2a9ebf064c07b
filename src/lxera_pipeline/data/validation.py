"""Argument checks the data API runs before any SQL; each raises DataValidationError."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from typing import Any
from uuid import UUID

from lxera_pipeline.data.errors import DataValidationError
from lxera_pipeline.data.vocabulary import SECTION_NAMES
from lxera_pipeline.events.statuses import STATUS_SETS


def _listing(allowed: Iterable[str]) -> str:
    return "one of " + ", ".join(allowed)


def check_choice(argument: str, value: str, allowed: Collection[str]) -> str:
    """``value`` if it is one of ``allowed``."""
    if value not in allowed:
        raise DataValidationError(argument, value, _listing(allowed))
    return value


def check_status(table: str, column: str, value: str) -> str:
    """``value`` if it is a status of ``table.column`` (sets from events/statuses.py)."""
    return check_choice(f"{table}.{column}", value, STATUS_SETS[(table, column)])


def check_section(value: str) -> str:
    return check_choice("section name", value, SECTION_NAMES)


def check_sections(values: Iterable[str], argument: str = "section name") -> list[str]:
    return [check_choice(argument, value, SECTION_NAMES) for value in values]


def _check_number(argument: str, value: float, low: float, high: float | None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise DataValidationError(argument, value, "a number")
    if value < low or (high is not None and value > high):
        bounds = f"between {low:g} and {high:g}" if high is not None else f">= {low:g}"
        raise DataValidationError(argument, value, f"a number {bounds}")
    return value


def check_score(argument: str, value: float | None) -> float | None:
    """A quality score: None or a number in 0-10."""
    return None if value is None else _check_number(argument, value, 0, 10)


def check_scores(argument: str, scores: dict[str, float]) -> dict[str, float]:
    """Per-section scores: known section names mapped to 0-10."""
    for name, score in scores.items():
        check_choice(f"{argument} key", name, SECTION_NAMES)
        _check_number(f"{argument}[{name!r}]", score, 0, 10)
    return scores


def check_progress(value: float | None) -> float | None:
    """A progress percentage: None or a number in 0-100."""
    return None if value is None else _check_number("progress_percentage", value, 0, 100)


def check_non_negative(argument: str, value: float | None) -> float | None:
    """A size, duration or counter: None or >= 0."""
    return None if value is None else _check_number(argument, value, 0, None)


def check_count(argument: str, value: int | None) -> int | None:
    """A counter: None or an integer >= 0."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DataValidationError(argument, value, "an integer >= 0")
    return value


def check_version(argument: str, value: int) -> int:
    """A row version: an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DataValidationError(argument, value, "an integer >= 1")
    return value


def check_text(argument: str, value: str) -> str:
    """A required text: a non-blank string."""
    if not isinstance(value, str) or not value.strip():
        raise DataValidationError(argument, value, "a non-empty string")
    return value


def check_uuid(argument: str, value: UUID | str) -> UUID:
    """An id: a UUID, or a string holding one."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise DataValidationError(argument, value, "a UUID") from None


def check_optional_uuid(argument: str, value: UUID | str | None) -> UUID | None:
    return None if value is None else check_uuid(argument, value)


def check_object(
    argument: str, value: Mapping[str, Any] | None, *, required: bool = False
) -> dict[str, Any] | None:
    """A JSON object argument: a mapping with string keys (or None unless ``required``)."""
    if value is None and not required:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise DataValidationError(argument, value, "a mapping with string keys")
    return dict(value)
