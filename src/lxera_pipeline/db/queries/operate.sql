-- The operator's queries: events list/show, timeline, tail, replay, dead letters (prune and the
-- partitions: partitions.sql).
-- Queries whose text holds {placeholders} are templates: the caller fills them with
-- psycopg.sql identifiers or fragments (so they contain no literal braces).

-- name: ops_event_filter
(%(table)s::text is null or e.table_name = %(table)s)
and (%(entity)s::uuid is null or e.entity_id = %(entity)s)
and (%(company)s::uuid is null or e.company_id = %(company)s)
and (%(event_type)s::text is null or e.event_type = %(event_type)s
     or split_part(e.event_type, '.', 2) = %(event_type)s)
and (%(status)s::text is null or e.new_status = %(status)s)
and (%(since)s::timestamptz is null or e.committed_at >= %(since)s)
and (%(until)s::timestamptz is null or e.committed_at < %(until)s)
and (%(state)s::text is null or exists (
        select 1 from pipeline.deliveries x where x.event_id = e.event_id and x.state = %(state)s))

-- name: ops_list_events
select e.event_id, e.event_type, e.table_name, e.status_column, e.entity_id, e.company_id,
       e.old_status, e.new_status, e.correlation_id, e.causation_id, e.actor_role,
       e.committed_at, coalesce(d.states, jsonb_build_object()) as delivery_states
  from pipeline.events e
  left join lateral (
        select jsonb_object_agg(s.state, s.n) as states
          from (select x.state, count(*) as n from pipeline.deliveries x
                 where x.event_id = e.event_id group by x.state) s
       ) d on true
 where {filter}
 order by e.event_id desc
 limit %(limit)s

-- name: ops_known_tables
select distinct table_name from pipeline.status_columns order by table_name

-- name: ops_status_columns
select table_name, status_column, key_column from pipeline.status_columns

-- name: ops_get_event
select e.* from pipeline.events e where e.event_id = %(event_id)s

-- name: ops_event_deliveries
select d.* from pipeline.deliveries d where d.event_id = %(event_id)s order by d.delivery_id

-- name: ops_event_audit
select a.* from pipeline.audit_log a where a.event_id = %(event_id)s order by a.audit_id

-- name: ops_caused_events
select e.event_id, e.event_type, e.table_name, e.status_column, e.entity_id, e.old_status,
       e.new_status, e.committed_at
  from pipeline.events e
 where e.causation_id = %(event_id)s
 order by e.event_id

-- name: ops_timeline_events
-- The entity's events, the events that led to them (causation upwards), everything they caused
-- (causation downwards) and every event that carries the entity as its correlation id (a plan's
-- whole workflow).
with recursive
seed as (
    select e.event_id from pipeline.events e
     where e.entity_id = %(entity)s
        or (e.correlation_id = %(entity)s and e.correlation_id <> e.entity_id)  -- partial index
),
up (event_id, causation_id) as (
    select e.event_id, e.causation_id from pipeline.events e join seed s using (event_id)
    union
    select p.event_id, p.causation_id
      from up u join pipeline.events p on p.event_id = u.causation_id
),
down (event_id) as (
    select s.event_id from seed s
    union
    select c.event_id from down d join pipeline.events c on c.causation_id = d.event_id
)
select e.event_id, e.event_type, e.table_name, e.status_column, e.entity_id, e.company_id,
       e.old_status, e.new_status, e.correlation_id, e.causation_id, e.committed_at
  from pipeline.events e
 where e.event_id in (select event_id from up union select event_id from down)
 order by e.committed_at, e.event_id

-- name: ops_audit_for_events
select a.audit_id, a.delivery_id, a.event_id, a.handler, a.attempt, a.outcome, a.is_replay,
       a.worker, a.started_at, a.finished_at, a.duration_ms, a.error, a.detail
  from pipeline.audit_log a
 where a.event_id = any(%(event_ids)s)
 order by a.event_id, a.audit_id

-- name: ops_deliveries_for_events
select d.delivery_id, d.event_id, d.handler, d.state, d.attempts, d.is_replay, d.replay_by,
       d.last_error
  from pipeline.deliveries d
 where d.event_id = any(%(event_ids)s)
 order by d.event_id, d.delivery_id

-- name: ops_current_status
select t.{status_column}::text as status from {table} t where t.{key_column} = %(entity)s

-- name: ops_tail_poll
-- New events (above the last id seen) and events in the id gaps still open, with the snapshot
-- this statement read them under: xmin/xmax tell when every transaction that could still commit
-- a gap id has ended.
select e.event_id, e.event_type, e.table_name, e.status_column, e.entity_id, e.company_id,
       e.old_status, e.new_status, e.correlation_id, e.causation_id, e.actor_role,
       e.committed_at, ({filter}) as matches,
       pg_snapshot_xmin(pg_current_snapshot())::text::bigint as snap_xmin,
       pg_snapshot_xmax(pg_current_snapshot())::text::bigint as snap_xmax
  from pipeline.events e
 where e.event_id > %(after)s or e.event_id = any(%(gaps)s::bigint[])
union all
select null, null, null, null, null, null, null, null, null, null, null, null, null,
       pg_snapshot_xmin(pg_current_snapshot())::text::bigint,
       pg_snapshot_xmax(pg_current_snapshot())::text::bigint
 order by 1 nulls last

-- name: ops_replay_events
select e.* from pipeline.events e
 where (%(event_id)s::bigint is null or e.event_id = %(event_id)s)
   and ({filter})
 order by e.event_id
 limit %(limit)s

-- name: ops_subscribed_handlers
select s.handler, s.handler_group, s.max_attempts
  from pipeline.subscriptions s
 where s.active and s.table_name = %(table_name)s and s.status_column = %(status_column)s
   and (s.from_status = '*' or s.from_status = coalesce(%(old_status)s::text, 'new'))
   and (s.to_status = '*' or s.to_status = %(new_status)s)
 order by s.handler

-- name: ops_unrouted_event
-- Is this event still waiting for pipeline.route_events() (no deliveries created yet)?
select not pg_visible_in_snapshot(e.txid, r.last_snapshot) as unrouted
  from pipeline.events e, pipeline.router_state r
 where e.event_id = %(event_id)s::bigint

-- name: ops_share_lock_event
select e.event_id from pipeline.events e where e.event_id = %(event_id)s for share

-- name: ops_open_delivery
select d.delivery_id, d.state from pipeline.deliveries d
 where d.event_id = %(event_id)s and d.handler = %(handler)s and d.state in ('pending', 'running')
 order by d.delivery_id limit 1

-- name: ops_original_delivery
select d.delivery_id from pipeline.deliveries d
 where d.event_id = %(event_id)s and d.handler = %(handler)s and not d.is_replay
 order by d.delivery_id limit 1

-- name: ops_insert_replay_delivery
-- Claimed at the priority routing would give it now (pipeline.route_events): a media session's
-- render_priority, else 0.
insert into pipeline.deliveries
    (event_id, handler, entity_id, max_attempts, is_replay, replay_of, replay_by, replay_reason,
     priority)
values
    (%(event_id)s, %(handler)s, %(entity_id)s, %(max_attempts)s, true, %(replay_of)s,
     %(replay_by)s, %(replay_reason)s,
     coalesce((select s.render_priority
                 from pipeline.events e
                 join public.mm_multimedia_sessions s on s.session_id = e.entity_id
                where e.event_id = %(event_id)s and e.table_name = 'mm_multimedia_sessions'),
              0))
returning delivery_id

-- name: ops_notify_if_armed
-- The status trigger's rule: NOTIFY only while some listener is armed.
select pg_notify('pipeline_events',
                 json_build_object('event_id', %(event_id)s::bigint, 'table', %(table)s::text)::text)
 where not pg_try_advisory_xact_lock_shared(%(pipeline_lock_class)s::int, %(wake_key)s::int)

-- name: ops_dead_filter
(%(handler)s::text is null or d.handler = %(handler)s)
and (%(table)s::text is null or e.table_name = %(table)s)
and (%(entity)s::uuid is null or d.entity_id = %(entity)s)
and (%(since)s::timestamptz is null or d.finished_at >= %(since)s)
and (%(until)s::timestamptz is null or d.finished_at < %(until)s)
and (%(delivery_ids)s::bigint[] is null or d.delivery_id = any(%(delivery_ids)s))

-- name: ops_list_dead
select d.delivery_id, d.event_id, d.handler, d.entity_id, e.table_name, e.old_status,
       e.new_status, d.attempts, d.max_attempts, d.is_replay, d.last_error, d.finished_at,
       r.delivery_id as replayed_by_delivery, r.state as replay_state
  from pipeline.deliveries d
  join pipeline.events e on e.event_id = d.event_id
  left join lateral (
        select x.delivery_id, x.state from pipeline.deliveries x
         where x.replay_of = d.delivery_id order by x.delivery_id desc limit 1
       ) r on true
 where d.state = 'dead' and {filter}
 order by d.delivery_id
 limit %(limit)s

-- name: ops_retry_dead
with chosen as (
    select d.delivery_id, d.event_id, d.handler, d.entity_id, d.attempts, d.last_error,
           d.is_replay, e.correlation_id
      from pipeline.deliveries d
      join pipeline.events e on e.event_id = d.event_id
     where d.state = 'dead' and {filter}
     order by d.delivery_id
       for update of d
),
retried as (
    update pipeline.deliveries d
       set state = 'pending', attempts = 0, run_after = now(), lease_until = null,
           leased_by = null, finished_at = null
      from chosen c
     where d.delivery_id = c.delivery_id
    returning d.delivery_id
),
audited as (
    insert into pipeline.audit_log
        (delivery_id, event_id, handler, attempt, outcome, is_replay, worker, entity_id,
         correlation_id, started_at, duration_ms, detail)
    select c.delivery_id, c.event_id, c.handler, c.attempts, 'released', c.is_replay,
           %(worker)s, c.entity_id, c.correlation_id, now(), 0,
           jsonb_build_object('action', 'dead_retry', 'by', %(by)s::text,
                              'reason', %(reason)s::text, 'previous_attempts', c.attempts,
                              'previous_error', c.last_error)
      from chosen c
    returning audit_id
)
select c.delivery_id, c.event_id, c.handler, c.entity_id, c.attempts as previous_attempts,
       (select e.table_name from pipeline.events e where e.event_id = c.event_id) as table_name
  from chosen c
 where c.delivery_id in (select delivery_id from retried)
 order by c.delivery_id

-- name: ops_dry_run_settings
select set_config('lock_timeout', %(lock_timeout)s, true),
       set_config('statement_timeout', %(statement_timeout)s, true)

-- name: ops_current_xid
select mod(pg_current_xact_id_if_assigned()::text::bigint, 4294967296)::text as xid

-- name: ops_touched_tables
-- A partition's changes count as its partitioned table's (pipeline.events, pipeline.audit_log).
select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as relation,
       n.nspname as schema_name, c.relname as table_name, sum(s.n_tup_ins) as inserted,
       sum(s.n_tup_upd) as updated, sum(s.n_tup_del) as deleted
  from pg_stat_xact_user_tables s
  join pg_class c on c.oid = coalesce(pg_partition_root(s.relid), s.relid)
  join pg_namespace n on n.oid = c.relnamespace
 where s.n_tup_ins + s.n_tup_upd + s.n_tup_del > 0
 group by n.nspname, c.relname
 order by n.nspname, c.relname

-- name: ops_primary_key_columns
select a.attname as column_name
  from pg_index i
  join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey::int2[])
 where i.indrelid = %(relation)s::regclass and i.indisprimary
 order by array_position(i.indkey::int2[], a.attnum)

-- name: ops_rows_written_in_xact
-- Row versions this transaction (or one of its savepoints) wrote. Under REPEATABLE READ every
-- visible row whose xmin is at or after our own transaction id is ours, and age() of such an
-- xmin is <= 0 (wraparound-safe).
select row_to_json(t.*) as row from {relation} t where age(t.xmin) <= 0

-- name: ops_row_by_key
select row_to_json(t.*) as row
  from {relation} t
 where ({key_columns}) = (select {key_columns} from jsonb_populate_record(null::{relation}, %(key)s::jsonb))

-- name: ops_rows_removed_after_xid
-- Seen from another connection: rows whose xmax is a transaction at or after `top` (ours, still
-- running): deleted, updated or locked by it.
select row_to_json(t.*) as row
  from {relation} t
 where t.xmax::text::bigint <> 0
   and mod(t.xmax::text::bigint - %(top)s::bigint + 4294967296, 4294967296) < 2147483648

-- name: ops_tail_floor
-- An event id taken just before `before` (ids grow with time): a tail starts above it.
select coalesce((select e.event_id from pipeline.events e
                  where e.committed_at < %(before)s
                  order by e.committed_at desc limit 1), 0) as floor_id
