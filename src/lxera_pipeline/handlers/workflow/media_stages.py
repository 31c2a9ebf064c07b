"""One handler per media stage, on mm_multimedia_sessions.current_stage, plus the retry handler.

A stage handler runs when the session enters its stage: it does the stage's work (files first),
then in one transaction registers the files, refreshes the counters from the asset rows and moves
the session to the next stage with its percentage (script_generation 10 -> slide_generation 30 ->
audio_generation 50 -> video_assembly 70 -> uploading 85 -> completed 100, when the status becomes
'completed' too). So a crash resumes at the stage it stopped in, and earlier stages are not redone.

``media.retry`` (status ``failed -> processing``) re-runs the stage the session failed in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from psycopg import AsyncConnection

from lxera_pipeline.data.assets import list_session_assets
from lxera_pipeline.data.media_models import MultimediaSession
from lxera_pipeline.data.multimedia import get_multimedia_session, update_session_status
from lxera_pipeline.data.workflow import lock_session
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import HandlerFunc, registry
from lxera_pipeline.handlers.workflow.common import entity_id, skip
from lxera_pipeline.handlers.workflow.media_delivery import upload_stage, video_stage
from lxera_pipeline.handlers.workflow.media_files import StageJob, StageWork, counters, stage_dir
from lxera_pipeline.handlers.workflow.media_render import (
    narration_stage,
    script_stage,
    slides_stage,
)
from lxera_pipeline.handlers.workflow.media_session import MEDIA_ATTEMPTS, SESSIONS, fail_session
from lxera_pipeline.handlers.workflow.resources import resources_of
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

STAGE_WORK: dict[str, StageWork] = {
    "script_generation": script_stage,
    "slide_generation": slides_stage,
    "audio_generation": narration_stage,
    "video_assembly": video_stage,
    "uploading": upload_stage,
}
NEXT_STAGE = {
    "initialization": "script_generation",
    "script_generation": "slide_generation",
    "slide_generation": "audio_generation",
    "audio_generation": "video_assembly",
    "video_assembly": "uploading",
    "uploading": "completed",
}


def stands_at(session: MultimediaSession | None, stage: str) -> str | None:
    """None when the session is processing this stage, else why the handler must leave it."""
    if session is None:
        return "the session is gone"
    if session.status != "processing" or session.current_stage != stage:
        return (
            f"session {session.session_id} is {session.status} at {session.current_stage}, "
            f"not processing at {stage}"
        )
    return None


async def advance(conn: AsyncConnection[Any], session: MultimediaSession) -> str:
    """Counters from the asset rows, then the next stage (and 'completed' after uploading)."""
    assets = await list_session_assets(conn, session.session_id)
    nxt = NEXT_STAGE[session.current_stage]
    status = "completed" if nxt == "completed" else None
    await update_session_status(
        conn, session.session_id, status=status, stage=nxt, **counters(assets)
    )
    return nxt


async def run_stage(ctx: HandlerContext, stage: str) -> None:
    """Do ``stage`` for the event's session and move it on (see the module docstring)."""
    session_id = entity_id(ctx)
    async with ctx.connection() as conn:
        session = await get_multimedia_session(conn, session_id)
        assets = await list_session_assets(conn, session_id) if session else []
    if (reason := stands_at(session, stage)) is not None or session is None:
        return skip(ctx, reason or "the session is gone")
    resources = resources_of(ctx)
    job = StageJob(ctx, resources, session, assets, stage_dir(resources, session_id, stage))
    started = time.perf_counter()
    record = await STAGE_WORK[stage](job)
    async with ctx.transaction() as conn:
        locked = await lock_session(conn, session_id)
        if (reason := stands_at(locked, stage)) is not None or locked is None:
            return skip(ctx, reason or "the session is gone")
        await record(conn)
        nxt = await advance(conn, locked)
        took = round(time.perf_counter() - started, 3)
        ctx.note(stage=stage, next_stage=nxt, seconds=took)
    log.info("media.stage_done", session_id=str(session_id), stage=stage, seconds=took)


def _stage(name: str, stage: str) -> Callable[[HandlerFunc], HandlerFunc]:
    return registry.handler(
        name,
        table=SESSIONS,
        column="current_stage",
        transition=f"* -> {stage}",
        group="media",
        max_attempts=MEDIA_ATTEMPTS,
        on_dead=fail_session,
    )


@_stage("media.script", "script_generation")
async def write_script(ctx: HandlerContext) -> None:
    await run_stage(ctx, "script_generation")


@_stage("media.slides", "slide_generation")
async def render_slides(ctx: HandlerContext) -> None:
    await run_stage(ctx, "slide_generation")


@_stage("media.narration", "audio_generation")
async def narrate(ctx: HandlerContext) -> None:
    await run_stage(ctx, "audio_generation")


@_stage("media.video", "video_assembly")
async def assemble_video(ctx: HandlerContext) -> None:
    await run_stage(ctx, "video_assembly")


@_stage("media.upload", "uploading")
async def upload(ctx: HandlerContext) -> None:
    await run_stage(ctx, "uploading")


@registry.handler(
    "media.retry",
    table=SESSIONS,
    transition="failed -> processing",
    group="media",
    max_attempts=MEDIA_ATTEMPTS,
    on_dead=fail_session,
)
async def retry(ctx: HandlerContext) -> None:
    """Re-run the stage a failed session stopped in (an operator set it back to processing)."""
    async with ctx.connection() as conn:
        session = await get_multimedia_session(conn, entity_id(ctx))
    if session is None or session.status != "processing":
        return skip(ctx, f"session {entity_id(ctx)} is not processing")
    if session.current_stage in STAGE_WORK:
        return await run_stage(ctx, session.current_stage)
    async with ctx.transaction() as conn:  # failed before its first stage began
        locked = await lock_session(conn, session.session_id)
        if locked is not None and locked.current_stage == "initialization":
            await advance(conn, locked)
