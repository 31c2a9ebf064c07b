-- Experimental write paths for the writer profile (bench/writer_profile.py): earlier and
-- alternative shapes of the status trigger, to compare with what pipeline.track_status attaches
-- now (writer.sql, trigger_ours). They run on the writer benchmark's schema (writer.sql) in a
-- scratch database; nothing here is production code.

-- name: schema
create schema bench_profile;

-- Proposal: the allowed transitions compiled into the generated guard (no table read, no SET).
create function bench_profile.guard_inline() returns trigger
language plpgsql as $$
begin
    if tg_op = 'UPDATE' and new.status is not distinct from old.status then
        return new;
    end if;
    if (coalesce(old.status, 'new') || '>' || new.status) = any ('{new>a,a>b,b>a}'::text[]) then
        return new;
    end if;
    raise exception 'illegal transition' using errcode = 'check_violation';
end
$$;

-- Proposal: one generated security-definer trigger function doing record_event's work inline
-- (one SET per row instead of two, no nested function call).
create function bench_profile.emit_inline() returns trigger
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_event bigint;
begin
    if tg_op = 'UPDATE' and new.status is not distinct from old.status then
        return null;
    end if;
    insert into pipeline.events (event_type, table_name, status_column, entity_id, company_id,
                                 old_status, new_status, snapshot, correlation_id, causation_id,
                                 actor_role)
    values ('bench_items.status_changed', 'bench_items', 'status', new.item_id, new.company_id,
            old.status, new.status,
            jsonb_build_object('n', new.n, 'company_id', new.company_id, 'seq', new.seq,
                               'updated_at', new.updated_at),
            coalesce(nullif(current_setting('pipeline.correlation_id', true), '')::uuid,
                     new.item_id),
            nullif(current_setting('pipeline.causation_id', true), '')::bigint, current_user)
    returning event_id into v_event;
    insert into pipeline.deliveries (event_id, handler, entity_id, max_attempts)
    select v_event, s.handler, new.item_id, s.max_attempts
      from pipeline.subscriptions s
     where s.active and s.table_name = 'bench_items' and s.status_column = 'status'
       and (s.from_status = '*' or s.from_status = old.status)
       and (s.to_status = '*' or s.to_status = new.status);
    if not pg_try_advisory_xact_lock_shared(1819826802, 1) then
        perform pg_notify('pipeline_events',
                          json_build_object('event_id', v_event, 'table', 'bench_items')::text);
    end if;
    return null;
end
$$;

-- Proposal: the writer records only the event row; daemons fan it out into deliveries.
create function bench_profile.emit_event_only() returns trigger
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_event bigint;
begin
    if tg_op = 'UPDATE' and new.status is not distinct from old.status then
        return null;
    end if;
    insert into pipeline.events (event_type, table_name, status_column, entity_id, company_id,
                                 old_status, new_status, snapshot, correlation_id, causation_id,
                                 actor_role)
    values ('bench_items.status_changed', 'bench_items', 'status', new.item_id, new.company_id,
            old.status, new.status,
            jsonb_build_object('n', new.n, 'company_id', new.company_id, 'seq', new.seq,
                               'updated_at', new.updated_at),
            coalesce(nullif(current_setting('pipeline.correlation_id', true), '')::uuid,
                     new.item_id),
            nullif(current_setting('pipeline.causation_id', true), '')::bigint, current_user)
    returning event_id into v_event;
    if not pg_try_advisory_xact_lock_shared(1819826802, 1) then
        perform pg_notify('pipeline_events',
                          json_build_object('event_id', v_event, 'table', 'bench_items')::text);
    end if;
    return null;
end
$$;

-- The write path of migration 20261125000500, as its generators wrote it for bench_items (a
-- BEFORE guard and an AFTER emit taking the route key on every write), kept to compare with the
-- one trigger of 20261125000600 in the same run.
create function bench_profile.guard_0500() returns trigger
language plpgsql as $$
declare
    v_old pg_catalog.text;
    v_allowed pg_catalog.text;
begin
    if tg_op = 'UPDATE' then
        if new.status is not distinct from old.status then
            return new;
        end if;
        v_old := old.status;
    end if;
    if (case coalesce(v_old, 'new') when 'a' then new.status in ('b') when 'b' then new.status in ('a')
                                    when 'new' then new.status in ('a') else false end) then
        return new;
    end if;
    v_allowed := case coalesce(v_old, 'new') when 'a' then 'b' when 'b' then 'a' when 'new' then 'a'
                 else 'none' end;
    raise exception 'illegal % transition on % row %: % -> % (allowed next: %)',
        'status', 'bench_items', new.item_id, v_old, new.status, v_allowed
        using errcode = 'check_violation', constraint = 'pipeline_state_machine';
end
$$;

create function bench_profile.emit_0500() returns trigger
language plpgsql security definer as $$
declare
    v_event pg_catalog.int8;
    v_old pg_catalog.text;
    v_correlation pg_catalog.text := pg_catalog.current_setting('pipeline.correlation_id', true);
    v_causation pg_catalog.text := pg_catalog.current_setting('pipeline.causation_id', true);
    v_role pg_catalog.text := pg_catalog.current_setting('role');
begin
    if tg_op OPERATOR(pg_catalog.=) 'UPDATE' then
        if (new.status OPERATOR(pg_catalog.=) old.status) is true
           or (new.status is null and old.status is null) then
            return null;
        end if;
        v_old := old.status;
    end if;
    perform pg_catalog.pg_advisory_xact_lock_shared(1819826802, 2);  -- route key first
    insert into pipeline.events (event_type, table_name, status_column, entity_id, company_id,
                                 old_status, new_status, snapshot, correlation_id, causation_id,
                                 actor_role)
    values (case when v_old is null then 'bench_items.created'
                 else 'bench_items.status_changed' end, 'bench_items', 'status', new.item_id,
            new.company_id, v_old, new.status,
            pg_catalog.jsonb_build_object('n', new.n, 'company_id', new.company_id,
                                          'seq', new.seq, 'updated_at', new.updated_at),
            coalesce(case when v_correlation OPERATOR(pg_catalog.<>) ''
                          then v_correlation::pg_catalog.uuid end, new.item_id),
            case when v_causation OPERATOR(pg_catalog.<>) ''
                 then v_causation::pg_catalog.int8 end,
            case when v_role OPERATOR(pg_catalog.<>) 'none'
                 then v_role else current_user::pg_catalog.text end)
    returning event_id into v_event;
    if not pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1) then
        perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
            'event_id', v_event, 'table', 'bench_items')::pg_catalog.text);
    end if;
    return null;
end
$$;

-- The one trigger of 20261125000600 for bench_items (what pipeline.generate_emit writes, error
-- path shortened), but taking the route key on every write and the wake key after the insert,
-- as before: prices the second advisory lock.
create function bench_profile.emit_two_locks() returns trigger
language plpgsql security definer as $$
declare
    v_event pg_catalog.int8;
begin
    if (case when (new.status::pg_catalog.text OPERATOR(pg_catalog.=)
                   old.status::pg_catalog.text) is true then false
             when (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'a'
                        then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{b}'::pg_catalog.text[])
                        when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'b'
                        then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{a}'::pg_catalog.text[])
                        when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new'
                        then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{a}'::pg_catalog.text[])
                        else false end)
             then pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 2)
             else false end) then
        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'bench_items.created'
                     else 'bench_items.status_changed' end, 'bench_items', 'status', new.item_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text,
                pg_catalog.jsonb_build_object('n', new.n, 'company_id', new.company_id,
                                              'seq', new.seq, 'updated_at', new.updated_at),
                coalesce(case when pg_catalog.current_setting('pipeline.correlation_id', true)
                                   OPERATOR(pg_catalog.<>) ''
                              then pg_catalog.current_setting('pipeline.correlation_id',
                                                              true)::pg_catalog.uuid end,
                         new.item_id),
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then pg_catalog.current_setting('pipeline.causation_id',
                                                     true)::pg_catalog.int8 end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                     then pg_catalog.current_setting('role')
                     else current_user::pg_catalog.text end)
        returning event_id into v_event;
        if not pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1) then
            perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
                'event_id', v_event, 'table', 'bench_items')::pg_catalog.text);
        end if;
        return null;
    end if;
    if (new.status OPERATOR(pg_catalog.=) old.status) is true then
        return null;
    end if;
    raise exception 'illegal transition' using errcode = 'check_violation';
end
$$;

-- The outbox trigger of writer.sql writing into pipeline.events instead of bench_outbox: the
-- price of the events table itself (its secondary indexes), with no guard and no lock.
create function bench_profile.outbox_events() returns trigger
language plpgsql as $$
begin
    if new.status is not distinct from old.status then
        return null;
    end if;
    insert into pipeline.events (event_type, table_name, status_column, entity_id, company_id,
                                 old_status, new_status, snapshot, correlation_id, causation_id,
                                 actor_role)
    values ('bench_items.status_changed', 'bench_items', 'status', new.item_id, new.company_id,
            old.status, new.status,
            jsonb_build_object('n', new.n, 'company_id', new.company_id, 'seq', new.seq,
                               'updated_at', new.updated_at),
            coalesce(nullif(current_setting('pipeline.correlation_id', true), '')::uuid,
                     new.item_id),
            nullif(current_setting('pipeline.causation_id', true), '')::bigint, current_user);
    return null;
end
$$;

-- name: no_triggers
drop trigger if exists bench_items_outbox on bench_items;
drop trigger if exists bench_items_status_guard on bench_items;
drop trigger if exists bench_items_status_event on bench_items;
update pipeline.subscriptions set active = true where handler = 'bench.noop';

-- name: trigger_inline
create trigger bench_items_status_guard before insert or update of status on bench_items
    for each row execute function bench_profile.guard_inline();
create trigger bench_items_status_event after insert or update of status on bench_items
    for each row execute function bench_profile.emit_inline();

-- name: trigger_event_only
create trigger bench_items_status_guard before insert or update of status on bench_items
    for each row execute function bench_profile.guard_inline();
create trigger bench_items_status_event after insert or update of status on bench_items
    for each row execute function bench_profile.emit_event_only();

-- name: drop_secondary_indexes
drop index if exists pipeline.events_correlation_idx;
drop index if exists pipeline.events_committed_idx;
drop index if exists pipeline.events_committed_brin;
drop index if exists pipeline.deliveries_event_idx;

-- name: drop_event_side_indexes
-- The events table's secondary indexes that a plain API write puts no entry in (the two partial
-- ones, for handler-caused events) or that only prune and time filters read (BRIN): their price
-- for a writer is the per-statement work of opening and checking them.
drop index if exists pipeline.events_causation_idx;
drop index if exists pipeline.events_correlation_idx;
drop index if exists pipeline.events_committed_brin;

-- name: restore_secondary_indexes
-- Back to what the migrations built: once the fast writer path (pipeline.router_state) is
-- installed, a partial correlation index, and a BRIN on committed_at until the log was
-- partitioned (20261125001200: the partition bounds do its job); the older btrees before it.
create index if not exists deliveries_event_idx on pipeline.deliveries (event_id);
create index if not exists events_causation_idx on pipeline.events (causation_id)
    where causation_id is not null;
do $$
begin
    if to_regclass('pipeline.router_state') is not null then
        if (select c.relkind from pg_class c where c.oid = 'pipeline.events'::regclass) <> 'p' then
            create index if not exists events_committed_brin on pipeline.events
                using brin (committed_at);
        end if;
        create index if not exists events_correlation_idx on pipeline.events
            (correlation_id, event_id) where correlation_id <> entity_id;
    else
        create index if not exists events_committed_idx on pipeline.events (committed_at);
        create index if not exists events_correlation_idx on pipeline.events
            (correlation_id, event_id);
    end if;
end
$$;

-- name: loop
-- {n} status UPDATEs, one transaction each, inside the server (no client round trips).
do $$
begin
    for i in 1..{n} loop
        update bench_items
           set status = case when status = 'a' then 'b' else 'a' end, seq = seq + 1
         where n = 1 + (i * 7919) % 1000;
        commit;
    end loop;
end
$$;

-- name: trigger_previous
create trigger bench_items_status_guard before insert or update of status on bench_items
    for each row execute function bench_profile.guard_0500();
create trigger bench_items_status_event after insert or update of status on bench_items
    for each row execute function bench_profile.emit_0500();

-- name: trigger_two_locks
create trigger bench_items_status_event after insert or update of status on bench_items
    for each row execute function bench_profile.emit_two_locks();

-- name: trigger_outbox_events
create trigger bench_items_outbox after update of status on bench_items
    for each row execute function bench_profile.outbox_events();

-- name: unpin_emit
-- The generated trigger function without the search_path the hardening pins on every SECURITY
-- DEFINER function (20261125000700): what that setting costs per status change. The next
-- variant's track_status regenerates the function, pinned again.
alter function pipeline.emit_bench_items_status() reset search_path;
