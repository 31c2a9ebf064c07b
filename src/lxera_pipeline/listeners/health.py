"""What a daemon tells the outside: health and readiness over HTTP, Prometheus metrics, and a
periodic progress line in the log.

HTTP: a small HTTP/1.1 server for probes and scraping: ``/healthz`` (the process answers),
``/readyz`` (database reachable and the LISTEN connection alive, else 503) and ``/metrics``
(Prometheus text format). One request per connection; anything else gets 404/405.

Metrics live in a registry of their own per daemon (several daemons may share a process in
tests). Queue depth and the oldest pending age are read from the database on scrape.

Progress: per-delivery success lines are debug-level (the audit log already holds one row per
attempt, and a line per event would cost a busy daemon more than its handlers); problems are
logged one by one at warning/error. A ``daemon.progress`` line every ``PROGRESS_SECONDS`` keeps an
info-level log readable and alive.
"""

from __future__ import annotations

import json
import socket
from collections import Counter as Tally
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import anyio
from anyio.abc import SocketAttribute, SocketStream, TaskStatus
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

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


DURATION_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0)


LABELLED = ("succeeded", "retried", "dead", "lost_lease")  # per-handler outcome counters


@dataclass(frozen=True)
class HandlerMetrics:
    """The labelled children of one handler (looking a label up costs more than using it)."""

    counters: dict[str, Counter]
    duration: Histogram


class DaemonMetrics:
    """The daemon's counters, gauges and the handler duration histogram."""

    def __init__(self, worker_id: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        labels = {"worker": worker_id}
        reg = self.registry
        self.claimed = Counter("lxera_events_claimed", "Deliveries claimed.", registry=reg)
        self.succeeded = Counter(
            "lxera_events_succeeded", "Deliveries completed.", ["handler"], registry=reg
        )
        self.retried = Counter(
            "lxera_events_retried", "Failed attempts scheduled again.", ["handler"], registry=reg
        )
        self.dead = Counter(
            "lxera_events_dead", "Deliveries dead-lettered.", ["handler"], registry=reg
        )
        self.lost_lease = Counter(
            "lxera_events_lost_lease", "Attempts whose lease was lost.", ["handler"], registry=reg
        )
        self.skipped = Counter(
            "lxera_events_skipped", "Deliveries skipped (handler unknown).", registry=reg
        )
        self.released = Counter(
            "lxera_events_released", "Deliveries handed back at shutdown.", registry=reg
        )
        self.in_flight = Gauge("lxera_events_in_flight", "Deliveries being handled.", registry=reg)
        self.duration = Histogram(
            "lxera_handler_duration_seconds",
            "Handler run time.",
            ["handler"],
            buckets=DURATION_BUCKETS,
            registry=reg,
        )
        self.queue_depth = Gauge(
            "lxera_queue_depth", "Pending deliveries of the handlers served here.", registry=reg
        )
        self.oldest_pending = Gauge(
            "lxera_oldest_pending_age_seconds",
            "Age of the oldest pending delivery of the handlers served here.",
            registry=reg,
        )
        self.listener_up = Gauge(
            "lxera_listener_up", "1 while the LISTEN connection is alive.", registry=reg
        )
        self.info = Gauge("lxera_daemon_info", "The daemon's worker id.", ["worker"], registry=reg)
        self.info.labels(**labels).set(1)
        self._children: dict[str, HandlerMetrics] = {}
        self._labelled = {name: getattr(self, name) for name in LABELLED}
        self._plain = {"skipped": self.skipped, "released": self.released}
        self.totals: Tally[str] = Tally()

    def of(self, handler: str) -> HandlerMetrics:
        children = self._children.get(handler)
        if children is None:
            counters = {name: self._labelled[name].labels(handler) for name in LABELLED}
            children = HandlerMetrics(counters, self.duration.labels(handler))
            self._children[handler] = children
        return children

    def record(self, outcome: str, handler: str) -> None:
        """Count one attempt's outcome (also in ``totals``, for the progress log line)."""
        self.totals[outcome] += 1
        counter = self.of(handler).counters.get(outcome) or self._plain.get(outcome)
        if counter is not None:
            counter.inc()

    def track_in_flight(self, count: Callable[[], int]) -> None:
        self.in_flight.set_function(lambda: float(count()))

    def track_listener(self, alive: Callable[[], bool]) -> None:
        self.listener_up.set_function(lambda: 1.0 if alive() else 0.0)

    def set_queue(self, depth: int, oldest_age_seconds: float) -> None:
        self.queue_depth.set(depth)
        self.oldest_pending.set(oldest_age_seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


PROGRESS_SECONDS = 30.0


def changes(now: Mapping[str, int], before: Mapping[str, int]) -> dict[str, int]:
    """Counts that grew since ``before``, by how much."""
    return {
        key: value - before.get(key, 0) for key, value in now.items() if value != before.get(key, 0)
    }


async def report_progress(
    totals: Callable[[], Mapping[str, int]],
    in_flight: Callable[[], int],
    interval: float = PROGRESS_SECONDS,
) -> None:
    """Log the outcome counts of every ``interval`` in which something happened."""
    before: dict[str, int] = {}
    while True:
        await anyio.sleep(interval)
        now = dict(totals())
        delta = changes(now, before)
        if delta:
            log.info("daemon.progress", interval_s=interval, in_flight=in_flight(), **delta)
        before = now


CHECK_TIMEOUT_SECONDS = 2.0


class Health:
    """The answers behind ``/readyz`` and ``/metrics``."""

    def __init__(
        self,
        metrics: DaemonMetrics,
        ping: Callable[[], Awaitable[None]],
        queue_stats: Callable[[], Awaitable[tuple[int, float]]],
        listener_alive: Callable[[], bool],
    ) -> None:
        self._metrics = metrics
        self._ping = ping
        self._queue_stats = queue_stats
        self._listener_alive = listener_alive

    async def ready(self) -> dict[str, bool]:
        """/readyz: the database answers and the LISTEN connection is alive."""
        try:
            with anyio.fail_after(CHECK_TIMEOUT_SECONDS):
                await self._ping()
            database = True
        except Exception:
            database = False
        return {"database": database, "listener": self._listener_alive()}

    async def render(self) -> bytes:
        """/metrics, with queue depth and the oldest pending age read just now."""
        try:
            with anyio.fail_after(CHECK_TIMEOUT_SECONDS):
                depth, oldest = await self._queue_stats()
            self._metrics.set_queue(depth, oldest)
        except Exception as exc:
            log.warning("metrics.queue_stats_failed", error=f"{type(exc).__name__}: {exc}")
        return self._metrics.render()
