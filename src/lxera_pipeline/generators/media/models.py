"""Plain data produced by the media generators (slides, narration, video, stored objects)."""

from __future__ import annotations

from pathlib import Path
from typing import TypeAlias

from pydantic import BaseModel, Field

from lxera_pipeline.data.vocabulary import StoredAssetType
from lxera_pipeline.generators.media.errors import MediaInputError
from lxera_pipeline.generators.types import Script

# The asset types media storage accepts (defined in data/vocabulary.py).
AssetType: TypeAlias = StoredAssetType


class RenderedSlide(BaseModel):
    """One slide rendered to an image file."""

    slide_number: int = Field(ge=1)
    path: Path
    width: int
    height: int


class SlideDeck(BaseModel):
    """All slide images of a script, in slide order."""

    module_title: str
    output_dir: Path
    slides: list[RenderedSlide]


class DeckExports(BaseModel):
    """The deck exported as documents next to the slide images."""

    pdf: Path
    pptx: Path
    html: Path


class VoiceSettings(BaseModel):
    """Which voice speaks and how fast (1.0 is the engine's normal speed)."""

    voice: str
    speed: float = Field(default=1.0, ge=0.25, le=4.0)


class NarrationSegment(BaseModel):
    """The audio of one slide: its file and where it sits in the master track.

    `duration_seconds` includes the pause after the slide, so the slide is shown from
    `start_seconds` to `end_seconds` and the segments tile the master track without gaps.
    """

    slide_number: int = Field(ge=1)
    path: Path
    start_seconds: float
    end_seconds: float
    duration_seconds: float
    speech_seconds: float
    text: str


class Narration(BaseModel):
    """A narrated script: one WAV per slide plus the master WAV of all of them."""

    engine: str
    voice: VoiceSettings
    sample_rate: int
    master_path: Path
    total_duration_seconds: float
    segments: list[NarrationSegment]


class MediaInfo(BaseModel):
    """What ffmpeg reports about a media file."""

    duration_seconds: float
    container: str
    video_codec: str | None = None
    audio_codec: str | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    audio_sample_rate: int | None = None


class VideoResult(BaseModel):
    """The assembled video file."""

    path: Path
    duration_seconds: float
    slide_count: int
    size_bytes: int
    fps: int
    render_seconds: float


class StoredObject(BaseModel):
    """Where an asset was stored, and its public URL when public URLs are switched on."""

    bucket: str
    path: str
    public_url: str | None
    size: int
    content_type: str


def check_script(script: Script) -> None:
    """Reject scripts the media generators cannot turn into slides or narration."""
    if not script.slides:
        raise MediaInputError(f"script for module {script.module_title!r} has no slides")
    numbers = [slide.slide_number for slide in script.slides]
    if len(set(numbers)) != len(numbers):
        raise MediaInputError(f"script slide numbers must be unique, got {numbers}")
