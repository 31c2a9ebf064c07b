"""Status columns declared at run time (tests, benchmark): registry subscriptions and parsing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from lxera_pipeline.events.models import EventParseError, ExtraStatusEvent, parse_event
from lxera_pipeline.events.statuses import (
    STATUS_SETS,
    StatusSetError,
    register_status_set,
    status_set,
)
from lxera_pipeline.handlers.context import HandlerContext
from lxera_pipeline.handlers.registry import Registry, RegistryError

TABLE = "unit_extra_jobs"
register_status_set(TABLE, "status", ("open", "shut"))


async def _noop(ctx: HandlerContext) -> None:
    return None


def _row(**over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "event_id": 11,
        "event_type": f"{TABLE}.status_changed",
        "table_name": TABLE,
        "status_column": "status",
        "entity_id": uuid.uuid4(),
        "company_id": None,
        "old_status": "open",
        "new_status": "shut",
        "snapshot": {"pause": 1.5},
        "correlation_id": uuid.uuid4(),
        "actor_role": "postgres",
        "committed_at": datetime.now(UTC),
    }
    row.update(over)
    return row


def test_declared_column_accepts_subscriptions() -> None:
    reg = Registry()
    reg.handler("x", table=TABLE, transition="open -> shut", group="g")(_noop)
    spec = reg.get("x")
    assert spec is not None
    assert (spec.from_status, spec.to_status) == ("open", "shut")
    with pytest.raises(RegistryError, match="no status 'ajar'"):
        reg.handler("y", table=TABLE, transition="* -> ajar", group="g")


def test_declared_event_parses_and_checks_its_statuses() -> None:
    event = parse_event(_row())
    assert isinstance(event, ExtraStatusEvent)
    assert event.transition == "open -> shut"
    assert event.snapshot == {"pause": 1.5}
    with pytest.raises(EventParseError, match="'ajar' is not a status"):
        parse_event(_row(new_status="ajar"))


def test_redeclaring_is_idempotent_but_a_different_set_is_refused() -> None:
    register_status_set(TABLE, "status", ("open", "shut"))
    assert status_set(TABLE, "status") == ("open", "shut")
    with pytest.raises(StatusSetError, match="already declared as open, shut"):
        register_status_set(TABLE, "status", ("open",))


@pytest.mark.parametrize(
    ("table", "statuses", "message"),
    [
        ("cm_module_content", ("a",), "workflow status column"),
        ("unit_bad", (), "non-empty and distinct"),
        ("unit_bad", ("a", "a"), "non-empty and distinct"),
        ("unit_bad", ("new", "a"), "reserved"),
    ],
)
def test_bad_declarations_are_named(table: str, statuses: tuple[str, ...], message: str) -> None:
    with pytest.raises(StatusSetError, match=message):
        register_status_set(table, "status", statuses)


def test_workflow_sets_are_untouched() -> None:
    assert (TABLE, "status") not in STATUS_SETS
    assert status_set("nope", "status") is None
