"""Offline researcher: key points, examples and queries derived from the plan's own topics.

Nothing is looked up. Source names are synthetic and every one starts with GENERATED_SOURCE_PREFIX,
so no reader can mistake them for real publications.
"""

from __future__ import annotations

from lxera_pipeline.generators.types import (
    CoursePlanInput,
    Learner,
    ModuleResearch,
    ModuleSpec,
    ResearchResult,
)
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

GENERATED_SOURCE_PREFIX = "[generated] "
POINT_TEMPLATES = (
    "work on {topic} goes best when its purpose is agreed before it starts.",
    "teams that write down how they use {topic} repeat fewer mistakes.",
    "results from {topic} should be reviewed regularly against the goals they serve.",
)
EXAMPLE_TEMPLATES = (
    "a {team} used {topic} to cut the time spent on weekly reporting by a third.",
    "a new colleague learned {topic} by pairing with an expert on two real tasks.",
)
SOURCE_TEMPLATES = (
    "Practitioner overview of {topic}",
    "Worked examples: {topic} in {field}",
)


def module_topics(module: ModuleSpec) -> list[str]:
    return [topic.strip() for topic in module.key_topics if topic.strip()] or [module.title]


def team_name(learner: Learner) -> str:
    return f"{learner.department} team" if learner.department else "small project team"


def research_module(module: ModuleSpec, learner: Learner) -> ModuleResearch:
    topics = module_topics(module)
    field = learner.department or learner.role or "the workplace"
    return ModuleResearch(
        module_title=module.title,
        key_points=[t.format(topic=topic) for t in POINT_TEMPLATES for topic in topics],
        examples=[
            t.format(topic=topic, team=team_name(learner))
            for t in EXAMPLE_TEMPLATES
            for topic in topics
        ],
        sources=[
            GENERATED_SOURCE_PREFIX + t.format(topic=topic, field=field)
            for topic in topics
            for t in SOURCE_TEMPLATES
        ],
    )


def search_queries(plan: CoursePlanInput) -> list[str]:
    role = plan.learner.role or "professionals"
    queries = [
        f"{topic} best practices for {role}" for m in plan.modules for topic in module_topics(m)
    ]
    queries += [
        f"how to close the skill gap: {gap}" for gap in plan.prioritized_gaps if gap.strip()
    ]
    return list(dict.fromkeys(queries))


class RuleBasedResearcher:
    """Implements the Researcher port from the plan alone (offline, deterministic)."""

    async def research(self, plan: CoursePlanInput) -> ResearchResult:
        findings = {m.title: research_module(m, plan.learner) for m in plan.modules}
        sources = list(dict.fromkeys(s for f in findings.values() for s in f.sources))
        topics = {topic for m in plan.modules for topic in module_topics(m)}
        log.info("research.completed", modules=len(findings), sources=len(sources))
        return ResearchResult(
            findings=findings,
            search_queries=search_queries(plan),
            sources_analyzed=sources,
            total_topics=len(topics),
            total_sources=len(sources),
        )
