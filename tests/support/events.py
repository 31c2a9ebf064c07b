"""Write event rows the way a status trigger does, without a tracked table (the daemon tests use
``itest_jobs``, which exists only as a name): the row, the correlation and causation the
transaction is tagged with, and a NOTIFY only while a listener is armed (the writers' rule)."""

from __future__ import annotations

import re

_TABLE = re.compile(r"^[a-z_][a-z0-9_]*$")


def record_events_query(rows: str, table: str = "itest_jobs", column: str = "status") -> str:
    """A statement inserting one event per row of ``rows``, a SELECT of (entity uuid, old status,
    new status, snapshot jsonb); it returns the event ids as ``id``, in insertion order."""
    for name in (table, column):
        if not _TABLE.match(name):
            raise ValueError(f"not a plain identifier: {name!r}")
    return f"""
with source (entity, old_status, new_status, snapshot) as ({rows}),
written as (
    insert into pipeline.events (event_type, table_name, status_column, entity_id, old_status,
                                 new_status, snapshot, correlation_id, causation_id, actor_role)
    select '{table}' || case when s.old_status is null then '.created'
                             else '.status_changed' end,
           '{table}', '{column}', s.entity, s.old_status, s.new_status, s.snapshot,
           coalesce(nullif(current_setting('pipeline.correlation_id', true), '')::uuid, s.entity),
           nullif(current_setting('pipeline.causation_id', true), '')::bigint,
           current_user
      from source s
    returning event_id
)
select w.event_id as id,
       pg_try_advisory_xact_lock_shared(pipeline.lock_key('pipeline'), pipeline.lock_key('wake'))
       or (select true from (select pg_notify('pipeline_events', json_build_object(
               'event_id', w.event_id, 'table', '{table}')::text)) as n) as quiet
  from written w
 order by w.event_id
"""
