"""Turn workflow rows into the generators' inputs (and back), with clear errors for bad data.

A plan's ``course_structure`` is ``{"modules": [module, ...]}``; each module is an object with a
``title`` (or ``module_name`` / ``name``) and optionally ``module_number``, ``description``,
``learning_objectives``, ``key_topics``, ``duration_minutes``, ``priority`` (or
``priority_level``: critical, high, medium, low) and ``demo_quality`` (the rule-based writers'
knob: full, draft, stub).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from lxera_pipeline.data.content_models import ModuleContent, QualityAssessment
from lxera_pipeline.generators.types import (
    SECTION_NAMES,
    DimensionScores,
    Learner,
    ModuleResearch,
    ModuleSections,
    ModuleSpec,
    QualityReport,
)

TITLE_KEYS = ("title", "module_name", "name")


class CourseStructureError(ValueError):
    """A plan's course_structure that does not describe any usable module."""


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
    )


def module_spec(raw: Mapping[str, Any], position: int) -> ModuleSpec:
    """One module of a course structure (``position`` numbers it when it has no number)."""
    title = next((str(raw[k]).strip() for k in TITLE_KEYS if str(raw.get(k) or "").strip()), "")
    if not title:
        raise CourseStructureError(f"module {position} has no title (one of {TITLE_KEYS})")
    data = {**raw, "title": title, "module_number": raw.get("module_number") or position}
    if "priority" not in data and "priority_level" in data:
        data["priority"] = data["priority_level"]
    try:
        return ModuleSpec.model_validate(data)
    except ValidationError as exc:
        raise CourseStructureError(f"module {position} ({title!r}): {_problems(exc)}") from None


def plan_modules(course_structure: Mapping[str, Any]) -> list[ModuleSpec]:
    """The modules of a plan, in order; an error names what is missing or wrong."""
    modules = course_structure.get("modules")
    if not isinstance(modules, list) or not modules:
        raise CourseStructureError(
            'course_structure must hold a non-empty list under "modules", got '
            f"{type(modules).__name__ if modules is not None else 'nothing'}"
        )
    specs = []
    for position, raw in enumerate(modules, start=1):
        if not isinstance(raw, Mapping):
            raise CourseStructureError(f"module {position} must be an object, not {raw!r}")
        specs.append(module_spec(raw, position))
    titles = [spec.title for spec in specs]
    if len(set(titles)) != len(titles):
        raise CourseStructureError(f"module titles must be distinct, got {titles}")
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


def content_module(content: ModuleContent) -> ModuleSpec:
    """The module spec a content row was created from (its name when the spec is empty)."""
    spec = dict(content.module_spec) or {"title": content.module_name}
    spec.setdefault("priority", content.priority_level)
    return module_spec(spec, 1)


def content_research(content: ModuleContent) -> ModuleResearch:
    context = dict(content.research_context)
    context.setdefault("module_title", content.module_name)
    return ModuleResearch.model_validate(context)


def content_sections(content: ModuleContent) -> ModuleSections:
    return ModuleSections(**{name: getattr(content, name) or "" for name in SECTION_NAMES})


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
