"""SupabaseStorage through supabase-py against a local stub of the Storage REST API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from tests.support.storage_stub import StorageStub

from lxera_pipeline.generators.media.errors import StorageError
from lxera_pipeline.generators.media.supabase_storage import SupabaseStorage

STAMP = datetime(2026, 11, 25, 14, 45, 0, tzinfo=UTC)
BUCKET = "multimedia-assets"
KEY = "video/Seccion_1/20261125T144500Z_clip.mp4"
CLIP_BYTES = b"\x00\x00\x00\x18ftypmp42 fake mp4 bytes"


def _replace_content(path: Path, data: bytes) -> None:
    path.write_bytes(data)


@pytest.fixture
def stub() -> Iterator[StorageStub]:
    with StorageStub(buckets={BUCKET: True}) as server:
        yield server


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "video.mp4"
    path.write_bytes(CLIP_BYTES)
    return path


@pytest.mark.anyio
async def test_upload_sends_the_contract(stub: StorageStub, clip: Path) -> None:
    storage = SupabaseStorage(stub.url, stub.key, public_urls=True)
    stored = await storage.put(clip, "video", "Sección 1", "clip.mp4", stamp=STAMP)
    await storage.aclose()
    (request,) = stub.uploads()
    assert request.path == f"/storage/v1/object/{BUCKET}/{KEY}"
    assert request.headers["x-upsert"] == "true"
    assert request.headers["apikey"] == stub.key
    assert request.headers["authorization"] == f"Bearer {stub.key}"
    assert request.headers["content-type"].startswith("multipart/form-data")
    saved = stub.objects[f"{BUCKET}/{KEY}"]
    assert (saved.data, saved.content_type) == (CLIP_BYTES, "video/mp4")
    assert (saved.filename, saved.cache_control) == ("20261125T144500Z_clip.mp4", "max-age=3600")
    assert (stored.bucket, stored.path, stored.size) == (BUCKET, KEY, len(CLIP_BYTES))
    assert stored.public_url == f"{stub.url}/storage/v1/object/public/{BUCKET}/{KEY}"


@pytest.mark.anyio
async def test_public_url_serves_the_uploaded_bytes(stub: StorageStub, clip: Path) -> None:
    storage = SupabaseStorage(stub.url, stub.key, public_urls=True)
    stored = await storage.put(clip, "video", "intro", "clip.mp4")
    assert stored.public_url is not None
    async with httpx.AsyncClient() as client:
        response = await client.get(stored.public_url)
    assert response.content == CLIP_BYTES
    assert response.headers["content-type"] == "video/mp4"


@pytest.mark.anyio
async def test_retry_overwrites_the_same_object(stub: StorageStub, clip: Path) -> None:
    storage = SupabaseStorage(stub.url, stub.key)
    await storage.put(clip, "video", "Sección 1", "clip.mp4", stamp=STAMP)
    _replace_content(clip, b"second version")
    again = await storage.put(clip, "video", "Sección 1", "clip.mp4", stamp=STAMP)
    assert list(stub.objects) == [f"{BUCKET}/{KEY}"]
    assert stub.objects[f"{BUCKET}/{KEY}"].data == b"second version"
    assert again.size == len(b"second version")


@pytest.mark.anyio
@pytest.mark.parametrize("public", [False, True])
async def test_missing_bucket_is_created_then_used(clip: Path, public: bool) -> None:
    with StorageStub() as stub:
        storage = SupabaseStorage(stub.url, stub.key, public_urls=public)
        stored = await storage.put(clip, "video", "intro", "c.mp4")
    assert stub.buckets == {BUCKET: public}
    assert [r.path.split("/")[3] for r in stub.requests] == ["object", "bucket", "object"]
    assert f"{BUCKET}/{stored.path}" in stub.objects


@pytest.mark.anyio
async def test_private_by_default_readers_get_a_signed_url(clip: Path) -> None:
    with StorageStub() as stub:
        storage = SupabaseStorage(stub.url, stub.key, signed_url_seconds=120)
        stored = await storage.put(clip, "video", "intro", "c.mp4", folder="company-a")
        assert stored.public_url is None
        assert stored.path.startswith("company-a/video/intro/")
        url = await storage.signed_url(stored.path)
        async with httpx.AsyncClient() as client:
            signed = await client.get(url)
            public = await client.get(f"{stub.url}/storage/v1/object/public/{BUCKET}/{stored.path}")
        await storage.aclose()
    assert stub.buckets == {BUCKET: False}
    assert signed.content == CLIP_BYTES
    assert public.status_code == 400  # a private bucket serves no public object
    assert [seconds for _, seconds in stub.signed.values()] == [120]


@pytest.mark.anyio
async def test_server_errors_become_storage_errors(stub: StorageStub, clip: Path) -> None:
    stub.max_upload_bytes = 4
    with pytest.raises(StorageError, match="413"):
        await SupabaseStorage(stub.url, stub.key).put(clip, "video", "intro", "clip.mp4")
    with pytest.raises(StorageError, match="403"):
        await SupabaseStorage(stub.url, "wrong-key").put(clip, "video", "intro", "clip.mp4")


@pytest.mark.anyio
async def test_unreachable_server_is_a_storage_error(clip: Path) -> None:
    with StorageStub() as gone:
        url = gone.url
    with pytest.raises(StorageError, match="failed"):
        await SupabaseStorage(url, "k").put(clip, "video", "intro", "clip.mp4")
