"""The dashboard over real HTTP: auth (cookie, Bearer, login), CSRF, the audited actions (pause,
resume, cancel), clear 4xx answers for bad input, and the bind rule."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from pydantic import SecretStr
from starlette.exceptions import HTTPException

from lxera_pipeline.cli import cli
from lxera_pipeline.dashboard.pages import media_file
from lxera_pipeline.dashboard.server import BindRefusedError, check_bind
from lxera_pipeline.db.locks import lock_params
from lxera_pipeline.db.queries import load_query
from lxera_pipeline.settings import Settings
from tests.integration.dashboard_support import TOKEN, Served, serve
from tests.integration.operate_support import new_content, seed_company, set_status

TRACEBACK_MARKERS = ("Traceback", 'File "', "psycopg.", "Exception")


@pytest.fixture(scope="module")
def served(schema_dsn: str) -> Any:
    with serve(schema_dsn) as served:
        yield served


def csrf_of(html: str) -> str:
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def assert_clear(answer: Any, status: int) -> None:
    assert answer.status_code == status, answer.text
    assert not any(marker in answer.text for marker in TRACEBACK_MARKERS), answer.text


def test_healthz_needs_no_auth(served: Served) -> None:
    with served.client() as client:
        answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json()["listener"] is True


def test_without_auth_pages_redirect_and_apis_answer_401(served: Served) -> None:
    with served.client() as client:
        page = client.get("/queue")
        api = client.get("/api/stream")
        post = client.post("/groups/pause", data={"group": "content", "reason": "x"})
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/queue"
    assert_clear(api, 401)
    assert_clear(post, 401)


@pytest.mark.parametrize(
    "header", ["Bearer wrong-token", f"Bearer {TOKEN}x", "Basic abc", f"bearer {TOKEN}", ""]
)
def test_bad_bearer_tokens_are_refused(served: Served, header: str) -> None:
    with served.client(headers={"Authorization": header}) as client:
        assert_clear(client.get("/api/deliveries?ids=1"), 401)


def test_bearer_token_opens_the_api(served: Served) -> None:
    with served.client(headers=served.bearer()) as client:
        answer = client.get("/api/deliveries?ids=1")
    assert answer.status_code == 200
    assert answer.json() == {}


def test_failed_login_opens_nothing_and_good_login_sets_a_strict_cookie(served: Served) -> None:
    with served.client() as client:
        bad = client.post("/login", data={"token": "nope"})
        assert bad.status_code == 401
        assert "set-cookie" not in bad.headers
        assert client.get("/").status_code == 303
        empty = client.post("/login", data={"token": ""})
        assert empty.status_code == 401
        good = client.post("/login", data={"token": TOKEN, "next": "//evil.example/"})
    assert good.status_code == 303
    assert good.headers["location"] == "/"
    cookie = good.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert TOKEN not in good.headers["set-cookie"]
    with served.logged_in() as client:
        assert client.get("/").status_code == 200


def test_a_forged_cookie_is_refused(served: Served) -> None:
    with served.client(cookies={"lxera_dashboard": "0" * 32 + "." + "f" * 64}) as client:
        assert client.get("/").status_code == 303
        assert_clear(client.get("/api/stream"), 401)


def test_state_changes_need_the_sessions_csrf_token(served: Served, schema_dsn: str) -> None:
    with served.logged_in() as client, psycopg.connect(schema_dsn, autocommit=True) as conn:
        token = csrf_of(client.get("/queue").text)
        missing = client.post("/groups/pause", data={"group": "content", "reason": "maintenance"})
        forged = client.post(
            "/groups/pause", data={"group": "content", "reason": "maintenance", "csrf": "0" * 64}
        )
        assert_clear(missing, 403)
        assert_clear(forged, 403)
        with served.logged_in() as other:  # another session's token does not fit this one
            other_token = csrf_of(other.get("/queue").text)
        assert other_token != token
        crossed = client.post(
            "/groups/pause", data={"group": "content", "reason": "x", "csrf": other_token}
        )
        assert_clear(crossed, 403)
        paused = conn.execute("select count(*) from pipeline.paused_groups").fetchone()
        assert paused == (0,)


def test_pause_and_resume_need_a_reason_and_are_audited(served: Served, schema_dsn: str) -> None:
    with served.logged_in() as client, psycopg.connect(schema_dsn, autocommit=True) as conn:
        token = csrf_of(client.get("/queue").text)
        no_reason = client.post("/groups/pause", data={"group": "media", "csrf": token})
        assert_clear(no_reason, 400)
        unknown = client.post("/groups/pause", data={"group": "nope", "reason": "r", "csrf": token})
        assert_clear(unknown, 404)
        paused = client.post(
            "/groups/pause",
            data={"group": "media", "reason": "storage upgrade", "by": "Grace", "csrf": token},
        )
        assert paused.status_code == 303
        page = client.get("/queue").text
        assert "paused" in page
        assert "storage upgrade" in page
        row = conn.execute(
            "select paused_by, reason from pipeline.paused_groups where handler_group = 'media'"
        ).fetchone()
        assert row is not None
        assert row[0].startswith("Grace (session ")
        assert row[1] == "storage upgrade"
        resumed = client.post(
            "/groups/resume", data={"group": "media", "reason": "upgrade done", "csrf": token}
        )
        assert resumed.status_code == 303
        gone = conn.execute("select count(*) from pipeline.paused_groups").fetchone()
        assert gone == (0,)
        actions = conn.execute(
            "select action, target, reason, actor from pipeline.operator_actions"
            " where target = 'media' order by action_id"
        ).fetchall()
    assert [(a[0], a[1], a[2]) for a in actions] == [
        ("pause", "media", "storage upgrade"),
        ("resume", "media", "upgrade done"),
    ]
    assert all("127.0.0.1" in a[3] for a in actions)


def _claim(conn: psycopg.Connection[Any], handler: str) -> list[Any]:
    return conn.execute(
        load_query("claim_deliveries"),
        {
            "handlers": [handler],
            "leases": [30.0],
            "lease": 30.0,
            "limit": 10,
            "worker": "t",
            **lock_params(),
        },
    ).fetchall()


def test_a_paused_group_is_not_claimed_until_resumed(schema_dsn: str, served: Served) -> None:
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        company = seed_company(conn)
        content = new_content(conn, company)
        set_status(conn, content, "quality_check")
        conn.execute(load_query("route_events"))
        handler = conn.execute(
            "select d.handler from pipeline.deliveries d where d.entity_id = %s"
            " and d.state = 'pending' limit 1",
            (content,),
        ).fetchone()
        assert handler is not None
        group = conn.execute(
            "select handler_group from pipeline.subscriptions where handler = %s", handler
        ).fetchone()
        assert group is not None
        with served.client(headers=served.bearer()) as client:
            paused = client.post("/groups/pause", data={"group": group[0], "reason": "hold"})
            assert paused.status_code == 200
            assert paused.json() == {"paused": True}
            assert _claim(conn, handler[0]) == []  # the daemons stop claiming it
            resumed = client.post("/groups/resume", data={"group": group[0], "reason": "go"})
            assert resumed.json() == {"resumed": True}
        claimed = _claim(conn, handler[0])
    assert [row[2] for row in claimed] == [handler[0]]


def test_cancel_a_pending_delivery_is_audited(schema_dsn: str, served: Served) -> None:
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        company = seed_company(conn)
        content = new_content(conn, company)
        conn.execute(load_query("route_events"))
        row = conn.execute(
            "select delivery_id from pipeline.deliveries where entity_id = %s and state = 'pending'"
            " limit 1",
            (content,),
        ).fetchone()
        assert row is not None
        with served.logged_in() as client:
            token = csrf_of(client.get("/queue").text)
            data = {"delivery_id": str(row[0]), "reason": "duplicate", "csrf": token}
            assert client.post("/deliveries/cancel", data=data).status_code == 303
            again = client.post("/deliveries/cancel", data=data)
            assert_clear(again, 409)
        state = conn.execute(
            "select state from pipeline.deliveries where delivery_id = %s", row
        ).fetchone()
        audit = conn.execute(
            "select outcome, detail->>'reason' from pipeline.audit_log where delivery_id = %s",
            row,
        ).fetchone()
    assert state == ("skipped",)
    assert audit == ("skipped", "duplicate")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/modules/not-a-uuid", 404),
        (f"/modules/{uuid.uuid4()}", 404),
        (f"/companies/{uuid.uuid4()}", 404),
        ("/media/../../etc/passwd", 404),
        (f"/media/{uuid.uuid4()}", 404),
        ("/api/deliveries?ids=abc", 400),
        ("/api/stream?company_id=nope", 400),
    ],
)
def test_bad_ids_get_a_clear_4xx(served: Served, path: str, status: int) -> None:
    with served.logged_in() as client:
        assert_clear(client.get(path), status)


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "9" * 30, "12 13", "0x10"])
def test_a_malformed_last_event_id_is_a_clear_400(served: Served, value: str) -> None:
    with served.client(headers={**served.bearer(), "Last-Event-ID": value}) as client:
        answer = client.get("/api/stream")
    assert_clear(answer, 400)
    assert "Last-Event-ID" in answer.json()["error"]


def test_forms_have_limits(served: Served) -> None:
    with served.client(headers=served.bearer()) as client:
        huge = client.post("/groups/pause", data={"group": "media", "reason": "x" * 20000})
        long_reason = client.post("/groups/pause", data={"group": "media", "reason": "x" * 501})
        as_json = client.post("/groups/pause", json={"group": "media", "reason": "x"})
    assert_clear(huge, 413)
    assert_clear(long_reason, 400)
    assert_clear(as_json, 415)


def test_media_never_leaves_the_storage_root(tmp_path: Any) -> None:
    (tmp_path / "root" / "bucket").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("no")
    (tmp_path / "root" / "bucket" / "ok.mp4").write_bytes(b"\0")
    assert media_file(tmp_path / "root", "bucket", "ok.mp4").name == "ok.mp4"
    for bucket, key in (("bucket", "../../secret.txt"), ("..", "secret.txt"), ("bucket", None)):
        with pytest.raises(HTTPException) as caught:
            media_file(tmp_path / "root", bucket, key)
        assert getattr(caught.value, "status_code", None) == 404


def test_no_token_means_loopback_only() -> None:
    open_settings = Settings(dashboard_token=None)
    for host in ("127.0.0.1", "localhost", "::1"):
        check_bind(host, open_settings)
    for host in ("0.0.0.0", "192.168.1.10", "::", "example.com"):
        with pytest.raises(BindRefusedError, match="LXERA_DASHBOARD_TOKEN"):
            check_bind(host, open_settings)
    check_bind("0.0.0.0", Settings(dashboard_token=SecretStr("t")))


def test_the_command_refuses_a_public_bind_without_a_token_and_hides_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LXERA_DASHBOARD_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["dashboard", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2
    assert "LXERA_DASHBOARD_TOKEN" in result.output
    monkeypatch.setenv("LXERA_DASHBOARD_TOKEN", "s3cret-value")
    shown = CliRunner().invoke(cli, ["dashboard", "--help"])
    assert "s3cret-value" not in shown.output
    assert "s3cret-value" not in repr(Settings())


def test_without_a_token_the_local_operator_still_needs_csrf(schema_dsn: str) -> None:
    with serve(schema_dsn, token=None) as open_served, open_served.client() as client:
        page = client.get("/queue")
        assert page.status_code == 200
        assert_clear(client.post("/groups/pause", data={"group": "media", "reason": "x"}), 403)
        token = csrf_of(page.text)
        ok = client.post("/groups/pause", data={"group": "media", "reason": "x", "csrf": token})
        assert ok.status_code == 303
        client.post("/groups/resume", data={"group": "media", "reason": "x", "csrf": token})


def _dead_deliveries(conn: psycopg.Connection[Any], count: int, error: str) -> list[int]:
    """Pending deliveries of fresh modules, marked dead with ``error`` (as a daemon would)."""
    company = seed_company(conn)
    ids = []
    for index in range(count):
        content = new_content(conn, company, f"Module {index}")
        conn.execute(load_query("route_events"))
        row = conn.execute(
            "update pipeline.deliveries set state = 'dead', attempts = max_attempts,"
            " finished_at = now(), last_error = %s"
            " where delivery_id = (select min(delivery_id) from pipeline.deliveries"
            "  where entity_id = %s and state = 'pending') returning delivery_id",
            (error, content),
        ).fetchone()
        assert row is not None
        ids.append(int(row[0]))
    return ids


def test_a_dead_letter_group_is_replayed_at_once_with_a_reason(
    schema_dsn: str, served: Served
) -> None:
    error = f"ValueError: bad section {uuid.uuid4().hex[:6]}"
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        ids = _dead_deliveries(conn, 2, error)
        with served.logged_in() as client:
            page = client.get("/dead").text
            assert error in page
            assert f"{ids[0]},{ids[1]}" in page
            token = csrf_of(page)
            data = {"delivery_id": f"{ids[0]},{ids[1]}", "csrf": token}
            assert_clear(client.post("/dead/retry", data=data), 400)  # no reason
            answer = client.post("/dead/retry", data={**data, "reason": "section parser fixed"})
            assert answer.status_code == 303
            again = client.post("/dead/retry", data={**data, "reason": "twice"})
            assert_clear(again, 404)  # nothing dead any more
        states = conn.execute(
            "select state from pipeline.deliveries where delivery_id = any(%s)", (ids,)
        ).fetchall()
        audit = conn.execute(
            "select count(*) from pipeline.audit_log where delivery_id = any(%s)"
            " and detail->>'action' = 'dead_retry' and detail->>'reason' = 'section parser fixed'",
            (ids,),
        ).fetchone()
        action = conn.execute(
            "select target, actor from pipeline.operator_actions where action = 'dead_retry'"
            " and reason = 'section parser fixed'"
        ).fetchone()
    assert [s[0] for s in states] == ["pending", "pending"]
    assert audit == (2,)
    assert action is not None
    assert action[0] == f"{ids[0]},{ids[1]}"
    assert "session" in action[1]


def test_the_dry_run_page_shows_what_a_replay_would_do_and_keeps_nothing(
    schema_dsn: str, served: Served
) -> None:
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        (dead,) = _dead_deliveries(conn, 1, "RuntimeError: flaky")
        handler = conn.execute(
            "select handler from pipeline.deliveries where delivery_id = %s", (dead,)
        ).fetchone()
        assert handler is not None
        before = conn.execute("select count(*) from pipeline.events").fetchone()
        with served.logged_in() as client:
            page = client.get(f"/dead/dry-run?delivery_id={dead}")
            assert_clear(client.get("/dead/dry-run?delivery_id=99999999"), 404)
            assert_clear(client.get("/dead/dry-run?delivery_id=x"), 400)
        after = conn.execute("select count(*) from pipeline.events").fetchone()
    assert page.status_code == 200, page.text
    assert handler[0] in page.text
    assert "rolled back" in page.text
    assert before == after


def test_the_company_page_shows_plans_modules_and_media_progress(
    schema_dsn: str, served: Served
) -> None:
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        company = seed_company(conn)
        content = new_content(conn, company, "Forecasting basics")
        session = conn.execute(
            "insert into mm_multimedia_sessions (content_id, company_id, module_name,"
            " employee_name) values (%s, %s, 'Forecasting basics', 'Ada Lovelace')"
            " returning session_id",
            (content, company),
        ).fetchone()
        assert session is not None
        conn.execute(
            "update mm_multimedia_sessions set status = 'processing' where session_id = %s",
            session,
        )
        for stage in ("script_generation", "slide_generation", "audio_generation"):
            conn.execute(
                "update mm_multimedia_sessions set current_stage = %s where session_id = %s",
                (stage, session[0]),
            )
        with served.logged_in() as client:
            page = client.get(f"/companies/{company}").text
            fragment = client.get(f"/companies/{company}?fragment=1").text
    assert "Forecasting basics" in page
    assert f'href="/modules/{content}"' in page
    assert '<progress max="100" value="50">' in page
    assert "audio_generation" in page
    assert "<html" not in fragment
    assert "audio_generation" in fragment


def test_the_overview_counts_daemons_by_their_advertised_handlers(
    schema_dsn: str, served: Served
) -> None:
    worker = f"w-{uuid.uuid4().hex[:6]}"
    name = f"lxera-pipeline:{worker}:listener"
    with served.logged_in() as client:
        assert worker not in client.get("/").text
        with psycopg.connect(schema_dsn, autocommit=True, application_name=name) as conn:
            assert worker not in client.get("/").text  # connected, serving nothing: not a daemon
            conn.execute(
                load_query("advertise_handlers"), {"handlers": ["content.write"], **lock_params()}
            )
            page = client.get("/").text
        gone = client.get("/").text
    assert worker in page
    assert worker not in gone


def test_media_plays_from_local_storage(schema_dsn: str, tmp_path: Any) -> None:
    video = tmp_path / "storage" / "multimedia-assets" / "video" / "intro" / "intro.mp4"
    video.parent.mkdir(parents=True)
    video.write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * 64)
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        company = seed_company(conn)
        content = new_content(conn, company, "Media")
        session = conn.execute(
            "insert into mm_multimedia_sessions (content_id, company_id, module_name,"
            " employee_name) values (%s, %s, 'Media', 'Ada') returning session_id",
            (content, company),
        ).fetchone()
        assert session is not None
        asset, escape = (
            conn.execute(
                "insert into mm_multimedia_assets (session_id, content_id, company_id,"
                " asset_type, asset_name, file_path, storage_path)"
                " values (%s, %s, %s, 'video', %s, %s, %s) returning asset_id",
                (session[0], content, company, name, f"/x/{name}", path),
            ).fetchone()
            for name, path in (("intro.mp4", "video/intro/intro.mp4"), ("x", "../../../etc/passwd"))
        )
    assert asset is not None
    assert escape is not None
    with serve(schema_dsn, storage_dir=tmp_path / "storage") as media_served:
        with media_served.logged_in() as client:
            page = client.get(f"/modules/{content}").text
            played = client.get(f"/media/{asset[0]}")
            refused = client.get(f"/media/{escape[0]}")
        with media_served.client() as anonymous:
            assert anonymous.get(f"/media/{asset[0]}").status_code == 401
    assert f'<video controls preload="metadata" src="/media/{asset[0]}">' in page
    assert played.status_code == 200
    assert played.headers["content-type"] == "video/mp4"
    assert played.content == video.read_bytes()
    assert_clear(refused, 404)


def test_an_event_is_replayed_from_the_module_page_with_a_reason(
    schema_dsn: str, served: Served
) -> None:
    with psycopg.connect(schema_dsn, autocommit=True) as conn:
        company = seed_company(conn)
        content = new_content(conn, company, "Replayable")
        set_status(conn, content, "quality_check")
        conn.execute(load_query("route_events"))
        conn.execute(
            "update pipeline.deliveries set state = 'done', finished_at = now()"
            " where entity_id = %s",
            (content,),
        )
        event = conn.execute(
            "select event_id from pipeline.events where entity_id = %s"
            " and new_status = 'quality_check'",
            (content,),
        ).fetchone()
        draft = conn.execute(
            "select event_id from pipeline.events where entity_id = %s and new_status = 'draft'",
            (content,),
        ).fetchone()
        assert event is not None
        assert draft is not None
        with served.logged_in() as client:
            page = client.get(f"/modules/{content}").text
            token = csrf_of(page)
            assert f'name="event_id" value="{event[0]}"' in page
            data = {"event_id": str(event[0]), "back": f"/modules/{content}", "csrf": token}
            assert_clear(client.post("/events/replay", data=data), 400)  # no reason
            answer = client.post(
                "/events/replay", data={**data, "reason": "gate was misconfigured"}
            )
            assert answer.status_code == 303
            assert answer.headers["location"].startswith(f"/modules/{content}?")
            twice = client.post("/events/replay", data={**data, "reason": "again"})
            assert_clear(twice, 409)  # its replay delivery is still pending
            moved = client.post(
                "/events/replay", data={**data, "event_id": str(draft[0]), "reason": "old"}
            )
            assert_clear(moved, 409)  # the module is no longer a draft
            assert "now" in moved.text
        replays = conn.execute(
            "select replay_by, replay_reason from pipeline.deliveries"
            " where event_id = %s and is_replay",
            event,
        ).fetchall()
        action = conn.execute(
            "select target from pipeline.operator_actions where action = 'replay'"
            " and reason = 'gate was misconfigured'"
        ).fetchone()
    assert replays
    assert all(r[1] == "gate was misconfigured" and "session" in r[0] for r in replays)
    assert action == (str(event[0]),)


def test_the_command_says_when_the_database_is_not_ready(
    monkeypatch: pytest.MonkeyPatch, pg_server: Any
) -> None:
    name = f"lxera_bare_{uuid.uuid4().hex[:8]}"
    pg_server.recreate_database(name)
    try:
        monkeypatch.setenv("DATABASE_URL", pg_server.dsn_for(name))
        bare = CliRunner().invoke(cli, ["dashboard", "--port", "1"])
        monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none")
        down = CliRunner().invoke(cli, ["dashboard", "--port", "1"])
    finally:
        pg_server.drop_database(name)
    assert bare.exit_code == 1
    assert "lxera-pipeline migrate" in bare.output
    assert down.exit_code == 1
    assert "cannot reach the database" in down.output
    assert "Traceback" not in bare.output + down.output


def test_pages_load_nothing_from_elsewhere(served: Served) -> None:
    with served.logged_in() as client:
        page = client.get("/")
        script = client.get("/static/dashboard.js")
        style = client.get("/static/dashboard.css")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    for text in (page.text, script.text, style.text):
        assert script.status_code == style.status_code == 200
        assert "//cdn" not in text
        assert 'src="http' not in text
        assert 'href="http' not in text
        assert "@import" not in text
