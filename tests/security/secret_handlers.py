"""Handlers the secrets test runs in a real daemon (``--handlers tests.security.secret_handlers``).

``security.crash`` (``new -> crash`` on ``public.sec_jobs``) holds the daemon's DSN and API keys in
local variables and raises; after its one attempt the delivery dead-letters and the on-dead hook,
holding the same values, raises too (the daemon logs that failure with its traceback). Were
tracebacks rendered with their frames' locals, the secrets would reach the log.
"""

from __future__ import annotations

import os
from typing import Final

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from lxera_pipeline.events.models import StatusEvent
from lxera_pipeline.events.statuses import register_status_set
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import registry
from lxera_pipeline.settings import get_settings

TABLE: Final = "sec_jobs"
SCHEMA: Final = """
create table public.sec_jobs (id uuid primary key, company_id uuid, status text not null);
select pipeline.allow_transitions('sec_jobs', 'status', array[['new', 'crash']]);
select pipeline.track_status('public.sec_jobs', 'status', 'id');
"""
register_status_set(TABLE, "status", ("crash",))


class CrashError(RuntimeError):
    """Raised on purpose."""


def secrets_in_hand() -> dict[str, str | None]:
    settings = get_settings()
    return {
        "dsn": os.environ.get("DATABASE_URL"),
        "llm": settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        "tts": os.environ.get("LXERA_TTS_API_KEY"),
        "supabase": os.environ.get("LXERA_SUPABASE_KEY"),
        "signing": os.environ.get("LXERA_STORAGE_SIGNING_KEY"),
        "dashboard": os.environ.get("LXERA_DASHBOARD_TOKEN"),
    }


async def on_dead(conn: AsyncConnection[DictRow], event: StatusEvent, error: str) -> None:
    held = secrets_in_hand()
    dsn = held["dsn"]
    raise CrashError(f"on-dead hook crashed on purpose ({len(held)} values, dsn set: {bool(dsn)})")


@registry.handler(
    "security.crash",
    table=TABLE,
    transition="new -> crash",
    group="security",
    max_attempts=1,
    on_dead=on_dead,
)
async def crash(ctx: HandlerContext) -> None:
    held = secrets_in_hand()
    api_key = held["llm"]
    raise CrashError(f"handler crashed on purpose (key set: {bool(api_key)})")
