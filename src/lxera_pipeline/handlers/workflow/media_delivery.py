"""The last two media stages: assemble the MP4, then store every asset.

- video: the slide images timed to the narration segments, with the master track, into
  ``<module>.mp4``; its duration, codecs and size are read back from the file.
- uploading: each asset goes to the storage port under its company's folder and a key fixed per
  (session, file), so a retry overwrites; the bucket and path (and the public URL, only when
  public URLs are switched on) are recorded and the asset becomes 'processed'; the presentation
  becomes 'exported' and the narration 'processed'.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from lxera_pipeline.data.assets import register_assets, set_asset_status
from lxera_pipeline.data.deliverables import (
    list_session_narrations,
    list_session_presentations,
    upsert_narration,
    upsert_presentation,
)
from lxera_pipeline.data.media_models import MultimediaAsset
from lxera_pipeline.data.vocabulary import WHOLE_MODULE
from lxera_pipeline.generators.media.models import StoredObject
from lxera_pipeline.generators.media.storage import content_type_for
from lxera_pipeline.handlers.workflow.media_files import (
    MissingStageOutputError,
    Record,
    StageJob,
    asset_files,
    file_asset,
    narration_of,
    slide_deck,
    storage_type,
    video_filename,
)


async def video_stage(job: StageJob) -> Record:
    """Assemble the MP4 from the recorded slides and narration (neither is regenerated)."""
    async with job.ctx.connection() as conn:
        narrations = await list_session_narrations(conn, job.session.session_id)
    if not narrations:
        raise MissingStageOutputError(f"session {job.session.session_id} has no narration")
    by_id = {asset.asset_id: asset for asset in job.assets}
    master = by_id.get(narrations[0].master_audio_id) if narrations[0].master_audio_id else None
    if master is None:
        raise MissingStageOutputError(f"narration {narrations[0].narration_id} has no master")
    deck = slide_deck(job)
    narration = narration_of(narrations[0], master, job.work_dir)
    path = job.directory / video_filename(job.session)
    video = job.resources.video
    result = await video.assemble(deck, narration, path)
    info = await video.probe(path)
    metrics = {
        "duration": info.duration_seconds,
        "file_size": result.size_bytes,
        "slide_count": result.slide_count,
        "fps": result.fps,
        "video_codec": info.video_codec,
        "audio_codec": info.audio_codec,
        "width": info.width,
        "height": info.height,
        "narration_seconds": narration.total_duration_seconds,
    }
    asset = file_asset(
        path,
        "video",
        duration_seconds=round(info.duration_seconds, 2),
        processing_time_seconds=round(result.render_seconds, 2),
        generation_config={"fps": result.fps, "container": info.container},
        quality_metrics=metrics,
    )

    async def record(conn: AsyncConnection[Any]) -> None:
        await register_assets(conn, job.session.session_id, [asset])

    return record


async def _store(job: StageJob, asset: MultimediaAsset, path: Path) -> StoredObject:
    return await job.resources.storage.put(
        path,
        storage_type(asset.asset_type),
        asset.section_name or WHOLE_MODULE,
        f"{job.session.session_id}_{path.name}",
        content_type_for(path),
        stamp=job.session.started_at,
        folder=str(job.session.company_id),
    )


async def upload_stage(job: StageJob) -> Record:
    """Store every asset of the session under its company's folder; record where each one went.

    Every file is confined to the session's work directory before the first upload, and its
    name and MIME type come from the resolved file, not from the row."""
    paths = asset_files(job.assets, job.work_dir)
    stored = [
        (asset, await _store(job, asset, path))
        for asset, path in zip(job.assets, paths, strict=True)
    ]

    async def record(conn: AsyncConnection[Any]) -> None:
        for asset, where in stored:
            await set_asset_status(
                conn,
                asset.asset_id,
                "processed",
                storage_bucket=where.bucket,
                storage_path=where.path,
                public_url=where.public_url,
            )
        await _finish_deliverables(conn, job)

    return record


async def _finish_deliverables(conn: AsyncConnection[Any], job: StageJob) -> None:
    session_id = job.session.session_id
    for deck in await list_session_presentations(conn, session_id):
        await upsert_presentation(
            conn,
            session_id=session_id,
            presentation_name=deck.presentation_name,
            presentation_type=deck.presentation_type,
            slide_order=[UUID(str(item)) for item in deck.slide_order],
            status="exported",
        )
    for narration in await list_session_narrations(conn, session_id):
        await upsert_narration(
            conn,
            session_id=session_id,
            narration_name=narration.narration_name,
            narration_type=narration.narration_type,
            section_name=narration.section_name,
            status="processed",
            total_duration_seconds=float(narration.total_duration_seconds),
            audio_segments=narration.audio_segments,
            segments_audio_ids=narration.segments_audio_ids,
            synthesis_completed=narration.synthesis_completed,
            segments_merged=narration.segments_merged,
        )
