"""The OpenAI-compatible Narrator against a local speech endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.speech_stub import SpeechStub

from lxera_pipeline.generators.media.errors import SpeechError
from lxera_pipeline.generators.media.models import VoiceSettings
from lxera_pipeline.generators.media.openai_speech import OpenAISpeechNarrator, split_text
from lxera_pipeline.generators.types import Script


@pytest.fixture
def stub() -> Iterator[SpeechStub]:
    with SpeechStub() as server:
        yield server


@pytest.mark.anyio
async def test_each_slide_is_one_speech_request(
    stub: SpeechStub, script: Script, tmp_path: Path
) -> None:
    narrator = OpenAISpeechNarrator(stub.url, stub.api_key, model="tts-1-hd")
    voice = VoiceSettings(voice="fable", speed=0.95)
    narration = await narrator.narrate(script, tmp_path, voice)
    assert stub.bodies == [
        {
            "model": "tts-1-hd",
            "voice": "fable",
            "input": slide.narration,
            "speed": 0.95,
            "response_format": "wav",
        }
        for slide in script.slides
    ]
    assert all(h["authorization"] == f"Bearer {stub.api_key}" for h in stub.headers)
    assert narration.voice == voice
    assert narration.engine == "openai-speech"


@pytest.mark.anyio
async def test_timings_come_from_the_returned_audio(
    stub: SpeechStub, script: Script, tmp_path: Path
) -> None:
    narration = await OpenAISpeechNarrator(stub.url, stub.api_key).narrate(script, tmp_path)
    assert narration.sample_rate == 24000
    for slide, segment in zip(script.slides, narration.segments, strict=True):
        assert segment.speech_seconds == stub.samples_for(slide.narration) / 24000
    total = sum(s.duration_seconds for s in narration.segments)
    assert total == pytest.approx(narration.total_duration_seconds, abs=1 / 24000)
    assert narration.master_path.name == "narration_master.wav"


@pytest.mark.anyio
async def test_rejected_request_is_a_speech_error(
    stub: SpeechStub, script: Script, tmp_path: Path
) -> None:
    with pytest.raises(SpeechError, match="answered 401"):
        await OpenAISpeechNarrator(stub.url, "wrong-key").narrate(script, tmp_path)


@pytest.mark.anyio
async def test_unreachable_endpoint_is_a_speech_error(script: Script, tmp_path: Path) -> None:
    with SpeechStub() as gone:
        url = gone.url
    with pytest.raises(SpeechError, match="failed"):
        await OpenAISpeechNarrator(url, "k", timeout_seconds=2).narrate(script, tmp_path)


def test_long_text_is_split_at_sentences_within_the_limit() -> None:
    text = "One sentence here. " * 20 + "x" * 150
    chunks = split_text(text, limit=100)
    assert all(len(chunk) <= 100 for chunk in chunks)
    assert "".join(chunks).replace(" ", "") == text.replace(" ", "")
    assert split_text("   ") == []
