-- The benchmark's status table: 1,000 rows whose status flips between 'a' and 'b', tracked by
-- pipeline.track_status (its status trigger). `seq` is set by the latency writer and reaches
-- the handler through the event snapshot (non-text columns).

-- name: table
create table bench_items (
    item_id    uuid primary key default gen_random_uuid(),
    n          integer not null unique,
    company_id uuid not null default gen_random_uuid(),
    status     text not null,
    seq        bigint not null default 0,
    updated_at timestamptz not null default now()
);
insert into bench_items (n, status) select g, 'a' from generate_series(1, 1000) g;
select pipeline.allow_transitions('bench_items', 'status',
                                  array[['new', 'a'], ['a', 'b'], ['b', 'a']]);
select pipeline.track_status('bench_items', 'status', 'item_id');

-- name: backlog
-- {n} status changes, one committed transaction each, round-robin over the 1,000 rows.
do $$
begin
    for i in 0..{n} - 1 loop
        update bench_items
           set status = case when status = 'a' then 'b' else 'a' end, seq = i
         where n = 1 + i % 1000;
        commit;
    end loop;
end
$$;

-- name: flip
update bench_items
   set status = case when status = 'a' then 'b' else 'a' end, seq = %(seq)s
 where n = %(n)s;

-- name: drained
select count(*) filter (where state = 'done') as done,
       count(*) as deliveries,
       (select count(*) from pipeline.audit_log where outcome = 'succeeded') as audited,
       (select count(distinct delivery_id) from pipeline.audit_log
         where outcome = 'succeeded') as audited_once
  from pipeline.deliveries;

-- name: drain_window
select extract(epoch from min(started_at)) as first_start,
       extract(epoch from max(finished_at)) as last_finish
  from pipeline.audit_log
 where outcome = 'succeeded';

-- name: settle_history
-- A long-lived queue: every delivery so far is done, and the statistics say so.
update pipeline.deliveries set state = 'done', finished_at = now();

-- name: plain_table
-- The baseline's copy of bench_items: the same rows, no trigger (its writer enqueues a job).
create table bench_items (
    item_id    uuid primary key default gen_random_uuid(),
    n          integer not null unique,
    company_id uuid not null default gen_random_uuid(),
    status     text not null,
    seq        bigint not null default 0,
    updated_at timestamptz not null default now()
);
insert into bench_items (n, status) select g, 'a' from generate_series(1, 1000) g;

-- name: handled_between
-- Our completions (one succeeded audit row per handled event) finished inside a window.
select count(*) from pipeline.audit_log
 where outcome = 'succeeded'
   and finished_at >= to_timestamp(%(start)s) and finished_at < to_timestamp(%(end)s);

-- name: exactly_once
-- Events written, deliveries, deliveries done, succeeded audit rows, deliveries audited.
select (select count(*) from pipeline.events where table_name = 'bench_items') as events,
       count(*) as deliveries,
       count(*) filter (where state = 'done') as done,
       (select count(*) from pipeline.audit_log where outcome = 'succeeded') as succeeded,
       (select count(distinct delivery_id) from pipeline.audit_log
         where outcome = 'succeeded') as audited
  from pipeline.deliveries;
