"""deploy/: what can be checked without a Docker engine.

The compose file parses and wires PostgreSQL 15, a one-shot migrate and two daemon replicas; every
path the Dockerfile copies exists and reaches the build context; the image's command runs here;
the wheel the image installs carries the migrations and finds them without the source tree.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
CLI = str(Path(sys.executable).parent / "lxera-pipeline")


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    joined = text.replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


DOCKERFILE = instructions((DEPLOY / "Dockerfile").read_text())
FINAL_STAGE = DOCKERFILE[max(i for i, (op, _) in enumerate(DOCKERFILE) if op == "FROM") :]


def final(op: str) -> list[str]:
    return [args for name, args in FINAL_STAGE if name == op]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return data


def test_compose_has_postgres_migrate_and_daemon(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"postgres", "migrate", "daemon"}
    postgres = compose["services"]["postgres"]
    assert postgres["image"] == "postgres:15"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_migrate_runs_once_after_postgres_is_healthy(compose: dict[str, Any]) -> None:
    migrate = compose["services"]["migrate"]
    assert migrate["command"] == ["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_two_daemon_replicas_start_after_migrate_succeeded(compose: dict[str, Any]) -> None:
    daemon = compose["services"]["daemon"]
    assert daemon["deploy"]["replicas"] == 2
    assert daemon["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert daemon["command"] == ["run", "--http-port", "8080"]
    grace = float(daemon["environment"]["LXERA_SHUTDOWN_GRACE_SECONDS"])
    assert float(daemon["stop_grace_period"].removesuffix("s")) > grace


def test_pipeline_services_reach_the_compose_database(compose: dict[str, Any]) -> None:
    pg_env = compose["services"]["postgres"]["environment"]
    user, password, db = pg_env["POSTGRES_USER"], pg_env["POSTGRES_PASSWORD"], pg_env["POSTGRES_DB"]
    for name in ("migrate", "daemon"):
        service = compose["services"][name]
        assert service["environment"]["DATABASE_URL"] == (
            f"postgresql://{user}:{password}@postgres:5432/{db}"
        )
        assert (DEPLOY / service["build"]["context"]).resolve() == REPO
        assert (REPO / service["build"]["dockerfile"]).is_file()


def test_every_copied_path_exists_and_is_in_the_build_context() -> None:
    kept = {
        line[1:]
        for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    sources = []
    for op, args in DOCKERFILE:
        words = [w for w in shlex.split(args) if not w.startswith("--")]
        if op == "COPY" and "--from=" not in args:
            sources += words[:-1]
    assert sources, "the Dockerfile copies nothing from the context"
    for source in sources:
        assert (REPO / source).exists(), f"COPY {source}: no such path in the repository"
        assert source.rstrip("/") in kept, f"COPY {source}: excluded by Dockerfile.dockerignore"


def test_image_is_multi_stage_slim_non_root_with_media_tools() -> None:
    assert sum(op == "FROM" for op, _ in DOCKERFILE) >= 2
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in (DEPLOY / "Dockerfile").read_text()
    assert final("FROM") == ["${PYTHON_IMAGE} AS runtime"]
    [user] = final("USER")
    assert user.split(":")[0] not in {"root", "0"}
    install = " ".join(final("RUN"))
    assert "apt-get install -y --no-install-recommends ffmpeg espeak-ng" in install


def test_healthcheck_entrypoint_and_command() -> None:
    [health] = final("HEALTHCHECK")
    assert "http://127.0.0.1:8080/healthz" in health
    assert final("ENTRYPOINT") == ['["lxera-pipeline"]']
    assert final("CMD") == ['["run", "--http-port", "8080"]']


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60, check=False)


def test_the_image_command_runs_here() -> None:
    run_help = _run("run", "--help")
    assert run_help.returncode == 0, run_help.stderr
    assert "--http-port" in run_help.stdout
    assert _run("migrate", "--help").returncode == 0
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    shown = _run("--version")
    assert shown.returncode == 0
    assert version in shown.stdout


def test_wheel_carries_the_migrations_and_finds_them_installed(tmp_path: Path) -> None:
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    build = [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(REPO)]
    subprocess.run(build, check=True, timeout=120)
    [wheel] = tmp_path.glob("lxera_pipeline-*.whl")
    expected = sorted(p.name for p in (REPO / "migrations").glob("*.sql"))
    with zipfile.ZipFile(wheel) as archive:
        packaged = sorted(
            Path(n).name for n in archive.namelist() if n.startswith("lxera_pipeline/_migrations/")
        )
    assert packaged == expected

    site = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True)
    probe = (
        "import lxera_pipeline; from lxera_pipeline.db.migrate import discover, migrations_dir;"
        "print(lxera_pipeline.__file__); print(migrations_dir()); print(len(discover()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out[0].startswith(str(site)), "imported the source tree, not the installed wheel"
    assert out[1] == str(site / "lxera_pipeline" / "_migrations")
    assert int(out[2]) == len(expected)
