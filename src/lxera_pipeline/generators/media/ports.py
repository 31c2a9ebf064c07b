"""The media ports: what the workflow handlers need from slide, speech, video and storage backends.

Every method is async; implementations run blocking work (image drawing, speech synthesis,
ffmpeg) in worker threads or subprocesses so the daemon's event loop never blocks. Output file
names are deterministic per (output directory, item), so a retried stage overwrites its files.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

from lxera_pipeline.generators.media.models import (
    AssetType,
    DeckExports,
    MediaInfo,
    Narration,
    SlideDeck,
    StoredObject,
    VideoResult,
    VoiceSettings,
)
from lxera_pipeline.generators.types import Script


class SlideRenderer(Protocol):
    async def render(self, script: Script, output_dir: Path) -> SlideDeck:
        """Render every slide of `script` to `output_dir/slide_NNN.png`."""
        ...

    async def export(self, deck: SlideDeck, script: Script) -> DeckExports:
        """Write `deck.pdf`, `deck.pptx` and `deck.html` next to the slide images."""
        ...


class Narrator(Protocol):
    async def narrate(
        self, script: Script, output_dir: Path, voice: VoiceSettings | None = None
    ) -> Narration:
        """Speak each slide's narration into `narration_NNN.wav` plus `narration_master.wav`."""
        ...


class VideoAssembler(Protocol):
    async def assemble(
        self, deck: SlideDeck, narration: Narration, output_path: Path
    ) -> VideoResult:
        """Build an MP4 showing each slide for exactly its narration segment."""
        ...

    async def probe(self, path: Path) -> MediaInfo:
        """Report the duration and streams of a media file."""
        ...


class Storage(Protocol):
    async def put(
        self,
        local_path: Path,
        asset_type: AssetType,
        section_name: str,
        filename: str,
        content_type: str | None = None,
        *,
        stamp: datetime | None = None,
        folder: str | None = None,
    ) -> StoredObject:
        """Store a file at `{folder}/{asset_type}/{section}/{stamp}_{filename}`, overwriting on
        retry.

        `stamp` must be fixed per item (e.g. the session's start time), never `now()`, so a retry
        writes the same object; without it the key is `{asset_type}/{section}/{filename}`.
        `folder` is the owning company's id (without it the key has no folder). `local_path` has
        already been confined by the caller; the port reads it as given.
        """
        ...
