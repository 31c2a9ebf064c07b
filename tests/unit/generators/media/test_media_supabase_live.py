"""One upload to a real Supabase project; runs only when SUPABASE_URL and a key are set."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from lxera_pipeline.generators.media.supabase_storage import SupabaseStorage

URL = os.environ.get("SUPABASE_URL")
KEY = os.environ.get("SUPABASE_SERVICE_ROLE_KEY") or os.environ.get("SUPABASE_KEY")

pytestmark = [
    pytest.mark.live_supabase,
    pytest.mark.skipif(not (URL and KEY), reason="needs SUPABASE_URL and a Supabase key"),
]


@pytest.mark.anyio
async def test_live_upload_is_idempotent_and_read_through_a_signed_url(tmp_path: Path) -> None:
    assert URL
    assert KEY
    source = tmp_path / "probe.html"
    source.write_text("<p>lxera-pipeline live storage probe – é</p>", "utf-8")
    storage = SupabaseStorage(URL, KEY)
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    first = await storage.put(source, "document", "live test", "probe.html", stamp=stamp)
    again = await storage.put(source, "document", "live test", "probe.html", stamp=stamp)
    assert first.path == again.path == "document/live_test/20260101T000000Z_probe.html"
    assert again.public_url is None
    url = await storage.signed_url(again.path, expires_in=60)
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 200
    assert response.content == source.read_bytes()
    await storage.aclose()
