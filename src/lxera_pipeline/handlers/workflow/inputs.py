"""Turn workflow rows into the generators' inputs (and back), with clear errors for bad data.

A plan's ``course_structure`` is ``{"modules": [module, ...]}``; each module is an object with a
``title`` (or ``module_name`` / ``name``) and optionally ``module_number``, ``description``,
``learning_objectives``, ``key_topics``, ``duration_minutes``, ``priority`` (or
``priority_level``: critical, high, medium, low) and ``demo_quality`` (the rule-based writers'
knob: full, draft, stub).

Rows are untrusted input (a company admin may write any of these columns): every count, title,
text and JSON document is checked against :class:`InputLimits` (``LXERA_MAX_*`` settings) before
anything is generated or created, and the errors are :class:`TenantVisibleError` s that name the
limit, so their text is what the failed entity's error column shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from lxera_pipeline.data.content_models import ModuleContent, QualityAssessment
from lxera_pipeline.events.failures import TenantVisibleError
from lxera_pipeline.generators.types import (
    SECTION_NAMES,
    DimensionScores,
    Learner,
    ModuleResearch,
    ModuleSections,
    ModuleSpec,
    QualityReport,
)
from lxera_pipeline.settings import Settings

TITLE_KEYS = ("title", "module_name", "name")
TEXT_KEYS = ("description", "learning_objectives", "key_topics")


class CourseStructureError(TenantVisibleError, ValueError):
    """A plan's course_structure (or a module row's spec) that does not describe a usable
    module; the message says what is missing or wrong."""


class InputLimitError(CourseStructureError):
    """A count, title, text or JSON document over its configured limit."""

    def __init__(self, what: str, size: int, unit: str, limit: int, setting: str) -> None:
        self.limit, self.setting = limit, setting
        super().__init__(
            f"{what} has {size} {unit}; the limit is {limit} (LXERA_{setting.upper()})"
        )


class ModuleRowError(TenantVisibleError, ValueError):
    """A module content row whose research context or sections cannot be read."""


@dataclass(frozen=True)
class InputLimits:
    """The caps a handler applies to what it reads from rows (see settings.py)."""

    modules: int
    title_chars: int
    text_chars: int
    json_bytes: int

    @classmethod
    def of(cls, settings: Settings) -> InputLimits:
        return cls(
            modules=settings.max_modules_per_plan,
            title_chars=settings.max_title_chars,
            text_chars=settings.max_text_chars,
            json_bytes=settings.max_json_bytes,
        )

    def title(self, what: str, text: str) -> str:
        if len(text) > self.title_chars:
            raise InputLimitError(
                what, len(text), "characters", self.title_chars, "max_title_chars"
            )
        return text

    def text(self, what: str, text: str) -> str:
        if len(text) > self.text_chars:
            raise InputLimitError(what, len(text), "characters", self.text_chars, "max_text_chars")
        return text

    def document(self, what: str, value: object) -> None:
        """A JSON document's size as compact UTF-8 JSON."""
        size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
        if size > self.json_bytes:
            raise InputLimitError(what, size, "bytes", self.json_bytes, "max_json_bytes")


# The defaults of settings.py, for callers that have no settings at hand.
DEFAULT_LIMITS = InputLimits.of(Settings.model_construct())


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
    )


def _texts(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        yield from (item for item in value if isinstance(item, str))


def module_spec(
    raw: Mapping[str, Any], position: int, limits: InputLimits = DEFAULT_LIMITS
) -> ModuleSpec:
    """One module of a course structure (``position`` numbers it when it has no number)."""
    named = (raw.get(k) for k in TITLE_KEYS)
    title = next((text for value in named if (text := str(value or "").strip())), "")
    if not title:
        raise CourseStructureError(f"module {position} has no title (one of {TITLE_KEYS})")
    limits.title(f"the title of module {position}", title)
    for key in TEXT_KEYS:
        for text in _texts(raw.get(key)):
            limits.text(f"{key} of module {position}", text)
    data = {**raw, "title": title, "module_number": raw.get("module_number") or position}
    if "priority" not in data and "priority_level" in data:
        data["priority"] = data["priority_level"]
    try:
        return ModuleSpec.model_validate(data)
    except ValidationError as exc:
        raise CourseStructureError(f"module {position} ({title!r}): {_problems(exc)}") from None


def plan_modules(
    course_structure: object, limits: InputLimits = DEFAULT_LIMITS
) -> list[ModuleSpec]:
    """The modules of a plan, in order; an error names what is missing or wrong, or the limit
    the plan is over (checked before any module is looked at)."""
    if not isinstance(course_structure, Mapping):
        raise CourseStructureError(
            f"course_structure must be a JSON object, not {type(course_structure).__name__}"
        )
    modules = course_structure.get("modules")
    if not isinstance(modules, list) or not modules:
        raise CourseStructureError(
            'course_structure must hold a non-empty list under "modules", got '
            f"{type(modules).__name__ if modules is not None else 'nothing'}"
        )
    if len(modules) > limits.modules:
        raise InputLimitError(
            "course_structure", len(modules), "modules", limits.modules, "max_modules_per_plan"
        )
    limits.document("course_structure", course_structure)
    specs = []
    for position, raw in enumerate(modules, start=1):
        if not isinstance(raw, Mapping):
            raise CourseStructureError(
                f"module {position} must be an object, not {type(raw).__name__}"
            )
        specs.append(module_spec(raw, position, limits))
    seen: set[str] = set()
    for spec in specs:
        if spec.title in seen:
            raise CourseStructureError(f"module titles must be distinct; {spec.title!r} repeats")
        seen.add(spec.title)
    return specs


def learner_from(row: Mapping[str, Any] | None, name: str, profile: Mapping[str, Any]) -> Learner:
    """The learner from the employee/user row, else from the plan's name and employee_profile."""
    source: Mapping[str, Any] = row or {}

    def pick(key: str, *fallbacks: str) -> Any:
        for candidate in (key, *fallbacks):
            if source.get(candidate):
                return source[candidate]
        return profile.get(key) or None

    return Learner(
        name=str(pick("full_name") or profile.get("name") or name),
        role=pick("role", "position", "employee_role"),
        department=pick("department"),
        skill_level=str(pick("skill_level") or "beginner"),
        career_goal=pick("career_goal"),
        key_tools=list(pick("key_tools") or []),
    )


def content_module(content: ModuleContent, limits: InputLimits = DEFAULT_LIMITS) -> ModuleSpec:
    """The module spec a content row was created from; the row's module_name stands in for a
    missing title (and for an empty spec)."""
    limits.title("module_name", content.module_name)
    limits.document("module_spec", content.module_spec)
    spec = dict(content.module_spec)
    if not any(str(spec.get(key) or "").strip() for key in TITLE_KEYS):
        spec["title"] = content.module_name
    spec.setdefault("priority", content.priority_level)
    return module_spec(spec, 1, limits)


def content_research(
    content: ModuleContent, limits: InputLimits = DEFAULT_LIMITS
) -> ModuleResearch:
    limits.document("research_context", content.research_context)
    context = dict(content.research_context)
    context.setdefault("module_title", content.module_name)
    try:
        return ModuleResearch.model_validate(context)
    except ValidationError as exc:
        raise ModuleRowError(f"research_context: {_problems(exc)}") from None


def content_sections(
    content: ModuleContent, limits: InputLimits = DEFAULT_LIMITS
) -> ModuleSections:
    texts = {name: getattr(content, name) or "" for name in SECTION_NAMES}
    for name, text in texts.items():
        limits.text(name, text)
    return ModuleSections(**texts)


def assessment_report(row: QualityAssessment) -> QualityReport:
    """The assessor's report as the quality gate stored it."""
    dimensions = DimensionScores(
        accuracy=float(row.accuracy_score or 0),
        clarity=float(row.clarity_score or 0),
        completeness=float(row.completeness_score or 0),
        engagement=float(row.engagement_score or 0),
        personalization=float(row.personalization_score or 0),
    )
    return QualityReport(
        overall_score=float(row.overall_score),
        dimensions=dimensions,
        section_scores={k: float(v) for k, v in row.section_scores.items()},
        feedback=row.quality_feedback or "",
        critical_issues=list(row.critical_issues),
        improvement_suggestions=list(row.improvement_suggestions),
        sections_needing_work=[s for s in row.sections_needing_work if s in SECTION_NAMES],
        word_count_assessment={k: int(v) for k, v in row.word_count_assessment.items()},
    )


def merge_research(old: ModuleResearch, new: ModuleResearch) -> ModuleResearch:
    """Old findings plus the new ones not already there (order kept)."""

    def union(a: list[str], b: list[str]) -> list[str]:
        return list(dict.fromkeys([*a, *b]))

    return ModuleResearch(
        module_title=old.module_title,
        key_points=union(old.key_points, new.key_points),
        examples=union(old.examples, new.examples),
        sources=union(old.sources, new.sources),
    )


def gap_names(prioritized_gaps: Mapping[str, Any]) -> list[str]:
    """Skill-gap names from a plan's prioritized_gaps: a ``gaps`` list, else the object's keys."""
    listed = prioritized_gaps.get("gaps")
    if isinstance(listed, list):
        names = [g.get("name") if isinstance(g, Mapping) else g for g in listed]
        return [str(name) for name in names if name]
    return [str(key) for key in prioritized_gaps]
