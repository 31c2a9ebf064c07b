"""`timeline ENTITY`: an entity's history across tables, following causation and correlation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.listeners.ops.errors import UnknownIdError
from lxera_pipeline.listeners.ops.status import CurrentStatus, current_status, key_columns

Row = dict[str, Any]


@dataclass
class TimelineStep:
    """One event of the timeline with the handler work it started."""

    event: Row
    depth: int
    since_previous_seconds: float | None
    deliveries: list[Row] = field(default_factory=list)
    audit: list[Row] = field(default_factory=list)


@dataclass
class Timeline:
    entity_id: UUID
    steps: list[TimelineStep]
    now: list[CurrentStatus]

    @property
    def span_seconds(self) -> float:
        if not self.steps:
            return 0.0
        first, last = self.steps[0].event, self.steps[-1].event
        return float((last["committed_at"] - first["committed_at"]).total_seconds())


def _grouped(rows: list[Row]) -> dict[int, list[Row]]:
    groups: dict[int, list[Row]] = {}
    for row in rows:
        groups.setdefault(int(row["event_id"]), []).append(row)
    return groups


def _depths(events: list[Row]) -> dict[int, int]:
    """Causation depth inside the timeline: an event's cause (if shown) sits one level up."""
    depths: dict[int, int] = {}
    for event in events:
        cause = event["causation_id"]
        depths[event["event_id"]] = depths[cause] + 1 if cause in depths else 0
    return depths


def _steps(events: list[Row], deliveries: list[Row], audit: list[Row]) -> list[TimelineStep]:
    by_delivery, by_audit, depths = _grouped(deliveries), _grouped(audit), _depths(events)
    steps: list[TimelineStep] = []
    previous = None
    for event in events:
        gap = (event["committed_at"] - previous).total_seconds() if previous else None
        steps.append(
            TimelineStep(
                event,
                depths[event["event_id"]],
                gap,
                by_delivery.get(event["event_id"], []),
                by_audit.get(event["event_id"], []),
            )
        )
        previous = event["committed_at"]
    return steps


def _standing(conn: psycopg.Connection[DictRow], events: list[Row]) -> list[CurrentStatus]:
    keys = key_columns(conn)
    seen: dict[tuple[str, str, UUID], None] = {}
    for event in events:
        seen.setdefault((event["table_name"], event["status_column"], event["entity_id"]), None)
    return [current_status(conn, table, column, entity, keys) for table, column, entity in seen]


def build_timeline(conn: psycopg.Connection[DictRow], entity_id: UUID) -> Timeline:
    """Every event related to ``entity_id`` in commit order, its handler work, and status now."""
    events = [
        dict(r) for r in conn.execute(load_query("ops_timeline_events"), {"entity": entity_id})
    ]
    if not any(
        event["entity_id"] == entity_id or event["correlation_id"] == entity_id for event in events
    ):
        raise UnknownIdError(f"no events for entity {entity_id}")
    ids = [event["event_id"] for event in events]
    deliveries = [
        dict(r) for r in conn.execute(load_query("ops_deliveries_for_events"), {"event_ids": ids})
    ]
    audit = [dict(r) for r in conn.execute(load_query("ops_audit_for_events"), {"event_ids": ids})]
    return Timeline(entity_id, _steps(events, deliveries, audit), _standing(conn, events))
