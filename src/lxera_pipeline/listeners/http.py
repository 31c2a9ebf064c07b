"""A small HTTP/1.1 server for probes and scraping: ``/healthz`` (the process answers),
``/readyz`` (database reachable and the LISTEN connection alive, else 503) and ``/metrics``
(Prometheus text format). One request per connection; anything else gets 404/405."""

from __future__ import annotations

import json
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio
from anyio.abc import SocketAttribute, SocketStream, TaskStatus
from prometheus_client import CONTENT_TYPE_LATEST

from lxera_pipeline.errors import OperatorError
from lxera_pipeline.log import get_logger

log = get_logger(__name__)

MAX_HEAD_BYTES = 8192
REQUEST_TIMEOUT_SECONDS = 5.0
REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


class HealthPortError(OperatorError):
    """The port for /healthz, /readyz and /metrics is taken (or not ours to bind)."""

    @classmethod
    def of(cls, host: str, port: int, exc: OSError) -> HealthPortError:
        return cls(
            f"the HTTP port {port} on {host} cannot be opened ({exc.strerror or exc}); free it "
            "or choose another with --http-port or LXERA_HTTP_PORT (0 picks a free port)"
        )


def check_port(host: str, port: int) -> None:
    """Bind the port once and let it go, so a taken port is reported before the daemon starts
    (`serve` still reports one taken in between)."""
    if port == 0:
        return
    try:
        socket.create_server((host, port)).close()
    except OSError as exc:
        raise HealthPortError.of(host, port, exc) from None


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"

    def encode(self) -> bytes:
        head = (
            f"HTTP/1.1 {self.status} {REASONS.get(self.status, 'Error')}\r\n"
            f"Content-Type: {self.content_type}\r\nContent-Length: {len(self.body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        return head.encode() + self.body


ReadyCheck = Callable[[], Awaitable[dict[str, bool]]]
Render = Callable[[], Awaitable[bytes]]


class HealthServer:
    """Serves the three endpoints; ``ready()`` returns named checks, ``metrics()`` the text."""

    def __init__(self, host: str, port: int, ready: ReadyCheck, metrics: Render) -> None:
        self._host = host
        self._port = port
        self._ready = ready
        self._metrics = metrics

    async def serve(self, *, task_status: TaskStatus[int] = anyio.TASK_STATUS_IGNORED) -> None:
        try:
            listener = await anyio.create_tcp_listener(local_host=self._host, local_port=self._port)
        except OSError as exc:
            raise HealthPortError.of(self._host, self._port, exc) from None
        async with listener:
            port = int(listener.extra(SocketAttribute.local_port))
            log.info("http.listening", host=self._host, port=port)
            task_status.started(port)
            await listener.serve(self._handle)

    async def _handle(self, stream: SocketStream) -> None:
        async with stream:
            try:
                with anyio.fail_after(REQUEST_TIMEOUT_SECONDS):
                    method, path = await _read_request_line(stream)
                    response = await self.respond(method, path)
                    await stream.send(response.encode())
            except Exception as exc:  # a client that hangs up or talks nonsense
                log.debug("http.request_failed", error=f"{type(exc).__name__}: {exc}")

    async def respond(self, method: str, path: str) -> Response:
        route = path.split("?", 1)[0]
        if route not in ("/healthz", "/readyz", "/metrics"):
            return Response(404, b"not found\n")
        if method not in ("GET", "HEAD"):
            return Response(405, b"method not allowed\n")
        if route == "/healthz":
            return Response(200, b"ok\n")
        if route == "/metrics":
            return Response(200, await self._metrics(), CONTENT_TYPE_LATEST)
        checks = await self._ready()
        body = json.dumps({"ready": all(checks.values()), **checks}).encode() + b"\n"
        return Response(200 if all(checks.values()) else 503, body, "application/json")


async def _read_request_line(stream: SocketStream) -> tuple[str, str]:
    data = b""
    while b"\r\n\r\n" not in data and b"\n\n" not in data:
        chunk = await stream.receive(1024)
        data += chunk
        if len(data) > MAX_HEAD_BYTES:
            raise ValueError("request head too large")
    parts = data.split(b"\r\n", 1)[0].split(b"\n", 1)[0].decode("latin-1").split()
    if len(parts) < 2:
        raise ValueError(f"malformed request line {parts!r}")
    return parts[0].upper(), parts[1]
