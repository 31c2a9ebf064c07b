"""Asset storage: object keys, content types, the local filesystem backend and `build_storage`.

Keys follow `{asset_type}/{section}/{stamp}_{filename}`: the section and file name are slugged to
`[A-Za-z0-9_.-]` (Supabase Storage rejects other characters) and the stamp is a compact UTC time
such as 20261125T144500Z, fixed per item (e.g. the session's start) so retries overwrite.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

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
    asset_type: AssetType, section_name: str, filename: str, stamp: datetime | None = None
) -> str:
    """The deterministic key of an asset inside its bucket."""
    if asset_type not in STORED_ASSET_TYPES:
        raise MediaInputError(f"asset_type must be one of {STORED_ASSET_TYPES}, got {asset_type!r}")
    name = slug(filename, "filename")
    if stamp is not None:
        name = f"{compact_utc(stamp)}_{name}"
    return f"{asset_type}/{slug(section_name, 'section name')}/{name}"


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
    """Storage in a local directory: `{root}/{bucket}/{key}`, public URL a file:// URI."""

    def __init__(self, root: Path, bucket: str = "multimedia-assets") -> None:
        self._root = root
        self._bucket = slug(bucket, "bucket")

    async def put(
        self,
        local_path: Path,
        asset_type: AssetType,
        section_name: str,
        filename: str,
        content_type: str | None = None,
        *,
        stamp: datetime | None = None,
    ) -> StoredObject:
        size = check_local_file(local_path)
        key = object_key(asset_type, section_name, filename, stamp)
        target = self._root / self._bucket / key
        await anyio.to_thread.run_sync(_copy, local_path, target)
        log.info("storage.stored", backend="local", bucket=self._bucket, path=key, size=size)
        return StoredObject(
            bucket=self._bucket,
            path=key,
            public_url=target.resolve().as_uri(),
            size=size,
            content_type=content_type or content_type_for(filename),
        )


def _copy(source: Path, target: Path) -> None:
    write_atomic(target, lambda tmp: shutil.copyfile(source, tmp))


def build_storage(settings: Settings) -> Storage:
    """The Storage backend the settings choose ('local' or 'supabase')."""
    if settings.storage_backend == "local":
        return LocalStorage(settings.media_root, settings.storage_bucket)
    if settings.storage_backend == "supabase":
        from lxera_pipeline.generators.media.supabase_storage import SupabaseStorage

        return SupabaseStorage.from_settings(settings)
    raise MediaInputError(
        f"storage_backend must be 'local' or 'supabase', got {settings.storage_backend!r}"
    )
