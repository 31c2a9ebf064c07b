"""Prompts of the chat adapter: a task description plus the JSON Schema of the expected answer."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from lxera_pipeline.generators.types import ModuleResearch, ModuleSections, ScriptSlide

ROLE = (
    "You write workplace training courses that are accurate, clear, engaging and personalised: "
    "address the learner by name, relate everything to their role, ask questions and give "
    "concrete examples."
)


class ResearchAnswer(BaseModel):
    """What the model returns for a research request."""

    findings: dict[str, ModuleResearch]
    search_queries: list[str] = Field(default_factory=list)


class ScriptAnswer(BaseModel):
    """What the model returns for a script request (slides are renumbered afterwards)."""

    slides: list[ScriptSlide]


TASKS: dict[str, str] = {
    "research": (
        "Research every module of the course plan. For each module title give key points, "
        "concrete examples and source names; key findings by the exact module title."
    ),
    "write": (
        "Write the five sections of the module for the learner. Each section should be close "
        "to its word target in `word_targets`."
    ),
    "enhance": (
        "Rewrite only the sections listed in `sections_needing_work`, using the feedback, so "
        "they reach their word targets and are more personal and engaging. Return only those "
        "sections as keys."
    ),
    "script": (
        "Condense the module into narrated slides: a title slide, one or two slides per section "
        "and a summary slide. The total narration must be about `target_words` spoken words. "
        "Address the learner by name. Number slides from 1."
    ),
}
ANSWERS: dict[str, type[BaseModel]] = {
    "research": ResearchAnswer,
    "write": ModuleSections,
    "enhance": ModuleSections,
    "script": ScriptAnswer,
}


def system_prompt(task: str) -> str:
    schema = json.dumps(ANSWERS[task].model_json_schema(), separators=(",", ":"))
    return (
        f"{ROLE}\n\nTask: {TASKS[task]}\n\nAnswer with a single JSON object, no prose around "
        f"it, that validates against this JSON Schema:\n{schema}"
    )


def user_prompt(payload: dict[str, Any]) -> str:
    return "Input as JSON:\n" + json.dumps(payload, ensure_ascii=False, indent=1)
