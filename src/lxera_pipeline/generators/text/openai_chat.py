"""Researcher, ContentWriter, Enhancer and ScriptWriter through an OpenAI-compatible chat endpoint.

Each call sends a system prompt (task plus JSON Schema of the answer) and the inputs as JSON,
asks for JSON mode, and validates the answer into the pydantic models of `types.py`. Counts,
slide numbers and untouched sections are fixed here, not trusted to the model.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lxera_pipeline.generators.text.chat_client import ChatClient, ChatUsage, LLMResponseError
from lxera_pipeline.generators.text.chat_prompts import (
    ResearchAnswer,
    ScriptAnswer,
    system_prompt,
    user_prompt,
)
from lxera_pipeline.generators.text.rule_based_script import narration_budget
from lxera_pipeline.generators.text.targets import DEFAULT_TARGETS, SectionTargets
from lxera_pipeline.generators.text.usage import counted_usage
from lxera_pipeline.generators.types import (
    CoursePlanInput,
    Learner,
    ModuleResearch,
    ModuleSections,
    ModuleSpec,
    QualityReport,
    ResearchResult,
    Script,
    TokenUsage,
)

Answer = TypeVar("Answer", bound=BaseModel)
BACKEND = "openai_chat"


def validated(model: type[Answer], data: dict[str, Any], task: str) -> Answer:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        summary = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        raise LLMResponseError(
            f"{task} answer does not match {model.__name__}: {summary}"
        ) from None


def module_json(module: ModuleSpec) -> dict[str, Any]:
    return module.model_dump(exclude={"demo_quality"})


def research_result(plan: CoursePlanInput, answer: ResearchAnswer) -> ResearchResult:
    """Every module gets findings (empty if the model skipped it); counts are recomputed."""
    findings = {
        m.title: answer.findings.get(m.title, ModuleResearch(module_title=m.title)).model_copy(
            update={"module_title": m.title}
        )
        for m in plan.modules
    }
    sources = list(dict.fromkeys(s for f in findings.values() for s in f.sources))
    topics = {t for m in plan.modules for t in m.key_topics} or {m.title for m in plan.modules}
    return ResearchResult(
        findings=findings,
        search_queries=answer.search_queries,
        sources_analyzed=sources,
        total_topics=len(topics),
        total_sources=len(sources),
    )


def enhance_payload(
    module: ModuleSpec,
    sections: ModuleSections,
    report: QualityReport,
    research: ModuleResearch,
    learner: Learner,
) -> dict[str, Any]:
    return {
        "module": module_json(module),
        "sections": sections.model_dump(),
        "sections_needing_work": report.sections_needing_work,
        "feedback": report.feedback,
        "improvement_suggestions": report.improvement_suggestions,
        "research": research.model_dump(),
        "learner": learner.model_dump(),
    }


class OpenAIChatText:
    """One adapter implementing the four text-generation ports over chat completions."""

    def __init__(self, client: ChatClient, target_words: SectionTargets = DEFAULT_TARGETS) -> None:
        self.client = client
        self.target_words = target_words

    async def _ask(self, task: str, payload: dict[str, Any], model: type[Answer]) -> Answer:
        data = await self.client.complete_json(system_prompt(task), user_prompt(payload), task)
        return validated(model, data, task)

    async def _ask_with_usage(
        self, task: str, payload: dict[str, Any], model: type[Answer]
    ) -> tuple[Answer, ChatUsage | None]:
        data, usage = await self.client.complete_json_with_usage(
            system_prompt(task), user_prompt(payload), task
        )
        return validated(model, data, task), usage

    async def research(self, plan: CoursePlanInput) -> ResearchResult:
        payload = {
            "course_title": plan.course_title,
            "learner": plan.learner.model_dump(),
            "modules": [module_json(m) for m in plan.modules],
            "prioritized_gaps": plan.prioritized_gaps,
        }
        return research_result(plan, await self._ask("research", payload, ResearchAnswer))

    async def write(
        self, module: ModuleSpec, research: ModuleResearch, learner: Learner
    ) -> ModuleSections:
        payload = {
            "module": module_json(module),
            "research": research.model_dump(),
            "learner": learner.model_dump(),
            "word_targets": self.target_words.model_dump(),
        }
        return await self._ask("write", payload, ModuleSections)

    async def enhance(
        self,
        module: ModuleSpec,
        sections: ModuleSections,
        report: QualityReport,
        research: ModuleResearch,
        learner: Learner,
    ) -> ModuleSections:
        if not report.sections_needing_work:
            return sections.model_copy()
        payload = enhance_payload(module, sections, report, research, learner)
        payload["word_targets"] = self.target_words.model_dump()
        answer = await self._ask("enhance", payload, ModuleSections)
        updates: dict[str, str] = {
            name: answer.get(name)
            for name in report.sections_needing_work
            if answer.get(name).strip()
        }
        return sections.model_copy(update=updates)

    async def write_script(
        self, module: ModuleSpec, sections: ModuleSections, learner: Learner, target_seconds: float
    ) -> Script:
        payload = {
            "module": module_json(module),
            "sections": sections.model_dump(),
            "learner": learner.model_dump(),
            "target_seconds": target_seconds,
            "target_words": narration_budget(target_seconds),
        }
        answer, reported = await self._ask_with_usage("script", payload, ScriptAnswer)
        if not answer.slides:
            raise LLMResponseError("script answer has no slides")
        slides = [s.model_copy(update={"slide_number": i}) for i, s in enumerate(answer.slides, 1)]
        script = Script(module_title=module.title, learner_name=learner.name, slides=slides)
        if reported is None:  # the endpoint reported no usage: count it
            usage = counted_usage(BACKEND, self.client.model, module, sections, learner, script)
        else:
            usage = TokenUsage(
                backend=BACKEND,
                model=self.client.model,
                prompt_tokens=reported.prompt_tokens,
                completion_tokens=reported.completion_tokens,
                source="reported",
            )
        return script.model_copy(update={"usage": usage})
