"""The first three media stages: script, slides (with PDF/PPTX/HTML exports) and narration.

Each does its slow work first (the port writes files into the stage's directory) and returns the
function that registers those files and the stage's rows inside the handler's transaction.
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

from lxera_pipeline.data.assets import NewAsset, register_assets
from lxera_pipeline.data.content import get_module_content
from lxera_pipeline.data.deliverables import upsert_narration, upsert_presentation
from lxera_pipeline.data.vocabulary import WHOLE_MODULE
from lxera_pipeline.generators.media.models import Narration, SlideDeck
from lxera_pipeline.generators.media.theme import HEIGHT, WIDTH
from lxera_pipeline.generators.types import Script
from lxera_pipeline.handlers.workflow.common import content_learner
from lxera_pipeline.handlers.workflow.inputs import (
    InputLimits,
    content_module,
    content_sections,
)
from lxera_pipeline.handlers.workflow.media_files import (
    MissingStageOutputError,
    Record,
    StageJob,
    asset_section,
    file_asset,
    read_script,
    write_script,
)


async def script_stage(job: StageJob) -> Record:
    """The script writer condenses the module into narrated slides; stored as script.json."""
    async with job.ctx.connection() as conn:
        content = await get_module_content(conn, job.session.content_id)
        if content is None:
            raise MissingStageOutputError(f"content {job.session.content_id} is gone")
        learner = await content_learner(conn, content)
    settings = job.resources.settings
    seconds, limits = settings.narration_seconds_per_module, InputLimits.of(settings)
    script = await job.resources.script_writer.write_script(
        content_module(content, limits), content_sections(content, limits), learner, seconds
    )
    words = len(script.full_text.split())
    asset = file_asset(
        write_script(script, job.directory),
        "script",
        generation_config={"target_seconds": seconds},
        quality_metrics={"slides": len(script.slides), "words": words},
    )
    return _register(job, [asset])


def _register(job: StageJob, assets: list[NewAsset]) -> Record:
    async def record(conn: AsyncConnection[Any]) -> None:
        await register_assets(conn, job.session.session_id, assets)

    return record


def slide_assets(script: Script, deck: SlideDeck) -> list[NewAsset]:
    by_number = {slide.slide_number: slide for slide in script.slides}
    return [
        file_asset(
            rendered.path,
            "slide",
            section_name=asset_section(by_number[rendered.slide_number].section_name),
            slide_number=rendered.slide_number,
            generation_prompt=by_number[rendered.slide_number].title,
            quality_metrics={"width": rendered.width, "height": rendered.height},
        )
        for rendered in deck.slides
    ]


async def slides_stage(job: StageJob) -> Record:
    """Slide PNGs plus deck.pdf / deck.pptx / deck.html; the presentation lists them."""
    script = read_script(job)
    deck = await job.resources.slides.render(script, job.directory)
    exports = await job.resources.slides.export(deck, script)
    slides = slide_assets(script, deck)
    metrics = {"slides": len(slides)}
    documents = [
        file_asset(path, "document", quality_metrics=metrics)
        for path in (exports.pdf, exports.pptx, exports.html)
    ]

    async def record(conn: AsyncConnection[Any]) -> None:
        rows = await register_assets(conn, job.session.session_id, [*slides, *documents])
        slide_rows, (pdf, pptx, html) = rows[: len(slides)], rows[len(slides) :]
        await upsert_presentation(
            conn,
            session_id=job.session.session_id,
            presentation_name=f"{job.session.module_name} - slides",
            slide_order=[row.asset_id for row in slide_rows],
            template_used="clean",
            theme_config={"theme": "clean", "width": WIDTH, "height": HEIGHT},
            pdf_asset_id=pdf.asset_id,
            pptx_asset_id=pptx.asset_id,
            html_asset_id=html.asset_id,
        )

    return record


def voice_config(narration: Narration) -> dict[str, Any]:
    return {
        "engine": narration.engine,
        "voice": narration.voice.voice,
        "speed": narration.voice.speed,
        "sample_rate": narration.sample_rate,
    }


def narration_assets(script: Script, narration: Narration) -> list[NewAsset]:
    """One asset per slide segment, then the master track (last)."""
    sections = {slide.slide_number: slide.section_name for slide in script.slides}
    voice = voice_config(narration)
    segments = [
        file_asset(
            segment.path,
            "audio",
            section_name=asset_section(sections.get(segment.slide_number, WHOLE_MODULE)),
            slide_number=segment.slide_number,
            duration_seconds=round(segment.duration_seconds, 2),
            generation_config=voice,
            quality_metrics={"speech_seconds": round(segment.speech_seconds, 3)},
        )
        for segment in narration.segments
    ]
    master = file_asset(
        narration.master_path,
        "audio",
        duration_seconds=round(narration.total_duration_seconds, 2),
        generation_config=voice,
        quality_metrics={"segments": len(segments)},
    )
    return [*segments, master]


async def narration_stage(job: StageJob) -> Record:
    """One WAV per slide and the master WAV; the narration row holds segments and timings."""
    script = read_script(job)
    narration = await job.resources.narrator.narrate(script, job.directory)
    assets = narration_assets(script, narration)

    async def record(conn: AsyncConnection[Any]) -> None:
        rows = await register_assets(conn, job.session.session_id, assets)
        segment_rows, master = rows[:-1], rows[-1]
        segments = [
            {**segment.model_dump(mode="json"), "asset_id": str(row.asset_id)}
            for segment, row in zip(narration.segments, segment_rows, strict=True)
        ]
        await upsert_narration(
            conn,
            session_id=job.session.session_id,
            narration_name=f"{job.session.module_name} - narration",
            section_name=WHOLE_MODULE,
            script_content=script.full_text,
            total_duration_seconds=round(narration.total_duration_seconds, 2),
            audio_segments=segments,
            voice_config=voice_config(narration),
            master_audio_id=master.asset_id,
            segments_audio_ids=[row.asset_id for row in segment_rows],
            synthesis_completed=True,
            segments_merged=True,
        )

    return record
