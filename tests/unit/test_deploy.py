"""deploy/: what can be checked without a Docker engine.

The compose file parses and wires PostgreSQL 15, a one-shot migrate and two daemon replicas; every
path the Dockerfile copies exists and reaches the build context; the image's command runs here;
the wheel the image installs carries the migrations and finds them without the source tree.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
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


def env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


_REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}`` against ``env``."""

    def value(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"] or "", match["arg"] or ""
        if env.get(name):
            return env[name]
        assert "?" not in op, f"{name} must be set: {arg}"
        return arg

    return _REFERENCE.sub(value, text)


def strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(key path, value) of every string in a YAML document."""
    if isinstance(node, dict):
        for key, child in node.items():
            yield from strings(child, f"{path}.{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from strings(child, f"{path}[{index}]")
    elif isinstance(node, str):
        yield path, node


def test_pipeline_services_reach_the_compose_database(compose: dict[str, Any]) -> None:
    env = env_example()
    services = compose["services"]
    pg_env = {k: interpolate(v, env) for k, v in services["postgres"]["environment"].items()}
    owner = f"{pg_env['POSTGRES_USER']}:{pg_env['POSTGRES_PASSWORD']}"
    daemon = f"{pg_env['LXERA_DAEMON_USER']}:{pg_env['LXERA_DAEMON_PASSWORD']}"
    expected = {"migrate": owner, "daemon": daemon}
    for name, credentials in expected.items():
        service = services[name]
        url = interpolate(service["environment"]["DATABASE_URL"], env)
        assert url == f"postgresql://{credentials}@postgres:5432/{pg_env['POSTGRES_DB']}"
        assert (DEPLOY / service["build"]["context"]).resolve() == REPO
        assert (REPO / service["build"]["dockerfile"]).is_file()
    assert pg_env["LXERA_DAEMON_USER"] != pg_env["POSTGRES_USER"]  # the daemon is not the owner
    assert "./postgres-init:/docker-entrypoint-initdb.d:ro" in services["postgres"]["volumes"]


SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$", re.IGNORECASE)


def test_compose_holds_no_literal_credential(compose: dict[str, Any]) -> None:
    """Every password, key and URL credential is a ${VARIABLE} from deploy/.env, with no default."""
    checked = 0
    for path, text in strings(compose):
        credentials = re.findall(r"://([^/@\s]*)@", text)
        secret_field = SECRET_NAME.search(path.rsplit(".", 1)[-1])
        pieces = [c.partition(":")[2] for c in credentials] + ([text] if secret_field else [])
        for piece in pieces:
            checked += 1
            match = _REFERENCE.fullmatch(piece)
            assert match, f"{path}: {piece!r} is not a ${{VARIABLE}} reference"
            assert not (match["op"] or "").endswith("-") or not match["arg"], (
                f"{path}: {piece!r} has a default value"
            )
    assert checked >= 5
    assert "change-me" not in (DEPLOY / "docker-compose.yml").read_text()


def test_env_example_defines_every_required_variable(compose: dict[str, Any]) -> None:
    env = env_example()
    text = (DEPLOY / "docker-compose.yml").read_text()
    required = {m["name"] for m in _REFERENCE.finditer(text) if (m["op"] or "").endswith("?")}
    assert required >= {"POSTGRES_PASSWORD", "LXERA_DAEMON_PASSWORD"}
    for name in required:
        assert env.get(name, "").startswith("change-me"), f"{name}: no placeholder in .env.example"
    referenced = {m["name"] for m in _REFERENCE.finditer(text)}
    assert referenced <= set(env), f"not in .env.example: {sorted(referenced - set(env))}"
    ignored = (REPO / ".gitignore").read_text().splitlines()
    assert "/deploy/.env" in ignored


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
    assert user == "10001:10001"  # non-root, a fixed uid for volume permissions
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


LOCK = DEPLOY / "requirements.lock"
BUILD_LOCK = DEPLOY / "build-requirements.lock"


def locked(path: Path) -> dict[str, list[str]]:
    """Package name -> its hashes, for each requirement of a pip lock file."""
    text = path.read_text().replace("\\\n", " ")
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        spec = line.split()[0]
        assert "==" in spec, f"{path.name}: {spec} is not pinned with =="
        name = re.sub(r"[-_.]+", "-", spec.split("==")[0]).lower()
        found[name] = re.findall(r"--hash=sha256:([0-9a-f]{64})", line)
    return found


def requirement_names(requirements: list[str]) -> set[str]:
    return {
        re.sub(r"[-_.]+", "-", re.split(r"[\s\[<>=~!;]", r, maxsplit=1)[0]).lower()
        for r in requirements
    }


def test_the_lock_pins_every_runtime_dependency_and_both_extras_with_hashes() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = requirement_names(
        [
            *project["dependencies"],
            *project["optional-dependencies"]["speech"],
            *project["optional-dependencies"]["supabase"],
        ]
    )
    runtime = locked(LOCK)
    assert wanted <= set(runtime), f"not locked: {sorted(wanted - set(runtime))}"
    assert {"supabase", "espeakng-loader"} <= set(runtime)
    assert all(runtime.values()), [n for n, h in runtime.items() if not h]
    build = locked(BUILD_LOCK)
    assert requirement_names(
        tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]["requires"]
    ) <= set(build)
    assert all(build.values())


def test_the_image_installs_only_from_the_locks_with_hashes() -> None:
    installs = [args for op, args in DOCKERFILE if op == "RUN" and "pip install" in args]
    commands = [c.strip() for args in installs for c in args.split("&&") if "pip install" in c]
    assert commands
    for command in commands:
        words = shlex.split(command.split("pip install", 1)[1])
        assert "--no-deps" in words, command
        if "-r" in words:
            assert "--require-hashes" in words, command
            assert words[words.index("-r") + 1].endswith(".lock"), command
        else:  # only the project's own wheel, built in the image from the copied source
            assert [w for w in words if not w.startswith("-")] == ["/wheels/lxera_pipeline-*.whl"]
    assert any("/tmp/requirements.lock" in c for c in commands)
    assert "--no-build-isolation" in " ".join(args for op, args in DOCKERFILE if op == "RUN")


@pytest.mark.parametrize("name", ["deployment-content.yaml", "deployment-media.yaml"])
def test_k8s_daemons_connect_as_the_daemon_login_and_migrate_as_the_owner(name: str) -> None:
    [deployment] = [
        doc
        for doc in yaml.safe_load_all((DEPLOY / "k8s" / "base" / name).read_text())
        if doc and doc.get("kind") == "Deployment"
    ]
    pod = deployment["spec"]["template"]["spec"]

    def database_key(container: dict[str, Any]) -> str:
        [env] = [e for e in container["env"] if e["name"] == "DATABASE_URL"]
        return str(env["valueFrom"]["secretKeyRef"]["key"])

    assert [database_key(c) for c in pod["initContainers"]] == ["DATABASE_URL"]
    assert [database_key(c) for c in pod["containers"]] == ["DAEMON_DATABASE_URL"]
