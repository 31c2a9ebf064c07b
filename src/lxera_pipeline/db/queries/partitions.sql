-- The partitioned event and audit logs (migrations/20261125001200_partitioned_event_log.sql):
-- `partitions list|ensure`, the daemon's partition maintenance, `prune` and `events show` of a
-- pruned id. Queries whose text holds {partition} are templates: the caller fills in the
-- partition as a psycopg.sql identifier (pipeline.<name>, a name read from the catalog).

-- name: partitions_ensure
select pipeline.ensure_log_partitions(%(ahead)s::integer) as created

-- name: partitions_list
select l.parent, l.partition_name, l.is_default, l.range_from, l.range_to, l.rows_estimate,
       l.total_bytes
  from pipeline.log_partitions() l

-- name: prune_lock_timeout
select set_config('lock_timeout', %(lock_timeout)s, true) as lock_timeout

-- name: prune_lock_partition
-- Writers and row locks (a replay's FOR SHARE of the event) wait; plain reads go on.
lock table {partition} in exclusive mode

-- name: prune_event_partition_facts
select count(*) as row_count, min(e.event_id) as min_id, max(e.event_id) as max_id,
       count(*) filter (where not pg_visible_in_snapshot(
           e.txid, (select r.last_snapshot from pipeline.router_state r))) as unrouted
  from {partition} e

-- name: prune_event_partition_deliveries
-- The deliveries of the partition's events, and how many are unfinished or dead. Like every
-- deliveries query below, it reads the deliveries of the partition's event id range through
-- deliveries_event_idx, then probes the partition for each.
select count(*) as deliveries,
       count(*) filter (where d.state in ('pending', 'running')) as open,
       count(*) filter (where d.state = 'dead') as dead
  from pipeline.deliveries d
 where d.event_id between %(min_id)s and %(max_id)s
   and exists (select 1 from {partition} e where e.event_id = d.event_id)

-- name: prune_event_rows
select row_to_json(e)::text as line from {partition} e order by e.event_id

-- name: prune_event_deliveries
select row_to_json(d)::text as line
  from pipeline.deliveries d
 where d.event_id between %(min_id)s and %(max_id)s
   and exists (select 1 from {partition} e where e.event_id = d.event_id)
 order by d.delivery_id

-- name: prune_delete_event_deliveries
with gone as (
    delete from pipeline.deliveries d
     where d.event_id between %(min_id)s and %(max_id)s
       and exists (select 1 from {partition} e where e.event_id = d.event_id)
    returning 1
)
select count(*) as removed from gone

-- name: prune_audit_partition_facts
select count(*) as row_count, min(a.audit_id) as min_id, max(a.audit_id) as max_id,
       max(a.event_id) as max_event_id
  from {partition} a

-- name: prune_live_event_floor
-- The smallest event id still in the log (a merge of each partition's primary key).
select min(e.event_id) as floor_id from pipeline.events e

-- name: prune_audit_of_live_events
-- Audit rows of the partition whose events are still in the log (not counting the events
-- partitions this run removes: a dry run still sees them).
select count(*) as live
  from {partition} a
 where a.event_id >= %(floor_id)s
   and exists (select 1 from pipeline.events e
                where e.event_id = a.event_id
                  and e.tableoid not in (select c.oid from pg_class c
                                          where c.relnamespace = 'pipeline'::regnamespace
                                            and c.relname = any(%(going)s::text[])))

-- name: prune_audit_rows
select row_to_json(a)::text as line from {partition} a order by a.audit_id

-- name: prune_default_rows_before
select count(*) as row_count from {partition} d where d.{key} < %(cutoff)s

-- name: prune_remove_partition
select pipeline.remove_log_partition(%(parent)s, %(partition)s, %(keep)s)

-- name: prune_record
insert into pipeline.pruned_partitions
    (parent, partition_name, range_from, range_to, row_count, min_id, max_id,
     deliveries_removed, archive_path, archive_sha256, detached, pruned_by)
values (%(parent)s, %(partition)s, %(range_from)s, %(range_to)s, %(row_count)s, %(min_id)s,
        %(max_id)s, %(deliveries)s, %(archive_path)s, %(archive_sha256)s, %(detached)s,
        %(pruned_by)s)

-- name: pruned_event
-- Where an event id that is no longer in the log went: the pruned partitions whose id range
-- holds it (ids are never reused).
select p.partition_name, p.range_from, p.range_to, p.archive_path, p.detached, p.pruned_at,
       p.pruned_by
  from pipeline.pruned_partitions p
 where p.parent = 'events' and %(event_id)s::bigint between p.min_id and p.max_id
 order by p.pruned_id
