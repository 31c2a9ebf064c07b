"""Media file helpers: asset rows only for files that exist, counters, folders, resources."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest

from lxera_pipeline.data.media_models import MultimediaAsset
from lxera_pipeline.events.failures import tenant_message
from lxera_pipeline.generators.media.errors import UnsafePathError
from lxera_pipeline.generators.media.files import confine
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.workflow.media_files import (
    MissingStageOutputError,
    StageJob,
    asset_files,
    asset_section,
    counters,
    file_asset,
    read_script,
    storage_type,
)
from lxera_pipeline.handlers.workflow.resources import (
    MissingResourcesError,
    build_resources,
    resources_of,
)
from lxera_pipeline.settings import Settings


def asset(kind: str, path: Path) -> MultimediaAsset:
    now = datetime.now(UTC)
    return MultimediaAsset.model_validate(
        {
            "asset_id": uuid4(),
            "session_id": uuid4(),
            "content_id": uuid4(),
            "company_id": uuid4(),
            "asset_type": kind,
            "asset_name": path.name,
            "file_path": str(path),
            "file_size_bytes": None,
            "mime_type": None,
            "section_name": None,
            "slide_number": None,
            "duration_seconds": None,
            "generation_config": {},
            "quality_metrics": {},
            "processing_time_seconds": None,
            "tokens_used": 0,
            "generation_prompt": None,
            "status": "generated",
            "is_active": True,
            "storage_bucket": "multimedia-assets",
            "storage_path": None,
            "public_url": None,
            "version_number": 1,
            "parent_asset_id": None,
            "created_at": now,
            "updated_at": now,
        }
    )


def test_file_asset_reads_size_and_mime_and_refuses_missing_files(tmp_path: Path) -> None:
    png = tmp_path / "slide_001.png"
    png.write_bytes(b"x" * 42)
    row = file_asset(png, "slide", slide_number=1)
    assert (row.file_size_bytes, row.mime_type, row.section_name) == (
        42,
        "image/png",
        "full_module",
    )
    with pytest.raises(MissingStageOutputError, match="does not exist"):
        file_asset(tmp_path / "gone.png", "slide")


def test_counters_count_asset_rows_by_type(tmp_path: Path) -> None:
    kinds = ["slide", "slide", "audio", "audio", "audio", "video", "document", "script"]
    rows = [asset(kind, tmp_path / f"{n}.bin") for n, kind in enumerate(kinds)]
    assert counters(rows) == {
        "slides_generated": 2,
        "audio_files_generated": 3,
        "video_files_generated": 1,
        "total_assets_generated": 8,
    }


def test_sections_and_storage_folders() -> None:
    assert asset_section("core_content") == "core_content"
    assert asset_section("title") == asset_section("summary") == "full_module"
    assert [storage_type(k) for k in ("slide", "audio", "video", "script", "document")] == [
        "slide",
        "audio",
        "video",
        "document",
        "document",
    ]


def job(tmp_path: Path, assets: list[MultimediaAsset]) -> StageJob:
    resources = build_resources(Settings(data_dir=tmp_path, storage_dir=tmp_path / "media"))
    session: Any = SimpleNamespace(session_id=SESSION)
    return StageJob(BareContext(), resources, session, assets, tmp_path / "unused")  # type: ignore[arg-type]


SESSION = uuid4()


def test_read_script_needs_exactly_one_script_asset(tmp_path: Path) -> None:
    work = tmp_path / "media" / "work" / str(SESSION)
    with pytest.raises(MissingStageOutputError, match="expected one script asset, found 0"):
        read_script(job(tmp_path, []))
    with pytest.raises(MissingStageOutputError, match="is missing"):
        read_script(job(tmp_path, [asset("script", work / "script_generation" / "script.json")]))


def _attacks(tmp_path: Path, work: Path) -> list[Path]:
    """/proc/self/environ, a `..` walk out of the work directory, a symlink inside it pointing
    out, and another session's work directory."""
    outside = tmp_path / "secret.json"
    outside.write_text('{"password": "hunter2"}')
    link = work / "script_generation" / "script.json"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    other = work.parent / str(uuid4()) / "script.json"
    other.parent.mkdir(parents=True)
    other.write_text("{}")
    return [Path("/proc/self/environ"), work / ".." / ".." / ".." / "secret.json", link, other]


def test_paths_from_rows_must_stay_in_the_sessions_work_directory(tmp_path: Path) -> None:
    work = tmp_path / "media" / "work" / str(SESSION)
    for path in _attacks(tmp_path, work):
        with pytest.raises(UnsafePathError) as caught:
            read_script(job(tmp_path, [asset("script", path)]))
        assert str(caught.value) == "file_path outside the session's work directory"
        with pytest.raises(UnsafePathError):
            asset_files([asset("slide", path)], work)
    assert tenant_message(UnsafePathError(), stage="uploading") == (
        "uploading: file_path outside the session's work directory"
    )


def test_confine_resolves_inside_paths_and_relative_ones(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "a").mkdir(parents=True)
    (root / "a" / "f.png").write_bytes(b"x")
    assert confine(root / "a" / ".." / "a" / "f.png", root) == (root / "a" / "f.png").resolve()
    assert confine("a/f.png", root) == (root / "a" / "f.png").resolve()
    for bad in ("../x", "/etc/passwd", "a/\x00", str(root) + "-sibling/f"):
        with pytest.raises(UnsafePathError):
            confine(bad, root)


class BareContext:
    resources: Any = object()


def test_resources_of_a_context_without_workflow_resources_is_a_clear_error(
    tmp_path: Path,
) -> None:
    ctx: Any = BareContext()
    with pytest.raises(MissingResourcesError, match="build_resources"):
        resources_of(ctx)
    ctx.resources = build_resources(Settings(data_dir=tmp_path))
    typed: HandlerContext = ctx
    assert resources_of(typed).media_root == tmp_path / "storage"
    assert resources_of(typed).work_root == tmp_path / "storage" / "work"


def test_a_dry_run_copy_records_storage_and_writes_into_its_scratch_directory(
    tmp_path: Path,
) -> None:
    from lxera_pipeline.operate.recording import (
        Recorder,
        RecordingPort,
        RecordingStorage,
        recording_resources,
    )

    real = build_resources(Settings(data_dir=tmp_path / "real"))
    scratch = tmp_path / "scratch"
    copy = recording_resources(real, Recorder(scratch))
    ctx: Any = BareContext()
    ctx.resources = copy
    dry = resources_of(ctx)
    assert isinstance(dry.storage, RecordingStorage)
    assert isinstance(dry.video, RecordingPort)
    assert dry.work_root.is_relative_to(scratch)
    assert dry.settings.media_root.is_relative_to(scratch)
    assert real.media_root == tmp_path / "real" / "storage"
