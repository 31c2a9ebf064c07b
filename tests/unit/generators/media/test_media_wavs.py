"""WAV decoding and writing: streaming headers, stereo downmix, clear errors."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from tests.support.speech_stub import tone_wav

from lxera_pipeline.generators.media.errors import SpeechError
from lxera_pipeline.generators.media.wavs import (
    Pcm,
    parse_wav,
    peak,
    silence,
    wav_frames,
    write_wav,
)


def test_streaming_wav_header_is_read_up_to_the_end_of_the_bytes() -> None:
    pcm = parse_wav(tone_wav(2400, 24000, streaming=True))
    assert (pcm.sample_count, pcm.sample_rate) == (2400, 24000)
    assert pcm.seconds == pytest.approx(0.1)
    assert peak(pcm) > 7000


def test_stereo_is_downmixed_to_mono() -> None:
    frames = struct.pack("<4h", 1000, 3000, -200, -400)
    fmt = struct.pack("<HHIIHH", 1, 2, 8000, 32000, 4, 16)
    data = (
        b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVE"
        + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(frames)) + frames
    )  # fmt: skip
    pcm = parse_wav(data)
    assert pcm.frames == struct.pack("<2h", 2000, -300)


def test_non_wav_and_non_16_bit_audio_are_rejected() -> None:
    with pytest.raises(SpeechError, match="not a WAV"):
        parse_wav(b"ID3\x04mp3 bytes here")
    eight_bit = bytearray(tone_wav(10, 8000))
    struct.pack_into("<H", eight_bit, 34, 8)
    with pytest.raises(SpeechError, match="16-bit"):
        parse_wav(bytes(eight_bit))


def test_written_wav_reports_its_frames(tmp_path: Path) -> None:
    pcm = Pcm(parse_wav(tone_wav(1000, 16000)).frames, 16000) + silence(16000, 0.5)
    path = write_wav(tmp_path / "x.wav", pcm)
    assert wav_frames(path) == (9000, 16000)
    with pytest.raises(SpeechError, match="16000 Hz and 8000 Hz"):
        _ = pcm + silence(8000, 0.1)
