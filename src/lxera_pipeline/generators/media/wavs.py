"""16-bit PCM WAV handling with the standard library: parse, write, silence and loudness."""

from __future__ import annotations

import struct
import sys
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

from lxera_pipeline.generators.media.errors import SpeechError
from lxera_pipeline.generators.media.files import write_atomic

SAMPLE_WIDTH = 2  # bytes: 16-bit signed little-endian
_PCM_FORMATS = (1, 0xFFFE)  # WAVE_FORMAT_PCM, WAVE_FORMAT_EXTENSIBLE
_STREAMING_SIZE = 0xFFFFFFFF  # some servers stream WAV with an unknown data size


@dataclass(frozen=True)
class Pcm:
    """Mono 16-bit PCM samples at `sample_rate`."""

    frames: bytes
    sample_rate: int

    @property
    def sample_count(self) -> int:
        return len(self.frames) // SAMPLE_WIDTH

    @property
    def seconds(self) -> float:
        return self.sample_count / self.sample_rate

    def __add__(self, other: Pcm) -> Pcm:
        if other.sample_rate != self.sample_rate:
            raise SpeechError(f"cannot join {self.sample_rate} Hz and {other.sample_rate} Hz audio")
        return Pcm(self.frames + other.frames, self.sample_rate)


def silence(sample_rate: int, seconds: float) -> Pcm:
    return Pcm(bytes(round(sample_rate * seconds) * SAMPLE_WIDTH), sample_rate)


def peak(pcm: Pcm) -> int:
    """The largest absolute sample value (0 means silence)."""
    samples = _samples(pcm.frames)
    return max((abs(value) for value in samples), default=0)


def write_wav(path: Path, pcm: Pcm) -> Path:
    """Write `pcm` as a mono 16-bit WAV file, atomically."""

    def writer(tmp: Path) -> None:
        with wave.open(str(tmp), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(SAMPLE_WIDTH)
            out.setframerate(pcm.sample_rate)
            out.writeframes(pcm.frames)

    return write_atomic(path, writer)


def wav_frames(path: Path) -> tuple[int, int]:
    """(frame count, sample rate) from a WAV file's header."""
    with wave.open(str(path), "rb") as source:
        return source.getnframes(), source.getframerate()


def parse_wav(data: bytes) -> Pcm:
    """Decode a 16-bit PCM WAV (mono or stereo, downmixed) from bytes, tolerating stream sizes."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SpeechError(f"audio is not a WAV file (starts with {data[:12]!r})")
    channels, rate, body = _read_chunks(data)
    if channels == 2:
        body = _downmix(body)
    elif channels != 1:
        raise SpeechError(f"WAV has {channels} channels; only mono or stereo is supported")
    return Pcm(body[: len(body) - len(body) % SAMPLE_WIDTH], rate)


def _read_chunks(data: bytes) -> tuple[int, int, bytes]:
    offset, fmt = 12, None
    while offset + 8 <= len(data):
        chunk_id, size = data[offset : offset + 4], struct.unpack_from("<I", data, offset + 4)[0]
        start = offset + 8
        if chunk_id == b"fmt ":
            fmt = struct.unpack_from("<HHIIHH", data, start)
        elif chunk_id == b"data":
            end = len(data) if size == _STREAMING_SIZE else min(start + size, len(data))
            return (*_check_format(fmt), data[start:end])
        offset = start + size + (size % 2)
    raise SpeechError("WAV has no data chunk")


def _check_format(fmt: tuple[int, ...] | None) -> tuple[int, int]:
    if fmt is None:
        raise SpeechError("WAV has no fmt chunk before its data chunk")
    audio_format, channels, rate, _, _, bits = fmt
    if audio_format not in _PCM_FORMATS or bits != 16:
        raise SpeechError(f"WAV must be 16-bit PCM, got format {audio_format} with {bits} bits")
    return channels, rate


def _samples(frames: bytes) -> array[int]:
    samples = array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def _downmix(frames: bytes) -> bytes:
    samples = _samples(frames[: len(frames) - len(frames) % 4])
    mono = array("h", ((samples[i] + samples[i + 1]) // 2 for i in range(0, len(samples), 2)))
    if sys.byteorder == "big":
        mono.byteswap()
    return mono.tobytes()
