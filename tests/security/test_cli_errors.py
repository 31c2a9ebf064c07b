"""Every operator mistake is one line on stderr, exit 2 (usage, configuration) or 1 (run time), and
no traceback unless ``--debug``: the real console script, run as a subprocess."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from lxera_pipeline.db.server import MIN_SERVER_VERSION_TEXT
from tests.acceptance.support import free_port
from tests.security.cli_support import CLI, REPO_ROOT, Ran, clean_env, run_cli
from tests.support.fake_postgres import fake_postgres

pytestmark = pytest.mark.acceptance

HIDE_MODULES = """
import importlib.abc, os

class _Hide(importlib.abc.MetaPathFinder):
    hidden = set(os.environ.get("HIDE_MODULES", "").split(","))

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.hidden:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

import sys
sys.meta_path.insert(0, _Hide())
"""


def one_line(ran: Ran, code: int, *words: str) -> str:
    """The single stderr line of a failure, checked: exit code, no traceback, the words."""
    lines = ran.error_lines()
    assert ran.code == code, ran.output
    assert len(lines) == 1, ran.stderr
    assert "Traceback" not in ran.output
    [line] = lines
    assert line.startswith("error: "), line
    for word in words:
        assert word in line, line
    return line


@pytest.fixture
def env(db_dsn: str, tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path / "data", DATABASE_URL=db_dsn)


@pytest.mark.parametrize(
    "args",
    [
        ("events", "list", "--since", "9999999999999999999h"),
        ("tail", "--since", "99999999999d"),
        ("replay", "--since", "99999999999w", "--dry-run"),
        ("prune", "--older-than", "99999999999999d"),
        ("dead", "list", "--since", "1000000000000000000000s"),
    ],
    ids=["events", "tail", "replay", "prune", "dead"],
)
def test_huge_durations(env: dict[str, str], args: tuple[str, ...]) -> None:
    one_line(run_cli(*args, env=env), 2, "longer than the maximum of 36500 days")


def test_non_utf8_argument(env: dict[str, str]) -> None:
    done = subprocess.run(
        [CLI.encode(), b"events", b"list", b"--table", b"caf\xe9"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    ran = Ran(done.returncode, done.stdout.decode(), done.stderr.decode(), 0.0)
    one_line(ran, 2, "argument 4", "caf\\xe9", "not valid UTF-8")


@pytest.mark.parametrize(
    ("values", "args", "words"),
    [
        ({"LXERA_LOG_LEVEL": "loud"}, ("run",), ["LXERA_LOG_LEVEL", "debug, info, warning"]),
        ({"LXERA_LOG_FORMAT": "xml"}, ("migrate",), ["LXERA_LOG_FORMAT"]),
        ({"LXERA_CONCURRENCY": "many"}, ("run",), ["LXERA_CONCURRENCY", "integer"]),
        ({"LXERA_CONNECT_TIMEOUT_SECONDS": "-1"}, ("events", "list"), ["CONNECT_TIMEOUT"]),
        ({}, ("run", "--concurrency", "0"), ["--concurrency", "greater than or equal to 1"]),
        ({}, ("run", "--concurrency", "abc"), ["'abc' is not a valid integer", "run --help"]),
        ({}, ("no-such-command",), ["No such command"]),
        ({}, ("run", "--heartbeat-seconds", "60"), ["heartbeat_seconds"]),
    ],
    ids=[
        "log-level",
        "log-format",
        "int",
        "timeout",
        "option-range",
        "option-type",
        "cmd",
        "combo",
    ],
)
def test_bad_configuration_and_usage(
    env: dict[str, str], values: dict[str, str], args: tuple[str, ...], words: list[str]
) -> None:
    one_line(run_cli(*args, env={**env, **values}), 2, *words)


@pytest.mark.parametrize("command", [("run",), ("migrate",), ("events", "list")])
def test_refused_connection(tmp_path: Path, command: tuple[str, ...]) -> None:
    # a one-letter password is masked where it stands alone, and "port" stays "port"
    url = f"postgresql://lxera:p@127.0.0.1:{free_port()}/lxera"
    ran = run_cli(*command, env=clean_env(tmp_path, DATABASE_URL=url))
    one_line(ran, 1, "127.0.0.1", "DATABASE_URL", "port")
    assert ran.seconds < 15


def test_a_hanging_server_is_reported_within_15_seconds(tmp_path: Path) -> None:
    with fake_postgres("silent") as server:
        env = clean_env(tmp_path, DATABASE_URL=server.dsn())
        for command in (("run",), ("migrate",)):
            ran = run_cli(*command, env=env, timeout=40)
            one_line(ran, 1, "did not answer within 10 s", "DATABASE_URL")
            assert ran.seconds < 15
        for operator in (("events", "list"), ("dead", "list")):
            ran = run_cli(*operator, env={**env, "LXERA_CONNECT_TIMEOUT_SECONDS": "2"}, timeout=40)
            one_line(ran, 1, "did not answer within LXERA_CONNECT_TIMEOUT_SECONDS", "DATABASE_URL")
            assert ran.seconds < 15


@pytest.mark.parametrize("command", [("run",), ("migrate",)])
def test_unsupported_server_version(tmp_path: Path, command: tuple[str, ...]) -> None:
    with fake_postgres("version", server_version="14.9") as server:
        ran = run_cli(*command, env=clean_env(tmp_path, DATABASE_URL=server.dsn()))
    one_line(ran, 1, "PostgreSQL 14.9", f"PostgreSQL {MIN_SERVER_VERSION_TEXT} or newer")


def test_occupied_port(env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ran = run_cli("run", "--http-port", str(port), env=env)
    one_line(ran, 1, f"the HTTP port {port}", "--http-port", "LXERA_HTTP_PORT")


def test_debug_adds_the_traceback(tmp_path: Path) -> None:
    env = clean_env(tmp_path, DATABASE_URL=f"postgresql://lxera@127.0.0.1:{free_port()}/lxera")
    ran = run_cli("--debug", "migrate", env=env)
    assert ran.code == 1
    assert "Traceback (most recent call last)" in ran.stderr
    assert ran.error_lines()[-1].startswith("error: cannot reach the database")


def hidden(env: dict[str, str], tmp_path: Path, *modules: str) -> dict[str, str]:
    """``env`` in which ``modules`` cannot be imported, as if their extra were not installed."""
    shim = tmp_path / "shim"
    shim.mkdir(exist_ok=True)
    (shim / "sitecustomize.py").write_text(HIDE_MODULES)
    return {**env, "PYTHONPATH": f"{shim}:{env['PYTHONPATH']}", "HIDE_MODULES": ",".join(modules)}


@pytest.mark.parametrize(
    ("args", "values", "extra"),
    [
        (("demo",), {}, "speech"),
        (("run", "--handlers", "media"), {}, "speech"),
        (("run",), {"LXERA_TTS_BASE_URL": "http://127.0.0.1:9/v1"}, None),
        (("run", "--handlers", "all"), {"LXERA_STORAGE_BACKEND": "supabase"}, "speech,supabase"),
        (
            ("demo",),
            {"LXERA_STORAGE_BACKEND": "supabase", "LXERA_TTS_BASE_URL": "http://127.0.0.1:9/v1"},
            "supabase",
        ),
    ],
    ids=["demo", "run-media", "run-speech-endpoint", "run-supabase", "demo-supabase"],
)
def test_missing_extras_are_named_before_starting(
    env: dict[str, str],
    tmp_path: Path,
    args: tuple[str, ...],
    values: dict[str, str],
    extra: str | None,
) -> None:
    blocked = hidden({**env, **values}, tmp_path, "espeakng_loader", "supabase")
    if extra is None:  # the speech endpoint replaces espeak-ng: nothing is missing
        blocked["DATABASE_URL"] = f"postgresql://lxera@127.0.0.1:{free_port()}/lxera"
        one_line(run_cli(*args, env=blocked), 1, "cannot reach the database")
        return
    one_line(run_cli(*args, env=blocked), 2, f"pip install 'lxera-pipeline[{extra}]'")


def test_extras_hidden_this_way_do_fail_to_import(env: dict[str, str], tmp_path: Path) -> None:
    probe = "import importlib.util as u; print(u.find_spec('espeakng_loader'))"
    import sys

    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=hidden(env, tmp_path, "espeakng_loader"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "ModuleNotFoundError" in done.stderr


@pytest.mark.parametrize("args", [(), ("events",), ("dead",)])
def test_a_group_without_its_command_shows_its_help(tmp_path: Path, args: tuple[str, ...]) -> None:
    ran = run_cli(*args, env=clean_env(tmp_path))
    assert ran.code == 2
    assert ran.stderr.startswith("Usage: lxera-pipeline")
    assert "Commands:" in ran.stderr
    assert "error:" not in ran.output
