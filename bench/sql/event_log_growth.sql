-- bench/event_log_growth.py: a tracked table of its own, historic events bulk-loaded into old
-- partitions, and the daemon's route+claim measured against them.

-- name: setup
create table public.bench_jobs (
    id      uuid primary key default gen_random_uuid(),
    status  text not null
);
select pipeline.allow_transitions('bench_jobs', 'status', array[['new', 'ping']]);
select pipeline.track_status('public.bench_jobs', 'status', 'id');
update pipeline.subscriptions set active = false;
insert into pipeline.subscriptions
    (handler, handler_group, table_name, status_column, from_status, to_status, max_attempts)
values ('bench.growth', 'bench', 'bench_jobs', 'status', '*', '*', 3);

-- name: old_partition
select pipeline.create_log_partition('events', now() - make_interval(days => %(days_ago)s))

-- name: xid_floor
-- Every transaction id below this one has ended (the oldest one still running).
select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as floor

-- name: bulk_events
-- Historic events, spread evenly over the old partitions' days. Their txids are spread over the
-- ids below the oldest running transaction (ended, so visible in every snapshot and below every
-- router's range: routed long ago, as a real log's old events are), about as many events per id
-- as the cluster's age allows. (One shared txid would give the planner a most-common value that
-- makes routing's generic plans look expensive, which no real log has.)
insert into pipeline.events (event_type, table_name, status_column, entity_id, old_status,
                             new_status, correlation_id, actor_role, committed_at, txid)
select 'bench_hist.status_changed', 'bench_hist', 'status', x.e, 'a', 'b', x.e, 'postgres',
       %(start)s::timestamptz + (g %% %(slots)s) * %(step)s::interval,
       (3 + g %% %(xid_span)s)::text::xid8
  from generate_series(%(first)s::bigint, %(last)s::bigint) g,
       lateral (select md5(g::text)::uuid as e) x

-- name: analyze_log
-- Before each phase: the steady state of a log whose old partitions autovacuum has visited.
vacuum (analyze) pipeline.events, pipeline.deliveries, public.bench_jobs

-- name: checkpoint
-- ... and whose load is behind a checkpoint (else the phase measures the checkpoint that the
-- bulk load's WAL sets off, and the full-page images every first write after it logs).
checkpoint

-- name: write_jobs
insert into public.bench_jobs (status) select 'ping' from generate_series(1, %(n)s)

-- name: complete
update pipeline.deliveries set state = 'done', finished_at = now()
 where delivery_id = any(%(ids)s::bigint[])

-- name: log_size
select count(*) as events, (select count(*) from pipeline.log_partitions()
                             where parent = 'events') as partitions
  from pipeline.events
