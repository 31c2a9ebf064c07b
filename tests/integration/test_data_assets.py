"""Multimedia assets through the data API: one and many (one statement), upserts, status."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from lxera_pipeline.data import assets
from lxera_pipeline.data.assets import NewAsset
from lxera_pipeline.data.errors import DataValidationError, RowNotFoundError
from tests.integration.data_support import DataCtx, data_context, events_of, make_session

pytestmark = pytest.mark.anyio


@pytest.fixture
async def ctx(schema_dsn: str) -> AsyncIterator[DataCtx]:
    async with data_context(schema_dsn) as value:
        yield value


def _slides(count: int) -> list[NewAsset]:
    return [
        NewAsset(
            "slide",
            f"slide_{n:03d}.png",
            Path(f"/media/slides/slide_{n:03d}.png"),
            mime_type="image/png",
            file_size_bytes=1000 + n,
            section_name="full_module",
            slide_number=n,
            generation_config={"theme": "educational"},
        )
        for n in range(count, 0, -1)  # given in reverse: the result keeps this order
    ]


async def test_register_one_asset_and_read_back(ctx: DataCtx) -> None:
    module, session = await make_session(ctx.conn, ctx.seed)
    video = NewAsset(
        "video",
        "module.mp4",
        "/media/module.mp4",
        mime_type="video/mp4",
        file_size_bytes=5_000_000_000,  # beyond 32 bits
        section_name="introduction",
        duration_seconds=612.25,
        quality_metrics={"fps": 2},
        processing_time_seconds=3.5,
        tokens_used=7,
        generation_prompt="narrate",
        storage_path="video/introduction/module.mp4",
        public_url="https://cdn.example/module.mp4",
    )
    registered = await assets.register_asset(ctx.conn, session.session_id, video)
    read = await assets.get_asset(ctx.conn, registered.asset_id)
    assert read == registered
    assert (read.session_id, read.content_id, read.company_id) == (
        session.session_id,
        module.content_id,
        ctx.seed.company_id,
    )
    assert (read.asset_type, read.file_size_bytes, read.duration_seconds) == (
        "video",
        5_000_000_000,
        612.25,
    )
    assert (read.status, read.storage_bucket, read.section_name) == (
        "generated",
        "multimedia-assets",
        "introduction",
    )
    assert read.quality_metrics == {"fps": 2}
    assert (read.storage_path, read.public_url) == (video.storage_path, video.public_url)
    assert await assets.get_asset(ctx.conn, uuid.uuid4()) is None


async def test_register_many_assets_in_one_statement(ctx: DataCtx) -> None:
    _, session = await make_session(ctx.conn, ctx.seed)
    batch = [
        *_slides(12),
        NewAsset("audio", "part1.mp3", "/media/part1.mp3", duration_seconds=3),  # int and float
        NewAsset("audio", "part2.mp3", "/media/part2.mp3", duration_seconds=2.5),
    ]
    ctx.conn.forget()
    registered = await assets.register_assets(ctx.conn, session.session_id, batch)
    assert len(ctx.conn.statements) == 1  # one round trip ...
    method, text = ctx.conn.statements[0]
    assert method == "execute"  # ... one statement, not a pipelined executemany
    assert "unnest(" in text
    assert [a.file_path for a in registered] == [str(asset.file_path) for asset in batch]
    assert len({a.asset_id for a in registered}) == 14
    assert [a.duration_seconds for a in registered[-2:]] == [3.0, 2.5]
    listed = await assets.list_session_assets(ctx.conn, session.session_id)
    assert sorted(listed, key=lambda a: a.asset_id) == sorted(registered, key=lambda a: a.asset_id)
    slides = await assets.list_session_assets(ctx.conn, session.session_id, asset_type="slide")
    assert [a.slide_number for a in slides] == list(range(1, 13))
    assert slides[0].generation_config == {"theme": "educational"}
    assert slides[0].file_size_bytes == 1001
    events = [await events_of(ctx.conn, a.asset_id) for a in registered]
    assert all(
        [e["event_type"] for e in found] == ["mm_multimedia_assets.created"] for found in events
    )


async def test_registering_again_updates_and_never_moves_status_back(ctx: DataCtx) -> None:
    _, session = await make_session(ctx.conn, ctx.seed)
    (first,) = await assets.register_assets(ctx.conn, session.session_id, _slides(1))
    processed = await assets.set_asset_status(
        ctx.conn,
        first.asset_id,
        "processed",
        storage_path="slides/1.png",
        public_url="https://cdn.example/1.png",
    )
    replay = NewAsset("slide", "renamed.png", first.file_path, file_size_bytes=99, slide_number=1)
    again = await assets.register_asset(ctx.conn, session.session_id, replay)
    assert again.asset_id == first.asset_id
    assert (again.asset_name, again.file_size_bytes) == ("renamed.png", 99)
    assert again.status == "processed"  # a replay registering 'generated' does not regress
    assert again.storage_path == processed.storage_path  # kept when not given
    assert len(await assets.list_session_assets(ctx.conn, session.session_id)) == 1
    assert [
        (e["old_status"], e["new_status"]) for e in await events_of(ctx.conn, first.asset_id)
    ] == [
        (None, "generated"),
        ("generated", "processed"),
    ]


async def test_set_asset_status(ctx: DataCtx) -> None:
    _, session = await make_session(ctx.conn, ctx.seed)
    (asset,) = await assets.register_assets(ctx.conn, session.session_id, _slides(1))
    failed = await assets.set_asset_status(ctx.conn, asset.asset_id, "failed")
    assert failed == await assets.get_asset(ctx.conn, asset.asset_id)
    assert failed.status == "failed"
    with pytest.raises(RowNotFoundError, match="mm_multimedia_assets"):
        await assets.set_asset_status(ctx.conn, uuid.uuid4(), "processed")


async def test_missing_session_registers_nothing(ctx: DataCtx) -> None:
    with pytest.raises(RowNotFoundError, match="mm_multimedia_sessions"):
        await assets.register_assets(ctx.conn, uuid.uuid4(), _slides(2))
    assert await assets.register_assets(ctx.conn, uuid.uuid4(), []) == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"asset_type": "slides"}, "asset_type: 'slides'"),
        ({"status": "completed"}, r"mm_multimedia_assets\.status: 'completed'"),
        ({"section_name": "summary"}, "section name: 'summary'"),
        ({"file_size_bytes": -1}, "file_size_bytes: -1"),
        ({"duration_seconds": -0.5}, "duration_seconds: -0.5"),
        ({"file_path": ""}, "file_path: ''"),
    ],
)
def test_bad_assets_are_refused_when_built(arguments: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"asset_type": "slide", "asset_name": "a", "file_path": "/a"}
    with pytest.raises(DataValidationError, match=message):
        NewAsset(**(values | arguments))  # type: ignore[arg-type]


async def test_bad_batches_are_refused_before_any_sql(ctx: DataCtx) -> None:
    _, session = await make_session(ctx.conn, ctx.seed)
    twice = [NewAsset("slide", "a", "/same.png"), NewAsset("slide", "b", "/same.png")]
    ctx.conn.forget()
    with pytest.raises(DataValidationError, match=r"file_path: '/same\.png'"):
        await assets.register_assets(ctx.conn, session.session_id, twice)
    with pytest.raises(DataValidationError, match="asset"):
        await assets.register_assets(ctx.conn, session.session_id, [{"asset_type": "slide"}])  # type: ignore[list-item]
    with pytest.raises(DataValidationError, match="asset_type: 'thumbnails'"):
        await assets.list_session_assets(ctx.conn, session.session_id, asset_type="thumbnails")
    with pytest.raises(DataValidationError, match="file_size_bytes: -5"):
        await assets.set_asset_status(ctx.conn, uuid.uuid4(), "processed", file_size_bytes=-5)
    assert ctx.conn.statements == []
    assert await assets.list_session_assets(ctx.conn, session.session_id) == []
