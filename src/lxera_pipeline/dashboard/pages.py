"""The dashboard's pages (GET only): overview, company, module, dead letters, queue, media."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from uuid import UUID

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from lxera_pipeline.dashboard.ops import (
    OperatorError,
    UnknownIdError,
    dry_run_items,
    dry_run_results,
    module_timeline,
)
from lxera_pipeline.dashboard.render import STAGE_PERCENT, bar_chart, line_chart, render
from lxera_pipeline.dashboard.state import Dashboard
from lxera_pipeline.db.locks import lock_params

Row = dict[str, Any]
MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".pdf": "application/pdf",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}
MAX_IDS = 200
DRY_RUN_SECONDS = 60.0
# One dry run at a time per dashboard (each holds two connections while it runs).
DRY_RUNS = anyio.Semaphore(1)


def _dashboard(request: Request) -> Dashboard:
    found: Dashboard = request.app.state.dashboard
    return found


def path_uuid(request: Request, name: str, what: str) -> UUID:
    value = str(request.path_params[name])
    try:
        return UUID(value[:64])
    except ValueError:
        raise HTTPException(404, f"no {what} with id {value[:64]!r} (not a UUID)") from None


def fragment(request: Request) -> bool:
    return request.query_params.get("fragment") == "1"


async def overview(request: Request) -> Response:
    dashboard = _dashboard(request)
    minutes = await dashboard.rows("dash_minutes")
    states = await dashboard.rows("dash_delivery_states")
    table: dict[str, dict[str, int]] = {}
    for row in states:
        table.setdefault(row["handler_group"], {})[row["state"]] = int(row["n"])
    events = [float(m["events"]) for m in minutes]
    context = {
        "summary": await dashboard.row("dash_queue_summary"),
        "states": table,
        "state_names": ["pending", "running", "done", "dead", "skipped"],
        "groups": await dashboard.rows("dash_handler_groups"),
        "daemons": await dashboard.rows("dash_daemons", lock_params()),
        "companies": await dashboard.rows("dash_companies"),
        "actions": await dashboard.rows("dash_recent_actions"),
        "events_chart": bar_chart([e / 60 for e in events], unit="/s"),
        "events_last_minute": events[-1] / 60 if events else 0.0,
        "lag_chart": line_chart(
            [float(m["max_lag"]) if m["max_lag"] is not None else None for m in minutes]
        ),
    }
    return render(request, "_overview.html" if fragment(request) else "overview.html", context)


def _progress(session: Row) -> int:
    if session["status"] == "completed":
        return 100
    return STAGE_PERCENT.get(session["current_stage"], int(session["progress_percentage"] or 0))


async def company(request: Request) -> Response:
    dashboard = _dashboard(request)
    company_id = path_uuid(request, "company_id", "company")
    found = await dashboard.row("dash_company", {"company": company_id})
    if found is None:
        raise HTTPException(404, f"no company with id {company_id}")
    params = {"company": company_id}
    sessions: dict[UUID, list[Row]] = {}
    for session in await dashboard.rows("dash_company_sessions", params):
        session["percent"] = _progress(session)
        sessions.setdefault(session["content_id"], []).append(session)
    modules: dict[UUID | None, list[Row]] = {}
    for module in await dashboard.rows("dash_company_modules", params):
        module["sessions"] = sessions.get(module["content_id"], [])
        modules.setdefault(module["plan_id"], []).append(module)
    plans = await dashboard.rows("dash_company_plans", params)
    for plan in plans:
        plan["modules"] = modules.pop(plan["plan_id"], [])
    loose = [m for group in modules.values() for m in group]
    context = {"company": found, "plans": plans, "loose": loose}
    return render(request, "_company.html" if fragment(request) else "company.html", context)


async def module(request: Request) -> Response:
    dashboard = _dashboard(request)
    content_id = path_uuid(request, "content_id", "module")
    found = await dashboard.row("dash_module", {"content": content_id})
    if found is None:
        raise HTTPException(404, f"no module with id {content_id}")
    sessions = await dashboard.rows("dash_module_sessions", {"content": content_id})
    for session in sessions:
        session["percent"] = _progress(session)
    timeline = await dashboard.tool(lambda conn: module_timeline(conn, content_id))
    context = {
        "module": found,
        "sessions": sessions,
        "assets": await dashboard.rows("dash_module_assets", {"content": content_id}),
        "timeline": timeline,
        "message": request.query_params.get("message", "")[:300],
    }
    return render(request, "_module.html" if fragment(request) else "module.html", context)


async def dead_letters(request: Request) -> Response:
    dashboard = _dashboard(request)
    context = {
        "groups": await dashboard.rows("dash_dead_groups"),
        "retried": _ids(request.query_params.get("retried", "")),
        "message": request.query_params.get("message", "")[:300],
    }
    return render(request, "dead.html", context)


async def queue(request: Request) -> Response:
    dashboard = _dashboard(request)
    context = {
        "pending": await dashboard.rows("dash_pending_deliveries", {"limit": 200}),
        "groups": await dashboard.rows("dash_handler_groups"),
        "message": request.query_params.get("message", "")[:300],
    }
    return render(request, "queue.html", context)


def _ids(text: str) -> list[int]:
    ids = []
    for part in text.split(",")[:MAX_IDS]:
        part = part.strip()
        if part.isascii() and part.isdigit() and len(part) <= 18:
            ids.append(int(part))
    return ids


async def delivery_states(request: Request) -> JSONResponse:
    """``GET /api/deliveries?ids=1,2``: the state of some deliveries (the retry panel polls it)."""
    dashboard = _dashboard(request)
    ids = _ids(request.query_params.get("ids", ""))
    if not ids:
        raise HTTPException(400, "ids: give delivery ids, comma-separated (at most 200)")
    rows = await dashboard.rows("dash_delivery_state", {"ids": ids})
    return JSONResponse({str(row["delivery_id"]): row["state"] for row in rows})


def media_file(root: Path, bucket: str, key: str | None) -> Path:
    """The stored file of an asset under the local storage root; never outside it."""
    if not key:
        raise HTTPException(404, "this asset has no stored file")
    base = root.resolve()
    candidate = (base / bucket / key).resolve()
    if not candidate.is_relative_to(base) or not candidate.is_file():
        raise HTTPException(404, "this asset's file is not in local storage")
    return candidate


async def media(request: Request) -> Response:
    dashboard = _dashboard(request)
    asset_id = path_uuid(request, "asset_id", "asset")
    asset = await dashboard.row("dash_asset", {"asset": asset_id})
    if asset is None:
        raise HTTPException(404, f"no asset with id {asset_id}")
    if dashboard.settings.storage_backend != "local":
        raise HTTPException(404, "assets are served here from local storage only")
    path = media_file(dashboard.media_root, asset["storage_bucket"], asset["storage_path"])
    kind = MEDIA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    if kind is None:
        raise HTTPException(415, f"no media type known for {path.suffix!r} files")
    disposition = "inline" if kind.split("/")[0] in ("video", "audio", "image") else "attachment"
    return FileResponse(
        path,
        media_type=kind,
        headers={"X-Content-Type-Options": "nosniff"},
        content_disposition_type=disposition,
        filename=path.name,
    )


async def dry_run_page(request: Request) -> Response:
    """``/dead/dry-run?delivery_id=N``: what replaying the delivery would do now, rolled back."""
    dashboard = _dashboard(request)
    ids = _ids(request.query_params.get("delivery_id", ""))
    if len(ids) != 1:
        raise HTTPException(400, "delivery_id: give one delivery id")
    try:
        items = await dashboard.tool(lambda conn: dry_run_items(conn, ids[0]))
    except UnknownIdError as exc:
        raise HTTPException(404, str(exc)) from None
    except OperatorError as exc:
        raise HTTPException(409, str(exc)[:300]) from None
    async with DRY_RUNS:
        results = await dry_run_results(dashboard.dsn, dashboard.settings, items, DRY_RUN_SECONDS)
    return render(request, "dry_run.html", {"delivery_id": ids[0], "results": results})
