"""The media side of the two-module run: sessions, stage percentages, counters, asset rows and
their files, the presentation and narration rows, and the artifacts themselves (the MP4 plays
with H.264 video and an audio track as long as the narration; the PDF and PPTX have one page or
slide per slide)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import anyio
import pytest
from pptx import Presentation
from pypdf import PdfReader

from lxera_pipeline.events.statuses import STAGE_PROGRESS
from lxera_pipeline.generators.media.ffmpeg import probe_media, run_ffmpeg
from lxera_pipeline.generators.media.wavs import wav_frames
from tests.integration.workflow_support import Row, WorkflowRun

MIME = {"slide": "image/png", "audio": "audio/wav", "video": "video/mp4"}


def sessions(run: WorkflowRun) -> list[Row]:
    return run.rows(
        "select s.* from mm_multimedia_sessions s join cm_module_content c using (content_id) "
        "where c.plan_id = %(plan)s order by c.module_name"
    )


def storage_kind(row: Row) -> str:
    return "document" if row["asset_type"] == "script" else str(row["asset_type"])


def assets(run: WorkflowRun, session: Row, kind: str | None = None) -> list[Row]:
    return run.rows(
        "select * from mm_multimedia_assets where session_id = %(s)s "
        "and (%(k)s::text is null or asset_type = %(k)s) order by slide_number, asset_name",
        s=session["session_id"],
        k=kind,
    )


def test_each_session_completes_with_true_counters(workflow_run: WorkflowRun) -> None:
    found = sessions(workflow_run)
    assert len(found) == 2
    for session in found:
        assert (session["status"], session["current_stage"]) == ("completed", "completed")
        assert session["progress_percentage"] == 100
        assert session["completed_at"] is not None
        assert session["processing_duration_seconds"] is not None
        assert session["session_type"] == "full_generation"
        assert session["content_sections"]
        assert session["employee_name"] == "Zoë Martínez"
        rows = assets(workflow_run, session)
        kinds = [row["asset_type"] for row in rows]
        assert session["slides_generated"] == kinds.count("slide") >= 7
        assert session["audio_files_generated"] == kinds.count("audio") == kinds.count("slide") + 1
        assert session["video_files_generated"] == kinds.count("video") == 1
        assert session["total_assets_generated"] == len(rows)


def test_stage_events_carry_the_stage_percentages(workflow_run: WorkflowRun) -> None:
    for session in sessions(workflow_run):
        events = workflow_run.rows(
            "select new_status, snapshot from pipeline.events where entity_id = %(s)s "
            "and status_column = 'current_stage' order by event_id",
            s=session["session_id"],
        )
        assert [e["new_status"] for e in events] == list(STAGE_PROGRESS)
        for event in events:
            progress = float(event["snapshot"]["progress_percentage"])
            assert progress == STAGE_PROGRESS[event["new_status"]], event
            counted = event["snapshot"]["total_assets_generated"]
            assert counted <= session["total_assets_generated"]


def test_every_asset_row_describes_a_real_stored_file(workflow_run: WorkflowRun) -> None:
    for session in sessions(workflow_run):
        for row in assets(workflow_run, session):
            path = Path(row["file_path"])
            assert path.is_file(), row
            assert f"/work/{session['session_id']}/" in row["file_path"]
            assert row["file_size_bytes"] == path.stat().st_size
            assert row["mime_type"] == MIME.get(row["asset_type"], row["mime_type"])
            assert row["status"] == "processed"
            assert row["storage_bucket"] == "multimedia-assets"
            assert row["public_url"] is None  # private storage: no public URL is recorded
            folder, kind, _ = row["storage_path"].split("/", 2)
            assert (folder, kind) == (str(session["company_id"]), storage_kind(row))
            stored = workflow_run.settings.media_root / row["storage_bucket"] / row["storage_path"]
            assert stored.read_bytes() == path.read_bytes()
        slides = assets(workflow_run, session, "slide")
        assert [s["slide_number"] for s in slides] == list(range(1, len(slides) + 1))
        assert {s["section_name"] for s in slides} >= {"introduction", "core_content"}


def test_presentation_lists_the_slides_and_its_exports(workflow_run: WorkflowRun) -> None:
    for session in sessions(workflow_run):
        [deck] = workflow_run.rows(
            "select * from mm_slide_presentations where session_id = %(s)s",
            s=session["session_id"],
        )
        slides = assets(workflow_run, session, "slide")
        assert deck["slide_order"] == [str(s["asset_id"]) for s in slides]
        assert deck["total_slides"] == len(slides)
        assert deck["status"] == "exported"
        documents = {d["asset_id"]: d for d in assets(workflow_run, session, "document")}
        for kind in ("pdf", "pptx", "html"):
            assert deck[f"{kind}_generated"]
            assert documents[deck[f"{kind}_asset_id"]]["asset_name"] == f"deck.{kind}"
        pdf = documents[deck["pdf_asset_id"]]["file_path"]
        assert len(PdfReader(pdf).pages) == len(slides)
        pptx = Presentation(documents[deck["pptx_asset_id"]]["file_path"])
        assert len(pptx.slides) == len(slides)
        assert all(s.notes_slide.notes_text_frame.text for s in pptx.slides)


def test_narration_row_holds_segments_timings_and_the_master_audio(
    workflow_run: WorkflowRun,
) -> None:
    for session in sessions(workflow_run):
        [narration] = workflow_run.rows(
            "select * from mm_audio_narrations where session_id = %(s)s", s=session["session_id"]
        )
        audio = {a["asset_id"]: a for a in assets(workflow_run, session, "audio")}
        master = audio[narration["master_audio_id"]]
        assert master["asset_name"] == "narration_master.wav"
        segments = narration["audio_segments"]
        assert len(segments) == session["slides_generated"] == len(narration["segments_audio_ids"])
        assert [s["slide_number"] for s in segments] == list(range(1, len(segments) + 1))
        assert segments[0]["start_seconds"] == 0
        for before, after in itertools.pairwise(segments):
            assert after["start_seconds"] == pytest.approx(before["end_seconds"])
        assert segments[-1]["end_seconds"] == pytest.approx(
            float(narration["total_duration_seconds"]), abs=0.01
        )
        frames, rate = wav_frames(Path(master["file_path"]))
        assert frames / rate == pytest.approx(float(narration["total_duration_seconds"]), abs=0.01)
        assert narration["synthesis_completed"]
        assert narration["segments_merged"]
        assert narration["status"] == "processed"
        assert narration["script_content"]
        assert narration["voice_config"]["engine"]


async def audio_seconds(video: Path, scratch: Path) -> float:
    """The length of the MP4's audio stream, decoded to a WAV and counted in samples."""
    wav = scratch / f"{video.stem}.wav"
    await run_ffmpeg(["-y", "-i", str(video), "-vn", "-c:a", "pcm_s16le", str(wav)], "decode")
    frames, rate = wav_frames(wav)
    return frames / rate


def test_the_videos_play_with_h264_and_narration_length_audio(
    workflow_run: WorkflowRun, tmp_path: Path
) -> None:
    for session in sessions(workflow_run):
        [video] = assets(workflow_run, session, "video")
        [narration] = workflow_run.rows(
            "select total_duration_seconds from mm_audio_narrations where session_id = %(s)s",
            s=session["session_id"],
        )
        path = Path(video["file_path"])
        info = anyio.run(probe_media, path)
        assert (info.video_codec, info.audio_codec) == ("h264", "aac")
        assert (info.width, info.height) == (1920, 1080)
        spoken = float(narration["total_duration_seconds"])
        assert anyio.run(audio_seconds, path, tmp_path) == pytest.approx(spoken, abs=0.5)
        assert float(video["duration_seconds"]) == pytest.approx(spoken, abs=0.5)
        metrics: dict[str, Any] = video["quality_metrics"]
        assert metrics["slide_count"] == session["slides_generated"]
