"""The daemon: its parts wired together, and its lifecycle in one anyio task group.

Start: open the worker pool, sync the subscriptions of every known handler, start the side tasks
(signals, HTTP, heartbeat), then listen and claim. Stop (SIGTERM/SIGINT or ``request_stop``): stop
claiming, give in-flight handlers ``shutdown_grace_seconds``, cancel the rest (each is released),
close everything. A side task that fails raises :class:`SideTaskFailed` out of :meth:`Daemon.run`
instead of leaving the daemon half alive.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import anyio
from anyio.abc import TaskStatus

from lxera_pipeline.handlers.sync import sync_subscriptions
from lxera_pipeline.listeners.attempt import Runner
from lxera_pipeline.listeners.config import DaemonConfig, HandlerSet
from lxera_pipeline.listeners.connection import BackoffPolicy, Connector
from lxera_pipeline.listeners.health import DaemonMetrics, Health, HealthServer, report_progress
from lxera_pipeline.listeners.listener import STOP, Listener, Probe, WakeSignal
from lxera_pipeline.listeners.signals import SignalPolicy, StopSignal, watch_signals
from lxera_pipeline.listeners.store import DeliveryStore
from lxera_pipeline.listeners.worker import Dispatcher, Heartbeat, Worker, WorkerPool
from lxera_pipeline.log import get_logger

log = get_logger(__name__)
LISTENER_STOP_SECONDS = 2.0  # the claim loop returns at once unless stuck connecting
PROBE_TIMEOUT_CEILING_SECONDS = 5.0


class SideTaskFailed(RuntimeError):
    """A task the daemon cannot live without failed; the daemon stops."""

    def __init__(self, task: str, error: BaseException) -> None:
        super().__init__(f"daemon task {task!r} failed: {type(error).__name__}: {error}")
        self.task = task


@contextmanager
def side_task(name: str) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        log.error("daemon.task_failed", task=name, error=f"{type(exc).__name__}: {exc}")
        raise SideTaskFailed(name, exc) from exc


@dataclass
class Parts:
    """The parts of one running daemon."""

    connector: Connector
    metrics: DaemonMetrics
    store: DeliveryStore
    dispatcher: Dispatcher
    workers: WorkerPool
    runner: Runner
    listener: Listener
    worker: Worker
    heartbeat: Heartbeat
    health: Health


def worker_limit(config: DaemonConfig) -> int:
    """Runner tasks: one per running handler, plus room for those whose handler returned and
    that wait for their (batched, fsync-bound) completion while the next claims start."""
    return 4 * config.concurrency + 64


def build_parts(daemon: Daemon, connector: Connector, wake: WakeSignal, stop: StopSignal) -> Parts:
    config, policy = daemon.config, daemon.policy
    metrics = DaemonMetrics(config.worker_id)
    store = DeliveryStore(
        control=connector.control,
        handler_pool=connector.pool,
        worker_id=config.worker_id,
        leases=daemon.handlers.leases(config.lease_seconds),
        default_lease=config.lease_seconds,
        retry=BackoffPolicy(
            initial_seconds=config.retry_base_seconds, ceiling_seconds=config.retry_max_seconds
        ),
        policy=policy,
        stop=stop.event,
    )
    workers = WorkerPool(lambda delivery: runner.run(delivery), max_workers=worker_limit(config))
    dispatcher = Dispatcher(
        store,
        workers.submit,
        anyio.CapacityLimiter(config.concurrency),
        config.batch_size,
        stop.is_set,
        on_claimed=metrics.claimed.inc,
        prefetch=config.prefetch,
    )
    runner = Runner(
        store=store,
        specs={spec.name: spec for spec in daemon.handlers.served},
        release_capacity=dispatcher.release,
        wake=wake,
        metrics=metrics,
        resources=daemon.resources,
        observe_duration=dispatcher.observe,
    )
    probe_timeout = min(config.probe_seconds, PROBE_TIMEOUT_CEILING_SECONDS)
    listener = Listener(
        connector=connector,
        wake=wake,
        stop=stop.event,
        policy=policy,
        probe=Probe(config.worker_id, config.probe_seconds, probe_timeout),
        handlers=store.handler_names,
    )
    worker = Worker(
        listener=listener,
        dispatcher=dispatcher,
        stop=stop.event,
        poll_seconds=config.poll_seconds,
        linger_seconds=config.claim_linger_seconds,
    )
    heartbeat = Heartbeat(
        connector,
        store,
        lambda: {**runner.in_flight, **dispatcher.queued},  # waiting claims hold leases too
        config.heartbeat_seconds,
        policy,
    )
    health = Health(metrics, store.ping, store.queue_stats, lambda: listener.alive)
    metrics.track_in_flight(lambda: len(runner.in_flight))
    metrics.track_listener(lambda: listener.alive)
    return Parts(
        connector, metrics, store, dispatcher, workers, runner, listener, worker, heartbeat, health
    )


class Daemon:
    """One daemon. ``await Daemon(config, handlers).run()``; in tests start it with
    ``await task_group.start(daemon.run)`` and stop it with :meth:`request_stop`."""

    def __init__(
        self,
        config: DaemonConfig,
        handlers: HandlerSet,
        *,
        resources: Any = None,
        policy: BackoffPolicy | None = None,
    ) -> None:
        self.config = config
        self.handlers = handlers
        self.resources = resources
        self.policy = policy or BackoffPolicy(ceiling_seconds=config.reconnect_max_seconds)
        self.http_port: int | None = None
        self._stop: StopSignal | None = None
        self._parts: Parts | None = None

    @property
    def stop(self) -> StopSignal:
        if self._stop is None:
            raise RuntimeError("the daemon is not running")
        return self._stop

    @property
    def parts(self) -> Parts:
        if self._parts is None:
            raise RuntimeError("the daemon is not running")
        return self._parts

    def request_stop(self, reason: str = "requested") -> None:
        self.stop.request(reason)

    async def run(
        self,
        *,
        install_signals: bool = False,
        task_status: TaskStatus[Daemon] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        wake, self._stop = WakeSignal(), StopSignal()
        self._stop.on_request(lambda: wake.kick(STOP))
        log.info("daemon.starting", **self.config.describe(), served=self.handlers.names())
        async with Connector(self.config) as connector:
            async with connector.pool.connection() as conn:
                synced = await sync_subscriptions(
                    conn, self.handlers.known, self.config.max_attempts
                )
            self._parts = build_parts(self, connector, wake, self._stop)
            async with anyio.create_task_group() as group:
                if install_signals:
                    await group.start(self._signals)
                if self.config.http_port is not None:
                    self.http_port = await group.start(self._http)
                group.start_soon(self._heartbeat, name="heartbeat")
                group.start_soon(self._progress, name="progress")
                log.info("daemon.started", subscriptions=synced, http_port=self.http_port)
                task_status.started(self)
                await self._work(self._parts)
                group.cancel_scope.cancel()
        log.info("daemon.stopped", reason=self._stop.reason)

    async def _signals(self, *, task_status: TaskStatus[None]) -> None:
        with side_task("signals"):
            await watch_signals(SignalPolicy(self.stop), task_status=task_status)

    async def _http(self, *, task_status: TaskStatus[int]) -> None:
        with side_task("http"):
            config, health = self.config, self.parts.health
            server = HealthServer(
                config.http_host, config.http_port or 0, health.ready, health.render
            )
            await server.serve(task_status=task_status)

    async def _heartbeat(self) -> None:
        with side_task("heartbeat"):
            await self.parts.heartbeat.run()

    async def _progress(self) -> None:
        with side_task("progress"):
            parts = self.parts
            await report_progress(lambda: parts.metrics.totals, lambda: len(parts.runner.in_flight))

    async def _claim_loop(self, done: anyio.Event) -> None:
        try:
            with side_task("listener"):  # the claim loop and its LISTEN link
                await self.parts.worker.run()
        finally:
            done.set()

    async def _work(self, parts: Parts) -> None:
        async with anyio.create_task_group() as runners:
            parts.workers.attach(runners)
            listener_done = anyio.Event()
            async with anyio.create_task_group() as listening:
                listening.start_soon(self._claim_loop, listener_done, name="listener")
                await self.stop.wait()
                grace_ends = anyio.current_time() + self.config.shutdown_grace_seconds
                with anyio.move_on_after(LISTENER_STOP_SECONDS):
                    await listener_done.wait()
                listening.cancel_scope.cancel()
            await self._drain(parts, grace_ends)
            runners.cancel_scope.cancel()

    async def _drain(self, parts: Parts, grace_ends: float) -> None:
        """In-flight handlers get until the grace (counted from the stop request) ends."""
        grace = self.config.shutdown_grace_seconds
        await parts.runner.release_unstarted(parts.dispatcher.take_queued())
        log.info("daemon.draining", in_flight=len(parts.runner.in_flight), grace_s=grace)
        with anyio.move_on_after(max(0.0, grace_ends - anyio.current_time())):
            await parts.runner.wait_idle()
        if parts.runner.in_flight:
            log.warning("daemon.releasing", count=len(parts.runner.in_flight))
