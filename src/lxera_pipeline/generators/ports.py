"""The text ports: what the workflow handlers need from research, writing and quality backends.

Every method is async so an implementation that calls a network service (an OpenAI-compatible
endpoint) fits the same interface as the offline rule-based defaults. The media ports live in
`lxera_pipeline.generators.media.ports`.
"""

from __future__ import annotations

from typing import Protocol

from lxera_pipeline.generators.types import (
    CoursePlanInput,
    Learner,
    ModuleResearch,
    ModuleSections,
    ModuleSpec,
    Priority,
    QualityReport,
    ResearchResult,
    Script,
)


class Researcher(Protocol):
    async def research(self, plan: CoursePlanInput) -> ResearchResult:
        """Collect key points, examples and sources for every module of `plan`."""
        ...


class ContentWriter(Protocol):
    async def write(
        self, module: ModuleSpec, research: ModuleResearch, learner: Learner
    ) -> ModuleSections:
        """Write the five sections of `module` for `learner`."""
        ...


class Enhancer(Protocol):
    async def enhance(
        self,
        module: ModuleSpec,
        sections: ModuleSections,
        report: QualityReport,
        research: ModuleResearch,
        learner: Learner,
    ) -> ModuleSections:
        """Improve the sections in `report.sections_needing_work`; keep the others unchanged."""
        ...


class ScriptWriter(Protocol):
    async def write_script(
        self,
        module: ModuleSpec,
        sections: ModuleSections,
        learner: Learner,
        target_seconds: float,
    ) -> Script:
        """Condense a module into narrated slides lasting about `target_seconds` when spoken."""
        ...


class QualityAssessor(Protocol):
    async def assess(
        self,
        sections: ModuleSections,
        module: ModuleSpec,
        learner: Learner,
        priority: Priority,
    ) -> QualityReport:
        """Score a module; `priority` selects the threshold for `sections_needing_work`."""
        ...
