"""`prune`: remove whole partitions of the event and audit logs once they are past the retention,
optionally archiving their rows to files first.

The partitions and their bounds come from the catalog (``pipeline.log_partitions()``): a ranged
partition whose upper bound is at or before the cut-off goes, one transaction per partition:

1. ``LOCK ... IN EXCLUSIVE MODE`` on the partition (writers and row locks wait, reads go on;
   old partitions get no writes, so this waits only for a transaction still open from then);
2. the checks: an events partition with unrouted events or pending/running deliveries is
   skipped, one with dead deliveries too unless ``include_dead``; an audit partition whose rows
   belong to events still in the log is skipped (the events partitions go first);
3. with an archive directory: its rows (and, for events, their deliveries) are written as gzip
   JSON lines with a ``manifest.json`` (counts, bounds, sha256), and the count written must equal
   the partition's row count under the lock;
4. the events' deliveries are deleted (the count must equal the count archived), the partition
   is dropped (or detached) by ``pipeline.remove_log_partition`` (a brief ACCESS EXCLUSIVE lock
   on the parent, bounded by ``lock_timeout``), and a ``pipeline.pruned_partitions`` row records
   it, so ``events show`` of a pruned id says where it went.

The DEFAULT partitions are never dropped: old rows found there are reported (``partitions
ensure`` moves them into ranged partitions a later prune can take).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import psycopg
from psycopg import sql
from psycopg.rows import DictRow

from lxera_pipeline.db.queries import load_query
from lxera_pipeline.log import get_logger
from lxera_pipeline.operate.common import OpsInputError, when

log = get_logger(__name__)

ARCHIVE_FORMAT = "lxera-pipeline prune archive 1"
KEYS = {"events": "committed_at", "audit_log": "finished_at"}
ROWS_FILE = {"events": "events.jsonl.gz", "audit_log": "audit_log.jsonl.gz"}
DELIVERIES_FILE = "deliveries.jsonl.gz"
FETCH_ROWS = 5000
Row = dict[str, Any]


class PartitionSkipped(Exception):
    """This partition stays; the message says why."""


@dataclass
class PartitionOutcome:
    """What happened to one partition."""

    parent: str
    partition: str
    range_from: datetime | None
    range_to: datetime | None
    action: str  # dropped | detached | would prune | skipped
    rows: int = 0
    deliveries: int = 0
    min_id: int | None = None
    max_id: int | None = None
    archive: str | None = None
    sha256: str | None = None
    reason: str | None = None


@dataclass
class PruneReport:
    cutoff: datetime
    archive_dir: str | None
    dry_run: bool
    partitions: list[PartitionOutcome] = field(default_factory=list)

    def _total(self, parent: str, attr: str) -> int:
        return sum(
            int(getattr(p, attr))
            for p in self.partitions
            if p.parent == parent and p.action != "skipped"
        )

    @property
    def events(self) -> int:
        return self._total("events", "rows")

    @property
    def deliveries(self) -> int:
        return self._total("events", "deliveries")

    @property
    def audit_rows(self) -> int:
        return self._total("audit_log", "rows")

    @property
    def skipped(self) -> list[PartitionOutcome]:
        return [p for p in self.partitions if p.action == "skipped"]

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "events": self.events,
            "deliveries": self.deliveries,
            "audit_rows": self.audit_rows,
        }


@dataclass(frozen=True)
class PruneOptions:
    older_than: timedelta
    archive_dir: Path | None = None
    include_dead: bool = False
    detach: bool = False
    dry_run: bool = False
    lock_timeout_seconds: float = 5.0
    actor: str = "unknown"


def resolve_archive_dir(text: str, *, create: bool = True) -> Path:
    """The archive directory as an absolute path, created if missing (``create``; else only
    checked: a dry run creates nothing); refused when it is a file or cannot be written."""
    path = Path(text).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise OpsInputError(f"--archive: {path} exists and is not a directory")
    if not create:
        existing = next(p for p in (path, *path.parents) if p.exists())
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise OpsInputError(f"--archive: cannot write to {existing}")
        return path
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".lxera-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OpsInputError(f"--archive: cannot write to {path}: {exc.strerror or exc}") from None
    return path


def cutoff_for(older_than: timedelta, now: datetime | None = None) -> datetime:
    if older_than <= timedelta(0):
        raise OpsInputError("--older-than: must be a positive age such as 30d")
    try:
        return (now or datetime.now(UTC)) - older_than
    except OverflowError:
        raise OpsInputError(f"--older-than: {older_than} reaches before year 1") from None


def prune(
    conn: psycopg.Connection[DictRow], options: PruneOptions, *, now: datetime | None = None
) -> PruneReport:
    """Remove (or, in a dry run, list) the partitions of both logs that end at or before
    ``now - older_than``; events partitions first, then the audit log's."""
    if not 0 < options.lock_timeout_seconds <= 3600:
        raise OpsInputError("--lock-timeout: must be more than 0 and at most 3600 seconds")
    cutoff = cutoff_for(options.older_than, now)
    if options.archive_dir is not None:
        resolved = resolve_archive_dir(str(options.archive_dir), create=not options.dry_run)
        options = replace(options, archive_dir=resolved)
    report = PruneReport(
        cutoff=cutoff,
        archive_dir=str(options.archive_dir) if options.archive_dir else None,
        dry_run=options.dry_run,
    )
    partitions = [dict(r) for r in conn.execute(load_query("partitions_list")).fetchall()]
    for parent in ("events", "audit_log"):
        for part in partitions:
            if part["parent"] != parent:
                continue
            if part["is_default"]:
                _check_default(conn, part, cutoff, report)
            elif part["range_to"] is not None and part["range_to"] <= cutoff:
                going = [
                    p.partition
                    for p in report.partitions
                    if p.parent == "events" and p.action != "skipped"
                ]
                report.partitions.append(_prune_one(conn, part, options, cutoff, going))
    return report


def _ident(name: str) -> sql.Composable:
    return sql.Identifier("pipeline", name)


def _query(name: str, partition: str) -> sql.Composed:
    return load_query(name).format(partition=_ident(partition))


def _check_default(
    conn: psycopg.Connection[DictRow], part: Row, cutoff: datetime, report: PruneReport
) -> None:
    query = load_query("prune_default_rows_before").format(
        partition=_ident(part["partition_name"]), key=sql.Identifier(KEYS[part["parent"]])
    )
    row = conn.execute(query, {"cutoff": cutoff}).fetchone()
    count = int(row["row_count"]) if row else 0
    if count:
        report.partitions.append(
            PartitionOutcome(
                parent=part["parent"],
                partition=part["partition_name"],
                range_from=None,
                range_to=None,
                action="skipped",
                rows=count,
                reason=(
                    f"the default partition holds {count} rows from before the cut-off; "
                    "`lxera-pipeline partitions ensure` moves them into ranged partitions, "
                    "which a later prune removes"
                ),
            )
        )


def _prune_one(
    conn: psycopg.Connection[DictRow],
    part: Row,
    options: PruneOptions,
    cutoff: datetime,
    going: list[str],
) -> PartitionOutcome:
    outcome = PartitionOutcome(
        parent=part["parent"],
        partition=part["partition_name"],
        range_from=part["range_from"],
        range_to=part["range_to"],
        action="would prune" if options.dry_run else "detached" if options.detach else "dropped",
    )
    written: Path | None = None
    try:
        with conn.transaction():
            conn.execute(
                load_query("prune_lock_timeout"),
                {"lock_timeout": f"{int(options.lock_timeout_seconds * 1000)}ms"},
            )
            try:
                conn.execute(_query("prune_lock_partition", outcome.partition))
            except psycopg.errors.LockNotAvailable:
                raise PartitionSkipped(
                    f"still being written (no lock within {options.lock_timeout_seconds:g}s)"
                ) from None
            _facts(conn, outcome, options, going)
            if options.dry_run:
                raise _Rollback
            if options.archive_dir is not None:
                written = _archive(conn, outcome, options, cutoff)
            if outcome.parent == "events":
                row = conn.execute(
                    _query("prune_delete_event_deliveries", outcome.partition), _id_range(outcome)
                )
                found = row.fetchone()
                removed = int(found["removed"]) if found else 0
                if removed != outcome.deliveries:
                    raise RuntimeError(
                        f"{outcome.partition}: {outcome.deliveries} deliveries counted (and "
                        f"archived) but {removed} removed; nothing was pruned"
                    )
            try:
                conn.execute(
                    load_query("prune_remove_partition"),
                    {
                        "parent": outcome.parent,
                        "partition": outcome.partition,
                        "keep": options.detach,
                    },
                )
            except psycopg.errors.LockNotAvailable:
                raise PartitionSkipped(
                    f"pipeline.{outcome.parent} stayed busy: no lock to drop the partition "
                    f"within {options.lock_timeout_seconds:g}s (try again)"
                ) from None
            conn.execute(load_query("prune_record"), _record(outcome, options))
    except PartitionSkipped as skipped:
        _discard(written)
        outcome.action, outcome.reason = "skipped", str(skipped)
        log.info("prune.skipped", partition=outcome.partition, reason=outcome.reason)
    except _Rollback:
        pass
    except BaseException:
        _discard(written)
        raise
    else:
        log.info(
            "prune.partition",
            partition=outcome.partition,
            action=outcome.action,
            rows=outcome.rows,
            deliveries=outcome.deliveries,
            archive=outcome.archive,
        )
    return outcome


class _Rollback(Exception):
    """Leave the transaction without changes (a dry run)."""


def _facts(
    conn: psycopg.Connection[DictRow],
    outcome: PartitionOutcome,
    options: PruneOptions,
    going: list[str],
) -> None:
    """Count the partition under the lock; raise PartitionSkipped when it must stay."""
    if outcome.parent == "events":
        facts = conn.execute(_query("prune_event_partition_facts", outcome.partition)).fetchone()
        assert facts is not None
        outcome.rows, outcome.min_id, outcome.max_id = (
            int(facts["row_count"]),
            facts["min_id"],
            facts["max_id"],
        )
        work = conn.execute(
            _query("prune_event_partition_deliveries", outcome.partition), _id_range(outcome)
        ).fetchone()
        assert work is not None
        outcome.deliveries = int(work["deliveries"])
        if facts["unrouted"]:
            raise PartitionSkipped(f"{facts['unrouted']} of its events are not routed yet")
        if work["open"]:
            raise PartitionSkipped(
                f"{work['open']} deliveries of its events are pending or running"
            )
        if work["dead"] and not options.include_dead:
            raise PartitionSkipped(
                f"{work['dead']} deliveries of its events are dead (`dead list`; "
                "--include-dead prunes them too)"
            )
        return
    facts = conn.execute(_query("prune_audit_partition_facts", outcome.partition)).fetchone()
    assert facts is not None
    outcome.rows, outcome.min_id, outcome.max_id = (
        int(facts["row_count"]),
        facts["min_id"],
        facts["max_id"],
    )
    floor = conn.execute(load_query("prune_live_event_floor")).fetchone()
    floor_id = floor["floor_id"] if floor else None
    if floor_id is None or facts["max_event_id"] is None or facts["max_event_id"] < floor_id:
        return  # every event it audits is gone already
    live = conn.execute(
        _query("prune_audit_of_live_events", outcome.partition),
        {"floor_id": floor_id, "going": going},
    ).fetchone()
    if live and live["live"]:
        raise PartitionSkipped(
            f"{live['live']} of its audit rows belong to events still in the log "
            "(their events partition stays)"
        )


def _archive(
    conn: psycopg.Connection[DictRow],
    outcome: PartitionOutcome,
    options: PruneOptions,
    cutoff: datetime,
) -> Path:
    """Write the partition's rows (and its events' deliveries) under a directory of its own,
    with a manifest; check the counts against the partition's."""
    assert options.archive_dir is not None
    target = _free_dir(options.archive_dir, outcome.partition)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        rows_name = ROWS_FILE[outcome.parent]
        query = "prune_event_rows" if outcome.parent == "events" else "prune_audit_rows"
        count, digest = _write_lines(conn, _query(query, outcome.partition), partial / rows_name)
        if count != outcome.rows:
            raise RuntimeError(
                f"{outcome.partition}: wrote {count} rows but the partition holds {outcome.rows}; "
                "nothing was pruned"
            )
        files = [
            {
                "name": rows_name,
                "table": f"pipeline.{outcome.parent}",
                "rows": count,
                "sha256": digest,
                "min_id": outcome.min_id,
                "max_id": outcome.max_id,
            }
        ]
        outcome.sha256 = digest
        if outcome.parent == "events":
            deliveries, ddigest = _write_lines(
                conn,
                _query("prune_event_deliveries", outcome.partition),
                partial / DELIVERIES_FILE,
                _id_range(outcome),
            )
            if deliveries != outcome.deliveries:
                raise RuntimeError(
                    f"{outcome.partition}: wrote {deliveries} deliveries but its events have "
                    f"{outcome.deliveries}; nothing was pruned"
                )
            files.append(
                {
                    "name": DELIVERIES_FILE,
                    "table": "pipeline.deliveries",
                    "rows": deliveries,
                    "sha256": ddigest,
                }
            )
        manifest = {
            "format": ARCHIVE_FORMAT,
            "parent": f"pipeline.{outcome.parent}",
            "partition": outcome.partition,
            "partition_key": KEYS[outcome.parent],
            "range_from": outcome.range_from.isoformat() if outcome.range_from else None,
            "range_to": outcome.range_to.isoformat() if outcome.range_to else None,
            "cutoff": cutoff.isoformat(),
            "pruned_at": datetime.now(UTC).isoformat(),
            "pruned_by": options.actor,
            "removal": "detach" if options.detach else "drop",
            "files": files,
        }
        (partial / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    outcome.archive = str(target)
    return target


def _free_dir(root: Path, name: str) -> Path:
    """``root/name``, or ``root/name-2``, ... when an earlier prune used that name."""
    target, n = root / name, 1
    while target.exists() or target.with_name(target.name + ".partial").exists():
        n += 1
        target = root / f"{name}-{n}"
    return target


def _id_range(outcome: PartitionOutcome) -> dict[str, int | None]:
    """The event ids the partition holds (counted under its lock): bounds the deliveries read."""
    return {"min_id": outcome.min_id, "max_id": outcome.max_id}


def _write_lines(
    conn: psycopg.Connection[DictRow],
    query: sql.Composed,
    path: Path,
    params: dict[str, Any] | None = None,
) -> tuple[int, str]:
    """Stream the query's ``line`` column into a gzip file; (lines, sha256 of the file)."""
    count = 0
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out,
        conn.cursor(name=f"prune_{path.stem.replace('.', '_')}") as cur,
    ):
        cur.itersize = FETCH_ROWS
        cur.execute(query, params)
        for row in cur:
            out.write(row["line"].encode() + b"\n")
            count += 1
    return count, _sha256(path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _discard(path: Path | None) -> None:
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


def _record(outcome: PartitionOutcome, options: PruneOptions) -> dict[str, Any]:
    return {
        "parent": outcome.parent,
        "partition": outcome.partition,
        "range_from": outcome.range_from,
        "range_to": outcome.range_to,
        "row_count": outcome.rows,
        "min_id": outcome.min_id,
        "max_id": outcome.max_id,
        "deliveries": outcome.deliveries,
        "archive_path": outcome.archive,
        "archive_sha256": outcome.sha256,
        "detached": options.detach,
        "pruned_by": options.actor,
    }


def _bounds(outcome: PartitionOutcome) -> str:
    if outcome.range_to is None:
        return "default"
    return f"{when(outcome.range_from)} .. {when(outcome.range_to)}"


def print_report(report: PruneReport) -> None:
    for part in report.partitions:
        what = f"{part.partition} ({_bounds(part)})"
        if part.action == "skipped":
            click.echo(f"kept    {what}: {part.reason}")
            continue
        extra = f", {part.deliveries} deliveries" if part.parent == "events" else ""
        where = f" -> {part.archive}" if part.archive else ""
        click.echo(f"{part.action:<7} {what}: {part.rows} rows{extra}{where}")
    removed = [p for p in report.partitions if p.action != "skipped"]
    verb = "would remove" if report.dry_run else "removed"
    archived = (
        f", {'to be archived' if report.dry_run else 'archived'} under {report.archive_dir}"
        if report.archive_dir
        else ""
    )
    click.echo(
        f"{verb} {len(removed)} partitions ending before {when(report.cutoff)}: "
        f"{report.events} events, {report.deliveries} deliveries, {report.audit_rows} audit "
        f"rows{archived}; {len(report.skipped)} kept"
    )
