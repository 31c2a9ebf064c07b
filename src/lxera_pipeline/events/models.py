"""Event models: one class per (table, status column), parsed by one discriminated union.

A row of `pipeline.events` becomes a typed event with :func:`parse_event`. A payload that does not
fit (unknown table, a status outside the table's set) raises :class:`EventParseError`, which the
daemon records as the delivery's reason instead of crashing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from lxera_pipeline.events import statuses as st
from lxera_pipeline.events.statuses import (
    AssetStatus,
    ContentStatus,
    EnhancementStatus,
    NarrationStatus,
    PlanStatus,
    PresentationStatus,
    ResearchStatus,
    SessionStage,
    SessionStatus,
)


class EventParseError(ValueError):
    """An event row that does not match any event model."""


class BaseEvent(BaseModel):
    """Fields every status event has (the columns of `pipeline.events`)."""

    model_config = ConfigDict(frozen=True)

    event_id: int
    event_type: str
    table_name: str
    status_column: str
    entity_id: UUID
    company_id: UUID | None
    snapshot: dict[str, Any] = Field(default_factory=dict)
    correlation_id: UUID
    causation_id: int | None = None
    actor_role: str
    committed_at: datetime

    @property
    def is_creation(self) -> bool:
        return self.event_type.endswith(".created")

    @property
    def transition(self) -> str:
        old = getattr(self, "old_status", None)
        return f"{old or st.NEW} -> {getattr(self, 'new_status', '?')}"


class CoursePlanEvent(BaseEvent):
    stream: Literal["cm_course_plans.status"]
    old_status: PlanStatus | None
    new_status: PlanStatus


class ResearchEvent(BaseEvent):
    stream: Literal["cm_research_results.status"]
    old_status: ResearchStatus | None
    new_status: ResearchStatus


class ModuleContentEvent(BaseEvent):
    stream: Literal["cm_module_content.status"]
    old_status: ContentStatus | None
    new_status: ContentStatus


class EnhancementEvent(BaseEvent):
    stream: Literal["cm_enhancement_sessions.status"]
    old_status: EnhancementStatus | None
    new_status: EnhancementStatus


class SessionStatusEvent(BaseEvent):
    stream: Literal["mm_multimedia_sessions.status"]
    old_status: SessionStatus | None
    new_status: SessionStatus


class SessionStageEvent(BaseEvent):
    stream: Literal["mm_multimedia_sessions.current_stage"]
    old_status: SessionStage | None
    new_status: SessionStage


class AssetEvent(BaseEvent):
    stream: Literal["mm_multimedia_assets.status"]
    old_status: AssetStatus | None
    new_status: AssetStatus


class PresentationEvent(BaseEvent):
    stream: Literal["mm_slide_presentations.status"]
    old_status: PresentationStatus | None
    new_status: PresentationStatus


class NarrationEvent(BaseEvent):
    stream: Literal["mm_audio_narrations.status"]
    old_status: NarrationStatus | None
    new_status: NarrationStatus


class ExtraStatusEvent(BaseEvent):
    """An event of a column declared with `statuses.register_status_set` (tests, benchmark)."""

    stream: str
    old_status: str | None
    new_status: str

    @model_validator(mode="after")
    def _check_statuses(self) -> ExtraStatusEvent:
        known = st.EXTRA_STATUS_SETS.get((self.table_name, self.status_column))
        if known is None:
            raise ValueError(f"{self.stream} is not a declared status column")
        for value in (self.old_status, self.new_status):
            if value is not None and value not in known:
                raise ValueError(f"{value!r} is not a status of {self.stream}")
        return self


WorkflowEvent = Annotated[
    CoursePlanEvent
    | ResearchEvent
    | ModuleContentEvent
    | EnhancementEvent
    | SessionStatusEvent
    | SessionStageEvent
    | AssetEvent
    | PresentationEvent
    | NarrationEvent,
    Field(discriminator="stream"),
]
StatusEvent = WorkflowEvent | ExtraStatusEvent
_ADAPTER: TypeAdapter[WorkflowEvent] = TypeAdapter(WorkflowEvent)


def parse_event(row: dict[str, Any]) -> StatusEvent:
    """Parse a `pipeline.events` row (as a dict) into its typed event."""
    data = dict(row)
    data["stream"] = f"{data.get('table_name')}.{data.get('status_column')}"
    try:
        if (data.get("table_name"), data.get("status_column")) in st.EXTRA_STATUS_SETS:
            return ExtraStatusEvent.model_validate(data)
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise EventParseError(f"event {data.get('event_id')} does not parse: {problems}") from exc
