"""The handler registry: handlers subscribe to (table, transition) with a decorator.

    from lxera_pipeline.handlers.registry import registry

    @registry.handler("content.quality_gate", table="cm_module_content",
                      transition="* -> quality_check", group="content")
    async def quality_gate(ctx: HandlerContext) -> None: ...

Tables outside the workflow (tests, the benchmark) declare their status column first with
``lxera_pipeline.events.statuses.register_status_set``.

Transitions read ``FROM -> TO`` where FROM is a status, ``*`` (any, including a new row) or
``new`` (an insert) and TO is a status or ``*``. Two handlers under one name are refused.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from lxera_pipeline.events.models import StatusEvent
from lxera_pipeline.events.statuses import NEW, status_set
from lxera_pipeline.handlers.context import HandlerContext

HandlerFunc = Callable[[HandlerContext], Awaitable[None]]
# Called in the dead-letter transaction (after the last attempt failed) with the connection, the
# event and the tenant-safe message of the error (events.failures.tenant_message; the full error
# stays in the dead letter), so a handler can record the failure on its entity (e.g. a session's
# status 'failed' and error_details) atomically with the dead letter.
DeadHook = Callable[[AsyncConnection[DictRow], StatusEvent, str], Awaitable[None]]
BUILTIN_MODULES = ("lxera_pipeline.handlers.workflow",)


class RegistryError(ValueError):
    """A handler declaration or a selection that cannot be honoured."""


@dataclass(frozen=True)
class HandlerSpec:
    name: str
    group: str
    table: str
    status_column: str
    from_status: str
    to_status: str
    func: HandlerFunc
    max_attempts: int | None = None
    lease_seconds: float | None = None
    on_dead: DeadHook | None = None

    @property
    def module(self) -> str:
        return self.func.__module__

    @property
    def transition(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


def parse_transition(table: str, column: str, transition: str) -> tuple[str, str]:
    """Split and validate ``FROM -> TO`` against the table's status set."""
    parts = [part.strip() for part in transition.split("->")]
    if len(parts) != 2 or not all(parts):
        raise RegistryError(f"transition {transition!r} must read 'FROM -> TO'")
    known = status_set(table, column)
    if known is None:
        raise RegistryError(f"{table}.{column} is not a status column with events")
    frm, to = parts
    if frm not in (*known, "*", NEW):
        raise RegistryError(f"{table}.{column} has no status {frm!r} (known: {', '.join(known)})")
    if to not in (*known, "*"):
        raise RegistryError(f"{table}.{column} has no status {to!r} (known: {', '.join(known)})")
    return frm, to


class Registry:
    """Named handlers and their subscriptions."""

    def __init__(self) -> None:
        self._specs: dict[str, HandlerSpec] = {}

    def add(self, spec: HandlerSpec) -> None:
        existing = self._specs.get(spec.name)
        if existing is not None and existing.func is not spec.func:
            raise RegistryError(
                f"handler name {spec.name!r} is already registered by "
                f"{existing.module}.{existing.func.__qualname__}"
            )
        self._specs[spec.name] = spec

    def handler(
        self,
        name: str,
        *,
        table: str,
        transition: str,
        group: str,
        column: str = "status",
        max_attempts: int | None = None,
        lease_seconds: float | None = None,
        on_dead: DeadHook | None = None,
    ) -> Callable[[HandlerFunc], HandlerFunc]:
        frm, to = parse_transition(table, column, transition)

        def register(func: HandlerFunc) -> HandlerFunc:
            self.add(
                HandlerSpec(
                    name, group, table, column, frm, to, func, max_attempts, lease_seconds, on_dead
                )
            )
            return func

        return register

    def __iter__(self) -> Iterator[HandlerSpec]:
        return iter(sorted(self._specs.values(), key=lambda spec: spec.name))

    def __len__(self) -> int:
        return len(self._specs)

    def get(self, name: str) -> HandlerSpec | None:
        return self._specs.get(name)

    def groups(self) -> set[str]:
        return {spec.group for spec in self._specs.values()}

    def select(self, selection: str) -> list[HandlerSpec]:
        """Handlers named by ``selection``: 'all', group names and/or dotted module names."""
        tokens = [token.strip() for token in selection.split(",") if token.strip()]
        if not tokens:
            raise RegistryError("the handler selection is empty")
        chosen: dict[str, HandlerSpec] = {}
        for token in tokens:
            for spec in self._select_one(token):
                chosen[spec.name] = spec
        return sorted(chosen.values(), key=lambda spec: spec.name)

    def _select_one(self, token: str) -> list[HandlerSpec]:
        if token == "all":
            return list(self)
        if "." in token:
            load_module(token)
            found = [
                spec for spec in self if spec.module == token or spec.module.startswith(token + ".")
            ]
            if not found:
                raise RegistryError(f"module {token!r} registers no handlers")
            return found
        found = [spec for spec in self if spec.group == token]
        if not found:
            raise RegistryError(
                f"no handler group {token!r} (known groups: {', '.join(sorted(self.groups()))})"
            )
        return found


def load_module(module: str) -> None:
    """Import a module that registers handlers; a clear error if it cannot be imported."""
    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise RegistryError(f"cannot import handler module {module!r}: {exc}") from exc


def load_builtin_handlers() -> None:
    for module in BUILTIN_MODULES:
        load_module(module)


registry = Registry()
