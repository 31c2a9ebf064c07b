"""Files of a multimedia session: where each stage writes, the asset rows that describe them, and
the :class:`StageJob` a stage works on.

Every stage writes under ``<media_root>/work/<session_id>/<stage>/`` with fixed file names
(script.json, slide_NNN.png, deck.pdf, narration_NNN.wav, <module>.mp4), so a retried stage
overwrites its own files, and the asset rows are upserted on (session_id, file_path) only after
the files exist: no row ever points at a missing file.

A path read back from a row is never trusted: :func:`local_file` resolves it (symlinks followed)
and refuses it unless it lies inside the session's work directory
(:func:`~lxera_pipeline.generators.media.files.confine`), before anything reads the file or hands
it to the slide exporter, ffmpeg or the storage port.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data.assets import NewAsset
from lxera_pipeline.data.media_models import AudioNarration, MultimediaAsset, MultimediaSession
from lxera_pipeline.data.vocabulary import SECTION_NAMES, WHOLE_MODULE
from lxera_pipeline.generators.media.errors import MediaInputError
from lxera_pipeline.generators.media.files import confine, write_atomic
from lxera_pipeline.generators.media.models import (
    AssetType,
    Narration,
    NarrationSegment,
    RenderedSlide,
    SlideDeck,
    VoiceSettings,
)
from lxera_pipeline.generators.media.storage import content_type_for, slug
from lxera_pipeline.generators.media.theme import HEIGHT, WIDTH
from lxera_pipeline.generators.types import Script
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.workflow.resources import Resources

SCRIPT_FILE = "script.json"


# Writes a stage's rows inside the handler's single transaction (after the files exist).
Record = Callable[[AsyncConnection[Any]], Awaitable[None]]


@dataclass(frozen=True)
class StageJob:
    """One run of one stage: the session as it stood, its assets, and the stage's directory."""

    ctx: HandlerContext
    resources: Resources
    session: MultimediaSession
    assets: list[MultimediaAsset]
    directory: Path

    @property
    def work_dir(self) -> Path:
        """The session's work directory: every file a stage reads must lie inside it."""
        return session_dir(self.resources, self.session.session_id)


StageWork = Callable[[StageJob], Awaitable[Record]]


class MissingStageOutputError(RuntimeError):
    """A stage needs a file or row an earlier stage should have made, and it is not there."""


def session_dir(resources: Resources, session_id: UUID) -> Path:
    """``<media_root>/work/<session_id>``: derived from the session id, never read from a row."""
    return resources.work_root / str(UUID(str(session_id)))


def stage_dir(resources: Resources, session_id: UUID, stage: str) -> Path:
    return session_dir(resources, session_id) / stage


def local_file(path: str | Path, work_dir: Path) -> Path:
    """A file named by a row, resolved and confined to the session's work directory."""
    return confine(path, work_dir)


def video_filename(session: MultimediaSession) -> str:
    return f"{slug(session.module_name, 'module name')}.mp4"


def asset_section(name: str) -> str:
    """The asset's section: a module section, or the whole module (title and summary slides)."""
    return name if name in SECTION_NAMES else WHOLE_MODULE


def file_asset(path: Path, asset_type: str, **fields: Any) -> NewAsset:
    """A row for a file that exists now: real size and MIME type read from the file."""
    if not path.is_file():
        raise MissingStageOutputError(f"cannot register {path}: the file does not exist")
    fields.setdefault("section_name", WHOLE_MODULE)
    return NewAsset(
        asset_type=asset_type,
        asset_name=path.name,
        file_path=str(path),
        mime_type=content_type_for(path),
        file_size_bytes=path.stat().st_size,
        **fields,
    )


def storage_type(asset_type: str) -> AssetType:
    """The storage folder of an asset type (scripts are stored with the documents)."""
    return asset_type if asset_type in ("slide", "audio", "video", "image") else "document"  # type: ignore[return-value]


def write_script(script: Script, directory: Path) -> Path:
    text = script.model_dump_json(indent=2)
    return write_atomic(directory / SCRIPT_FILE, lambda tmp: tmp.write_text(text, "utf-8"))


def only(assets: list[MultimediaAsset], asset_type: str, what: str) -> MultimediaAsset:
    found = [asset for asset in assets if asset.asset_type == asset_type]
    if len(found) != 1:
        raise MissingStageOutputError(f"expected one {what} asset, found {len(found)}")
    return found[0]


def read_script(job: StageJob) -> Script:
    """The script the script stage stored (its 'script' asset's file)."""
    path = local_file(only(job.assets, "script", "script").file_path, job.work_dir)
    if not path.is_file():
        raise MissingStageOutputError(f"the script file {path} is missing")
    return Script.model_validate_json(path.read_text("utf-8"))


def slide_deck(job: StageJob) -> SlideDeck:
    """The rendered slides, in slide order, from the slide assets (files confined and present)."""
    slides = sorted(
        (a for a in job.assets if a.asset_type == "slide"), key=lambda a: a.slide_number or 0
    )
    if not slides:
        raise MissingStageOutputError(f"session {job.session.session_id} has no slide assets")
    paths = asset_files(slides, job.work_dir)
    rendered = [
        RenderedSlide(slide_number=a.slide_number or 1, path=path, width=WIDTH, height=HEIGHT)
        for a, path in zip(slides, paths, strict=True)
    ]
    return SlideDeck(
        module_title=job.session.module_name, output_dir=rendered[0].path.parent, slides=rendered
    )


def narration_of(row: AudioNarration, master: MultimediaAsset, work_dir: Path) -> Narration:
    """The narration as the audio stage recorded it (segments, timings, voice, master file);
    the master and every segment path are confined to the session's work directory."""
    segments = [NarrationSegment.model_validate(item) for item in row.audio_segments]
    segments = [
        segment.model_copy(update={"path": local_file(segment.path, work_dir)})
        for segment in segments
    ]
    if not segments:
        raise MissingStageOutputError(f"narration {row.narration_id} has no segments")
    voice = row.voice_config
    return Narration(
        engine=str(voice.get("engine", "unknown")),
        voice=VoiceSettings(voice=str(voice.get("voice", "default")), speed=voice.get("speed", 1)),
        sample_rate=int(voice.get("sample_rate", 0)),
        master_path=asset_files([master], work_dir)[0],
        total_duration_seconds=float(row.total_duration_seconds),
        segments=segments,
    )


class SessionCounters(TypedDict):
    slides_generated: int
    audio_files_generated: int
    video_files_generated: int
    total_assets_generated: int


def counters(assets: list[MultimediaAsset]) -> SessionCounters:
    """The session's counters, counted from its asset rows."""
    kinds = [asset.asset_type for asset in assets]
    return {
        "slides_generated": kinds.count("slide"),
        "audio_files_generated": kinds.count("audio"),
        "video_files_generated": kinds.count("video"),
        "total_assets_generated": len(kinds),
    }


def asset_files(assets: list[MultimediaAsset], work_dir: Path) -> list[Path]:
    """The assets' files, resolved and confined to the session's work directory (every one is
    checked before any is used), in the order given; refused when one is gone."""
    paths = [local_file(asset.file_path, work_dir) for asset in assets]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise MediaInputError(f"asset files are missing: {', '.join(missing[:5])}")
    return paths
