"""Running ffmpeg: find the binary, run it without blocking, and read a file's duration and streams.

ffprobe is not assumed (imageio-ffmpeg ships ffmpeg only): `probe_media` parses the stream summary
that `ffmpeg -i <file>` prints.
"""

from __future__ import annotations

import re
import shutil
from functools import lru_cache
from pathlib import Path

import anyio

from lxera_pipeline.generators.media.errors import FfmpegError, MediaInputError
from lxera_pipeline.generators.media.models import MediaInfo

_INPUT = re.compile(r"Input #0, (.+?), from ")
_DURATION = re.compile(r"Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #0:\d+.*?: Video: (\w+)(.*)")
_AUDIO = re.compile(r"Stream #0:\d+.*?: Audio: (\w+)(.*)")
_SIZE = re.compile(r", (\d{2,5})x(\d{2,5})")
_FPS = re.compile(r", ([\d.]+) fps")
_RATE = re.compile(r", (\d+) Hz")


@lru_cache(maxsize=1)
def ffmpeg_executable() -> str:
    """ffmpeg from PATH, else the binary shipped by the imageio-ffmpeg wheel."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    exe: str = imageio_ffmpeg.get_ffmpeg_exe()
    return exe


async def run_ffmpeg(args: list[str], purpose: str) -> str:
    """Run ffmpeg in a subprocess; return its log, or raise FfmpegError with the log's end."""
    command = [ffmpeg_executable(), "-hide_banner", "-nostdin", *args]
    result = await anyio.run_process(command, check=False)
    log_text = result.stderr.decode("utf-8", errors="replace")
    if result.returncode != 0:
        tail = "\n".join(log_text.strip().splitlines()[-8:])
        raise FfmpegError(f"ffmpeg {purpose} failed with exit code {result.returncode}:\n{tail}")
    return log_text


async def probe_media(path: Path) -> MediaInfo:
    """Duration and streams of a media file, read from `ffmpeg -i` output."""
    if not await anyio.Path(path).is_file():
        raise MediaInputError(f"cannot probe {path}: no such file")
    command = [ffmpeg_executable(), "-hide_banner", "-nostdin", "-i", str(path)]
    result = await anyio.run_process(command, check=False)  # exits 1: no output file given
    return parse_probe(result.stderr.decode("utf-8", errors="replace"), path)


def parse_probe(text: str, path: Path) -> MediaInfo:
    """Turn the stream summary of `ffmpeg -i` into a MediaInfo."""
    container, duration = _INPUT.search(text), _DURATION.search(text)
    if container is None or duration is None:
        raise MediaInputError(f"ffmpeg cannot read {path} as media: {text.strip()[-300:]}")
    hours, minutes, seconds = duration.groups()
    video, audio = _VIDEO.search(text), _AUDIO.search(text)
    size = _SIZE.search(video.group(2)) if video else None
    fps = _FPS.search(video.group(2)) if video else None
    rate = _RATE.search(audio.group(2)) if audio else None
    return MediaInfo(
        duration_seconds=int(hours) * 3600 + int(minutes) * 60 + float(seconds),
        container=container.group(1),
        video_codec=video.group(1) if video else None,
        audio_codec=audio.group(1) if audio else None,
        width=int(size.group(1)) if size else None,
        height=int(size.group(2)) if size else None,
        fps=float(fps.group(1)) if fps else None,
        audio_sample_rate=int(rate.group(1)) if rate else None,
    )
