"""Which events a tail has already printed, without missing one that commits late.

Event ids are taken from a sequence before the transaction commits, so event 41 may become
visible after event 42. The cursor remembers the highest id seen and every lower id still missing
(a gap). A gap is asked for again on every poll until the database says no transaction that could
still hold it is running: the poll that first saw the gap recorded its snapshot's ``xmax``; once a
later snapshot's ``xmin`` has passed it, every such transaction has ended, so that poll's answer is
final. A gap is also kept at least ``min_gap_seconds`` (the lookback window), which covers a writer
that took its id just before its transaction id.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]


@dataclass(frozen=True)
class Gap:
    noticed_at: float
    horizon: int  # snapshot xmax of the poll that noticed the gap


@dataclass
class TailCursor:
    after: int
    min_gap_seconds: float = 2.0
    gaps: dict[int, Gap] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        return {"after": self.after, "gaps": sorted(self.gaps)}

    def accept(
        self, rows: Iterable[Row], snap_xmin: int, snap_xmax: int, now: float | None = None
    ) -> list[Row]:
        """Rows of one poll (ascending ids) -> the ones not seen before, in id order."""
        now = time.monotonic() if now is None else now
        fresh: list[Row] = []
        for row in rows:
            event_id = int(row["event_id"])
            if event_id > self.after:
                for missing in range(self.after + 1, event_id):
                    self.gaps[missing] = Gap(now, snap_xmax)
                self.after = event_id
            elif self.gaps.pop(event_id, None) is None:
                continue
            fresh.append(row)
        self._expire(snap_xmin, now)
        return fresh

    def _expire(self, snap_xmin: int, now: float) -> None:
        for event_id, gap in list(self.gaps.items()):
            if snap_xmin >= gap.horizon and now - gap.noticed_at >= self.min_gap_seconds:
                del self.gaps[event_id]
