"""The dashboard's Starlette application: routes, authentication, error pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lxera_pipeline.dashboard import actions, pages
from lxera_pipeline.dashboard.auth import COOKIE, Identity
from lxera_pipeline.dashboard.forms import read_form
from lxera_pipeline.dashboard.render import render
from lxera_pipeline.dashboard.state import Dashboard, open_dashboard
from lxera_pipeline.dashboard.stream import stream
from lxera_pipeline.log import get_logger
from lxera_pipeline.settings import Settings

log = get_logger(__name__)
LOGIN_FAILURE_PAUSE_SECONDS = 0.5


def package_dir(name: str) -> Path:
    return Path(str(resources.files("lxera_pipeline.dashboard") / name))


def set_session_cookie(request: Request, response: Response, cookie: str) -> None:
    response.set_cookie(
        COOKIE,
        cookie,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


class AuthMiddleware:
    """Lets a request through only with a valid session cookie or Bearer token (pure ASGI, so
    a stream's messages pass straight through)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in ("/healthz", "/login") or path.startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        auth = request.app.state.dashboard.auth
        found = auth.identify(request.cookies.get(COOKIE), request.headers.get("authorization"))
        if found is None:
            await self._refuse(request)(scope, receive, send)
            return
        new_cookie = None
        if found.via == "local" and found.session is None:
            new_cookie = auth.new_session()  # the local operator's session, for CSRF
            found = Identity("local", auth.session_of(new_cookie))
        request.state.identity = found
        if new_cookie is None:
            await self.app(scope, receive, send)
            return
        cookie = new_cookie

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                holder = Response()
                set_session_cookie(request, holder, cookie)
                message = {
                    **message,
                    "headers": [*message.get("headers", []), *holder.raw_headers[-1:]],
                }
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    @staticmethod
    def _refuse(request: Request) -> Response:
        path = request.url.path
        if request.method == "GET" and not path.startswith(("/api/", "/media/")):
            target = path if path.startswith("/") and not path.startswith("//") else "/"
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return JSONResponse(
            {"error": "authentication required (log in, or send Authorization: Bearer)"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="lxera-dashboard"'},
        )


async def healthz(request: Request) -> JSONResponse:
    dashboard: Dashboard = request.app.state.dashboard
    listener = dashboard.hub.listener
    alive = bool(listener and listener.alive)
    return JSONResponse(
        {"ok": alive, "listener": alive, "clients": len(dashboard.hub.subscribers)},
        status_code=200 if alive else 503,
    )


async def login_page(request: Request) -> Response:
    return render(request, "login.html", {"next": _next(request.query_params.get("next"))})


def _next(value: str | None) -> str:
    """Only a local path is a place to go after login (no open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value[:500]
    return "/"


async def login(request: Request) -> Response:
    dashboard: Dashboard = request.app.state.dashboard
    form = await read_form(request)
    token = (form.get("token") or [""])[0]
    target = _next((form.get("next") or ["/"])[0])
    if not dashboard.auth.required or not dashboard.auth.token_matches(token):
        await anyio.sleep(LOGIN_FAILURE_PAUSE_SECONDS)
        log.warning("dashboard.login_failed", client=_client(request))
        return render(
            request,
            "login.html",
            {"next": target, "error": "That token is not right."},
            status_code=401,
        )
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, dashboard.auth.new_session())
    log.info("dashboard.login", client=_client(request))
    return response


async def logout(request: Request) -> Response:
    actions.check_csrf(request, await read_form(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if _wants_json(request):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
    return render(
        request,
        "error.html",
        {"status": exc.status_code, "message": exc.detail},
        status_code=exc.status_code,
    )


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("dashboard.error", path=request.url.path, error=type(exc).__name__)
    if _wants_json(request):
        return JSONResponse({"error": "internal error (see the dashboard's log)"}, 500)
    return render(
        request,
        "error.html",
        {"status": 500, "message": "Something went wrong; the dashboard's log has the details."},
        status_code=500,
    )


def routes() -> list[Any]:
    return [
        Route("/healthz", healthz),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", pages.overview),
        Route("/companies/{company_id}", pages.company),
        Route("/modules/{content_id}", pages.module),
        Route("/dead", pages.dead_letters),
        Route("/dead/dry-run", pages.dry_run_page),
        Route("/queue", pages.queue),
        Route("/media/{asset_id}", pages.media),
        Route("/api/stream", stream),
        Route("/api/deliveries", pages.delivery_states),
        Route("/dead/retry", actions.retry, methods=["POST"]),
        Route("/groups/pause", actions.pause, methods=["POST"]),
        Route("/groups/resume", actions.resume, methods=["POST"]),
        Route("/deliveries/cancel", actions.cancel, methods=["POST"]),
        Route("/events/replay", actions.replay, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=package_dir("static")), name="static"),
    ]


def create_app(settings: Settings, dsn: str) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_dashboard(settings, dsn) as dashboard:
            app.state.dashboard = dashboard
            yield

    return Starlette(
        debug=False,
        routes=routes(),
        middleware=[Middleware(AuthMiddleware)],
        exception_handlers={HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
