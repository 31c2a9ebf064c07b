-- The event log and the audit log become range-partitioned by time, so `prune` removes whole
-- partitions (DROP or DETACH) instead of deleting row by row, and the live tables stay small.
--
--   pipeline.events      partitioned by committed_at, primary key (event_id, committed_at)
--   pipeline.audit_log   partitioned by finished_at,  primary key (audit_id, finished_at)
--
-- A partitioned table's primary key must contain its partition key, so event_id alone is no
-- longer declared unique by a constraint; it still is by construction (one sequence, nextval()
-- as the only default; the column is not written by any statement of ours). Nothing referenced
-- the tables by a foreign key (deliveries.event_id and audit_log.event_id are plain columns), so
-- every query that looks an event up by its id keeps working: it probes each partition's primary
-- key index (the id is its first column).
--
-- Partitions: one per UTC day, created ahead by pipeline.ensure_log_partitions(ahead) (the
-- daemon calls it every LXERA_PARTITION_MAINTENANCE_SECONDS; `lxera-pipeline partitions ensure`
-- does it by hand). A DEFAULT partition catches a row outside every range; the next
-- ensure_log_partitions() moves such rows into a ranged partition it creates for them. Rows
-- older than 31 days that need a new partition (the rows copied by this migration, or the
-- default's) get one per calendar month instead of one per day, so a long history does not turn
-- into hundreds of partitions. Where the pg_partman extension is installed and a table is
-- registered in its part_config, ensure_log_partitions() runs partman's maintenance for it
-- instead (that path is not exercised by the test suite).
--
-- pipeline.log_partitions() lists the partitions with their bounds read from the catalog
-- (pg_inherits + pg_get_expr(relpartbound)); `prune` decides from it, not from a list of its own.
-- pipeline.pruned_partitions records each partition prune removed (bounds, ids, archive), so
-- `events show` of a pruned id says where it went.
--
-- Existing rows are copied over (the copy is one INSERT per table, in this transaction); the
-- prune archive tables of 20261125000400_archive.sql are superseded (prune now writes archive
-- files) and dropped. Objects that depended on the old tables' row types are recreated
-- unchanged: pipeline.unrouted_events() and the materialized view pipeline.analytics_stage_stats.

-- ---------------------------------------------------------------------------------------------
-- 1. Out of the way: the old tables, their sequences, constraints and indexes keep their rows
--    until the copy; the objects built on their row types go and come back below.
-- ---------------------------------------------------------------------------------------------
drop materialized view pipeline.analytics_stage_stats;
drop function pipeline.unrouted_events();

alter table pipeline.events rename to events_unpartitioned;
alter table pipeline.events_unpartitioned rename constraint events_pkey to events_unpartitioned_pkey;
alter sequence pipeline.events_event_id_seq rename to events_unpartitioned_event_id_seq;
alter table pipeline.audit_log rename to audit_log_unpartitioned;
alter table pipeline.audit_log_unpartitioned
    rename constraint audit_log_pkey to audit_log_unpartitioned_pkey;
alter table pipeline.audit_log_unpartitioned
    rename constraint audit_log_outcome_check to audit_log_unpartitioned_outcome_check;
alter sequence pipeline.audit_log_audit_id_seq rename to audit_log_unpartitioned_audit_id_seq;
drop index pipeline.events_entity_idx, pipeline.events_txid_idx, pipeline.events_correlation_idx,
    pipeline.events_causation_idx, pipeline.events_committed_brin, pipeline.audit_log_event_idx,
    pipeline.audit_log_delivery_idx, pipeline.audit_log_entity_idx,
    pipeline.audit_log_finished_idx;

-- Identity columns are not allowed on partitioned tables before PostgreSQL 17: the ids come from
-- plain sequences that continue where the old ones stood. Event ids keep cache 1 (one entity's
-- event ids follow its commit order; docs/architecture.md, "Per-entity order").
create sequence pipeline.events_event_id_seq as bigint cache 1;
select pg_catalog.setval('pipeline.events_event_id_seq', s.last_value, s.is_called)
  from pipeline.events_unpartitioned_event_id_seq s;
create sequence pipeline.audit_log_audit_id_seq as bigint;
select pg_catalog.setval('pipeline.audit_log_audit_id_seq', s.last_value, s.is_called)
  from pipeline.audit_log_unpartitioned_audit_id_seq s;

-- ---------------------------------------------------------------------------------------------
-- 2. The partitioned tables: same columns in the same order, same defaults and checks.
-- ---------------------------------------------------------------------------------------------
create table pipeline.events (
    event_id        bigint not null default pg_catalog.nextval('pipeline.events_event_id_seq'),
    event_type      text not null,          -- '<table>.created' | '<table>.status_changed'
    table_name      text not null,
    status_column   text not null,
    entity_id       uuid not null,
    company_id      uuid,
    old_status      text,
    new_status      text not null,
    snapshot        jsonb not null default '{}'::jsonb,
    correlation_id  uuid not null,
    causation_id    bigint,
    actor_role      text not null,
    committed_at    timestamptz not null default clock_timestamp(),
    txid            xid8 not null default pg_current_xact_id(),
    primary key (event_id, committed_at)
) partition by range (committed_at);
alter sequence pipeline.events_event_id_seq owned by pipeline.events.event_id;
create table pipeline.events_default partition of pipeline.events default;

create table pipeline.audit_log (
    audit_id        bigint not null default pg_catalog.nextval('pipeline.audit_log_audit_id_seq'),
    delivery_id     bigint not null,
    event_id        bigint not null,
    handler         text not null,
    attempt         integer not null,
    outcome         text not null constraint audit_log_outcome_check check (outcome in
                        ('succeeded', 'failed', 'dead', 'lost_lease', 'released', 'skipped')),
    is_replay       boolean not null default false,
    worker          text not null,
    entity_id       uuid,
    correlation_id  uuid,
    started_at      timestamptz not null,
    finished_at     timestamptz not null default clock_timestamp(),
    duration_ms     double precision not null default 0,
    error           text,
    traceback       text,
    detail          jsonb not null default '{}'::jsonb,
    primary key (audit_id, finished_at)
) partition by range (finished_at);
alter sequence pipeline.audit_log_audit_id_seq owned by pipeline.audit_log.audit_id;
create table pipeline.audit_log_default partition of pipeline.audit_log default;

-- The indexes of 20261125000100, now partitioned (each partition gets its own). The BRIN index
-- on committed_at is gone: partition bounds do its job.
create index events_entity_idx on pipeline.events (entity_id, event_id);
create index events_txid_idx on pipeline.events (txid);
create index events_correlation_idx on pipeline.events (correlation_id, event_id)
    where correlation_id <> entity_id;
create index events_causation_idx on pipeline.events (causation_id) where causation_id is not null;
create index audit_log_event_idx on pipeline.audit_log (event_id);
create index audit_log_delivery_idx on pipeline.audit_log (delivery_id);
create index audit_log_entity_idx on pipeline.audit_log (entity_id, audit_id);

-- The triggers of the old events table (the functions are unchanged).
create trigger events_append_only before update on pipeline.events
    for each row execute function pipeline.refuse_event_update();

-- The grants of the old tables (20261125000730_daemon_role.sql). A partition is reached through
-- its parent, whose privileges are the ones checked, so partitions get no grants of their own.
-- The daemon inserts audit rows: the id default needs the sequence (an identity did not).
revoke all on pipeline.events, pipeline.audit_log, pipeline.events_default,
    pipeline.audit_log_default from public;
grant select on pipeline.events to lxera_daemon;
grant select, insert on pipeline.audit_log to lxera_daemon;
grant usage on sequence pipeline.audit_log_audit_id_seq to lxera_daemon;

-- ---------------------------------------------------------------------------------------------
-- 3. Partition management
-- ---------------------------------------------------------------------------------------------

-- The partitions of the two logs, with bounds as the catalog states them. range_from / range_to
-- are NULL for MINVALUE / MAXVALUE and for the DEFAULT partition. rows_estimate is the planner's
-- (pg_class.reltuples; -1 before the first ANALYZE).
create function pipeline.log_partitions()
returns table (parent text, partition_name text, is_default boolean, range_from timestamptz,
               range_to timestamptz, rows_estimate bigint, total_bytes bigint)
language sql stable
set search_path = pg_catalog, pipeline, pg_temp as $$
    select p.relname::text, c.relname::text, b.bound = 'DEFAULT',
           case when m[1] is null or m[1] = 'MINVALUE' then null
                else pg_catalog.btrim(m[1], '''')::timestamptz end,
           case when m[2] is null or m[2] = 'MAXVALUE' then null
                else pg_catalog.btrim(m[2], '''')::timestamptz end,
           c.reltuples::bigint, pg_catalog.pg_total_relation_size(c.oid)
      from pg_catalog.pg_inherits i
      join pg_catalog.pg_class p on p.oid = i.inhparent
      join pg_catalog.pg_class c on c.oid = i.inhrelid
      cross join lateral (select pg_catalog.pg_get_expr(c.relpartbound, c.oid) as bound) b
      left join lateral pg_catalog.regexp_match(b.bound, '^FOR VALUES FROM \((.*)\) TO \((.*)\)$')
           as m on true
     where p.relnamespace = 'pipeline'::regnamespace and p.relname in ('events', 'audit_log')
       and c.relispartition
     order by 1, b.bound = 'DEFAULT', 4 nulls first, 2
$$;

-- Create the ranged partition that will hold time p_at in p_parent ('events' or 'audit_log'),
-- unless one already does (NULL then). The range is the UTC day of p_at, or its calendar month
-- when p_at is more than 31 days old, clipped so it overlaps no existing partition. The new
-- table is filled with the DEFAULT partition's rows of that range (moved) before it is attached,
-- so a default that caught rows never blocks the creation. ATTACH takes a SHARE UPDATE EXCLUSIVE
-- lock on the parent (writers and readers go on) and scans the default partition, which is
-- normally empty.
create function pipeline.create_log_partition(p_parent text, p_at timestamptz)
returns text
language plpgsql security definer
set search_path = pg_catalog, pipeline, pg_temp as $$
declare
    v_key text := case p_parent when 'events' then 'committed_at'
                                when 'audit_log' then 'finished_at' end;
    v_default text := p_parent || '_default';
    v_day timestamp := pg_catalog.date_trunc('day', p_at at time zone 'UTC');
    v_from timestamptz;
    v_to timestamptz;
    v_name text;
begin
    if v_key is null then
        raise exception 'pipeline.create_log_partition: % is not a partitioned log', p_parent
            using errcode = 'invalid_parameter_value';
    end if;
    if exists (select 1 from pipeline.log_partitions() l
                where l.parent = p_parent and not l.is_default
                  and (l.range_from is null or l.range_from <= p_at)
                  and (l.range_to is null or l.range_to > p_at)) then
        return null;
    end if;
    if p_at < pg_catalog.now() - interval '31 days' then
        v_from := pg_catalog.date_trunc('month', v_day) at time zone 'UTC';
        v_to := (pg_catalog.date_trunc('month', v_day) + interval '1 month') at time zone 'UTC';
    else
        v_from := v_day at time zone 'UTC';
        v_to := (v_day + interval '1 day') at time zone 'UTC';
    end if;
    -- p_at lies in no partition, so every other partition ends at or before it or starts after.
    select greatest(v_from, pg_catalog.max(l.range_to) filter (where l.range_to <= p_at)),
           least(v_to, pg_catalog.min(l.range_from) filter (where l.range_from > p_at))
      into v_from, v_to
      from pipeline.log_partitions() l
     where l.parent = p_parent and not l.is_default;
    v_name := p_parent || '_p' || pg_catalog.to_char(v_from at time zone 'UTC', 'YYYYMMDD')
              || case when v_from at time zone 'UTC'
                           = pg_catalog.date_trunc('day', v_from at time zone 'UTC')
                      then '' else pg_catalog.to_char(v_from at time zone 'UTC', '"_"HH24MISS')
                 end;
    execute pg_catalog.format(
        'create table pipeline.%I (like pipeline.%I including defaults including constraints '
        'including storage)', v_name, p_parent);
    -- Inserts that would land in the default partition wait from here to the commit, so no row
    -- of the new range reaches it between the move and the ATTACH (which checks it).
    execute pg_catalog.format('lock table pipeline.%I in exclusive mode', v_default);
    execute pg_catalog.format(
        'with moved as (delete from pipeline.%1$I d where d.%2$I >= $1 and d.%2$I < $2 '
        'returning d.*) insert into pipeline.%3$I select * from moved',
        v_default, v_key, v_name) using v_from, v_to;
    execute pg_catalog.format('alter table pipeline.%I attach partition pipeline.%I '
                              'for values from (%L) to (%L)', p_parent, v_name, v_from, v_to);
    execute pg_catalog.format('revoke all on pipeline.%I from public', v_name);
    return v_name;
end
$$;
revoke all on function pipeline.create_log_partition(text, timestamptz) from public;

-- Keep partitions ahead: for both logs, move any row the DEFAULT partition caught into a ranged
-- partition created for it, then make sure the UTC days from today to today + p_ahead each have
-- a partition. Returns the partitions it created. One call at a time (an advisory lock, key
-- (pipeline, 40)); a call with nothing to do only reads the catalog. Where pg_partman is
-- installed and has the table in its part_config, partman's run_maintenance() is called for it
-- instead (untested here). The ATTACH needs an ACCESS EXCLUSIVE lock on the default partition,
-- which every statement on the log that cannot rule the default out also locks (shared): so
-- that a long reader does not make those statements queue behind the ATTACH, each lock is
-- waited for 5 seconds at most (the call fails, and the daemon's next round tries again; the
-- partitions are made days ahead).
create function pipeline.ensure_log_partitions(p_ahead integer default 7)
returns setof text
language plpgsql security definer
set search_path = pg_catalog, pipeline, pg_temp
set lock_timeout = '5s' as $$
declare
    v_parent text;
    v_key text;
    v_partman text;
    v_at timestamptz;
    v_today timestamptz := pg_catalog.date_trunc('day', pg_catalog.now() at time zone 'UTC')
                           at time zone 'UTC';
    v_made text;
    v_managed boolean;
begin
    if p_ahead is null or p_ahead < 0 or p_ahead > 366 then
        raise exception 'pipeline.ensure_log_partitions: ahead must be 0 to 366 days, not %',
            p_ahead using errcode = 'invalid_parameter_value';
    end if;
    perform pg_catalog.pg_advisory_xact_lock(pipeline.lock_key('pipeline'), 40);
    select n.nspname into v_partman
      from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
     where e.extname = 'pg_partman';
    foreach v_parent in array array['events', 'audit_log'] loop
        v_key := case v_parent when 'events' then 'committed_at' else 'finished_at' end;
        v_managed := false;
        if v_partman is not null then
            execute pg_catalog.format('select exists (select 1 from %I.part_config '
                                      'where parent_table = $1)', v_partman)
               into v_managed using 'pipeline.' || v_parent;
        end if;
        if v_managed then
            execute pg_catalog.format('select %I.run_maintenance($1)', v_partman)
              using 'pipeline.' || v_parent;
            continue;
        end if;
        -- Rows the default partition caught, one day at a time (in time order, so a month
        -- partition created for an old day takes that month's later days along).
        for v_at in execute pg_catalog.format(
                'select distinct pg_catalog.date_trunc(''day'', d.%1$I at time zone ''UTC'') '
                'at time zone ''UTC'' from pipeline.%2$I d order by 1',
                v_key, v_parent || '_default') loop
            v_made := pipeline.create_log_partition(v_parent, v_at);
            if v_made is not null then
                return next v_made;
            end if;
        end loop;
        for i in 0 .. p_ahead loop
            v_made := pipeline.create_log_partition(v_parent, v_today + pg_catalog.make_interval(days => i));
            if v_made is not null then
                return next v_made;
            end if;
        end loop;
    end loop;
end
$$;
revoke all on function pipeline.ensure_log_partitions(integer) from public;
grant execute on function pipeline.ensure_log_partitions(integer) to lxera_daemon;

-- Remove one ranged partition of a log (never the DEFAULT one): DROP it, or DETACH it and keep
-- it as a plain table of the pipeline schema (p_keep). Either takes an ACCESS EXCLUSIVE lock on
-- the parent for a moment (it queues behind running statements on the log: the caller sets
-- lock_timeout). Used by `prune` after it archived and counted the rows.
create function pipeline.remove_log_partition(p_parent text, p_partition text, p_keep boolean)
returns void
language plpgsql
set search_path = pg_catalog, pipeline, pg_temp as $$
begin
    if not exists (select 1 from pipeline.log_partitions() l
                    where l.parent = p_parent and l.partition_name = p_partition
                      and not l.is_default) then
        raise exception 'pipeline.remove_log_partition: % is no ranged partition of pipeline.%',
            p_partition, p_parent using errcode = 'invalid_parameter_value';
    end if;
    if p_keep then
        execute pg_catalog.format('alter table pipeline.%I detach partition pipeline.%I',
                                  p_parent, p_partition);
    else
        execute pg_catalog.format('drop table pipeline.%I', p_partition);
    end if;
end
$$;
revoke all on function pipeline.remove_log_partition(text, text, boolean) from public;

-- One row per partition `prune` removed: its bounds, what it held, where its rows went.
create table pipeline.pruned_partitions (
    pruned_id           bigint generated always as identity primary key,
    parent              text not null check (parent in ('events', 'audit_log')),
    partition_name      text not null,
    range_from          timestamptz,
    range_to            timestamptz not null,
    row_count           bigint not null,
    min_id              bigint,          -- event_id (events) or audit_id (audit_log)
    max_id              bigint,
    deliveries_removed  bigint not null default 0,
    archive_path        text,            -- the directory holding its files and manifest.json
    archive_sha256      text,            -- of the rows file
    detached            boolean not null default false,
    pruned_by           text not null,
    pruned_at           timestamptz not null default now()
);
create index pruned_partitions_ids_idx on pipeline.pruned_partitions (parent, min_id, max_id);
revoke all on pipeline.pruned_partitions from public;

-- ---------------------------------------------------------------------------------------------
-- 4. The rows, and today's partitions onwards
-- ---------------------------------------------------------------------------------------------
-- Partitions for the days (and, past 31 days, months) that hold copied rows, then the copy.
do $cover$
declare
    v_at timestamptz;
begin
    for v_at in select distinct pg_catalog.date_trunc('day', e.committed_at at time zone 'UTC')
                                at time zone 'UTC'
                  from pipeline.events_unpartitioned e order by 1 loop
        perform pipeline.create_log_partition('events', v_at);
    end loop;
    for v_at in select distinct pg_catalog.date_trunc('day', a.finished_at at time zone 'UTC')
                                at time zone 'UTC'
                  from pipeline.audit_log_unpartitioned a order by 1 loop
        perform pipeline.create_log_partition('audit_log', v_at);
    end loop;
end
$cover$;
select pipeline.ensure_log_partitions(7);

-- The copy keeps every column as written (ids, times, chains): no trigger on the new tables
-- changes an inserted row.
insert into pipeline.events select * from pipeline.events_unpartitioned order by event_id;
insert into pipeline.audit_log select * from pipeline.audit_log_unpartitioned order by audit_id;
drop table pipeline.events_unpartitioned, pipeline.audit_log_unpartitioned;

-- The prune archive tables: prune writes archive files now; nothing else reads them.
drop table pipeline.events_archive, pipeline.deliveries_archive, pipeline.audit_log_archive;

-- Routing keeps one generic plan per statement. With the plan cache's default (auto), the
-- statistics of a large log make each statement's generic plan look dearer than a plan for the
-- call's own values (xid8 has no range statistics: the estimates scale with the table), so every
-- call planned its statements afresh, over every partition: 1.1 ms of a 1.7 ms routing with 10k
-- events, 2.2 ms with 1M. The generic plans are the index probes a custom plan chooses too
-- (sequential scans are off here), so they are kept: routing cost stays flat as the log grows
-- (bench/results/event-log-growth.md). A setting, not a new definition: the body is unchanged.
alter function pipeline.route_events(text[]) set plan_cache_mode = force_generic_plan;

-- ---------------------------------------------------------------------------------------------
-- 5. What depended on the old row types, unchanged (20261125000100, 20261125001030)
-- ---------------------------------------------------------------------------------------------
create function pipeline.unrouted_events() returns setof pipeline.events
language sql stable
set search_path = pg_catalog, pipeline, pg_temp set enable_seqscan = off as $$
    select e.*
      from pipeline.router_state r
      join pipeline.events e on e.txid >= pg_snapshot_xmin(r.last_snapshot)
     where r.singleton and not pg_visible_in_snapshot(e.txid, r.last_snapshot)
     order by e.event_id
$$;

create materialized view pipeline.analytics_stage_stats as
with runs as (
    select l.handler,
           count(*) as runs,
           count(*) filter (where l.outcome = 'succeeded') as succeeded,
           count(*) filter (where l.outcome in ('failed', 'dead')) as failed,
           count(*) filter (where l.outcome = 'dead') as dead,
           round((avg(l.duration_ms) / 1000)::numeric, 3) as avg_seconds,
           round((percentile_cont(0.95) within group (order by l.duration_ms) / 1000)::numeric, 3)
               as p95_seconds,
           round((sum(l.duration_ms) / 1000)::numeric, 3) as total_seconds
      from pipeline.audit_log l
     group by l.handler
), tokens as (
    select 'media.script'::text as handler, sum(g.total_tokens) as tokens
      from public.mm_script_generations g
)
select r.handler, r.runs, r.succeeded, r.failed, r.dead,
       round(r.failed::numeric / nullif(r.runs, 0), 4) as failure_rate,
       r.avg_seconds, r.p95_seconds, r.total_seconds,
       coalesce(t.tokens, 0) as tokens
  from runs r
  left join tokens t using (handler);
create unique index analytics_stage_stats_key on pipeline.analytics_stage_stats (handler);
