"""Plain data passed between the workflow handlers and the generators.

These models are the contract between the two: handlers build them from database rows, the
generators consume and produce them. They never touch the database.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from pydantic import BaseModel, Field

# Section names and priorities are defined once, in the data layer's vocabulary.
from lxera_pipeline.data.vocabulary import SECTION_NAMES as SECTION_NAMES
from lxera_pipeline.data.vocabulary import PriorityLevel
from lxera_pipeline.data.vocabulary import SectionName as SectionName

Priority: TypeAlias = PriorityLevel
# Behaviour of the offline (rule-based) text generators, for demos and workflow tests:
# "full" passes the quality gate at once, "draft" fails until enhanced once, "stub" never passes.
DemoQuality = Literal["full", "draft", "stub"]


class Learner(BaseModel):
    """Who the course is for: personalisation input."""

    name: str
    role: str | None = None
    department: str | None = None
    skill_level: str = "beginner"
    career_goal: str | None = None
    key_tools: list[str] = Field(default_factory=list)


class ModuleSpec(BaseModel):
    """One module of a course plan's `course_structure`."""

    module_number: int = 1
    title: str
    description: str = ""
    learning_objectives: list[str] = Field(default_factory=list)
    key_topics: list[str] = Field(default_factory=list)
    duration_minutes: int | None = None
    priority: Priority = "medium"
    demo_quality: DemoQuality | None = Field(
        default=None,
        description="Overrides the rule-based writer/enhancer quality for this module "
        "(full, draft, stub); ignored by LLM-backed generators.",
    )


class CoursePlanInput(BaseModel):
    """What the researcher needs from a course plan."""

    course_title: str
    learner: Learner
    modules: list[ModuleSpec]
    prioritized_gaps: list[str] = Field(default_factory=list)


class ModuleResearch(BaseModel):
    """Findings for one module."""

    module_title: str
    key_points: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class ResearchResult(BaseModel):
    """What the researcher port returns for a whole plan."""

    findings: dict[str, ModuleResearch]  # keyed by module title
    search_queries: list[str] = Field(default_factory=list)
    sources_analyzed: list[str] = Field(default_factory=list)
    total_topics: int = 0
    total_sources: int = 0


class ModuleSections(BaseModel):
    """The five text sections of a module."""

    introduction: str = ""
    core_content: str = ""
    practical_applications: str = ""
    case_studies: str = ""
    assessments: str = ""

    def get(self, name: SectionName) -> str:
        value: str = getattr(self, name)
        return value


class DimensionScores(BaseModel):
    accuracy: float = Field(ge=0, le=10)
    clarity: float = Field(ge=0, le=10)
    completeness: float = Field(ge=0, le=10)
    engagement: float = Field(ge=0, le=10)
    personalization: float = Field(ge=0, le=10)


class QualityReport(BaseModel):
    """The quality assessor's verdict on one module."""

    overall_score: float = Field(ge=0, le=10)
    dimensions: DimensionScores
    section_scores: dict[str, float]
    feedback: str
    critical_issues: list[str] = Field(default_factory=list)
    improvement_suggestions: list[str] = Field(default_factory=list)
    sections_needing_work: list[SectionName] = Field(default_factory=list)
    word_count_assessment: dict[str, int] = Field(default_factory=dict)


class ScriptSlide(BaseModel):
    """One slide of a narrated presentation: what is shown and what is said."""

    slide_number: int = Field(ge=1)
    section_name: SectionName | Literal["title", "summary"]
    title: str
    bullets: list[str] = Field(default_factory=list)
    narration: str


class TokenUsage(BaseModel):
    """What writing a script cost: the backend and model, and the prompt and completion tokens.

    ``source`` is 'reported' when the LLM endpoint reported the counts (its ``usage`` field) and
    'counted' when they were counted locally with :func:`metrics.count_tokens` (the offline
    writer, or an endpoint that reports no usage)."""

    backend: str
    model: str | None = None
    prompt_tokens: int = Field(ge=0)
    completion_tokens: int = Field(ge=0)
    source: Literal["reported", "counted"]


class Script(BaseModel):
    """The script writer's output: an ordered list of slides with their narration."""

    module_title: str
    learner_name: str
    slides: list[ScriptSlide]
    usage: TokenUsage | None = None

    @property
    def full_text(self) -> str:
        return "\n\n".join(slide.narration for slide in self.slides)
