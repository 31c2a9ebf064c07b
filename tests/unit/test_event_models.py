"""Event rows parse into their typed models; bad rows fail with a clear reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from lxera_pipeline.events.models import (
    EventParseError,
    ModuleContentEvent,
    SessionStageEvent,
    parse_event,
)


def _row(**over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "event_id": 7,
        "event_type": "cm_module_content.status_changed",
        "table_name": "cm_module_content",
        "status_column": "status",
        "entity_id": uuid.uuid4(),
        "company_id": uuid.uuid4(),
        "old_status": "draft",
        "new_status": "quality_check",
        "snapshot": {"revision_count": 0},
        "correlation_id": uuid.uuid4(),
        "causation_id": None,
        "actor_role": "postgres",
        "committed_at": datetime.now(UTC),
    }
    row.update(over)
    return row


def test_content_event_parses_to_its_class() -> None:
    event = parse_event(_row())
    assert isinstance(event, ModuleContentEvent)
    assert event.transition == "draft -> quality_check"
    assert not event.is_creation


def test_stage_column_has_its_own_model() -> None:
    event = parse_event(
        _row(
            table_name="mm_multimedia_sessions",
            status_column="current_stage",
            event_type="mm_multimedia_sessions.status_changed",
            old_status="initialization",
            new_status="script_generation",
        )
    )
    assert isinstance(event, SessionStageEvent)


def test_status_outside_the_set_is_refused_with_the_field_named() -> None:
    with pytest.raises(EventParseError, match=r"event 7 does not parse: .*new_status"):
        parse_event(_row(new_status="published_everywhere"))


def test_unknown_table_is_refused() -> None:
    with pytest.raises(EventParseError, match="event 7 does not parse"):
        parse_event(_row(table_name="nope"))
