"""What a media stage works with, and what it hands back to be recorded in the transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg import AsyncConnection

from lxera_pipeline.data.media_models import MultimediaAsset, MultimediaSession
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.workflow.resources import Resources

# Writes a stage's rows inside the handler's single transaction (after the files exist).
Record = Callable[[AsyncConnection[Any]], Awaitable[None]]


@dataclass(frozen=True)
class StageJob:
    """One run of one stage: the session as it stood, its assets, and the stage's directory."""

    ctx: HandlerContext
    resources: Resources
    session: MultimediaSession
    assets: list[MultimediaAsset]
    directory: Path


StageWork = Callable[[StageJob], Awaitable[Record]]
