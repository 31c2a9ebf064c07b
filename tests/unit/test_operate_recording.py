"""The dry run's recording resources: storage uploads nothing, ports are recorded, files go to the
scratch directory and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from lxera_pipeline.generators.types import Script, ScriptSlide
from lxera_pipeline.handlers.workflow.resources import Resources, build_resources
from lxera_pipeline.operate.recording import (
    DryRunResources,
    Recorder,
    RecordingStorage,
    recording_resources,
)
from lxera_pipeline.settings import Settings


@pytest.fixture
def real(tmp_path: Path) -> Resources:
    settings = Settings(
        database_url="postgresql://unused",
        storage_dir=tmp_path / "real",
        data_dir=tmp_path / "data",
    )
    return build_resources(settings)


@pytest.mark.anyio
async def test_storage_records_and_uploads_nothing(real: Resources, tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "scratch")
    dry = recording_resources(real, recorder)
    assert isinstance(dry, Resources)
    assert isinstance(dry.storage, RecordingStorage)
    assert dry.media_root.is_relative_to(recorder.scratch)
    assert dry.settings.media_root.is_relative_to(recorder.scratch)
    assert dry.settings.storage_backend == real.settings.storage_backend
    assert type(dry.narrator).__name__ == type(real.narrator).__name__  # recorded configs match
    local = tmp_path / "video.mp4"
    local.write_bytes(b"x" * 10)
    stored = await dry.storage.put(local, "video", "whole_module", "video.mp4", "video/mp4")
    assert (stored.public_url, stored.size) == ("dry-run://video/whole_module/video.mp4", 10)
    # The upload stage stores under the company's folder: the dry run keys it the same way.
    company = "0b9f4c3e-0000-4000-8000-000000000001"
    foldered = await dry.storage.put(local, "video", "whole_module", "video.mp4", folder=company)
    assert foldered.path == f"{company}/video/whole_module/video.mp4"
    assert [(c.port, c.method) for c in recorder.calls] == [("storage", "put")] * 2
    assert not (tmp_path / "real").exists()
    assert real.storage is not dry.storage  # the daemon's own resources are untouched


@pytest.mark.anyio
async def test_ports_are_recorded_and_write_only_to_scratch(
    real: Resources, tmp_path: Path
) -> None:
    recorder = Recorder(tmp_path / "scratch")
    dry = recording_resources(real, recorder)
    script = Script(
        module_title="Pivot tables",
        learner_name="Zoë",
        slides=[
            ScriptSlide(
                slide_number=1, section_name="title", title="Pivot tables", narration="Hello Zoë."
            )
        ],
    )
    deck = await dry.slides.render(script, dry.work_root / "session" / "slides")
    assert len(deck.slides) == 1
    [call] = recorder.calls
    assert (call.port, call.method, call.error) == ("slides", "render", None)
    assert [f["path"] for f in recorder.files()] == ["media_root/work/session/slides/slide_001.png"]
    assert not (tmp_path / "real").exists()


def test_no_resources_gives_recording_defaults(tmp_path: Path) -> None:
    dry = recording_resources(None, Recorder(tmp_path))
    assert isinstance(dry, DryRunResources)
    assert isinstance(dry.storage, RecordingStorage)
