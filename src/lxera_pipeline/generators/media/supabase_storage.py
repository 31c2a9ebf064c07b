"""Supabase Storage backend through supabase-py's async client (the optional `supabase` extra).

Uploads go to `{folder}/{asset_type}/{section}/{stamp}_{filename}` in the bucket (default
`multimedia-assets`) with `x-upsert: "true"`, so a retried upload overwrites the same object. A
missing bucket is created once, private unless ``storage_public_urls`` is on; only then is the
object's public URL recorded. :meth:`SupabaseStorage.signed_url` asks Storage for a URL that
expires.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
import httpx
from pydantic import SecretStr

from lxera_pipeline.generators.media.errors import MediaInputError, MissingExtraError, StorageError
from lxera_pipeline.generators.media.models import AssetType, StoredObject
from lxera_pipeline.generators.media.storage import check_local_file, content_type_for, object_key
from lxera_pipeline.log import get_logger

if TYPE_CHECKING:
    from lxera_pipeline.settings import Settings

log = get_logger(__name__)

CACHE_CONTROL_SECONDS = "3600"
UPLOAD_TIMEOUT_SECONDS = 120


class SupabaseStorage:
    """Storage in a Supabase Storage bucket; `public_url` is the bucket's public object URL when
    ``public_urls`` is on, else None (the bucket is created private)."""

    def __init__(
        self,
        url: str,
        key: SecretStr | str,
        bucket: str = "multimedia-assets",
        *,
        public_urls: bool = False,
        signed_url_seconds: int = 3600,
    ) -> None:
        self._url = url
        self._key = SecretStr(key) if isinstance(key, str) else key
        self._bucket = bucket
        self._public_urls = public_urls
        self._signed_url_seconds = signed_url_seconds
        self._client: Any = None
        self._lock = anyio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> SupabaseStorage:
        if not settings.supabase_url or not settings.supabase_key:
            raise MediaInputError(
                "storage_backend 'supabase' needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY "
                "(or SUPABASE_KEY) to be set"
            )
        return cls(
            settings.supabase_url,
            settings.supabase_key,
            settings.storage_bucket,
            public_urls=settings.storage_public_urls,
            signed_url_seconds=settings.storage_signed_url_seconds,
        )

    async def put(
        self,
        local_path: Path,
        asset_type: AssetType,
        section_name: str,
        filename: str,
        content_type: str | None = None,
        *,
        stamp: datetime | None = None,
        folder: str | None = None,
    ) -> StoredObject:
        size = check_local_file(local_path)
        key = object_key(asset_type, section_name, filename, stamp, folder=folder)
        mime = content_type or content_type_for(filename)
        data = await anyio.to_thread.run_sync(local_path.read_bytes)
        bucket = await self._bucket_api()
        await self._upload(bucket, key, data, mime)
        public_url: str | None = None
        if self._public_urls:
            public_url = await bucket.get_public_url(key)
        log.info("storage.stored", backend="supabase", bucket=self._bucket, path=key, size=size)
        return StoredObject(
            bucket=self._bucket, path=key, public_url=public_url, size=size, content_type=mime
        )

    async def signed_url(self, key: str, expires_in: int | None = None) -> str:
        """A URL of the object that Storage honours for ``expires_in`` seconds (by default the
        configured lifetime)."""
        seconds = self._signed_url_seconds if expires_in is None else expires_in
        bucket = await self._bucket_api()
        try:
            signed = await bucket.create_signed_url(key, seconds)
        except _storage_api_error() as exc:
            raise StorageError(f"signing {self._bucket}/{key} failed: {exc.to_dict()}") from exc
        url = signed.get("signedURL") or signed.get("signedUrl")
        if not url:
            raise StorageError(f"Storage returned no signed URL for {self._bucket}/{key}")
        return str(url)

    async def aclose(self) -> None:
        """Close the HTTP connections of the client, if one was created."""
        if self._client is not None:
            await self._client.options.httpx_client.aclose()
            self._client = None

    async def _upload(self, bucket: Any, key: str, data: bytes, mime: str) -> None:
        options = {"content-type": mime, "x-upsert": "true", "cache-control": CACHE_CONTROL_SECONDS}
        api_error = _storage_api_error()
        try:
            try:
                await bucket.upload(key, data, options)
            except api_error as exc:
                if not _bucket_missing(exc):
                    raise
                await self._create_bucket()
                await bucket.upload(key, data, options)
        except api_error as exc:
            raise StorageError(f"upload of {self._bucket}/{key} failed: {exc.to_dict()}") from exc
        except httpx.HTTPError as exc:
            raise StorageError(
                f"upload of {self._bucket}/{key} to {self._url} failed: {exc!r}"
            ) from exc

    async def _create_bucket(self) -> None:
        client = await self._get_client()
        try:
            options = {"public": self._public_urls}
            await client.storage.create_bucket(self._bucket, options=options)
            log.info("storage.bucket_created", bucket=self._bucket, public=self._public_urls)
        except _storage_api_error() as exc:
            if str(exc.status) != "409":  # created meanwhile by another worker
                raise

    async def _bucket_api(self) -> Any:
        client = await self._get_client()
        return client.storage.from_(self._bucket)

    async def _get_client(self) -> Any:
        async with self._lock:
            if self._client is None:
                self._client = await _create_client(self._url, self._key.get_secret_value())
            return self._client


def _bucket_missing(exc: Any) -> bool:
    return str(exc.status) == "404" and "bucket" in f"{exc.code} {exc.message}".lower()


def _storage_api_error() -> type[Any]:
    from storage3.exceptions import StorageApiError

    error: type[Any] = StorageApiError
    return error


async def _create_client(url: str, key: str) -> Any:
    try:
        from supabase import AsyncClientOptions, acreate_client
    except ImportError as exc:
        raise MissingExtraError("supabase", "supabase", "Supabase Storage uploads") from exc
    http = httpx.AsyncClient(timeout=UPLOAD_TIMEOUT_SECONDS, follow_redirects=True)
    options = AsyncClientOptions(httpx_client=http, auto_refresh_token=False, persist_session=False)
    return await acreate_client(url, key, options=options)
