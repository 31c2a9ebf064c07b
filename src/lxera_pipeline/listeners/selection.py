"""Which handlers a daemon knows (and syncs subscriptions for) and which it serves (claims for)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxera_pipeline.handlers.registry import (
    HandlerSpec,
    Registry,
    RegistryError,
    load_builtin_handlers,
    registry,
)


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
