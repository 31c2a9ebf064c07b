"""Video assembly: an H.264/AAC MP4 of the slide images timed to their narration segments.

The slides go through ffmpeg's concat demuxer with one `duration` per slide (the segment's
length, pause included) and the master WAV is the audio track. Slide changes land on the nearest
frame of the low frame rate, so each lasts its segment's length to within half a frame.
"""

from __future__ import annotations

import time
from pathlib import Path

import anyio

from lxera_pipeline.generators.media.errors import MediaInputError
from lxera_pipeline.generators.media.ffmpeg import probe_media, run_ffmpeg
from lxera_pipeline.generators.media.files import atomic_path, write_atomic
from lxera_pipeline.generators.media.models import MediaInfo, Narration, SlideDeck, VideoResult
from lxera_pipeline.log import get_logger

log = get_logger(__name__)


class FfmpegVideoAssembler:
    """VideoAssembler using ffmpeg/libx264 tuned for still images at a low frame rate."""

    def __init__(self, fps: int = 2, preset: str = "veryfast", crf: int = 23) -> None:
        if not 1 <= fps <= 30:
            raise MediaInputError(f"video fps must be between 1 and 30, got {fps}")
        self._fps = fps
        self._preset = preset
        self._crf = crf

    async def assemble(
        self, deck: SlideDeck, narration: Narration, output_path: Path
    ) -> VideoResult:
        started = time.perf_counter()
        playlist = output_path.with_name(f"{output_path.stem}.concat.txt")
        write_atomic(
            playlist, lambda tmp: tmp.write_text(concat_playlist(deck, narration), "utf-8")
        )
        with atomic_path(output_path) as tmp:
            await run_ffmpeg(
                self._arguments(playlist, narration.master_path, tmp), "video assembly"
            )
        info = await probe_media(output_path)
        result = VideoResult(
            path=output_path,
            duration_seconds=info.duration_seconds,
            slide_count=len(deck.slides),
            size_bytes=(await anyio.Path(output_path).stat()).st_size,
            fps=self._fps,
            render_seconds=time.perf_counter() - started,
        )
        log.info(
            "video.assembled",
            path=str(output_path),
            seconds=result.duration_seconds,
            render_seconds=round(result.render_seconds, 3),
        )
        return result

    async def probe(self, path: Path) -> MediaInfo:
        return await probe_media(path)

    def _arguments(self, playlist: Path, audio: Path, output: Path) -> list[str]:
        # Convert each still to yuv420p once, then let the fps filter repeat the converted frame.
        video = ["-vf", f"format=yuv420p,fps={self._fps}", "-c:v", "libx264"]
        video += ["-preset", self._preset, "-tune", "stillimage", "-crf", str(self._crf)]
        video += ["-pix_fmt", "yuv420p", "-g", str(self._fps * 10)]
        audio_codec = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "96k"]  # speech, mono
        return [
            *("-y", "-f", "concat", "-safe", "0", "-i", str(playlist), "-i", str(audio)),
            *("-map", "0:v:0", "-map", "1:a:0", *video, *audio_codec),
            *("-shortest", "-movflags", "+faststart", "-f", "mp4", str(output)),
        ]


def concat_playlist(deck: SlideDeck, narration: Narration) -> str:
    """An ffconcat playlist showing each slide image for its narration segment's duration."""
    durations = {s.slide_number: s.duration_seconds for s in narration.segments}
    missing = [s.slide_number for s in deck.slides if s.slide_number not in durations]
    if missing or len(durations) != len(deck.slides):
        raise MediaInputError(
            f"deck slides {[s.slide_number for s in deck.slides]} do not match narration "
            f"segments {sorted(durations)}"
        )
    lines = ["ffconcat version 1.0"]
    for slide in deck.slides:
        lines += [f"file {_quote(slide.path)}", f"duration {durations[slide.slide_number]:.6f}"]
    return "\n".join(lines) + "\n"


def _quote(path: Path) -> str:
    escaped = str(path.resolve()).replace("'", "'\\''")
    return f"'{escaped}'"
