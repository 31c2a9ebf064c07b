"""No secret is ever printed: the real `lxera-pipeline run`, configured with known secret values (a
DATABASE_URL password and the LLM, speech and Supabase keys), is made to fail every way an
operator meets (HTTP port in use, wrong password, unreachable or hanging server, bad settings, a
handler crash and its dead letter, whose on-dead hook crashes too) and is scraped while it runs
(/healthz, /readyz, /metrics, `run --help`, `dead list`). No output contains any secret value.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import psycopg.conninfo
import pytest

from lxera_pipeline.db.dsn import resolve_dsn
from lxera_pipeline.handlers.registry import registry
from lxera_pipeline.handlers.sync import sync_subscriptions_sync
from lxera_pipeline.listeners.config import DaemonConfig
from lxera_pipeline.redact import MASK
from lxera_pipeline.settings import Settings
from tests.acceptance.private_server import PrivateServer
from tests.acceptance.support import execute, fetch, free_port, wait_until
from tests.security import secret_handlers
from tests.security.cli_support import CLI, REPO_ROOT, Ran, clean_env, run_cli
from tests.support.fake_postgres import fake_postgres

pytestmark = pytest.mark.acceptance

PASSWORD = "pw-7f3c9e1d4a"
KEYS = {
    "LXERA_LLM_API_KEY": "sk-llm-5b2e8a41c7",
    "LXERA_TTS_API_KEY": "sk-tts-93d0f6b2e5",
    "LXERA_SUPABASE_KEY": "sb-service-c41a7e9f08",
    "LXERA_STORAGE_SIGNING_KEY": "sign-key-6d2b90e7a3",
    "LXERA_DASHBOARD_TOKEN": "dash-token-58c3e1a9b4",
}
# Each value, and its random core (so a truncated or re-encoded copy is caught too).
SECRETS = [PASSWORD, *KEYS.values()]
CORES = [value.rsplit("-", 1)[1] for value in SECRETS]
HANDLERS = "tests.security.secret_handlers"


def leaks(text: str) -> list[str]:
    return [value for value in [*SECRETS, *CORES] if value in text]


def assert_no_secret(*texts: str) -> None:
    found = leaks("\n".join(texts))
    assert found == [], f"secret values printed: {found}"


def with_password(dsn: str) -> str:
    return psycopg.conninfo.make_conninfo(dsn, password=PASSWORD)


def secret_env(tmp_path: Path, dsn: str, **values: str) -> dict[str, str]:
    return clean_env(tmp_path / "data", DATABASE_URL=dsn, **KEYS, **values)


def assert_one_line_failure(ran: Ran, code: int, *words: str) -> str:
    lines = ran.error_lines()
    assert ran.code == code, ran.output
    assert lines, "no error message"
    last = lines[-1]
    assert last.startswith("error: "), ran.output
    assert "Traceback" not in ran.output, ran.output
    for word in words:
        assert word in last, last
    return last


@pytest.fixture
def occupied_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("0.0.0.0", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_port_in_use(db_dsn: str, tmp_path: Path, occupied_port: int, debug: bool) -> None:
    env = secret_env(tmp_path, with_password(db_dsn))
    args = ["--debug"] if debug else []
    ran = run_cli(*args, "run", "--handlers", HANDLERS, "--http-port", str(occupied_port), env=env)
    assert ran.code == 1, ran.output
    assert f"the HTTP port {occupied_port}" in ran.error_lines()[-1]
    if debug:
        assert "Traceback" in ran.stderr  # the traceback, without any frame's variables
    else:
        assert_one_line_failure(ran, 1, "--http-port")
    assert_no_secret(ran.output)


def test_wrong_password(tmp_path: Path) -> None:
    with fake_postgres("password") as server:
        env = secret_env(tmp_path, server.dsn(password=PASSWORD))
        for command in (["run"], ["migrate"], ["--debug", "run"]):
            ran = run_cli(*command, env=env)
            line = ran.error_lines()[-1]
            assert ran.code == 1, ran.output
            assert "password authentication failed" in line
            assert "check the user and password in DATABASE_URL" in line
            assert_no_secret(ran.output)
        assert server.received  # the secret was in play ...
        assert set(server.received) == {PASSWORD}  # ... and sent to the server alone


@pytest.fixture(scope="module")
def password_server() -> Iterator[str]:
    """A private PostgreSQL where the role ``lxera_sec`` must log in with its (other) password;
    the DSN of that role, carrying the known secret as a wrong password."""
    server = PrivateServer.start_in(Path(tempfile.mkdtemp(prefix="lxera-sec-pg-")))
    try:
        hba = server.pgdata / "pg_hba.conf"
        owner = hba.stat()
        hba.write_text("local all lxera_sec scram-sha-256\n" + hba.read_text())
        os.chown(hba, owner.st_uid, owner.st_gid)
        with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
            conn.execute("create role lxera_sec login password 'the-right-one-1f9a'")
            conn.execute("select pg_reload_conf()")
        yield psycopg.conninfo.make_conninfo(server.admin_dsn, user="lxera_sec", password=PASSWORD)
    finally:
        server.close()


def test_wrong_password_on_a_real_server(password_server: str, tmp_path: Path) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(password_server).close()  # the server really asks for the password
    env = secret_env(tmp_path, password_server)
    for command in (["run"], ["migrate"], ["events", "list"], ["--debug", "run"]):
        ran = run_cli(*command, env=env)
        assert ran.code == 1, ran.output
        assert 'password authentication failed for user "lxera_sec"' in ran.error_lines()[-1]
        assert_no_secret(ran.output)


def test_unreachable_and_hanging_server(tmp_path: Path) -> None:
    closed = f"postgresql://lxera:{PASSWORD}@127.0.0.1:{free_port()}/lxera"
    ran = run_cli("run", env=secret_env(tmp_path, closed))
    assert_one_line_failure(ran, 1, "cannot reach the database", "check DATABASE_URL")
    assert_no_secret(ran.output)

    with fake_postgres("silent") as server:
        env = secret_env(tmp_path, server.dsn(password=PASSWORD), LXERA_CONNECT_TIMEOUT_SECONDS="2")
        ran = run_cli("run", env=env)
        assert_one_line_failure(ran, 1, "did not answer within 2 s")
        assert ran.seconds < 15
        assert_no_secret(ran.output)


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"LXERA_CONCURRENCY": "0"}, ["LXERA_CONCURRENCY"]),
        ({"LXERA_LOG_LEVEL": "loud"}, ["LXERA_LOG_LEVEL"]),
        ({"LXERA_POOL_SIZE": PASSWORD}, ["LXERA_POOL_SIZE"]),
        ({"LXERA_LISTEN_DATABASE_URL": f"postgresql://u:{PASSWORD}@h:6543/db"}, ["6543"]),
    ],
    ids=["range", "choice", "secret-as-value", "pooler"],
)
def test_bad_settings(tmp_path: Path, values: dict[str, str], words: list[str]) -> None:
    dsn = f"postgresql://lxera:{PASSWORD}@127.0.0.1:1/lxera"
    for command in (["run"], ["--debug", "run"]):
        ran = run_cli(*command, env=secret_env(tmp_path, dsn, **values))
        assert ran.code == 2, ran.output
        for word in words:
            assert word in ran.error_lines()[-1]
        assert_no_secret(ran.output)


@pytest.mark.parametrize(
    "dsn",
    [
        f"postgresql://lxera:{PASSWORD}@127.0.0.1:5432/lxera?no_such_option={PASSWORD}",
        # the password pasted where the port goes: the driver's message quotes it
        f"postgresql://lxera:{PASSWORD}@127.0.0.1:{PASSWORD}/lxera",
    ],
    ids=["unknown-option", "password-as-port"],
)
def test_malformed_dsn(tmp_path: Path, dsn: str) -> None:
    for command in (["run"], ["migrate"], ["events", "list"], ["--debug", "migrate"]):
        ran = run_cli(*command, env=secret_env(tmp_path, dsn))
        assert ran.code in (1, 2), ran.output
        assert ran.error_lines()[-1].startswith("error: ")
        assert ("Traceback" in ran.output) == ("--debug" in command)
        assert_no_secret(ran.output)


def test_settings_never_show_their_secrets(tmp_path: Path) -> None:
    dsn = f"postgresql://lxera:{PASSWORD}@127.0.0.1:5432/lxera"
    settings = Settings(
        database_url=dsn,
        listen_database_url=dsn,
        llm_api_key=KEYS["LXERA_LLM_API_KEY"],
        tts_api_key=KEYS["LXERA_TTS_API_KEY"],
        supabase_key=KEYS["LXERA_SUPABASE_KEY"],
        storage_signing_key=KEYS["LXERA_STORAGE_SIGNING_KEY"],
        dashboard_token=KEYS["LXERA_DASHBOARD_TOKEN"],
        data_dir=tmp_path,
    )
    config = DaemonConfig.from_settings(settings, resolve_dsn(settings))
    shown = [repr(settings), str(settings), str(settings.model_dump()), repr(config)]
    shown += [settings.model_dump_json(), str(config.describe())]
    assert_no_secret(*shown)
    assert f"password={MASK}" in str(settings.database_url)
    assert resolve_dsn(settings) == dsn  # the one place that connects gets the real value


def test_help_shows_no_secret(tmp_path: Path) -> None:
    env = secret_env(tmp_path, "postgresql://lxera:" + PASSWORD + "@127.0.0.1:1/lxera")
    for args in (["--help"], ["run", "--help"], ["migrate", "--help"], ["demo", "--help"]):
        ran = run_cli(*args, env=env)
        assert ran.code == 0, ran.output
        assert_no_secret(ran.output)


def scrape(port: int) -> dict[str, str]:
    pages = {}
    for path in ("/healthz", "/readyz", "/metrics"):
        response = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5)
        pages[path] = f"{response.status_code} {response.headers} {response.text}"
    return pages


def test_running_daemon_with_a_crashing_handler_and_dead_letter(
    db_dsn: str, tmp_path: Path
) -> None:
    execute(db_dsn, secret_handlers.SCHEMA)
    sync_subscriptions_sync(db_dsn, registry.select(HANDLERS))
    port = free_port()
    env = secret_env(
        tmp_path, with_password(db_dsn), LXERA_HTTP_PORT=str(port), LXERA_LOG_LEVEL="debug"
    )
    log_path = tmp_path / "daemon.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [CLI, "run", "--handlers", HANDLERS, "--poll-seconds", "0.5"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: _ready(port, proc), 30, "the daemon's /readyz")
        job = uuid.uuid4()
        execute(db_dsn, f"insert into public.sec_jobs (id, status) values ('{job}', 'crash')")

        def dead() -> bool:
            rows = fetch(
                db_dsn,
                "select state from pipeline.deliveries where handler = 'security.crash'",
            )
            return bool(rows) and rows[0]["state"] == "dead"

        wait_until(dead, 30, "the dead letter")
        wait_until(lambda: "delivery.on_dead_failed" in log_path.read_text(), 10, "hook log")
        pages = scrape(port)
        dead_list = run_cli("dead", "list", "--json", env=env)
        assert dead_list.code == 0, dead_list.output
        assert "handler crashed on purpose" in dead_list.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    log_text = log_path.read_text(errors="replace")
    assert "CrashError" in log_text  # the hook's traceback was logged ...
    assert "password=***" in log_text  # ... and the start-up line, DSN masked
    assert_no_secret(log_text, dead_list.output, *pages.values())  # ... and no secret anywhere
    stored = fetch(
        db_dsn,
        "select d.last_error, a.error, a.traceback, a.detail::text from pipeline.deliveries d"
        " join pipeline.audit_log a using (delivery_id) where d.handler = 'security.crash'",
    )
    assert stored, "no audit row"
    assert_no_secret(repr(stored))


def _ready(port: int, proc: subprocess.Popen[bytes]) -> bool:
    if proc.poll() is not None:
        raise AssertionError(f"the daemon exited with {proc.returncode}")
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        time.sleep(0.1)
        return False
