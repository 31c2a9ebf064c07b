"""Build the media ports the settings ask for."""

from __future__ import annotations

from dataclasses import dataclass

from lxera_pipeline.generators.media.narration import EspeakNarrator
from lxera_pipeline.generators.media.openai_speech import OpenAISpeechNarrator
from lxera_pipeline.generators.media.ports import Narrator, SlideRenderer, Storage, VideoAssembler
from lxera_pipeline.generators.media.slides import PillowSlideRenderer
from lxera_pipeline.generators.media.storage import build_storage
from lxera_pipeline.generators.media.video import FfmpegVideoAssembler
from lxera_pipeline.settings import Settings


@dataclass(frozen=True)
class MediaPorts:
    slides: SlideRenderer
    narrator: Narrator
    video: VideoAssembler
    storage: Storage


def build_narrator(settings: Settings) -> Narrator:
    """The OpenAI-compatible speech endpoint if `tts_base_url` is set, else offline espeak-ng.

    espeak-ng is loaded on first use; without the `speech` extra that call raises
    MissingExtraError naming the extra.
    """
    if settings.tts_base_url:
        return OpenAISpeechNarrator(settings.tts_base_url, settings.tts_api_key, settings.tts_model)
    return EspeakNarrator()


def build_media_ports(settings: Settings) -> MediaPorts:
    return MediaPorts(
        slides=PillowSlideRenderer(),
        narrator=build_narrator(settings),
        video=FfmpegVideoAssembler(fps=settings.video_fps),
        storage=build_storage(settings),
    )
