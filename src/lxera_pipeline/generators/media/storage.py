"""Asset storage: object keys, content types, the local filesystem backend and `build_storage`.

Keys follow `{folder}/{asset_type}/{section}/{stamp}_{filename}`: the folder is the owning
company's id (the Storage policies confine each company to its own folder), the section and file
name are slugged to `[A-Za-z0-9_.-]` (Supabase Storage rejects other characters) and the stamp is a
compact UTC time such as 20261125T144500Z, fixed per item (e.g. the session's start) so retries
overwrite.

Stored objects are private unless ``storage_public_urls`` asks otherwise: no public URL is
recorded, and a reader gets a signed URL that expires (``storage_signed_url_seconds``). The local
backend signs its ``file://`` URLs with HMAC-SHA256 under ``storage_signing_key``
(:func:`verify_local_url` checks one).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import shutil
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlsplit

import anyio.to_thread

from lxera_pipeline.data.vocabulary import STORED_ASSET_TYPES
from lxera_pipeline.generators.media.errors import MediaInputError
from lxera_pipeline.generators.media.files import write_atomic
from lxera_pipeline.generators.media.models import AssetType, StoredObject
from lxera_pipeline.log import get_logger

if TYPE_CHECKING:
    from lxera_pipeline.generators.media.ports import Storage
    from lxera_pipeline.settings import Settings

log = get_logger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
CONTENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".pdf": "application/pdf",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}


def slug(text: str, what: str = "name") -> str:
    """ASCII-safe form of `text`: accents dropped, other characters runs become `_`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("_", ascii_text).strip("_")
    if not cleaned.strip("."):
        raise MediaInputError(f"{what} {text!r} has no characters usable in a storage key")
    return cleaned


def compact_utc(stamp: datetime) -> str:
    """A timezone-aware time as 20261125T144500Z."""
    if stamp.tzinfo is None:
        raise MediaInputError(f"storage stamp {stamp.isoformat()} must be timezone-aware")
    return stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def object_key(
    asset_type: AssetType,
    section_name: str,
    filename: str,
    stamp: datetime | None = None,
    *,
    folder: str | None = None,
) -> str:
    """The deterministic key of an asset inside its bucket (under ``folder`` when given)."""
    if asset_type not in STORED_ASSET_TYPES:
        raise MediaInputError(f"asset_type must be one of {STORED_ASSET_TYPES}, got {asset_type!r}")
    name = slug(filename, "filename")
    if stamp is not None:
        name = f"{compact_utc(stamp)}_{name}"
    key = f"{asset_type}/{slug(section_name, 'section name')}/{name}"
    return key if folder is None else f"{slug(folder, 'storage folder')}/{key}"


def content_type_for(path: Path | str) -> str:
    """The MIME type of a media file from its suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in CONTENT_TYPES:
        raise MediaInputError(f"no content type known for {suffix!r} files ({path})")
    return CONTENT_TYPES[suffix]


def check_local_file(local_path: Path) -> int:
    """The size of the file to store; a clear error if it is missing."""
    if not local_path.is_file():
        raise MediaInputError(f"cannot store {local_path}: no such file")
    return local_path.stat().st_size


class LocalStorage:
    """Storage in a local directory: `{root}/{bucket}/{key}`.

    With ``public_urls`` the object's ``file://`` URI is recorded as its public URL; otherwise
    nothing is, and :meth:`signed_url` gives the URI with an expiry and an HMAC-SHA256 signature
    under ``signing_key`` (a random key per process when none is set)."""

    def __init__(
        self,
        root: Path,
        bucket: str = "multimedia-assets",
        *,
        public_urls: bool = False,
        signed_url_seconds: int = 3600,
        signing_key: bytes | None = None,
    ) -> None:
        self._root = root
        self._bucket = slug(bucket, "bucket")
        self._public_urls = public_urls
        self._signed_url_seconds = signed_url_seconds
        self._signing_key = signing_key or secrets.token_bytes(32)

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
        target = self._target(key)
        await anyio.to_thread.run_sync(_copy, local_path, target)
        log.info("storage.stored", backend="local", bucket=self._bucket, path=key, size=size)
        return StoredObject(
            bucket=self._bucket,
            path=key,
            public_url=target.resolve().as_uri() if self._public_urls else None,
            size=size,
            content_type=content_type or content_type_for(filename),
        )

    async def signed_url(self, key: str, expires_in: int | None = None) -> str:
        """A ``file://`` URL of the stored object that :func:`verify_local_url` accepts until it
        expires (``expires_in`` seconds, by default the configured lifetime)."""
        seconds = self._signed_url_seconds if expires_in is None else expires_in
        expires = int(time.time()) + seconds
        uri = self._target(key).resolve().as_uri()
        query = urlencode(
            {"expires": expires, "signature": _signature(self._signing_key, uri, expires)}
        )
        return f"{uri}?{query}"

    def _target(self, key: str) -> Path:
        return self._root / self._bucket / key


def _signature(key: bytes, uri: str, expires: int) -> str:
    return hmac.new(key, f"{uri}\n{expires}".encode(), hashlib.sha256).hexdigest()


def verify_local_url(url: str, signing_key: bytes, now: float | None = None) -> Path:
    """The stored file a local signed URL names, if its signature holds and it has not expired;
    else MediaInputError."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    uri = parts._replace(query="").geturl()
    try:
        expires = int(query["expires"][0])
        signature = query["signature"][0]
    except (KeyError, IndexError, ValueError):
        raise MediaInputError("the URL is not a signed storage URL") from None
    if not hmac.compare_digest(signature, _signature(signing_key, uri, expires)):
        raise MediaInputError("the storage URL's signature does not match")
    if (time.time() if now is None else now) >= expires:
        raise MediaInputError("the storage URL has expired")
    return Path(parts.path)


def _copy(source: Path, target: Path) -> None:
    write_atomic(target, lambda tmp: shutil.copyfile(source, tmp))


def build_storage(settings: Settings) -> Storage:
    """The Storage backend the settings choose ('local' or 'supabase')."""
    if settings.storage_backend == "local":
        key = settings.storage_signing_key
        return LocalStorage(
            settings.media_root,
            settings.storage_bucket,
            public_urls=settings.storage_public_urls,
            signed_url_seconds=settings.storage_signed_url_seconds,
            signing_key=key.get_secret_value().encode() if key is not None else None,
        )
    if settings.storage_backend == "supabase":
        from lxera_pipeline.generators.media.supabase_storage import SupabaseStorage

        return SupabaseStorage.from_settings(settings)
    raise MediaInputError(
        f"storage_backend must be 'local' or 'supabase', got {settings.storage_backend!r}"
    )
