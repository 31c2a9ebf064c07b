"""Narrator over an OpenAI-compatible speech endpoint: POST {base_url}/audio/speech per slide.

`base_url` includes the API version, e.g. https://api.openai.com/v1. Audio is requested as WAV
and decoded here, so segment timings are exact; the shared `write_narration` lays out the files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import anyio.to_thread
from pydantic import SecretStr

from lxera_pipeline.generators.media.errors import SpeechError
from lxera_pipeline.generators.media.models import Narration, VoiceSettings, check_script
from lxera_pipeline.generators.media.narration import DEFAULT_PACING, Pacing, write_narration
from lxera_pipeline.generators.media.wavs import Pcm, parse_wav
from lxera_pipeline.generators.types import Script, ScriptSlide
from lxera_pipeline.redact import plain

if TYPE_CHECKING:
    import httpx

OPENAI_DEFAULT_VOICE = VoiceSettings(voice="nova", speed=1.0)
MAX_INPUT_CHARS = 4096
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


class OpenAISpeechNarrator:
    """Narrator that asks an OpenAI-compatible `/audio/speech` endpoint for each slide."""

    engine_name = "openai-speech"

    def __init__(
        self,
        base_url: str,
        api_key: SecretStr | str | None = None,
        model: str = "tts-1",
        voice: VoiceSettings = OPENAI_DEFAULT_VOICE,
        pacing: Pacing = DEFAULT_PACING,
        timeout_seconds: float = 120.0,
    ) -> None:
        self._url = base_url.rstrip("/") + "/audio/speech"
        key = plain(api_key)
        self._headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._model = model
        self._voice = voice
        self._pacing = pacing
        self._timeout = timeout_seconds

    async def narrate(
        self, script: Script, output_dir: Path, voice: VoiceSettings | None = None
    ) -> Narration:
        import httpx  # loaded on the first narration, not with the daemon

        check_script(script)
        chosen = voice or self._voice
        async with httpx.AsyncClient(headers=self._headers, timeout=self._timeout) as client:
            spoken = [await self._speak_slide(client, slide, chosen) for slide in script.slides]
        speech = list(zip(script.slides, _fill_empty(spoken), strict=True))
        return await write_narration(speech, output_dir, self.engine_name, chosen, self._pacing)

    async def _speak_slide(
        self, client: httpx.AsyncClient, slide: ScriptSlide, voice: VoiceSettings
    ) -> Pcm | None:
        parts = [await self._speak(client, chunk, voice) for chunk in split_text(slide.narration)]
        if not parts:
            return None
        joined = parts[0]
        for part in parts[1:]:
            joined = joined + part
        return joined

    async def _speak(self, client: httpx.AsyncClient, text: str, voice: VoiceSettings) -> Pcm:
        import httpx

        body = {
            "model": self._model,
            "voice": voice.voice,
            "input": text,
            "speed": voice.speed,
            "response_format": "wav",
        }
        try:
            response = await client.post(self._url, json=body)
        except httpx.HTTPError as exc:
            raise SpeechError(f"speech request to {self._url} failed: {exc!r}") from exc
        if response.status_code >= 400:
            status, detail = response.status_code, response.text[:300]
            raise SpeechError(f"speech endpoint {self._url} answered {status}: {detail}")
        return await anyio.to_thread.run_sync(parse_wav, response.content)


def split_text(text: str, limit: int = MAX_INPUT_CHARS) -> list[str]:
    """Split `text` at sentence ends into chunks of at most `limit` characters."""
    chunks: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        while len(sentence) > limit:
            chunks.append(sentence[:limit])
            sentence = sentence[limit:]
        if chunks and len(chunks[-1]) + 1 + len(sentence) <= limit:
            chunks[-1] = f"{chunks[-1]} {sentence}"
        elif sentence:
            chunks.append(sentence)
    return chunks


def _fill_empty(spoken: list[Pcm | None]) -> list[Pcm]:
    """Slides without narration get empty audio at the rate of the spoken ones."""
    rates = [pcm.sample_rate for pcm in spoken if pcm is not None]
    if not rates:
        raise SpeechError("no slide of the script has narration text")
    return [pcm if pcm is not None else Pcm(b"", rates[0]) for pcm in spoken]
