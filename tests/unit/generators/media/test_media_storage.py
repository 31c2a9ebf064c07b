"""Object keys, content types, local storage and the storage factory."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from tests.support.storage_stub import VALID_KEY

from lxera_pipeline.generators.media.errors import MediaInputError
from lxera_pipeline.generators.media.storage import (
    LocalStorage,
    build_storage,
    compact_utc,
    content_type_for,
    object_key,
    slug,
    verify_local_url,
)
from lxera_pipeline.generators.media.supabase_storage import SupabaseStorage
from lxera_pipeline.settings import Settings

STAMP = datetime(2026, 11, 25, 14, 45, 0, tzinfo=UTC)


def test_keys_are_ascii_safe_and_stamped() -> None:
    key = object_key("video", "Sección 1: Café & Co", "clip – final.mp4", STAMP)
    assert key == "video/Seccion_1_Cafe_Co/20261125T144500Z_clip_final.mp4"
    assert VALID_KEY.match(key)
    assert (
        object_key("slide", "core_content", "slide_001.png") == "slide/core_content/slide_001.png"
    )


def test_a_folder_prefixes_the_key() -> None:
    key = object_key(
        "video", "intro", "clip.mp4", STAMP, folder="3f6c2a9e-0000-4000-8000-000000000001"
    )
    assert key == "3f6c2a9e-0000-4000-8000-000000000001/video/intro/20261125T144500Z_clip.mp4"
    with pytest.raises(MediaInputError, match="storage folder"):
        object_key("video", "intro", "clip.mp4", folder="..")


def test_stamp_is_converted_to_utc_and_must_be_aware() -> None:
    berlin = datetime(2026, 11, 25, 15, 45, tzinfo=timezone(timedelta(hours=1)))
    assert compact_utc(berlin) == "20261125T144500Z"
    with pytest.raises(MediaInputError, match="timezone-aware"):
        compact_utc(datetime(2026, 11, 25, 14, 45))


def test_bad_names_and_types_are_rejected() -> None:
    with pytest.raises(MediaInputError, match="asset_type"):
        object_key("thumbnail", "intro", "a.png")  # type: ignore[arg-type]
    with pytest.raises(MediaInputError, match="filename"):
        slug("..", "filename")
    with pytest.raises(MediaInputError, match="section name"):
        object_key("audio", "日本語", "a.wav")
    with pytest.raises(MediaInputError, match=r"\.xyz"):
        content_type_for("a.xyz")


def test_content_types() -> None:
    assert content_type_for("a.PNG") == "image/png"
    assert content_type_for(Path("v.mp4")) == "video/mp4"
    assert content_type_for("deck.pptx").endswith("presentationml.presentation")
    assert content_type_for("n.wav") == "audio/wav"


@pytest.mark.anyio
async def test_local_storage_overwrites_the_same_path(tmp_path: Path) -> None:
    source = tmp_path / "in.png"
    source.write_bytes(b"first")
    storage = LocalStorage(tmp_path / "root", public_urls=True)
    first = await storage.put(source, "slide", "Sección 1", "slide_001.png", stamp=STAMP)
    source.write_bytes(b"second!")
    again = await storage.put(source, "slide", "Sección 1", "slide_001.png", stamp=STAMP)
    assert first.path == again.path == "slide/Seccion_1/20261125T144500Z_slide_001.png"
    target = tmp_path / "root" / "multimedia-assets" / again.path
    assert target.read_bytes() == b"second!"
    assert (again.size, again.content_type, again.bucket) == (7, "image/png", "multimedia-assets")
    assert again.public_url == target.resolve().as_uri()
    assert [p.name for p in target.parent.iterdir()] == [target.name]


@pytest.mark.anyio
async def test_local_storage_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaInputError, match="no such file"):
        await LocalStorage(tmp_path).put(tmp_path / "nope.mp4", "video", "intro", "v.mp4")


def test_build_storage_follows_the_settings(tmp_path: Path) -> None:
    local = build_storage(Settings(storage_backend="local", storage_dir=tmp_path))
    assert isinstance(local, LocalStorage)
    remote = Settings(
        storage_backend="supabase", supabase_url="http://127.0.0.1:9", supabase_key="k"
    )
    assert isinstance(build_storage(remote), SupabaseStorage)
    with pytest.raises(MediaInputError, match="SUPABASE_URL"):
        build_storage(Settings(storage_backend="supabase", supabase_url=None, supabase_key=None))
    with pytest.raises(MediaInputError, match="'s3'"):
        build_storage(Settings(storage_backend="s3"))


@pytest.mark.anyio
async def test_local_storage_is_private_by_default_with_signed_urls(tmp_path: Path) -> None:
    source = tmp_path / "in.mp4"
    source.write_bytes(b"video bytes")
    key = b"k" * 32
    storage = LocalStorage(tmp_path / "root", signed_url_seconds=60, signing_key=key)
    stored = await storage.put(source, "video", "intro", "clip.mp4", folder="company")
    assert stored.public_url is None
    url = await storage.signed_url(stored.path)
    assert verify_local_url(url, key).read_bytes() == b"video bytes"
    with pytest.raises(MediaInputError, match="expired"):
        verify_local_url(url, key, now=time.time() + 61)
    with pytest.raises(MediaInputError, match="signature"):
        verify_local_url(url, b"another key")
    with pytest.raises(MediaInputError, match="signature"):
        verify_local_url(url.replace("clip.mp4", "other.mp4"), key)
    with pytest.raises(MediaInputError, match="not a signed"):
        verify_local_url(url.split("?")[0], key)


@pytest.mark.anyio
async def test_build_storage_passes_the_url_settings(tmp_path: Path) -> None:
    source = tmp_path / "in.png"
    source.write_bytes(b"png")
    settings = Settings(storage_dir=tmp_path, storage_signing_key="s3cret")
    assert "s3cret" not in repr(settings)
    private = build_storage(settings)
    assert isinstance(private, LocalStorage)
    stored = await private.put(source, "slide", "intro", "s.png")
    assert stored.public_url is None
    verify_local_url(await private.signed_url(stored.path), b"s3cret")
    public = build_storage(Settings(storage_dir=tmp_path, storage_public_urls=True))
    assert (await public.put(source, "slide", "intro", "s.png")).public_url is not None
