"""`prune`: remove finished events past the retention (optionally archiving them first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import click
import psycopg
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.log import get_logger
from lxera_pipeline.operate.common import OpsInputError, when

log = get_logger(__name__)


@dataclass
class PruneReport:
    cutoff: datetime
    archive: bool
    batches: int = 0
    events: int = 0
    deliveries: int = 0
    audit_rows: int = 0
    archived_rows: int = 0


def prune(
    conn: psycopg.Connection[DictRow],
    older_than: timedelta,
    *,
    batch_size: int = 1000,
    archive: bool = False,
    now: datetime | None = None,
) -> PruneReport:
    """Remove finished events committed more than ``older_than`` ago; returns the counts."""
    if older_than <= timedelta(0):
        raise OpsInputError("--older-than: must be a positive age such as 30d")
    if batch_size < 1:
        raise OpsInputError(f"--batch-size: must be at least 1, got {batch_size}")
    report = PruneReport(cutoff=(now or datetime.now(UTC)) - older_than, archive=archive)
    params = {"cutoff": report.cutoff, "batch_size": batch_size, "archive": archive}
    while True:
        with conn.transaction():
            row = conn.execute(load_query("ops_prune_batch"), params).fetchone()
        if row is None or not row["events"]:
            break
        report.batches += 1
        report.events += int(row["events"])
        report.deliveries += int(row["deliveries"])
        report.audit_rows += int(row["audit_rows"])
        report.archived_rows += int(row["archived_rows"])
        log.info("prune.batch", events=row["events"], audit_rows=row["audit_rows"])
    return report


def print_report(report: PruneReport, archive: bool) -> None:
    verb = "archived and deleted" if archive else "deleted"
    click.echo(
        f"{verb} {report.events} events, {report.deliveries} deliveries and "
        f"{report.audit_rows} audit rows committed before {when(report.cutoff)} "
        f"in {report.batches} batches"
    )
