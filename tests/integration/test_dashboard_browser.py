"""The dashboard in a real Chromium (Debian's `chromium`, driven by Playwright): log in, watch a
module's status change without a reload, replay a dead letter from its page and see it land; the
run also saves the screenshots of docs/img/."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.integration import operate_support as ops
from tests.integration.dashboard_support import TOKEN, Served, serve

CHROMIUM = Path(os.environ.get("LXERA_CHROMIUM", "/usr/bin/chromium"))
REPO_ROOT = Path(__file__).resolve().parents[2]
SHOTS = REPO_ROOT / "docs" / "img"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (or set LXERA_CHROMIUM)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield launched
        finally:
            launched.close()


def log_in(browser: Browser, served: Served, path: str = "/") -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(served.url + path)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("input[name=token]", "not the token")
    page.click("button[type=submit]")
    expect(page.locator("p.error")).to_contain_text("not right")
    page.fill("input[name=token]", TOKEN)
    page.click("button[type=submit]")
    expect(page).to_have_url(served.url + path)
    expect(page.locator("#live")).to_have_text("live", timeout=10_000)
    return page


def in_thread(work: Any, *args: Any) -> None:
    """Run blocking database work (the daemon's own event loop) beside Playwright's loop."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work(*args)
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "the work did not finish in 120 s"
    if failure:
        raise failure[0]


def test_a_module_page_shows_a_status_change_without_reload(browser: Browser, db_dsn: str) -> None:
    with psycopg.connect(db_dsn, autocommit=True) as conn, serve(db_dsn) as served:
        company = ops.seed_company(conn)
        content = ops.new_content(conn, company, "Cash-flow forecasting")
        page = log_in(browser, served, f"/modules/{content}")
        expect(page.locator("h1")).to_have_text("Cash-flow forecasting")
        expect(page.locator("#module-status")).to_have_text("draft")
        page.evaluate("window.__sameDocument = true")
        ops.set_status(conn, content, "quality_check")
        expect(page.locator("#module-status")).to_have_text("quality_check", timeout=5_000)
        expect(page.locator("table.timeline")).to_contain_text("quality_check", timeout=5_000)
        assert page.evaluate("window.__sameDocument") is True  # no reload happened
        page.close()


def test_the_overview_ticker_says_it_waits_then_lists_each_change(
    browser: Browser, db_dsn: str
) -> None:
    with psycopg.connect(db_dsn, autocommit=True) as conn, serve(db_dsn) as served:
        company = ops.seed_company(conn)
        content = ops.new_content(conn, company, "Working capital")
        page = log_in(browser, served, "/")
        ticker = page.locator("#ticker")
        expect(ticker.locator("li")).to_have_count(1)
        expect(ticker.locator("li.ticker-empty")).to_contain_text("No status change")
        ops.set_status(conn, content, "quality_check")
        expect(ticker.locator("li.ticker-empty")).to_have_count(0, timeout=5_000)
        expect(ticker.locator("li").first).to_contain_text("cm_module_content.status: draft")
        page.close()


def test_a_company_page_moves_its_progress_bars_live(browser: Browser, db_dsn: str) -> None:
    with psycopg.connect(db_dsn, autocommit=True) as conn, serve(db_dsn) as served:
        company = ops.seed_company(conn)
        content = ops.new_content(conn, company, "Budget variance")
        session = conn.execute(
            "insert into mm_multimedia_sessions (content_id, company_id, module_name,"
            " employee_name) values (%s, %s, 'Budget variance', 'Ada') returning session_id",
            (content, company),
        ).fetchone()
        assert session is not None
        page = log_in(browser, served, f"/companies/{company}")
        bar = page.locator(f'[data-session="{session[0]}"] progress')
        expect(bar).to_have_attribute("value", "0")
        page.evaluate("window.__sameDocument = true")
        conn.execute(
            "update mm_multimedia_sessions set status = 'processing',"
            " current_stage = 'script_generation' where session_id = %s",
            session,
        )
        expect(bar).to_have_attribute("value", "10", timeout=5_000)
        conn.execute(
            "update mm_multimedia_sessions set current_stage = 'slide_generation'"
            " where session_id = %s",
            session,
        )
        expect(bar).to_have_attribute("value", "30", timeout=5_000)
        expect(page.locator(f'[data-module="{content}"] .stage')).to_have_text("slide_generation")
        assert page.evaluate("window.__sameDocument") is True
        page.close()


def test_replay_from_the_dead_letter_page_lands(browser: Browser, db_dsn: str) -> None:
    ops.subscribe_test_handlers(db_dsn)
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        company = ops.seed_company(conn)
        content = ops.new_content(conn, company, "Variance analysis")
        ops.set_status(conn, content, "quality_check")
        ops.BEHAVIOUR.broken = True
        try:
            in_thread(ops.run_daemon, db_dsn)
        finally:
            ops.BEHAVIOUR.broken = False
        dead = conn.execute(
            "select delivery_id from pipeline.deliveries where state = 'dead' and handler = %s",
            (ops.GRADER,),
        ).fetchone()
        assert dead is not None
        with serve(db_dsn) as served:
            page = log_in(browser, served, "/dead")
            group = page.locator("section.dead-group")
            expect(group).to_contain_text("grader bug: division by zero")
            group.locator("input[name=reason]").first.fill("grader fixed in 1.2.3")
            group.locator("input[name=by]").fill("Grace")
            group.locator("button[type=submit]").first.click()
            landed = page.locator(f'[data-delivery="{dead[0]}"]')
            expect(landed).to_have_text("pending")
            page.evaluate("window.__sameDocument = true")
            in_thread(ops.run_daemon, db_dsn)  # a daemon picks the replay up
            expect(landed).to_have_text("done", timeout=10_000)
            assert page.evaluate("window.__sameDocument") is True
            page.close()
        status = conn.execute(
            "select status from cm_module_content where content_id = %s", (content,)
        ).fetchone()
        action = conn.execute(
            "select actor, reason from pipeline.operator_actions where action = 'dead_retry'"
        ).fetchone()
    assert status == ("approved",)
    assert action is not None
    assert action[0].startswith("Grace (session ")
    assert action[1] == "grader fixed in 1.2.3"


def test_screenshots_of_a_demo_course(browser: Browser, db_dsn: str, tmp_path: Path) -> None:
    """The demo's course as the overview and its regenerated module's page show it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LXERA_")}
    env.update(DATABASE_URL=db_dsn, LXERA_DATA_DIR=str(tmp_path), COLUMNS="160")
    demo = subprocess.run(
        [
            sys.executable,
            "-m",
            "lxera_pipeline",
            "demo",
            "--no-dashboard",
            "--narration-seconds",
            "4",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        # the module the demo regenerated: version 2 is current, version 1 is kept
        module = conn.execute(
            "select content_id from mm_media_versions group by content_id having count(*) = 2"
        ).fetchone()
    assert module is not None
    SHOTS.mkdir(parents=True, exist_ok=True)
    daemon = subprocess.Popen(
        [sys.executable, "-m", "lxera_pipeline", "run", "--handlers", "content"],
        cwd=REPO_ROOT,
        env={**env, "LXERA_LOG_LEVEL": "warning"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with serve(db_dsn, storage_dir=tmp_path / "storage") as served:
            page = log_in(browser, served, "/")
            for _ in range(60):  # the daemon's heartbeat connection shows it alive
                if page.locator("#daemons-alive").inner_text() == "1":
                    break
                page.wait_for_timeout(500)
                page.reload()
            expect(page.locator("#daemons-alive")).to_have_text("1")
            page.screenshot(path=str(SHOTS / "dashboard-overview.png"), full_page=True)
            _module_shot(page, served, str(module[0]))
    finally:
        daemon.terminate()
        daemon.wait(30)
    for name in ("dashboard-overview.png", "dashboard-module.png"):
        assert (SHOTS / name).stat().st_size > 10_000


def _module_shot(page: Page, served: Served, module: str) -> None:
    page.goto(f"{served.url}/modules/{module}")
    expect(page.locator("#module-status")).to_have_text("published")
    expect(page.locator("video")).to_have_count(1)  # the current version's, not version 1's
    expect(page.locator(".earlier-versions summary")).to_contain_text("earlier media versions")
    page.screenshot(path=str(SHOTS / "dashboard-module.png"))
    page.close()
