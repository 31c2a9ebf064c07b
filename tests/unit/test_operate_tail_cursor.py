"""The tail's cursor: every event id printed exactly once, however late it commits."""

from __future__ import annotations

from lxera_pipeline.operate.tail import TailCursor


def ids(rows: list[dict[str, int]]) -> list[int]:
    return [row["event_id"] for row in rows]


def rows(*event_ids: int) -> list[dict[str, int]]:
    return [{"event_id": event_id} for event_id in event_ids]


def test_new_ids_are_returned_once() -> None:
    cursor = TailCursor(after=10)
    assert ids(cursor.accept(rows(11, 12), snap_xmin=100, snap_xmax=100, now=0)) == [11, 12]
    assert ids(cursor.accept(rows(), snap_xmin=100, snap_xmax=100, now=1)) == []
    assert cursor.params() == {"after": 12, "gaps": []}


def test_a_lower_id_committing_late_is_returned_once() -> None:
    cursor = TailCursor(after=10, min_gap_seconds=2)
    assert ids(cursor.accept(rows(12), snap_xmin=90, snap_xmax=100, now=0)) == [12]
    assert cursor.params()["gaps"] == [11]
    assert ids(cursor.accept(rows(11), snap_xmin=95, snap_xmax=101, now=0.5)) == [11]
    assert ids(cursor.accept(rows(11, 12), snap_xmin=101, snap_xmax=101, now=1)) == []
    assert cursor.params()["gaps"] == []


def test_a_gap_stays_while_a_transaction_that_may_hold_it_runs() -> None:
    cursor = TailCursor(after=0, min_gap_seconds=1)
    cursor.accept(rows(2), snap_xmin=50, snap_xmax=60, now=0)
    cursor.accept(rows(), snap_xmin=55, snap_xmax=70, now=100)  # xid 55 (< 60) still running
    assert cursor.params()["gaps"] == [1]
    cursor.accept(rows(), snap_xmin=60, snap_xmax=70, now=0.5)  # all ended, but within lookback
    assert cursor.params()["gaps"] == [1]
    cursor.accept(rows(), snap_xmin=60, snap_xmax=70, now=1.5)
    assert cursor.params()["gaps"] == []  # rolled back: given up
