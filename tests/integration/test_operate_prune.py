"""`prune`: whole partitions of the event and audit logs go once they end before the cut-off,
decided from the catalog; with --archive their rows are written first (the count written is the
count removed); newer partitions, and partitions with unfinished work, stay."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from psycopg.rows import dict_row

from lxera_pipeline.cli import cli
from lxera_pipeline.operate import prune as prune_module
from lxera_pipeline.operate.prune import PruneOptions, prune
from tests.integration.partition_support import (
    ago,
    partition_of,
    partitions,
    put_audit,
    put_delivery,
    put_event,
    settle,
)

Conn = psycopg.Connection[dict[str, Any]]
OLD, MID = 70, 10  # days ago: a month partition wholly before a 35-day cut-off; a daily one after
AGE = timedelta(days=35)


@pytest.fixture
def conn(db_dsn: str) -> Any:
    with psycopg.connect(db_dsn, autocommit=True, row_factory=dict_row) as c:
        c.execute("update pipeline.subscriptions set active = false")  # no real handler routes
        yield c


def seed(conn: Conn, when_ago: float, n: int, state: str = "done") -> list[int]:
    ids = []
    for i in range(n):
        event = put_event(conn, ago(when_ago) + timedelta(minutes=i))
        delivery = put_delivery(conn, event, state)
        put_audit(conn, event, delivery, ago(when_ago) + timedelta(minutes=i, seconds=5))
        ids.append(event)
    settle(conn)
    return ids


def rows(conn: Conn, table: str, key: str, ids: list[int]) -> list[dict[str, Any]]:
    return conn.execute(
        f"select to_jsonb(t) as row from pipeline.{table} t where {key} = any(%s) order by 1",
        (ids,),
    ).fetchall()


def env(dsn: str) -> dict[str, str]:
    return {"DATABASE_URL": dsn, "LXERA_LOG_LEVEL": "warning"}


def test_prune_drops_only_partitions_that_end_before_the_cutoff(conn: Conn) -> None:
    old, mid = seed(conn, OLD, 3), seed(conn, MID, 2)
    today = put_event(conn, ago(0))
    settle(conn)
    old_part = partition_of(conn, "events", "event_id", old[0])
    kept_before = rows(conn, "events", "event_id", [*mid, today])
    kept_deliveries = rows(conn, "deliveries", "event_id", mid)
    kept_audit = rows(conn, "audit_log", "event_id", mid)

    report = prune(conn, PruneOptions(older_than=AGE))

    gone = {p.partition for p in report.partitions if p.action == "dropped"}
    assert old_part is not None
    assert old_part.removeprefix("pipeline.") in gone
    assert all(p.range_to is not None and p.range_to <= report.cutoff for p in report.partitions)
    assert (report.events, report.deliveries, report.audit_rows) == (3, 3, 3)
    assert rows(conn, "events", "event_id", old) == []
    assert rows(conn, "deliveries", "event_id", old) == []
    assert rows(conn, "audit_log", "event_id", old) == []
    assert rows(conn, "events", "event_id", [*mid, today]) == kept_before  # newer: untouched
    assert rows(conn, "deliveries", "event_id", mid) == kept_deliveries
    assert rows(conn, "audit_log", "event_id", mid) == kept_audit
    names = {p["partition_name"] for p in partitions(conn)}
    assert not gone & names
    recorded = conn.execute(
        "select parent, row_count, archive_path from pipeline.pruned_partitions order by 1"
    ).fetchall()
    assert [(r["parent"], r["row_count"], r["archive_path"]) for r in recorded] == [
        ("audit_log", 3, None),
        ("events", 3, None),
    ]


def _lines(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt") as f:
        return [json.loads(line) for line in f]


def test_archive_writes_every_removed_row_with_a_manifest(conn: Conn, tmp_path: Path) -> None:
    old = seed(conn, OLD, 4)
    events_before = [r["row"] for r in rows(conn, "events", "event_id", old)]
    deliveries_before = [r["row"] for r in rows(conn, "deliveries", "event_id", old)]
    audit_before = [r["row"] for r in rows(conn, "audit_log", "event_id", old)]

    report = prune(conn, PruneOptions(older_than=AGE, archive_dir=tmp_path))

    [events_part] = [p for p in report.partitions if p.parent == "events"]
    [audit_part] = [p for p in report.partitions if p.parent == "audit_log"]
    folder = Path(events_part.archive or "")
    manifest = json.loads((folder / "manifest.json").read_text())
    files = {f["name"]: f for f in manifest["files"]}
    assert manifest["partition"] == events_part.partition
    assert manifest["range_to"] == events_part.range_to.isoformat()  # type: ignore[union-attr]
    for name, before in (
        ("events.jsonl.gz", events_before),
        ("deliveries.jsonl.gz", deliveries_before),
    ):
        archived = _lines(folder / name)
        assert files[name]["rows"] == len(archived) == len(before) == 4  # archived == removed
        assert sorted(archived, key=json.dumps) == sorted(before, key=json.dumps)
        assert files[name]["sha256"] == hashlib.sha256((folder / name).read_bytes()).hexdigest()
    audit_folder = Path(audit_part.archive or "")
    assert _lines(audit_folder / "audit_log.jsonl.gz") == audit_before
    assert rows(conn, "events", "event_id", old) == []
    recorded = conn.execute(
        "select archive_path, archive_sha256, row_count, deliveries_removed"
        " from pipeline.pruned_partitions where parent = 'events'"
    ).fetchone()
    assert recorded == {
        "archive_path": str(folder),
        "archive_sha256": files["events.jsonl.gz"]["sha256"],
        "row_count": 4,
        "deliveries_removed": 4,
    }


def test_events_show_of_a_pruned_id_says_where_it_went(
    conn: Conn, db_dsn: str, tmp_path: Path
) -> None:
    [archived] = seed(conn, OLD, 1)
    prune(conn, PruneOptions(older_than=AGE, archive_dir=tmp_path / "a"))
    [dropped] = seed(conn, OLD + 40, 1)
    prune(conn, PruneOptions(older_than=AGE))
    runner = CliRunner()
    result = runner.invoke(cli, ["events", "show", str(archived)], env=env(db_dsn))
    assert result.exit_code == 3, result.output
    assert f"event {archived} was pruned" in result.output
    assert f"archived to {tmp_path / 'a'}" in result.output
    result = runner.invoke(cli, ["events", "show", str(dropped)], env=env(db_dsn))
    assert result.exit_code == 3
    assert "pruned without archive" in result.output
    result = runner.invoke(cli, ["events", "show", str(dropped + 1000)], env=env(db_dsn))
    assert result.exit_code == 3
    assert f"no event with id {dropped + 1000}" in result.output


def test_partitions_with_unfinished_work_stay_and_say_why(conn: Conn, tmp_path: Path) -> None:
    pending = seed(conn, OLD, 2, state="pending")
    pending_part = partition_of(conn, "events", "event_id", pending[0])
    dead = seed(conn, OLD + 60, 2, state="dead")
    dead_part = partition_of(conn, "events", "event_id", dead[0])
    before = rows(conn, "events", "event_id", [*pending, *dead])

    report = prune(conn, PruneOptions(older_than=AGE, archive_dir=tmp_path))
    reasons = {f"pipeline.{p.partition}": p.reason for p in report.partitions}
    assert "pending or running" in str(reasons[str(pending_part)])
    assert "dead" in str(reasons[str(dead_part)])
    assert "--include-dead" in str(reasons[str(dead_part)])
    audit_kept = [p for p in report.partitions if p.parent == "audit_log"]
    assert audit_kept
    assert all("still in the log" in str(p.reason) for p in audit_kept)
    assert rows(conn, "events", "event_id", [*pending, *dead]) == before
    assert list(tmp_path.iterdir()) == []  # nothing archived for a partition that stays

    report = prune(conn, PruneOptions(older_than=AGE, archive_dir=tmp_path, include_dead=True))
    [went] = [p for p in report.partitions if p.parent == "events" and p.action == "dropped"]
    assert f"pipeline.{went.partition}" == dead_part
    states = [d["state"] for d in _lines(Path(went.archive or "") / "deliveries.jsonl.gz")]
    assert states == ["dead", "dead"]
    assert rows(conn, "events", "event_id", pending) == before[:2]


def test_unrouted_events_keep_their_partition(conn: Conn) -> None:
    conn.execute("update pipeline.subscriptions set active = true")
    conn.execute("select pipeline.route_events()")
    event = put_event(conn, ago(OLD))
    conn.execute("select pipeline.ensure_log_partitions(7)")  # moved out of the default, not routed
    report = prune(conn, PruneOptions(older_than=AGE))
    [kept] = [p for p in report.partitions if p.parent == "events"]
    assert kept.action == "skipped"
    assert "not routed" in str(kept.reason)
    assert rows(conn, "events", "event_id", [event]) != []


def test_old_rows_in_the_default_partition_are_reported_not_dropped(conn: Conn) -> None:
    event = put_event(conn, ago(OLD))  # no partition covers it yet: the default holds it
    conn.execute("select pipeline.route_events()")
    assert partition_of(conn, "events", "event_id", event) == "pipeline.events_default"
    report = prune(conn, PruneOptions(older_than=AGE))
    [kept] = report.skipped
    assert kept.partition == "events_default"
    assert "partitions ensure" in str(kept.reason)
    assert partition_of(conn, "events", "event_id", event) == "pipeline.events_default"


def test_a_dry_run_changes_nothing(conn: Conn, tmp_path: Path) -> None:
    old = seed(conn, OLD, 2)
    before = rows(conn, "events", "event_id", old)
    names = partitions(conn)
    target = tmp_path / "not-yet"
    report = prune(conn, PruneOptions(older_than=AGE, archive_dir=target, dry_run=True))
    assert not target.exists()  # checked, not created
    assert {p.action for p in report.partitions} == {"would prune"}
    assert (report.events, report.deliveries, report.audit_rows) == (2, 2, 2)
    assert rows(conn, "events", "event_id", old) == before
    assert partitions(conn) == names
    assert list(tmp_path.iterdir()) == []


def test_a_partition_still_being_written_is_left_for_the_next_run(conn: Conn, db_dsn: str) -> None:
    old = seed(conn, OLD, 1)
    part = partition_of(conn, "events", "event_id", old[0])
    with psycopg.connect(db_dsn) as writer:
        writer.execute(f"lock table {part} in row exclusive mode")
        report = prune(conn, PruneOptions(older_than=AGE, lock_timeout_seconds=0.2))
    [kept] = [p for p in report.partitions if p.parent == "events"]
    assert kept.action == "skipped"
    assert "still being written" in str(kept.reason)
    assert rows(conn, "events", "event_id", old) != []


def test_prune_command(conn: Conn, db_dsn: str, tmp_path: Path) -> None:
    seed(conn, OLD, 2)
    result = CliRunner().invoke(
        cli,
        ["prune", "--older-than", "35d", "--archive", str(tmp_path / "x"), "--json"],
        env=env(db_dsn),
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["events"], report["audit_rows"]) == (2, 2)
    assert report["archive_dir"] == str((tmp_path / "x").resolve())
    result = CliRunner().invoke(cli, ["prune", "--older-than", "35d"], env=env(db_dsn))
    assert result.exit_code == 0
    assert "removed 0 partitions" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--older-than", "99999999d"], "longer than the maximum"),
        (["--older-than", "0s"], "must be a positive age"),
        (["--older-than", "soon"], "is not a duration"),
        (["--archive", "{file}"], "is not a directory"),
        (["--lock-timeout", "0"], "--lock-timeout"),
    ],
)
def test_prune_refuses_bad_input_clearly(
    db_dsn: str, tmp_path: Path, args: list[str], message: str
) -> None:
    afile = tmp_path / "a-file"
    afile.write_text("")
    args = [a.replace("{file}", str(afile)) for a in args]
    result = CliRunner().invoke(cli, ["prune", *args], env=env(db_dsn))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_count_mismatch_removes_nothing(
    conn: Conn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = seed(conn, OLD, 3)
    before = rows(conn, "events", "event_id", old)
    write_lines = prune_module._write_lines

    def short_by_one(*args: Any) -> tuple[int, str]:
        count, digest = write_lines(*args)
        return count - 1, digest  # as if a row had not reached the file

    monkeypatch.setattr(prune_module, "_write_lines", short_by_one)
    with pytest.raises(RuntimeError, match="wrote 2 rows but the partition holds 3"):
        prune(conn, PruneOptions(older_than=AGE, archive_dir=tmp_path))
    assert rows(conn, "events", "event_id", old) == before
    assert len(rows(conn, "deliveries", "event_id", old)) == 3
    assert list(tmp_path.iterdir()) == []  # the partial archive is removed
    assert conn.execute("select count(*) as n from pipeline.pruned_partitions").fetchone() == {
        "n": 0
    }
