"""Video assembly and probing: codecs, duration, and each slide shown during its segment."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat
from tests.support.media_samples import MediaRun

from lxera_pipeline.generators.media.errors import MediaInputError
from lxera_pipeline.generators.media.ffmpeg import ffmpeg_executable, parse_probe, probe_media
from lxera_pipeline.generators.media.models import Narration
from lxera_pipeline.generators.media.video import FfmpegVideoAssembler, concat_playlist


@pytest.mark.anyio
async def test_video_is_h264_aac_and_as_long_as_the_narration(media_run: MediaRun) -> None:
    info = await probe_media(media_run.video.path)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert (info.width, info.height, info.fps) == (1920, 1080, 2.0)
    assert info.audio_sample_rate == media_run.narration.sample_rate
    assert abs(info.duration_seconds - media_run.narration.total_duration_seconds) < 0.5
    assert media_run.video.path.name == "video.mp4"
    assert media_run.video.slide_count == 3


def _frame_at(video: Path, seconds: float, out: Path) -> Image.Image:
    command = [ffmpeg_executable(), "-v", "error", "-y", "-ss", f"{seconds:.3f}", "-i", str(video)]
    subprocess.run([*command, "-frames:v", "1", str(out)], check=True)
    return Image.open(out).convert("L").resize((192, 108))


def _distance(a: Image.Image, b: Image.Image) -> float:
    return float(ImageStat.Stat(ImageChops.difference(a, b)).mean[0])


def test_each_slide_is_on_screen_during_its_segment(media_run: MediaRun, tmp_path: Path) -> None:
    slides = [Image.open(s.path).convert("L").resize((192, 108)) for s in media_run.deck.slides]
    for index, segment in enumerate(media_run.narration.segments):
        middle = (segment.start_seconds + segment.end_seconds) / 2
        frame = _frame_at(media_run.video.path, middle, tmp_path / f"f{index}.png")
        distances = [_distance(frame, slide) for slide in slides]
        assert distances.index(min(distances)) == index, distances
        assert min(distances) < 3


def test_playlist_gives_each_slide_its_segment_duration(media_run: MediaRun) -> None:
    text = concat_playlist(media_run.deck, media_run.narration)
    durations = [
        float(line.split()[1]) for line in text.splitlines() if line.startswith("duration")
    ]
    expected = [s.duration_seconds for s in media_run.narration.segments]
    assert durations == pytest.approx(expected, abs=1e-6)


@pytest.mark.anyio
async def test_mismatched_deck_and_narration_are_rejected(
    media_run: MediaRun, tmp_path: Path
) -> None:
    short: Narration = media_run.narration.model_copy(
        update={"segments": media_run.narration.segments[:2]}
    )
    with pytest.raises(MediaInputError, match="do not match"):
        await FfmpegVideoAssembler().assemble(media_run.deck, short, tmp_path / "v.mp4")
    assert not (tmp_path / "v.mp4").exists()


@pytest.mark.anyio
async def test_probe_reads_wav_and_rejects_non_media(media_run: MediaRun, tmp_path: Path) -> None:
    info = await probe_media(media_run.narration.master_path)
    assert (info.audio_codec, info.video_codec) == ("pcm_s16le", None)
    assert info.duration_seconds == pytest.approx(
        media_run.narration.total_duration_seconds, abs=0.02
    )
    junk = tmp_path / "junk.mp4"
    junk.write_text("not a video")
    with pytest.raises(MediaInputError, match="cannot read"):
        await probe_media(junk)
    with pytest.raises(MediaInputError, match="no such file"):
        await probe_media(tmp_path / "missing.mp4")


def test_parse_probe_reads_ffmpeg_stream_summary() -> None:
    text = (
        "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'v.mp4':\n"
        "  Duration: 01:02:03.45, start: 0.000000, bitrate: 349 kb/s\n"
        "  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive),"
        " 1280x720, 279 kb/s, 2 fps, 2 tbr, 16384 tbn (default)\n"
        "  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 24000 Hz, mono, fltp\n"
    )
    info = parse_probe(text, Path("v.mp4"))
    assert info.duration_seconds == pytest.approx(3723.45)
    assert (info.container, info.width, info.height) == ("mov,mp4,m4a,3gp,3g2,mj2", 1280, 720)
    assert (info.fps, info.audio_sample_rate) == (2.0, 24000)
