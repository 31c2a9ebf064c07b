"""Signals (first stops, second exits at once), the HTTP endpoints, and `run --help`."""

from __future__ import annotations

import os
import signal
import socket
from typing import NoReturn

import anyio
import httpx
import pytest
from click.testing import CliRunner

from lxera_pipeline.cli import cli
from lxera_pipeline.listeners.config import DAEMON_FIELDS
from lxera_pipeline.listeners.health import HealthPortError, HealthServer, check_port
from lxera_pipeline.listeners.signals import SignalPolicy, StopSignal, watch_signals
from lxera_pipeline.settings import Settings


class Exited(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def exit_hook(code: int) -> NoReturn:
    raise Exited(code)


@pytest.mark.anyio
async def test_first_signal_requests_stop_and_the_second_exits_at_once() -> None:
    stop = StopSignal()
    hooked: list[str] = []
    stop.on_request(lambda: hooked.append("kicked"))
    policy = SignalPolicy(stop, exit_now=exit_hook)
    policy.handle(signal.SIGTERM)
    assert stop.is_set()
    assert stop.reason == "SIGTERM"
    assert hooked == ["kicked"]
    with pytest.raises(Exited) as exited:
        policy.handle(signal.SIGINT)
    assert exited.value.code == 128 + signal.SIGINT


@pytest.mark.anyio
async def test_stop_requests_after_the_first_keep_the_first_reason() -> None:
    stop = StopSignal()
    stop.request("SIGINT")
    stop.request("later")
    assert stop.reason == "SIGINT"


@pytest.mark.anyio
async def test_real_signals_reach_the_policy() -> None:
    stop = StopSignal()
    policy = SignalPolicy(stop, exit_now=exit_hook)
    async with anyio.create_task_group() as group:
        await group.start(watch_signals, policy, (signal.SIGUSR1,))
        os.kill(os.getpid(), signal.SIGUSR1)
        with anyio.fail_after(5):
            await stop.wait()
        group.cancel_scope.cancel()
    assert stop.reason == "SIGUSR1"
    assert policy.received == 1


async def ready_checks() -> dict[str, bool]:
    return {"database": True, "listener": False}


async def metrics_text() -> bytes:
    return b"lxera_events_claimed_total 3.0\n"


@pytest.mark.anyio
async def test_http_endpoints_over_a_real_socket() -> None:
    server = HealthServer("127.0.0.1", 0, ready_checks, metrics_text)
    async with anyio.create_task_group() as group:
        port = await group.start(server.serve)
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base) as client:
            health = await client.get("/healthz")
            ready = await client.get("/readyz")
            metrics = await client.get("/metrics")
            missing = await client.get("/nope")
            wrong = await client.post("/healthz")
        group.cancel_scope.cancel()
    assert (health.status_code, health.text) == (200, "ok\n")
    assert ready.status_code == 503
    assert ready.json() == {"ready": False, "database": True, "listener": False}
    assert metrics.status_code == 200
    assert "lxera_events_claimed_total 3.0" in metrics.text
    assert metrics.headers["content-type"].startswith("text/plain")
    assert (missing.status_code, wrong.status_code) == (404, 405)


@pytest.mark.anyio
async def test_http_server_survives_a_client_that_sends_garbage() -> None:
    server = HealthServer("127.0.0.1", 0, ready_checks, metrics_text)
    async with anyio.create_task_group() as group:
        port = await group.start(server.serve)
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:
            await stream.send(b"\r\n\r\n")
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{port}/healthz")
        group.cancel_scope.cancel()
    assert response.status_code == 200


@pytest.mark.anyio
async def test_http_server_on_a_taken_port_names_the_port_and_the_fix() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(HealthPortError, match=f"HTTP port {port} on 127.0.0.1.*--http-port"):
            await HealthServer("127.0.0.1", port, ready_checks, metrics_text).serve()
        with pytest.raises(HealthPortError, match=f"HTTP port {port}"):
            check_port("127.0.0.1", port)
    check_port("127.0.0.1", port)  # released: free again


def test_run_help_lists_every_daemon_tunable_with_its_default() -> None:
    result = CliRunner().invoke(cli, ["run", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for name in DAEMON_FIELDS:
        option = "--" + name.replace("_", "-")
        assert option in text, option
        default = Settings.model_fields[name].default
        shown = "unset" if default is None else str(default)
        assert f"[default: {shown}; env: LXERA_{name.upper()}]" in text, name


def test_run_refuses_a_heartbeat_not_shorter_than_the_lease(tmp_path: object) -> None:
    result = CliRunner().invoke(
        cli,
        ["run", "--lease-seconds", "5", "--heartbeat-seconds", "5"],
        env={"DATABASE_URL": "host=127.0.0.1 dbname=unused"},
    )
    assert result.exit_code == 2
    assert "heartbeat_seconds (5.0) must be shorter than lease_seconds (5.0)" in result.output
