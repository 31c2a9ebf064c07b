"""Offline narration with espeak-ng: real audio, exact timings, settings applied."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.support.media_samples import MediaRun

from lxera_pipeline.generators.media import espeak
from lxera_pipeline.generators.media.errors import MissingExtraError, SpeechError
from lxera_pipeline.generators.media.models import VoiceSettings
from lxera_pipeline.generators.media.narration import EspeakNarrator
from lxera_pipeline.generators.media.wavs import Pcm, peak, wav_frames
from lxera_pipeline.generators.types import Script


def _pcm(path: Path) -> Pcm:
    frames, rate = wav_frames(path)
    return Pcm(path.read_bytes()[-frames * 2 :], rate)


def test_segments_tile_the_master_track_exactly(media_run: MediaRun) -> None:
    narration = media_run.narration
    frames, rate = wav_frames(narration.master_path)
    assert rate == narration.sample_rate == espeak.load_espeak().sample_rate
    assert narration.total_duration_seconds == frames / rate
    durations = [s.duration_seconds for s in narration.segments]
    assert sum(durations) == pytest.approx(narration.total_duration_seconds, abs=1 / rate)
    assert narration.segments[0].start_seconds == 0
    for before, after in zip(narration.segments, narration.segments[1:], strict=False):
        assert after.start_seconds == before.end_seconds
    assert narration.segments[-1].end_seconds == pytest.approx(frames / rate, abs=1e-9)


def test_segments_are_speech_plus_the_pause(media_run: MediaRun) -> None:
    segments = media_run.narration.segments
    assert [s.path.name for s in segments] == [
        "narration_001.wav",
        "narration_002.wav",
        "narration_003.wav",
    ]
    for segment in segments[:-1]:
        assert segment.duration_seconds - segment.speech_seconds == pytest.approx(0.5, abs=1e-3)
    assert segments[-1].duration_seconds == pytest.approx(segments[-1].speech_seconds, abs=1e-3)
    for segment in segments:
        assert segment.speech_seconds > 1.0
        assert peak(_pcm(segment.path)) > 1000
    assert media_run.narration.voice == VoiceSettings(voice="en-us", speed=1.0)


@pytest.mark.anyio
async def test_speed_setting_changes_the_speech_length(script: Script, tmp_path: Path) -> None:
    narrator = EspeakNarrator()
    normal = await narrator.narrate(script, tmp_path / "normal")
    fast = await narrator.narrate(script, tmp_path / "fast", VoiceSettings(voice="en", speed=2.0))
    assert fast.voice.speed == 2.0
    speech = [s.speech_seconds for s in normal.segments]
    faster = [s.speech_seconds for s in fast.segments]
    assert all(f < 0.75 * n for f, n in zip(faster, speech, strict=True))


@pytest.mark.anyio
async def test_unknown_voice_is_a_clear_error(script: Script, tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match="no voice named 'klingon-xx'"):
        await EspeakNarrator(VoiceSettings(voice="klingon-xx")).narrate(script, tmp_path)


def test_missing_wheel_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "espeakng_loader", None)  # makes the import fail
    with pytest.raises(MissingExtraError, match=r"lxera-pipeline\[speech\]"):
        espeak._load()
