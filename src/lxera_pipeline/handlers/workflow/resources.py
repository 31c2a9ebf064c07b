"""What the workflow handlers share: settings, the text and media ports, and where files go.

The daemon builds one :class:`Resources` at start with :func:`build_resources` and hands it to
every handler as ``ctx.resources``. The object is flat on purpose: `replay --dry-run` copies it
and swaps each attribute on its own (storage for a recording storage that uploads nothing, the
generator ports for recording wrappers, ``media_root`` and the settings for a scratch directory),
which only works when no port hides inside another object.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxera_pipeline.generators.media.factory import build_media_ports
from lxera_pipeline.generators.media.ports import Narrator, SlideRenderer, Storage, VideoAssembler
from lxera_pipeline.generators.ports import (
    ContentWriter,
    Enhancer,
    QualityAssessor,
    Researcher,
    ScriptWriter,
)
from lxera_pipeline.generators.text.factory import TextPorts, build_text_ports
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.settings import Settings


class MissingResourcesError(TypeError):
    """A workflow handler ran in a context whose ``resources`` is not a :class:`Resources`."""


@dataclass(frozen=True)
class Resources:
    """Settings, ports and the media root of one daemon (see the module docstring)."""

    settings: Settings
    researcher: Researcher
    writer: ContentWriter
    enhancer: Enhancer
    script_writer: ScriptWriter
    assessor: QualityAssessor
    slides: SlideRenderer
    narrator: Narrator
    video: VideoAssembler
    storage: Storage
    media_root: Path

    @property
    def work_root(self) -> Path:
        """Where stages write their files: ``<media_root>/work/<session_id>/<stage>/``."""
        return self.media_root / "work"

    def replace(self, **changes: Any) -> Resources:
        """A copy with some attributes replaced (e.g. another port in a test)."""
        return dataclasses.replace(self, **changes)


def build_resources(settings: Settings, text: TextPorts | None = None) -> Resources:
    """The resources the settings describe (text ports from `build_text_ports` unless given)."""
    text = text or build_text_ports(settings)
    media = build_media_ports(settings)
    return Resources(
        settings=settings,
        researcher=text.researcher,
        writer=text.writer,
        enhancer=text.enhancer,
        script_writer=text.script_writer,
        assessor=text.assessor,
        slides=media.slides,
        narrator=media.narrator,
        video=media.video,
        storage=media.storage,
        media_root=settings.media_root,
    )


def resources_of(ctx: HandlerContext) -> Resources:
    """``ctx.resources``, checked: a daemon started without them gets a clear error."""
    found = ctx.resources
    if isinstance(found, Resources):
        return found
    raise MissingResourcesError(
        "the workflow handlers need ctx.resources to be a "
        "lxera_pipeline.handlers.workflow.resources.Resources (build it with "
        f"build_resources(settings)); got {type(found).__name__}"
    )
