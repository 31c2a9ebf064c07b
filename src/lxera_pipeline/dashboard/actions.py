"""State-changing actions (POST): retry dead letters, pause/resume a handler group, cancel a
pending delivery. Each needs a reason and a valid CSRF token, and is written to
``pipeline.operator_actions`` with who did it (and, where it touches a delivery, to the audit log).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from lxera_pipeline.dashboard.forms import read_form
from lxera_pipeline.dashboard.ops import (
    OperatorError,
    UnknownIdError,
    replay_event,
    retry_dead_letters,
)
from lxera_pipeline.dashboard.state import Dashboard
from lxera_pipeline.db.locks import lock_params
from lxera_pipeline.db.queries import load_query

MAX_REASON_CHARS = 500
MAX_NAME_CHARS = 80
MAX_GROUP_CHARS = 200
MAX_IDS = 200
Form = dict[str, list[str]]


def _one(form: Form, name: str) -> str:
    return (form.get(name) or [""])[0]


def check_csrf(request: Request, form: Form) -> None:
    dashboard: Dashboard = request.app.state.dashboard
    if not dashboard.auth.csrf_ok(request.state.identity, _one(form, "csrf")):
        raise HTTPException(403, "the form's CSRF token is missing or wrong; reload the page")


def _reason(form: Form) -> str:
    reason = " ".join(_one(form, "reason").split())
    if not reason:
        raise HTTPException(400, "reason: say why (it goes into the audit)")
    if len(reason) > MAX_REASON_CHARS:
        raise HTTPException(400, f"reason: at most {MAX_REASON_CHARS} characters")
    return reason


def _actor(request: Request, form: Form) -> str:
    name = "".join(ch for ch in _one(form, "by") if ch.isprintable())[:MAX_NAME_CHARS].strip()
    client = request.client.host if request.client else "unknown"
    who: str = request.state.identity.who(client, name)
    return who


def _ids(form: Form, name: str) -> list[int]:
    values = [v for raw in form.get(name, []) for v in raw.split(",") if v.strip()]
    if not values:
        raise HTTPException(400, f"{name}: give at least one id")
    if len(values) > MAX_IDS:
        raise HTTPException(400, f"{name}: at most {MAX_IDS} ids at once")
    ids = []
    for value in values:
        value = value.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= 18):
            raise HTTPException(400, f"{name}: {value[:30]!r} is not an id")
        ids.append(int(value))
    return ids


async def _prepare(request: Request) -> tuple[Dashboard, Form, str, str]:
    form = await read_form(request)
    check_csrf(request, form)
    return request.app.state.dashboard, form, _reason(form), _actor(request, form)


def _done(request: Request, page: str, payload: dict[str, Any], **query: str) -> Response:
    if request.state.identity.via == "bearer":
        return JSONResponse(payload)
    return RedirectResponse(f"{page}?{urlencode(query)}", status_code=303)


async def retry(request: Request) -> Response:
    """Send one dead delivery or a whole group back to the queue."""
    dashboard, form, reason, actor = await _prepare(request)
    ids = _ids(form, "delivery_id")
    try:
        rows = await dashboard.tool(
            lambda conn: retry_dead_letters(conn, ids, by=actor, reason=reason)
        )
    except UnknownIdError as exc:
        raise HTTPException(404, str(exc)[:300]) from None
    except OperatorError as exc:
        raise HTTPException(409, str(exc)[:300]) from None
    retried = [int(row["delivery_id"]) for row in rows]
    return _done(
        request,
        "/dead",
        {"retried": retried},
        retried=",".join(map(str, retried)),
        message=f"{len(retried)} dead deliveries sent back to the queue",
    )


async def _group(dashboard: Dashboard, form: Form) -> str:
    group = _one(form, "group").strip()
    if not group or len(group) > MAX_GROUP_CHARS:
        raise HTTPException(400, "group: name a handler group")
    found = await dashboard.row("dash_known_group", {"group": group})
    if not found or not found["known"]:
        raise HTTPException(404, f"no handler group {group[:80]!r}")
    return group


async def pause(request: Request) -> Response:
    dashboard, form, reason, actor = await _prepare(request)
    group = await _group(dashboard, form)
    changed = await dashboard.rows(
        "dash_pause_group", {"group": group, "actor": actor, "reason": reason}
    )
    message = f"{group} paused" if changed else f"{group} was already paused"
    return _done(request, "/queue", {"paused": bool(changed)}, message=message)


async def resume(request: Request) -> Response:
    dashboard, form, reason, actor = await _prepare(request)
    group = await _group(dashboard, form)
    changed = await dashboard.rows(
        "dash_resume_group", {"group": group, "actor": actor, "reason": reason}
    )
    if changed:
        async with dashboard.connector.pool.connection() as conn:  # wake an idle daemon
            await conn.execute(
                load_query("ops_notify_if_armed"),
                {"event_id": 0, "table": group, **lock_params()},
            )
    message = f"{group} resumed" if changed else f"{group} was not paused"
    return _done(request, "/queue", {"resumed": bool(changed)}, message=message)


async def cancel(request: Request) -> Response:
    dashboard, form, reason, actor = await _prepare(request)
    ids = _ids(form, "delivery_id")
    if len(ids) != 1:
        raise HTTPException(400, "delivery_id: cancel one delivery at a time")
    rows = await dashboard.rows(
        "dash_cancel_delivery",
        {"delivery": ids[0], "actor": actor, "reason": reason},
    )
    if not rows:
        raise HTTPException(409, f"delivery {ids[0]} is not pending (nothing cancelled)")
    return _done(request, "/queue", {"cancelled": ids[0]}, message=f"delivery {ids[0]} cancelled")


async def replay(request: Request) -> Response:
    """Replay one event of a module's timeline (new replay deliveries, run by the daemons)."""
    dashboard, form, reason, actor = await _prepare(request)
    (event_id,) = _ids(form, "event_id")[:1]
    back = _one(form, "back")
    page = back if back.startswith("/modules/") and len(back) < 100 else "/dead"
    try:
        created = await dashboard.tool(
            lambda conn: replay_event(conn, event_id, by=actor, reason=reason)
        )
    except UnknownIdError as exc:
        raise HTTPException(404, str(exc)[:300]) from None
    except OperatorError as exc:
        raise HTTPException(409, str(exc)[:500]) from None
    ids = [int(row["delivery_id"]) for row in created]
    return _done(
        request,
        page,
        {"replay_deliveries": ids},
        message=f"event {event_id} replayed: deliveries {', '.join(map(str, ids))}",
    )
