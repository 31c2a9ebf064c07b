"""Token usage of a written script: counted locally when no LLM endpoint reported it."""

from __future__ import annotations

from lxera_pipeline.generators.text.metrics import count_tokens
from lxera_pipeline.generators.types import (
    Learner,
    ModuleSections,
    ModuleSpec,
    Script,
    TokenUsage,
)


def prompt_text(module: ModuleSpec, sections: ModuleSections, learner: Learner) -> str:
    """What a script writer reads: the module's description, its sections and the learner."""
    return "\n".join(
        [
            module.title,
            module.description,
            *module.learning_objectives,
            *module.key_topics,
            *sections.model_dump().values(),
            learner.model_dump_json(),
        ]
    )


def completion_text(script: Script) -> str:
    """What a script writer produced: each slide's title, bullets and narration."""
    return "\n".join(
        "\n".join([slide.title, *slide.bullets, slide.narration]) for slide in script.slides
    )


def counted_usage(
    backend: str,
    model: str | None,
    module: ModuleSpec,
    sections: ModuleSections,
    learner: Learner,
    script: Script,
) -> TokenUsage:
    """Usage counted with :func:`count_tokens` over the writer's input and output."""
    return TokenUsage(
        backend=backend,
        model=model,
        prompt_tokens=count_tokens(prompt_text(module, sections, learner)),
        completion_tokens=count_tokens(completion_text(script)),
        source="counted",
    )
