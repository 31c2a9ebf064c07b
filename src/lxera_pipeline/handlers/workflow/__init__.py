"""The course workflow's handlers: importing this package registers them.

plan -> research -> module content -> quality gate -> enhancement loop -> multimedia session ->
script, slides, narration, video, upload -> published content and a delivered plan. Every step
is started by a status change and ends in one; see each module's docstring for its handlers.
"""

from lxera_pipeline.handlers.workflow import (
    content,
    enhancement,
    enhancement_steps,
    media_session,
    media_stages,
    plans,
    quality,
    research,
)

__all__ = [
    "content",
    "enhancement",
    "enhancement_steps",
    "media_session",
    "media_stages",
    "plans",
    "quality",
    "research",
]
