"""`timeline ENTITY_ID`."""

from __future__ import annotations

from dataclasses import asdict

import click

from lxera_pipeline.cli.common import print_json
from lxera_pipeline.cli.ops_common import connect, dsn_from_settings, operator_errors
from lxera_pipeline.cli.render_timeline import timeline_view
from lxera_pipeline.listeners.ops.filters import parse_uuid
from lxera_pipeline.listeners.ops.timeline import build_timeline


@click.command("timeline")
@click.argument("entity_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def timeline_command(entity_id: str, as_json: bool) -> None:
    """An entity's whole history: its events, what caused them, what they caused (across tables),
    the handler attempts, the time between steps, and the status of every row involved now."""
    with operator_errors():
        entity = parse_uuid(entity_id, "ENTITY_ID")
        assert entity is not None
        _, dsn = dsn_from_settings()
        with connect(dsn) as conn:
            timeline = build_timeline(conn, entity)
    if as_json:
        print_json(
            {
                "entity_id": timeline.entity_id,
                "span_seconds": timeline.span_seconds,
                "steps": [asdict(step) for step in timeline.steps],
                "now": [asdict(now) for now in timeline.now],
            }
        )
    else:
        timeline_view(timeline)
