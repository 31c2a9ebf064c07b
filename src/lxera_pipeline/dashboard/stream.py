"""``GET /api/stream``: Server-Sent Events, one message per pipeline event.

``id:`` is the durable event id. A client that reconnects with ``Last-Event-ID`` (browsers send it
by themselves) first gets every event after that id from ``pipeline.events``, then the live ones;
the subscription is taken before the replay is read, so nothing falls between the two, and an
event both read and received live is sent once. ``?company_id=`` keeps one company's events.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import UUID

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import StreamingResponse

from lxera_pipeline.dashboard.hub import Subscriber, sse_message
from lxera_pipeline.dashboard.state import Dashboard

REPLAY_PAGE = 500
REPLAY_LIMIT = 20_000
KEEPALIVE_SECONDS = 15.0
MAX_EVENT_ID = 2**63 - 1
RETRY_MS = 2000
BATCH_LIMIT = 200


def parse_last_event_id(value: str | None) -> int | None:
    """The client's last event id; a clear 400 for anything but a non-negative integer."""
    if value is None or value == "":
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > MAX_EVENT_ID:
        raise HTTPException(
            400, "Last-Event-ID must be an event id (a non-negative integer up to 2^63-1)"
        )
    return int(text)


def parse_company(value: str | None) -> UUID | None:
    if value is None or value == "":
        return None
    try:
        return UUID(value[:64])
    except ValueError:
        raise HTTPException(400, "company_id must be a UUID") from None


async def _replay(
    dashboard: Dashboard, after: int, company: UUID | None, sent: set[int]
) -> AsyncIterator[bytes]:
    cursor = after
    while True:
        rows = await dashboard.rows(
            "dash_stream_replay", {"after": cursor, "company": company, "limit": REPLAY_PAGE}
        )
        for row in rows:
            sent.add(int(row["event_id"]))
            yield sse_message(row)
        if len(rows) < REPLAY_PAGE:
            return
        cursor = int(rows[-1]["event_id"])
        if len(sent) >= REPLAY_LIMIT:
            # Too far behind to catch up event by event: the page reloads its current state.
            yield b"event: reset\ndata: {}\n\n"
            return


async def _live(subscriber: Subscriber, after: int, sent: set[int]) -> AsyncIterator[bytes]:
    """Live messages; whatever is queued already goes out as one chunk (one write per burst)."""
    while True:
        try:
            first = await asyncio.wait_for(subscriber.queue.get(), KEEPALIVE_SECONDS)
        except TimeoutError:
            yield b": keepalive\n\n"
            continue
        items = [first]
        while len(items) < BATCH_LIMIT and not subscriber.queue.empty():
            items.append(subscriber.queue.get_nowait())
        chunk = b"".join(
            item[1]
            for item in items
            if item is not None and item[0] > after and item[0] not in sent
        )
        if chunk:
            yield chunk
        if None in items or subscriber.overflowed:
            return


async def _events(
    dashboard: Dashboard, last_id: int | None, company: UUID | None
) -> AsyncIterator[bytes]:
    subscriber = dashboard.hub.subscribe(company)
    try:
        yield f"retry: {RETRY_MS}\n: connected\n\n".encode()
        sent: set[int] = set()
        if last_id is not None:
            async for message in _replay(dashboard, last_id, company, sent):
                yield message
                if message.startswith(b"event: reset"):
                    return
        async for message in _live(subscriber, last_id or 0, sent):
            yield message
    finally:
        dashboard.hub.unsubscribe(subscriber)


async def stream(request: Request) -> StreamingResponse:
    dashboard: Dashboard = request.app.state.dashboard
    last_id = parse_last_event_id(
        request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    )
    company = parse_company(request.query_params.get("company_id"))
    return StreamingResponse(
        _events(dashboard, last_id, company),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
