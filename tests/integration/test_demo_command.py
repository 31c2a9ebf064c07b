"""`lxera-pipeline demo` on DATABASE_URL: it drives its course to the end and prints the
artifacts and timelines; a second run in the same database and data directory works too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.integration.workflow_support import fetch

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_demo(dsn: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LXERA_")}
    env.update(DATABASE_URL=dsn, LXERA_DATA_DIR=str(data_dir), COLUMNS="160")
    return subprocess.run(
        [sys.executable, "-m", "lxera_pipeline", "demo", "--narration-seconds", "8"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_demo_runs_twice_and_shows_artifacts_and_timelines(db_dsn: str, tmp_path: Path) -> None:
    for run in (1, 2):
        result = run_demo(db_dsn, tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        out = result.stdout
        assert "Plan delivered: 2 of 2 modules published" in out, out
        for label in ("MP4", "PDF", "PPTX", "HTML", "audio", "slides"):
            assert f"{label} " in out, label
        assert out.count("Timeline of") == 2
        assert "content.quality_gate: succeeded" in out
        assert "enhancement.enhance: succeeded" in out
        assert "media.video: succeeded" in out
        assert "Rendering queue" in out
        assert "version 2 opened" in out
        assert "Media of" in out
        plans = fetch(db_dsn, "select status from cm_course_plans")
        assert [p["status"] for p in plans] == ["delivered"] * run
    videos = fetch(db_dsn, "select file_path from mm_multimedia_assets where asset_type = 'video'")
    assert len(videos) == 6  # per run: two modules, and the last one's regenerated version
    assert all(Path(v["file_path"]).is_relative_to(tmp_path / "storage") for v in videos)
