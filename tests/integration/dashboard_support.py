"""A dashboard served from a background thread (real uvicorn, real HTTP) for the tests, and a
small SSE reader."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr

from lxera_pipeline.dashboard.server import build_server, free_port
from lxera_pipeline.settings import Settings

TOKEN = "test-dashboard-token-5f1c"


@dataclass
class Served:
    url: str
    token: str | None

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10.0, follow_redirects=False, **kwargs)

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @contextmanager
    def logged_in(self) -> Iterator[httpx.Client]:
        with self.client() as client:
            answer = client.post("/login", data={"token": self.token or "", "next": "/"})
            assert answer.status_code == 303, answer.text
            yield client


def dashboard_settings(dsn: str, token: str | None, **extra: Any) -> Settings:
    return Settings(
        database_url=dsn,
        dashboard_token=SecretStr(token) if token else None,
        log_level="warning",
        probe_seconds=5.0,
        **extra,
    )


@contextmanager
def serve(dsn: str, token: str | None = TOKEN, **extra: Any) -> Iterator[Served]:
    """The dashboard on a free loopback port until the block ends."""
    port = free_port()
    server = build_server(dashboard_settings(dsn, token, **extra), dsn, "127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the dashboard did not start"
        assert time.monotonic() < deadline, "the dashboard did not start in 30 s"
        time.sleep(0.05)
    served = Served(f"http://127.0.0.1:{port}", token)
    with served.client() as probe:  # the hub has read its starting point
        while probe.get("/healthz").status_code != 200:
            assert time.monotonic() < deadline, "the dashboard's listener did not connect"
            time.sleep(0.05)
    try:
        yield served
    finally:
        server.should_exit = True
        thread.join(15)


def read_events(
    response: httpx.Response, count: int, timeout: float = 10.0
) -> list[dict[str, Any]]:
    """The next ``count`` SSE messages of a streaming response: their id and decoded data."""
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    deadline = time.monotonic() + timeout
    for line in response.iter_lines():
        if line.startswith("id: "):
            current["id"] = int(line[4:])
        elif line.startswith("data: "):
            current["data"] = json.loads(line[6:])
        elif line.startswith("event: "):
            current["event"] = line[7:]
        elif line == "" and "data" in current:
            events.append(current)
            current = {}
            if len(events) >= count:
                return events
        assert time.monotonic() < deadline, f"only {len(events)} of {count} events arrived"
    return events
