"""Server-side rendering: the Jinja2 templates (autoescaped) and small SVG charts."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

# The percent each media stage stands for (the real system's stages).
STAGE_PERCENT = {
    "initialization": 0,
    "script_generation": 10,
    "slide_generation": 30,
    "audio_generation": 50,
    "video_assembly": 70,
    "uploading": 85,
    "completed": 100,
}


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = float(seconds)
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.0f}min"
    return f"{seconds / 3600:.1f}h"


def _clock(stamp: datetime | None) -> str:
    return stamp.strftime("%Y-%m-%d %H:%M:%S") if stamp else "-"


def bar_chart(
    values: list[float], *, width: int = 600, height: int = 120, unit: str = ""
) -> Markup:
    """Vertical bars, one per value (minutes of the last hour), scaled to the largest."""
    top = max(values, default=0.0) or 1.0
    step = width / max(len(values), 1)
    bars = []
    for index, value in enumerate(values):
        tall = (value / top) * (height - 20)
        bars.append(
            f'<rect x="{index * step:.1f}" y="{height - tall:.1f}" width="{max(step - 1, 1):.1f}"'
            f' height="{tall:.1f}"><title>{value:g}{unit}</title></rect>'
        )
    label = f'<text x="4" y="12">max {top:g}{unit}</text>'
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img">{label}{"".join(bars)}</svg>'
    )


def line_chart(
    values: list[float | None], *, width: int = 600, height: int = 120, unit: str = "s"
) -> Markup:
    """A polyline over the minutes that have a value (gaps where none)."""
    known = [v for v in values if v is not None]
    top = max(known, default=0.0) or 1.0
    step = width / max(len(values) - 1, 1)
    coords = [
        (index * step, height - (value / top) * (height - 20))
        for index, value in enumerate(values)
        if value is not None
    ]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>' for x, y in coords)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img">'
        f'<text x="4" y="12">max {top:.3g}{unit}</text>'
        f'<polyline fill="none" points="{points}"/>{dots}</svg>'
    )


@cache
def environment() -> Environment:
    folder = resources.files("lxera_pipeline.dashboard") / "templates"
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["age"] = _age
    env.filters["clock"] = _clock
    env.globals["stage_percent"] = STAGE_PERCENT
    return env


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    found = getattr(request.state, "identity", None)
    dashboard = getattr(request.app.state, "dashboard", None)
    csrf = (
        dashboard.auth.csrf_for(found.session)
        if dashboard is not None and found is not None and found.session
        else ""
    )
    html = (
        environment()
        .get_template(name)
        .render({**context, "csrf": csrf, "signed_in": found is not None, "path": request.url.path})
    )
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={
            "Content-Security-Policy": (
                "default-src 'self'; img-src 'self' data:; media-src 'self'; "
                "style-src 'self'; script-src 'self'; frame-ancestors 'none'"
            ),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        },
    )
