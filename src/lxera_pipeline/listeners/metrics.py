"""Prometheus metrics of one daemon, in a registry of its own (several daemons may share a
process in tests). Queue depth and the oldest pending age are read from the database on scrape."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

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
