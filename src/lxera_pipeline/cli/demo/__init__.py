"""`demo`: the whole workflow once, on a small course, with live progress and a summary.

On the embedded PostgreSQL when DATABASE_URL is unset: migrate, seed a company, a learner and a
two-module course plan (fresh names every run), mark the plan 'completed', and let an in-process
daemon carry it through research, writing, the quality gate (the second module is written as a
draft on purpose, so it goes through one enhancement), and the media stages. It ends with the
artifacts (MP4, PDF, PPTX, HTML, audio) and each module's timeline of events and audit rows.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import anyio
import click
from psycopg import AsyncConnection
from rich.console import Console

from lxera_pipeline.cli.common import EXIT_FAILURE, EXIT_OK, database_dsn, fail, load_settings
from lxera_pipeline.cli.demo.daemon import in_process_daemon
from lxera_pipeline.cli.demo.progress import ModuleProgress, follow_plan
from lxera_pipeline.cli.demo.seed import DemoCourse, Seeded, seed_course
from lxera_pipeline.cli.demo.view import print_summary
from lxera_pipeline.dashboard.server import dashboard_running, port_or_free, until_stopped, url_of
from lxera_pipeline.data.statements import fetch_one
from lxera_pipeline.db.migrate import MigrationError, migrate
from lxera_pipeline.db.server import check_server
from lxera_pipeline.generators.media.extras import check_media_extras
from lxera_pipeline.handlers.workflow.resources import Resources, build_resources
from lxera_pipeline.settings import Settings


def _introduce(console: Console, course: DemoCourse, seeded: Seeded) -> None:
    console.print(
        f"[bold]Learner[/] {course.learner_name}, {course.role} ({course.department}); "
        f"[bold]course[/] {course.course_title!r}, {len(course.modules)} modules; "
        f"run {seeded.run_id}"
    )
    console.print(f"Plan {seeded.plan_id} set to 'completed': the daemon takes it from here.")


async def run_demo(
    settings: Settings,
    dsn: str,
    resources: Resources,
    console: Console,
    limit_seconds: float,
    dashboard: bool = True,
    keep_serving: bool = False,
) -> int:
    """Seed, drive and summarise one demo course; the exit code."""
    course = DemoCourse()
    started = time.perf_counter()
    if not dashboard:
        return await _drive(settings, dsn, resources, console, limit_seconds, course, started)
    host = settings.dashboard_host
    port = port_or_free(host, settings.dashboard_port)
    async with dashboard_running(settings, dsn, host, port) as server:
        console.print(f"[bold]Dashboard[/] {url_of(host, port)} (watch the modules move live)")
        code = await _drive(settings, dsn, resources, console, limit_seconds, course, started)
        if keep_serving:
            console.print(f"The dashboard stays up at {url_of(host, port)}; Ctrl-C stops it.")
            await until_stopped(server)
    return code


async def _drive(
    settings: Settings,
    dsn: str,
    resources: Resources,
    console: Console,
    limit_seconds: float,
    course: DemoCourse,
    started: float,
) -> int:
    async with await AsyncConnection.connect(dsn, autocommit=True) as conn:
        async with in_process_daemon(settings, dsn, resources, handlers="all"):
            seeded = await seed_course(conn, course)
            _introduce(console, course, seeded)
            with anyio.move_on_after(limit_seconds) as scope:
                modules = await follow_plan(conn, seeded.plan_id, len(course.modules), console)
        if scope.cancelled_caught:
            console.print(f"[red]The demo did not finish within {limit_seconds:.0f} s.")
            return EXIT_FAILURE
        await print_summary(conn, modules, settings.media_root, console)
        plan = await fetch_one(conn, "demo_plan_status", {"plan_id": seeded.plan_id})
    return _conclude(console, modules, plan, time.perf_counter() - started)


def _conclude(
    console: Console, modules: list[ModuleProgress], plan: dict[str, Any] | None, took: float
) -> int:
    status = plan["status"] if plan else "missing"
    published = sum(module.content_status == "published" for module in modules)
    console.print(
        f"[bold]Plan {status}[/]: {published} of {len(modules)} modules published in {took:.1f} s."
    )
    return EXIT_OK if published == len(modules) else EXIT_FAILURE


@click.command("demo")
@click.option(
    "--narration-seconds",
    type=click.FloatRange(min=1, max=600),
    default=None,
    help="Narration length per module [default: settings.narration_seconds_per_module].",
)
@click.option(
    "--timeout",
    "limit_seconds",
    type=click.FloatRange(min=10),
    default=600.0,
    show_default=True,
    help="Give up after this many seconds.",
)
@click.option("--verbose", is_flag=True, help="Show the daemon's info log lines too.")
@click.option(
    "--dashboard/--no-dashboard",
    default=True,
    show_default=True,
    help="Serve the dashboard while the demo runs (LXERA_DASHBOARD_HOST/PORT) and print its URL.",
)
@click.option(
    "--keep-serving/--no-keep-serving",
    default=None,
    help="Keep the dashboard up after the demo until Ctrl-C [default: on a terminal].",
)
def demo_command(
    narration_seconds: float | None,
    limit_seconds: float,
    verbose: bool,
    dashboard: bool,
    keep_serving: bool | None,
) -> None:
    """Run the whole workflow on a small two-module course and show what it produced."""
    settings = load_settings(log_level=None if verbose else "warning")
    if narration_seconds is not None:
        settings = settings.model_copy(update={"narration_seconds_per_module": narration_seconds})
    check_media_extras(settings)
    dsn = database_dsn(settings)
    check_server(dsn, settings.connect_timeout_seconds)
    console = Console()
    try:
        report = migrate(dsn)
    except MigrationError as exc:
        fail(str(exc))
    console.print(f"Schema ready ({len(report.applied)} migrations applied now).")
    resources = build_resources(settings)
    if keep_serving is None:
        keep_serving = sys.stdin.isatty() and sys.stdout.isatty()
    raise SystemExit(
        anyio.run(
            run_demo, settings, dsn, resources, console, limit_seconds, dashboard, keep_serving
        )
    )
