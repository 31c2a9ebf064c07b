"""Reading and writing the pipeline's tables and the acceptance tables from a test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import dict_row


def fetch(dsn: str, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows of one query as dicts, on a short-lived connection."""
    with psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as conn:
        return conn.execute(query, params or {}).fetchall()


def execute(dsn: str, statements: str) -> None:
    """Run SQL (several statements allowed) that returns nothing."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(statements)


def scalar(dsn: str, query: str, params: dict[str, Any] | None = None) -> Any:
    rows = fetch(dsn, query, params)
    return next(iter(rows[0].values())) if rows else None


def audit_rows(dsn: str, handler: str | None = None) -> list[dict[str, Any]]:
    """Audit rows (oldest first), optionally of one handler."""
    return fetch(
        dsn,
        "select * from pipeline.audit_log where %(h)s::text is null or handler = %(h)s "
        "order by audit_id",
        {"h": handler},
    )


def delivery_states(dsn: str) -> dict[str, int]:
    rows = fetch(dsn, "select state, count(*) as n from pipeline.deliveries group by state")
    return {row["state"]: row["n"] for row in rows}


@dataclass
class Jobs:
    """Writes to `public.acc_jobs` (each call one transaction)."""

    dsn: str

    def insert(
        self, status: str, count: int = 1, pause: float = 0, repause: float = 0
    ) -> list[Any]:
        rows = fetch(
            self.dsn,
            "insert into public.acc_jobs (id, status, pause, repause) "
            "select gen_random_uuid(), %(s)s, %(p)s, %(r)s from generate_series(1, %(n)s) "
            "returning id",
            {"s": status, "p": pause, "r": repause, "n": count},
        )
        return [row["id"] for row in rows]

    def flip(self) -> int:
        """Move every ping/pong job to the other status: one event per job."""
        rows = fetch(
            self.dsn,
            "update public.acc_jobs"
            " set status = case status when 'ping' then 'pong' else 'ping' end"
            " where status in ('ping', 'pong') returning id",
        )
        return len(rows)


BURST_INSERT = (
    "insert into public.acc_jobs (id, status) select gen_random_uuid(), 'ping'"
    " from generate_series(1, %(n)s) returning id"
)
BURST_FLIP = (
    "update public.acc_jobs set status = case status when 'ping' then 'pong' else 'ping' end"
    " where id = any(%(ids)s)"
)


def write_bursts(dsn: str, entities: int, events_per_entity: int, chunk: int) -> None:
    """Per transaction, ``chunk`` new jobs and then ``events_per_entity - 1`` flips of them: the
    events of one entity sit ``chunk`` deliveries apart, inside one claim batch."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for start in range(0, entities, chunk):
            with conn.transaction():
                n = min(chunk, entities - start)
                ids = [row[0] for row in conn.execute(BURST_INSERT, {"n": n}).fetchall()]
                for _ in range(events_per_entity - 1):
                    conn.execute(BURST_FLIP, {"ids": ids})


def iter_gaps(times: list[Any]) -> Iterator[float]:
    for earlier, later in itertools.pairwise(times):
        yield (later - earlier).total_seconds()


EXACTLY_ONCE = """
select d.delivery_id, d.event_id, d.handler, d.state,
       (select count(*) from pipeline.audit_log a
         where a.delivery_id = d.delivery_id and a.outcome = 'succeeded') as succeeded,
       (select count(*) from public.acc_effects e
         where e.event_id = d.event_id and e.handler = d.handler) as effects
  from pipeline.deliveries d
 where d.handler like 'acceptance.%%' and d.handler <> 'acceptance.poison'
"""


def exactly_once_problems(dsn: str) -> list[dict[str, Any]]:
    """Deliveries not done, or done with other than one success audit and one effect; plus
    effects no delivery explains and acceptance events without a delivery."""
    rows = fetch(dsn, EXACTLY_ONCE)
    problems = [r for r in rows if (r["state"], r["succeeded"], r["effects"]) != ("done", 1, 1)]
    orphans = fetch(
        dsn,
        "select e.* from public.acc_effects e left join pipeline.deliveries d "
        "on d.event_id = e.event_id and d.handler = e.handler where d.delivery_id is null",
    )
    undelivered = fetch(
        dsn,
        "select ev.event_id, ev.new_status from pipeline.events ev where ev.table_name = 'acc_jobs'"
        " and not exists (select 1 from pipeline.deliveries d where d.event_id = ev.event_id)",
    )
    return problems + orphans + undelivered


def order_problems(dsn: str) -> list[dict[str, Any]]:
    """Entities whose effects did not commit in event order, or whose sequence has gaps/doubles."""
    return fetch(
        dsn,
        """
        select entity_id, array_agg(event_id order by seq, effect_id) as by_seq,
               array_agg(event_id order by event_id) as by_event,
               array_agg(seq order by seq) as seqs
          from public.acc_effects group by entity_id
        having array_agg(event_id order by seq, effect_id) <> array_agg(event_id order by event_id)
            or min(seq) <> 1 or max(seq) <> count(*) or count(distinct seq) <> count(*)
        """,
    )


def done_count(dsn: str) -> int:
    return int(scalar(dsn, "select count(*) from pipeline.deliveries where state = 'done'"))
