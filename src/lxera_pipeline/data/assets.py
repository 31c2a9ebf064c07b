"""Multimedia assets: register one or many (one statement), list, change status."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from lxera_pipeline.data import validation as v
from lxera_pipeline.data.errors import DataValidationError, RowNotFoundError
from lxera_pipeline.data.media_models import MultimediaAsset
from lxera_pipeline.data.statements import fetch_all, fetch_one
from lxera_pipeline.data.vocabulary import ASSET_SECTION_NAMES, ASSET_TYPES, DEFAULT_BUCKET

ASSETS = "mm_multimedia_assets"
JSON_FIELDS = ("generation_config", "quality_metrics")
# numeric columns: sent as floats, since one array parameter cannot mix int and float
DECIMAL_FIELDS = ("duration_seconds", "processing_time_seconds")


@dataclass(frozen=True)
class NewAsset:
    """One file to register for a session; validated when built (DataValidationError).

    ``file_path`` is the natural key within a session: registering the same path again updates
    that asset instead of adding one.
    """

    asset_type: str
    asset_name: str
    file_path: str | os.PathLike[str]
    mime_type: str | None = None
    file_size_bytes: int | None = None
    section_name: str | None = None
    slide_number: int | None = None
    duration_seconds: float | None = None
    generation_config: Mapping[str, Any] = field(default_factory=dict)
    quality_metrics: Mapping[str, Any] = field(default_factory=dict)
    processing_time_seconds: float | None = None
    tokens_used: int = 0
    generation_prompt: str | None = None
    status: str = "generated"
    storage_bucket: str = DEFAULT_BUCKET
    storage_path: str | None = None
    public_url: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "file_path", os.fspath(self.file_path))
        v.check_choice("asset_type", self.asset_type, ASSET_TYPES)
        v.check_text("asset_name", self.asset_name)
        v.check_text("file_path", str(self.file_path))
        v.check_status(ASSETS, "status", self.status)
        if self.section_name is not None:
            v.check_choice("section name", self.section_name, ASSET_SECTION_NAMES)
        v.check_count("file_size_bytes", self.file_size_bytes)
        v.check_count("slide_number", self.slide_number)
        v.check_count("tokens_used", self.tokens_used)
        v.check_non_negative("duration_seconds", self.duration_seconds)
        v.check_non_negative("processing_time_seconds", self.processing_time_seconds)
        v.check_text("storage_bucket", self.storage_bucket)
        for name in JSON_FIELDS:
            v.check_object(name, getattr(self, name), required=True)


def _columns(session_id: UUID, assets: Sequence[NewAsset]) -> dict[str, Any]:
    """One array per column: the parameters of the single INSERT ... SELECT FROM unnest."""
    params: dict[str, Any] = {"session_id": v.check_uuid("session_id", session_id)}
    for column in fields(NewAsset):
        values = [getattr(asset, column.name) for asset in assets]
        if column.name in JSON_FIELDS:
            values = [Jsonb(dict(value)) for value in values]
        elif column.name in DECIMAL_FIELDS:
            values = [None if value is None else float(value) for value in values]
        params[column.name] = values
    return params


def _check_batch(assets: Sequence[NewAsset]) -> None:
    seen: set[str] = set()
    for asset in assets:
        if not isinstance(asset, NewAsset):
            raise DataValidationError("asset", asset, "a NewAsset")
        path = str(asset.file_path)
        if path in seen:
            raise DataValidationError("file_path", path, "each file once per batch")
        seen.add(path)


async def register_assets(
    conn: AsyncConnection[Any], session_id: UUID, assets: Sequence[NewAsset]
) -> list[MultimediaAsset]:
    """Register many assets of one session in ONE statement (one round trip); rows come back in
    the order given. Content and company come from the session. A file_path already registered
    for the session is updated (its status only moves where the state machine allows)."""
    _check_batch(assets)
    if not assets:
        return []
    rows = await fetch_all(conn, "upsert_multimedia_assets", _columns(session_id, assets))
    if not rows:
        raise RowNotFoundError("mm_multimedia_sessions", session_id)
    by_path = {row["file_path"]: row for row in rows}
    return [MultimediaAsset.from_row(by_path[str(asset.file_path)]) for asset in assets]


async def register_asset(
    conn: AsyncConnection[Any], session_id: UUID, asset: NewAsset
) -> MultimediaAsset:
    """Register one asset (same statement and rules as :func:`register_assets`)."""
    (row,) = await register_assets(conn, session_id, [asset])
    return row


async def list_session_assets(
    conn: AsyncConnection[Any],
    session_id: UUID,
    *,
    asset_type: str | None = None,
    active_only: bool = True,
) -> list[MultimediaAsset]:
    """The session's assets ordered by type, section, slide number, path."""
    params = {
        "session_id": v.check_uuid("session_id", session_id),
        "asset_type": None
        if asset_type is None
        else v.check_choice("asset_type", asset_type, ASSET_TYPES),
        "active_only": bool(active_only),
    }
    return MultimediaAsset.from_rows(await fetch_all(conn, "list_session_assets", params))


async def get_asset(conn: AsyncConnection[Any], asset_id: UUID) -> MultimediaAsset | None:
    params = {"asset_id": v.check_uuid("asset_id", asset_id)}
    return MultimediaAsset.from_optional(await fetch_one(conn, "select_multimedia_asset", params))


async def set_asset_status(
    conn: AsyncConnection[Any],
    asset_id: UUID,
    status: str,
    *,
    storage_bucket: str | None = None,
    storage_path: str | None = None,
    public_url: str | None = None,
    file_size_bytes: int | None = None,
) -> MultimediaAsset:
    """Move an asset to ``status`` (e.g. 'processed' once uploaded), recording where it is
    stored; None keeps a column. The database refuses illegal transitions."""
    params = {
        "asset_id": v.check_uuid("asset_id", asset_id),
        "status": v.check_status(ASSETS, "status", status),
        "storage_bucket": storage_bucket,
        "storage_path": storage_path,
        "public_url": public_url,
        "file_size_bytes": v.check_count("file_size_bytes", file_size_bytes),
    }
    row = await fetch_one(conn, "update_multimedia_asset_status", params)
    return MultimediaAsset.from_found(row, ASSETS, asset_id)
