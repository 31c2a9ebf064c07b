"""What one daemon runs with: its settings resolved to values, and the handlers it knows and
serves."""

from __future__ import annotations

import importlib.util
import os
import secrets
import socket
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from lxera_pipeline.db.dsn import DsnError, check_listen_dsn
from lxera_pipeline.handlers.registry import (
    HandlerSpec,
    Registry,
    RegistryError,
    load_builtin_handlers,
    registry,
)
from lxera_pipeline.redact import mask_dsn
from lxera_pipeline.settings import Settings

# Settings fields a daemon runs with; `run` exposes each as an option and logs it at start.
DAEMON_FIELDS: tuple[str, ...] = (
    "handlers",
    "concurrency",
    "batch_size",
    "prefetch",
    "pool_size",
    "lease_seconds",
    "heartbeat_seconds",
    "poll_seconds",
    "claim_linger_seconds",
    "probe_seconds",
    "max_attempts",
    "retry_base_seconds",
    "retry_max_seconds",
    "shutdown_grace_seconds",
    "reconnect_max_seconds",
    "http_port",
    "event_loop",
)


class DaemonConfigError(ValueError):
    """A combination of daemon settings that cannot work."""


def new_worker_id() -> str:
    """``<host>-<pid>-<random>``: unique per process, readable in `pg_stat_activity`."""
    host = socket.gethostname().split(".")[0][:24] or "host"
    return f"{host}-{os.getpid()}-{secrets.token_hex(3)}"


def uses_transaction_pooler(dsn: str) -> bool:
    """True for a transaction-mode pooler, where server-side prepared statements break."""
    try:
        check_listen_dsn(dsn)
    except DsnError:
        return True
    return False


@dataclass(frozen=True)
class DaemonConfig:
    """Everything one daemon needs besides its handlers. Built with :meth:`from_settings`."""

    dsn: str = field(repr=False)
    listen_dsn: str = field(repr=False)
    worker_id: str = field(default_factory=new_worker_id)
    handlers: str = "all"
    concurrency: int = 16
    batch_size: int = 100
    prefetch: int = 200
    pool_size: int = 8
    lease_seconds: float = 30.0
    heartbeat_seconds: float = 10.0
    poll_seconds: float = 2.0
    claim_linger_seconds: float = 0.005
    probe_seconds: float = 15.0
    max_attempts: int = 5
    retry_base_seconds: float = 1.0
    retry_max_seconds: float = 300.0
    shutdown_grace_seconds: float = 30.0
    reconnect_max_seconds: float = 30.0
    http_port: int | None = None
    http_host: str = "0.0.0.0"
    event_loop: str = "auto"

    def __post_init__(self) -> None:
        if self.heartbeat_seconds >= self.lease_seconds:
            raise DaemonConfigError(
                f"heartbeat_seconds ({self.heartbeat_seconds}) must be shorter than "
                f"lease_seconds ({self.lease_seconds}), or leases expire between heartbeats"
            )
        if self.retry_base_seconds > self.retry_max_seconds:
            raise DaemonConfigError(
                f"retry_base_seconds ({self.retry_base_seconds}) must not exceed "
                f"retry_max_seconds ({self.retry_max_seconds})"
            )
        check_listen_dsn(self.listen_dsn)

    @classmethod
    def from_settings(
        cls, settings: Settings, dsn: str, worker_id: str | None = None
    ) -> DaemonConfig:
        values = {name: getattr(settings, name) for name in DAEMON_FIELDS}
        listen = (
            settings.listen_database_url.get_secret_value() if settings.listen_database_url else dsn
        )
        return cls(dsn=dsn, listen_dsn=listen, worker_id=worker_id or new_worker_id(), **values)

    def backend_options(self) -> dict[str, bool]:
        """anyio's asyncio options: uvloop when asked for, or on 'auto' when it is installed."""
        if self.event_loop == "asyncio":
            return {}
        if self.event_loop == "auto" and importlib.util.find_spec("uvloop") is None:
            return {}
        return {"use_uvloop": True}

    @property
    def prepare_threshold(self) -> int | None:
        """psycopg's default (prepare after 5 runs), or None behind a transaction pooler."""
        return None if uses_transaction_pooler(self.dsn) else 5

    def describe(self) -> dict[str, object]:
        """All values, DSNs masked: the `daemon.starting` log line."""
        values = asdict(self)
        values["dsn"] = mask_dsn(self.dsn)
        values["listen_dsn"] = mask_dsn(self.listen_dsn)
        values["prepare_threshold"] = self.prepare_threshold
        values["uvloop"] = bool(self.backend_options())
        return values


@dataclass(frozen=True)
class HandlerSet:
    """``known``: every registered handler (their subscriptions are synced at start);
    ``served``: the selected ones this daemon claims deliveries for."""

    known: tuple[HandlerSpec, ...]
    served: tuple[HandlerSpec, ...]

    def __post_init__(self) -> None:
        if not self.served:
            raise RegistryError("no handler selected: a daemon must serve at least one handler")

    @classmethod
    def of(cls, served: Iterable[HandlerSpec], known: Iterable[HandlerSpec] = ()) -> HandlerSet:
        served = tuple(served)
        merged = {spec.name: spec for spec in (*known, *served)}
        return cls(known=tuple(sorted(merged.values(), key=lambda s: s.name)), served=served)

    def leases(self, default_seconds: float) -> dict[str, float]:
        return {spec.name: spec.lease_seconds or default_seconds for spec in self.served}

    def names(self) -> list[str]:
        return [spec.name for spec in self.served]


def select_handlers(selection: str, source: Registry = registry) -> HandlerSet:
    """Import the built-in handlers, then resolve ``selection`` ('all', groups, dotted modules;
    modules are imported); everything registered afterwards is known."""
    load_builtin_handlers()
    served = source.select(selection)
    return HandlerSet.of(served, known=list(source))
