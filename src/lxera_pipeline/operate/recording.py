"""Ports that record instead of reaching outside the database, for `replay --dry-run`.

:func:`recording_resources` copies the handlers' ``resources`` object: storage (anything with an
async ``put``) becomes a :class:`RecordingStorage` that uploads nothing, generator ports are wrapped
so every call is recorded, and paths and settings that say where files go are pointed into a
scratch directory that the dry run deletes afterwards (the files it would write are listed first).
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
from pydantic import BaseModel

from lxera_pipeline.generators.media.models import AssetType, StoredObject
from lxera_pipeline.generators.media.storage import object_key
from lxera_pipeline.settings import Settings

DRY_RUN_BUCKET = "dry-run"


@dataclass
class PortCall:
    port: str
    method: str
    arguments: list[str]
    result: str | None = None
    error: str | None = None


@dataclass
class Recorder:
    """Collects port calls and knows the scratch directory files were written to."""

    scratch: Path
    calls: list[PortCall] = field(default_factory=list)

    def files(self) -> list[dict[str, Any]]:
        return [
            {"path": str(path.relative_to(self.scratch)), "size": path.stat().st_size}
            for path in sorted(self.scratch.rglob("*"))
            if path.is_file()
        ]


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class RecordingStorage:
    """A storage port that records what would be uploaded and uploads nothing."""

    def __init__(self, recorder: Recorder, name: str = "storage") -> None:
        self.recorder, self.name = recorder, name

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
        key = object_key(asset_type, section_name, filename, stamp, folder=folder)
        path = anyio.Path(local_path)
        size = (await path.stat()).st_size if await path.exists() else 0
        stored = StoredObject(
            bucket=DRY_RUN_BUCKET,
            path=key,
            public_url=f"dry-run://{key}",
            size=size,
            content_type=content_type or "application/octet-stream",
        )
        self.recorder.calls.append(
            PortCall(self.name, "put", [str(local_path), key], f"{size} bytes (not uploaded)")
        )
        return stored


class RecordingPort:
    """Forwards to a real port and records every async call (files land in the scratch dir)."""

    def __init__(self, name: str, target: Any, recorder: Recorder) -> None:
        self._name, self._target, self._recorder = name, target, recorder

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._target, attr)
        if not inspect.iscoroutinefunction(value):
            return value
        return self._wrap(attr, value)

    def _wrap(self, attr: str, method: Callable[..., Any]) -> Callable[..., Any]:
        async def recorded(*args: Any, **kwargs: Any) -> Any:
            call = PortCall(self._name, attr, [_short(a) for a in (*args, *kwargs.values())])
            self._recorder.calls.append(call)
            try:
                result = await method(*args, **kwargs)
            except Exception as exc:
                call.error = f"{type(exc).__name__}: {exc}"
                raise
            call.result = _short(result)
            return result

        return recorded


def recording_port(name: str, target: Any, recorder: Recorder) -> RecordingPort:
    """A :class:`RecordingPort` whose class carries the target's name, so a handler that records
    ``type(port).__name__`` (e.g. in a generation config) writes the same value as for real."""
    cls = type(target)
    named = type(cls.__name__, (RecordingPort,), {"__qualname__": cls.__qualname__})
    port: RecordingPort = named(name, target, recorder)
    return port


def _replacement(name: str, value: Any, recorder: Recorder) -> Any:
    """What one attribute of the resources becomes in a dry run (``value`` itself if harmless)."""
    if isinstance(value, Settings):
        scratch = recorder.scratch
        return value.model_copy(
            update={"storage_dir": scratch / "storage", "data_dir": scratch / "data"}
        )
    if isinstance(value, Path):
        return recorder.scratch / name
    if inspect.iscoroutinefunction(getattr(value, "put", None)):
        return RecordingStorage(recorder, name)
    if type(value).__module__.startswith("lxera_pipeline.generators"):
        return recording_port(name, value, recorder)
    return value


def _attributes(resources: Any) -> dict[str, Any]:
    if isinstance(resources, BaseModel):
        return {name: getattr(resources, name) for name in type(resources).model_fields}
    if dataclasses.is_dataclass(resources):
        return {f.name: getattr(resources, f.name) for f in dataclasses.fields(resources)}
    return dict(vars(resources)) if hasattr(resources, "__dict__") else {}


@dataclass
class DryRunResources:
    """The resources a dry run hands out when the handlers have none of their own."""

    storage: RecordingStorage
    media_root: Path


def recording_resources(resources: Any, recorder: Recorder) -> Any:
    """A copy of ``resources`` whose ports record and whose files go to the scratch directory."""
    if resources is None:
        return DryRunResources(RecordingStorage(recorder), recorder.scratch / "media")
    changes = {
        name: _replacement(name, value, recorder) for name, value in _attributes(resources).items()
    }
    changes = {name: new for name, new in changes.items() if new is not getattr(resources, name)}
    if isinstance(resources, BaseModel):
        return resources.model_copy(update=changes)
    clone = copy.copy(resources)
    for name, new in changes.items():
        object.__setattr__(clone, name, new)
    return clone
