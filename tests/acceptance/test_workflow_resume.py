"""Killing the daemon (kill -9) while it assembles a video, then starting another: the session
finishes from the video stage. The slides and the narration are not made again: their files keep
their modification times and their handlers have exactly one (successful) audit row each."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from psycopg import AsyncConnection

from lxera_pipeline.cli.demo.seed import DemoCourse, Seeded, seed_course
from lxera_pipeline.generators.media.ffmpeg import probe_media
from tests.acceptance.support import (
    FAST_SETTINGS,
    REPO_ROOT,
    Daemon,
    audit_rows,
    daemon_env,
    fetch,
    free_port,
    wait_until,
)

pytestmark = pytest.mark.acceptance
WORKFLOW_SETTINGS: dict[str, object] = {
    **FAST_SETTINGS,
    "narration_seconds_per_module": 30,
    "handlers": "content,media",
}
COURSE = DemoCourse(
    modules=(
        {
            "title": "Variance analysis",
            "key_topics": ["variance analysis", "forecasts"],
            "learning_objectives": ["Explain a budget variance"],
            "demo_quality": "full",
        },
    )
)


def start_daemon(dsn: str, work: Path, name: str) -> Daemon:
    port = free_port()
    env = daemon_env(dsn, work / name, port, {**WORKFLOW_SETTINGS, "storage_dir": work / "media"})
    log_path = work / f"{name}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "lxera_pipeline", "run"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    daemon = Daemon(name, proc, log_path, port)
    daemon.wait_ready()
    return daemon


async def _seed(dsn: str) -> Seeded:
    async with await AsyncConnection.connect(dsn, autocommit=True) as conn:
        return await seed_course(conn, COURSE)


def video_running(dsn: str) -> bool:
    rows = fetch(
        dsn,
        "select 1 from pipeline.deliveries where handler = 'media.video' and state = 'running'",
    )
    return bool(rows)


def session(dsn: str) -> dict[str, Any]:
    [row] = fetch(dsn, "select * from mm_multimedia_sessions")
    return row


def file_times(dsn: str, kinds: tuple[str, ...]) -> dict[str, int]:
    rows = fetch(
        dsn,
        "select file_path from mm_multimedia_assets where asset_type = any(%(k)s)",
        {"k": list(kinds)},
    )
    return {row["file_path"]: Path(row["file_path"]).stat().st_mtime_ns for row in rows}


def test_killed_during_video_assembly_resumes_at_the_video_stage(
    db_dsn: str, tmp_path: Path
) -> None:
    anyio.run(_seed, db_dsn)
    first = start_daemon(db_dsn, tmp_path, "first")
    try:
        wait_until(lambda: video_running(db_dsn), 90, "the video stage to start", interval=0.02)
        first.signal(signal.SIGKILL)
        assert first.wait_exit(10) == -signal.SIGKILL
    finally:
        first.force_stop()
    assert session(db_dsn)["current_stage"] == "video_assembly"
    made_before = file_times(db_dsn, ("slide", "audio", "document"))
    second = start_daemon(db_dsn, tmp_path, "second")
    try:
        wait_until(lambda: session(db_dsn)["status"] == "completed", 60, "the session to finish")
    finally:
        second.signal(signal.SIGTERM)
        second.wait_exit(20)
    assert file_times(db_dsn, ("slide", "audio", "document")) == made_before
    for handler in ("media.script", "media.slides", "media.narration"):
        assert [row["outcome"] for row in audit_rows(db_dsn, handler)] == ["succeeded"], handler
    video_audits = [row["outcome"] for row in audit_rows(db_dsn, "media.video")]
    assert video_audits.count("succeeded") == 1
    [delivery] = fetch(db_dsn, "select * from pipeline.deliveries where handler = 'media.video'")
    assert (delivery["state"], delivery["attempts"]) == ("done", 2)
    [video] = fetch(db_dsn, "select * from mm_multimedia_assets where asset_type = 'video'")
    info = anyio.run(probe_media, Path(video["file_path"]))
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    [plan] = fetch(db_dsn, "select status from cm_course_plans")
    assert plan["status"] == "delivered"
