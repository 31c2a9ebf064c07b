"""Wiring: the parts of one running daemon, built from its configuration and connections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.claimer import Claimer
from lxera_pipeline.listeners.completer import Completer
from lxera_pipeline.listeners.config import DaemonConfig
from lxera_pipeline.listeners.connector import Connector
from lxera_pipeline.listeners.dispatcher import Dispatcher
from lxera_pipeline.listeners.heartbeat import Heartbeat
from lxera_pipeline.listeners.http import HealthServer
from lxera_pipeline.listeners.listener import Listener
from lxera_pipeline.listeners.metrics import DaemonMetrics
from lxera_pipeline.listeners.outcomes import Outcomes, RetryBackoff
from lxera_pipeline.listeners.probe import Probe
from lxera_pipeline.listeners.runner import Runner
from lxera_pipeline.listeners.signals import StopSignal
from lxera_pipeline.listeners.wake import WakeSignal
from lxera_pipeline.listeners.workers import WorkerPool
from lxera_pipeline.log import get_logger

if TYPE_CHECKING:
    from lxera_pipeline.listeners.daemon import Daemon

log = get_logger(__name__)
CHECK_TIMEOUT_SECONDS = 2.0
PROBE_TIMEOUT_CEILING_SECONDS = 5.0


@dataclass
class Components:
    connector: Connector
    metrics: DaemonMetrics
    claimer: Claimer
    dispatcher: Dispatcher
    workers: WorkerPool
    runner: Runner
    listener: Listener
    heartbeat: Heartbeat

    def http(self, config: DaemonConfig) -> HealthServer:
        return HealthServer(config.http_host, config.http_port or 0, self.ready, self.render)

    async def ready(self) -> dict[str, bool]:
        """/readyz: the database answers and the LISTEN connection is alive."""
        return {"database": await self._database_answers(), "listener": self.listener.alive}

    async def _database_answers(self) -> bool:
        try:
            with anyio.fail_after(CHECK_TIMEOUT_SECONDS):
                async with self.connector.control.connection(CHECK_TIMEOUT_SECONDS) as conn:
                    await conn.execute(load_query("ping"))
        except Exception:
            return False
        return True

    async def render(self) -> bytes:
        """/metrics, with queue depth and the oldest pending age read just now."""
        params = {"handlers": self.claimer.handler_names}
        try:
            with anyio.fail_after(CHECK_TIMEOUT_SECONDS):
                async with self.connector.control.connection(CHECK_TIMEOUT_SECONDS) as conn:
                    cursor = await conn.execute(load_query("queue_stats"), params)
                    row = await cursor.fetchone()
            if row is not None:
                self.metrics.set_queue(int(row["depth"]), float(row["oldest_age_seconds"]))
        except Exception as exc:
            log.warning("metrics.queue_stats_failed", error=f"{type(exc).__name__}: {exc}")
        return self.metrics.render()


def worker_limit(config: DaemonConfig) -> int:
    """Runner tasks: one per running handler, plus room for those whose handler returned and
    that wait for their (batched, fsync-bound) completion while the next claims start."""
    return 4 * config.concurrency + 64


def build_components(
    daemon: Daemon, connector: Connector, wake: WakeSignal, stop: StopSignal
) -> Components:
    config, policy = daemon.config, daemon.policy
    pool, control = connector.pool, connector.control
    metrics = DaemonMetrics(config.worker_id)
    limiter = anyio.CapacityLimiter(config.concurrency)
    claimer = Claimer(
        control,
        config.worker_id,
        daemon.handlers.leases(config.lease_seconds),
        config.lease_seconds,
    )
    retry = RetryBackoff(config.retry_base_seconds, config.retry_max_seconds)
    workers = WorkerPool(lambda claim: runner.run(claim), max_workers=worker_limit(config))
    dispatcher = Dispatcher(
        claimer,
        workers.submit,
        limiter,
        config.batch_size,
        stop.is_set,
        on_claimed=metrics.claimed.inc,
        prefetch=config.prefetch,
    )
    runner = Runner(
        pool=pool,
        worker_id=config.worker_id,
        specs={spec.name: spec for spec in daemon.handlers.served},
        outcomes=Outcomes(control, config.worker_id, retry, policy, stop.event),
        completer=Completer(control, config.worker_id, policy, stop.event),
        release_capacity=dispatcher.release,
        wake=wake,
        metrics=metrics,
        resources=daemon.resources,
        observe_duration=dispatcher.observe,
    )
    probe_timeout = min(config.probe_seconds, PROBE_TIMEOUT_CEILING_SECONDS)
    listener = Listener(
        connector=connector,
        handlers=claimer.handler_names,
        claim_until_empty=dispatcher.claim_until_empty,
        has_room=dispatcher.has_room,
        found_work=lambda: dispatcher.found_work,
        wake=wake,
        stop=stop.event,
        policy=policy,
        poll_seconds=config.poll_seconds,
        probe=Probe(config.worker_id, config.probe_seconds, probe_timeout),
    )
    heartbeat = Heartbeat(
        connector,
        lambda: {**runner.in_flight, **dispatcher.queued},  # waiting claims hold leases too
        config.heartbeat_seconds,
        policy,
    )
    metrics.track_in_flight(lambda: len(runner.in_flight))
    metrics.track_listener(lambda: listener.alive)
    return Components(connector, metrics, claimer, dispatcher, workers, runner, listener, heartbeat)
