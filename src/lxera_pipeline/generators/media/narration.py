"""Narration: one WAV per slide plus a master WAV, with exact timings read from the audio.

`write_narration` is shared by every Narrator: it pads each slide's speech with the pause that
follows it, writes `narration_NNN.wav` and `narration_master.wav`, and reports where each segment
sits in the master track. `EspeakNarrator` is the offline engine (optional `speech` extra).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread

from lxera_pipeline.generators.media.errors import SpeechError
from lxera_pipeline.generators.media.espeak import load_espeak
from lxera_pipeline.generators.media.files import NARRATION_MASTER, segment_filename
from lxera_pipeline.generators.media.models import (
    Narration,
    NarrationSegment,
    VoiceSettings,
    check_script,
)
from lxera_pipeline.generators.media.wavs import Pcm, peak, silence, wav_frames, write_wav
from lxera_pipeline.generators.types import Script, ScriptSlide
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

ESPEAK_DEFAULT_VOICE = VoiceSettings(voice="en-us", speed=1.0)


@dataclass(frozen=True)
class Pacing:
    """Silence after each slide but the last, and the shortest time a slide stays up."""

    pause_seconds: float = 0.5
    min_segment_seconds: float = 1.0


DEFAULT_PACING = Pacing()


async def write_narration(
    speech: list[tuple[ScriptSlide, Pcm]],
    output_dir: Path,
    engine: str,
    voice: VoiceSettings,
    pacing: Pacing = DEFAULT_PACING,
) -> Narration:
    """Write the segment and master WAVs for spoken slides and return their timings."""
    for slide, pcm in speech:
        _check_audible(slide, pcm)
    narration = await anyio.to_thread.run_sync(
        _write_files, speech, output_dir, engine, voice, pacing
    )
    log.info(
        "narration.written",
        engine=engine,
        segments=len(narration.segments),
        seconds=round(narration.total_duration_seconds, 3),
    )
    return narration


def _check_audible(slide: ScriptSlide, pcm: Pcm) -> None:
    if any(ch.isalnum() for ch in slide.narration) and peak(pcm) == 0:
        raise SpeechError(f"speech for slide {slide.slide_number} is silent")


def _write_files(
    speech: list[tuple[ScriptSlide, Pcm]],
    output_dir: Path,
    engine: str,
    voice: VoiceSettings,
    pacing: Pacing,
) -> Narration:
    if not speech:
        raise SpeechError("narration has no segments")
    segments: list[NarrationSegment] = []
    parts: list[Pcm] = []
    start_sample = 0
    for index, (slide, pcm) in enumerate(speech):
        parts.append(pcm + silence(pcm.sample_rate, _tail(pcm, index == len(speech) - 1, pacing)))
        path = write_wav(output_dir / segment_filename(slide.slide_number), parts[-1])
        segments.append(_segment(slide, path, start_sample, pcm.seconds))
        start_sample += wav_frames(path)[0]
    master = Pcm(b"".join(p.frames for p in parts), _same_rate(parts))
    master_path = write_wav(output_dir / NARRATION_MASTER, master)
    frames, rate = wav_frames(master_path)
    return Narration(
        engine=engine,
        voice=voice,
        sample_rate=rate,
        master_path=master_path,
        total_duration_seconds=frames / rate,
        segments=segments,
    )


def _same_rate(parts: list[Pcm]) -> int:
    rates = {p.sample_rate for p in parts}
    if len(rates) != 1:
        raise SpeechError(f"speech segments have different sample rates: {sorted(rates)}")
    return rates.pop()


def _tail(pcm: Pcm, last: bool, pacing: Pacing) -> float:
    pause = 0.0 if last else pacing.pause_seconds
    return max(pause, pacing.min_segment_seconds - pcm.seconds)


def _segment(slide: ScriptSlide, path: Path, start_sample: int, speech: float) -> NarrationSegment:
    frames, rate = wav_frames(path)
    return NarrationSegment(
        slide_number=slide.slide_number,
        path=path,
        start_seconds=start_sample / rate,
        end_seconds=(start_sample + frames) / rate,
        duration_seconds=frames / rate,
        speech_seconds=speech,
        text=slide.narration,
    )


class EspeakNarrator:
    """Offline Narrator speaking with espeak-ng (GPL; needs the `speech` extra)."""

    engine_name = "espeak-ng"

    def __init__(
        self, voice: VoiceSettings = ESPEAK_DEFAULT_VOICE, pacing: Pacing = DEFAULT_PACING
    ) -> None:
        self._voice = voice
        self._pacing = pacing

    async def narrate(
        self, script: Script, output_dir: Path, voice: VoiceSettings | None = None
    ) -> Narration:
        check_script(script)
        chosen = voice or self._voice
        speech = await anyio.to_thread.run_sync(_speak_all, script, chosen)
        return await write_narration(speech, output_dir, self.engine_name, chosen, self._pacing)


def _speak_all(script: Script, voice: VoiceSettings) -> list[tuple[ScriptSlide, Pcm]]:
    engine = load_espeak()
    return [(s, engine.synthesize(s.narration, voice.voice, voice.speed)) for s in script.slides]
