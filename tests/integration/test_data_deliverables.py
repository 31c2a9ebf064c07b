"""Slide presentations and audio narrations through the data API (idempotent upserts)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from lxera_pipeline.data import assets, deliverables
from lxera_pipeline.data.assets import NewAsset
from lxera_pipeline.data.errors import DataValidationError, RowNotFoundError
from lxera_pipeline.data.media_models import MultimediaAsset
from tests.integration.data_support import DataCtx, data_context, events_of, make_session

pytestmark = pytest.mark.anyio


@pytest.fixture
async def ctx(schema_dsn: str) -> AsyncIterator[DataCtx]:
    async with data_context(schema_dsn) as value:
        yield value


async def _files(ctx: DataCtx, session_id: uuid.UUID) -> list[MultimediaAsset]:
    batch = [
        NewAsset("slide", "1.png", "/m/1.png", slide_number=1),
        NewAsset("slide", "2.png", "/m/2.png", slide_number=2),
        NewAsset("document", "deck.pdf", "/m/deck.pdf"),
        NewAsset("document", "deck.pptx", "/m/deck.pptx"),
        NewAsset("audio", "full.mp3", "/m/full.mp3"),
    ]
    return await assets.register_assets(ctx.conn, session_id, batch)


async def test_presentation_upsert_round_trip(ctx: DataCtx) -> None:
    module, session = await make_session(ctx.conn, ctx.seed)
    slide1, slide2, pdf, pptx, _ = await _files(ctx, session.session_id)
    created = await deliverables.upsert_presentation(
        ctx.conn,
        session_id=session.session_id,
        presentation_name="Financial Analysis",
        slide_order=[slide1.asset_id],
        template_used="educational",
        theme_config={"accent": "#123456"},
    )
    assert (created.status, created.total_slides, created.pdf_generated) == ("generated", 1, False)
    assert (created.content_id, created.company_id) == (module.content_id, ctx.seed.company_id)
    exported = await deliverables.upsert_presentation(
        ctx.conn,
        session_id=session.session_id,
        presentation_name="Financial Analysis (final)",
        slide_order=[slide2.asset_id, slide1.asset_id],
        status="exported",
        pdf_asset_id=pdf.asset_id,
        pptx_asset_id=pptx.asset_id,
    )
    assert exported.presentation_id == created.presentation_id
    (listed,) = await deliverables.list_session_presentations(ctx.conn, session.session_id)
    assert listed == exported
    assert listed.slide_order == [str(slide2.asset_id), str(slide1.asset_id)]
    assert (listed.total_slides, listed.status, listed.presentation_name) == (
        2,
        "exported",
        "Financial Analysis (final)",
    )
    assert (listed.pdf_generated, listed.pptx_generated, listed.html_generated) == (
        True,
        True,
        False,
    )
    assert (listed.pdf_asset_id, listed.pptx_asset_id) == (pdf.asset_id, pptx.asset_id)
    assert (listed.template_used, listed.theme_config) == ("educational", {"accent": "#123456"})
    replay = await deliverables.upsert_presentation(
        ctx.conn,
        session_id=session.session_id,
        presentation_name="Financial Analysis (final)",
        slide_order=[slide2.asset_id, slide1.asset_id],
    )
    assert (replay.status, replay.pdf_asset_id) == ("exported", pdf.asset_id)  # no regression
    events = await events_of(ctx.conn, created.presentation_id)
    assert [(e["old_status"], e["new_status"]) for e in events] == [
        (None, "generated"),
        ("generated", "exported"),
    ]


async def test_narration_upsert_round_trip(ctx: DataCtx) -> None:
    _, session = await make_session(ctx.conn, ctx.seed)
    *_, audio = await _files(ctx, session.session_id)
    segments = [{"slide": 1, "start": 0.0, "end": 4.2}, {"slide": 2, "start": 4.7, "end": 9.0}]
    created = await deliverables.upsert_narration(
        ctx.conn,
        session_id=session.session_id,
        narration_name="Financial Analysis narration",
        script_content="Welcome.",
        total_duration_seconds=9.0,
        audio_segments=segments,
        voice_config={"voice": "fable", "speed": 0.95},
        master_audio_id=audio.asset_id,
        segments_audio_ids=[audio.asset_id],
        synthesis_completed=True,
        segments_merged=True,
    )
    section = await deliverables.upsert_narration(
        ctx.conn,
        session_id=session.session_id,
        narration_name="Intro narration",
        narration_type="section_narration",
        section_name="introduction",
        status="draft",
    )
    processed = await deliverables.upsert_narration(
        ctx.conn,
        session_id=session.session_id,
        narration_name="Financial Analysis narration",
        status="processed",
        total_duration_seconds=9.5,
        audio_segments=segments,
        segments_audio_ids=[audio.asset_id],
        synthesis_completed=True,
        segments_merged=True,
    )
    assert processed.narration_id == created.narration_id
    listed = await deliverables.list_session_narrations(ctx.conn, session.session_id)
    assert listed == [processed, section]
    assert (processed.status, processed.total_duration_seconds) == ("processed", 9.5)
    assert processed.audio_segments == segments
    assert processed.voice_config == {"voice": "fable", "speed": 0.95}  # kept
    assert processed.script_content == "Welcome."  # kept
    assert (processed.master_audio_id, processed.segments_audio_ids) == (
        audio.asset_id,
        [audio.asset_id],
    )
    assert (section.status, section.section_name) == ("draft", "introduction")
    assert [e["new_status"] for e in await events_of(ctx.conn, created.narration_id)] == [
        "generated",
        "processed",
    ]


async def test_missing_session(ctx: DataCtx) -> None:
    with pytest.raises(RowNotFoundError, match="mm_multimedia_sessions"):
        await deliverables.upsert_presentation(
            ctx.conn, session_id=uuid.uuid4(), presentation_name="P", slide_order=[]
        )
    with pytest.raises(RowNotFoundError, match="mm_multimedia_sessions"):
        await deliverables.upsert_narration(ctx.conn, session_id=uuid.uuid4(), narration_name="N")


async def test_bad_arguments_are_refused_before_any_sql(ctx: DataCtx) -> None:
    _, session = await make_session(ctx.conn, ctx.seed)
    ctx.conn.forget()
    with pytest.raises(DataValidationError, match=r"mm_slide_presentations\.status: 'final'"):
        await deliverables.upsert_presentation(
            ctx.conn,
            session_id=session.session_id,
            presentation_name="P",
            slide_order=[],
            status="final",
        )
    with pytest.raises(DataValidationError, match="presentation_type: 'deck'"):
        await deliverables.upsert_presentation(
            ctx.conn,
            session_id=session.session_id,
            presentation_name="P",
            slide_order=[],
            presentation_type="deck",
        )
    with pytest.raises(DataValidationError, match="slide_order: 'x'"):
        await deliverables.upsert_presentation(
            ctx.conn,
            session_id=session.session_id,
            presentation_name="P",
            slide_order=["x"],  # type: ignore[list-item]
        )
    with pytest.raises(DataValidationError, match="total_duration_seconds: -1"):
        await deliverables.upsert_narration(
            ctx.conn, session_id=session.session_id, narration_name="N", total_duration_seconds=-1
        )
    with pytest.raises(DataValidationError, match="section name: 'outro'"):
        await deliverables.upsert_narration(
            ctx.conn, session_id=session.session_id, narration_name="N", section_name="outro"
        )
    with pytest.raises(DataValidationError, match="narration_type: 'podcast'"):
        await deliverables.upsert_narration(
            ctx.conn, session_id=session.session_id, narration_name="N", narration_type="podcast"
        )
    assert ctx.conn.statements == []
    assert await deliverables.list_session_presentations(ctx.conn, session.session_id) == []
    assert await deliverables.list_session_narrations(ctx.conn, session.session_id) == []
