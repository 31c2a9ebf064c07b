"""Multimedia sessions: open one for approved content, start it, publish what it made.

- ``content.start_media`` (cm_module_content ``* -> approved``): a mm_multimedia_sessions row
  ('started', stage 'initialization', 0%) with the content's sections, module and learner names
  and the generation settings.
- ``media.begin`` (mm_multimedia_sessions.status ``new -> started``): status 'processing', stage
  'script_generation' (10%); each stage then has its own handler (`media_stages.py`).
- ``media.publish`` (status ``* -> completed``): the content becomes 'published' and, when every
  module of its plan is published or failed, the plan is settled ('delivered').

A stage that runs out of attempts marks its session 'failed' with error_details
(:func:`fail_session`); setting the status back to 'processing' retries the current stage.
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

from lxera_pipeline.data.content import set_content_status
from lxera_pipeline.data.failures import fail_open_session
from lxera_pipeline.data.multimedia import create_multimedia_session, update_session_status
from lxera_pipeline.data.vocabulary import WHOLE_MODULE
from lxera_pipeline.data.workflow import lock_content, lock_session
from lxera_pipeline.events.models import StatusEvent
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import registry
from lxera_pipeline.handlers.workflow.common import entity_id, moved_on, skip, stable_id
from lxera_pipeline.handlers.workflow.content import CONTENT, fail_approved_content
from lxera_pipeline.handlers.workflow.plans import settle_plan
from lxera_pipeline.handlers.workflow.resources import Resources, resources_of

SESSIONS = "mm_multimedia_sessions"
MEDIA_ATTEMPTS = 3


async def fail_session(conn: AsyncConnection[Any], event: StatusEvent, error: str) -> None:
    """on_dead hook: the session becomes 'failed' with the stage and the error in error_details
    (plain SQL on id and status: a session row that does not parse is still marked failed)."""
    await fail_open_session(conn, event.entity_id, error)


def generation_config(resources: Resources) -> dict[str, Any]:
    settings = resources.settings
    return {
        "section_name": WHOLE_MODULE,
        "theme": "clean",
        "narration_seconds": settings.narration_seconds_per_module,
        "video_fps": settings.video_fps,
        "narrator": type(resources.narrator).__name__,
        "storage_backend": settings.storage_backend,
    }


@registry.handler(
    "content.start_media",
    table=CONTENT,
    transition="* -> approved",
    group="content",
    on_dead=fail_approved_content,
)
async def start_media(ctx: HandlerContext) -> None:
    content_id = entity_id(ctx)
    config = generation_config(resources_of(ctx))
    async with ctx.transaction() as conn:
        content = await lock_content(conn, content_id)
        if content is None or content.status != "approved":
            return skip(ctx, moved_on(CONTENT, content_id, "approved", content))
        session = await create_multimedia_session(
            conn,
            content_id=content_id,
            generation_config=config,
            session_id=stable_id("media", content_id, ctx.event.event_id),
        )
        ctx.note(session_id=str(session.session_id))


@registry.handler(
    "media.begin",
    table=SESSIONS,
    transition="new -> started",
    group="content",
    on_dead=fail_session,
)
async def begin(ctx: HandlerContext) -> None:
    session_id = entity_id(ctx)
    async with ctx.transaction() as conn:
        session = await lock_session(conn, session_id)
        if session is None or session.status != "started":
            return skip(ctx, moved_on(SESSIONS, session_id, "started", session))
        await update_session_status(
            conn, session_id, status="processing", stage="script_generation"
        )


@registry.handler("media.publish", table=SESSIONS, transition="* -> completed", group="content")
async def publish(ctx: HandlerContext) -> None:
    session_id = entity_id(ctx)
    async with ctx.transaction() as conn:
        session = await lock_session(conn, session_id)
        content = None if session is None else await lock_content(conn, session.content_id)
        if session is None or content is None or session.status != "completed":
            return skip(ctx, moved_on(SESSIONS, session_id, "completed", session))
        if content.status == "approved":
            await set_content_status(conn, content.content_id, "published")
        plan = await settle_plan(conn, content.plan_id)
        ctx.note(content_id=str(content.content_id), plan=plan or "unchanged")
