-- Experimental write paths for the writer profile (bench/writer_profile.py). Each isolates one
-- cost of pipeline.track_status's triggers or measures a proposed cheaper shape. They run on the
-- writer benchmark's schema (writer.sql) in a scratch database; nothing here is production code.

-- name: schema
create schema bench_profile;

-- record_event as in the core migration, minus `security definer set search_path`.
create function bench_profile.record_event_plain(
    p_table text, p_status_column text, p_entity uuid, p_company uuid,
    p_old text, p_new text, p_snapshot jsonb
) returns bigint
language plpgsql as $$
declare
    v_event bigint;
    v_from text := coalesce(p_old, 'new');
    v_causation bigint := nullif(current_setting('pipeline.causation_id', true), '')::bigint;
    v_correlation uuid := coalesce(
        nullif(current_setting('pipeline.correlation_id', true), '')::uuid, p_entity);
begin
    insert into pipeline.events (event_type, table_name, status_column, entity_id, company_id,
                                 old_status, new_status, snapshot, correlation_id, causation_id,
                                 actor_role)
    values (p_table || case when p_old is null then '.created' else '.status_changed' end,
            p_table, p_status_column, p_entity, p_company, p_old, p_new, p_snapshot,
            v_correlation, v_causation, current_user)
    returning event_id into v_event;
    insert into pipeline.deliveries (event_id, handler, entity_id, max_attempts)
    select v_event, s.handler, p_entity, s.max_attempts
      from pipeline.subscriptions s
     where s.active and s.table_name = p_table and s.status_column = p_status_column
       and (s.from_status = '*' or s.from_status = v_from)
       and (s.to_status = '*' or s.to_status = p_new);
    if not pg_try_advisory_xact_lock_shared(1819826802, 1) then
        perform pg_notify('pipeline_events',
                          json_build_object('event_id', v_event, 'table', p_table)::text);
    end if;
    return v_event;
end
$$;

create function bench_profile.emit_plain() returns trigger
language plpgsql as $$
begin
    if tg_op = 'UPDATE' and new.status is not distinct from old.status then
        return null;
    end if;
    perform bench_profile.record_event_plain('bench_items', 'status', new.item_id,
        new.company_id, case when tg_op = 'UPDATE' then old.status end, new.status,
        jsonb_build_object('n', new.n, 'company_id', new.company_id, 'seq', new.seq,
                           'updated_at', new.updated_at));
    return null;
end
$$;

-- check_transition's lookup without `security definer set search_path`.
create function bench_profile.guard_plain() returns trigger
language plpgsql as $$
begin
    if tg_op = 'UPDATE' and new.status is not distinct from old.status then
        return new;
    end if;
    perform 1 from pipeline.transitions t
     where t.table_name = 'bench_items' and t.status_column = 'status'
       and t.from_status = coalesce(old.status, 'new') and t.to_status = new.status;
    if not found then
        raise exception 'illegal transition' using errcode = 'check_violation';
    end if;
    return new;
end
$$;

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

-- The fast writer path's emit (migrations/20261125000500) in three shapes, to price the
-- security-definer layer: as generated (definer + SET search_path), definer without SET (every
-- name, type and operator schema-qualified so the caller's search_path cannot capture any), and
-- plain invoker (not usable by the API roles: they have no privilege on schema pipeline).
create function bench_profile.emit_fast_body() returns text
language sql as $f$ select $b$
declare
    v_event bigint;
    v_old text;
begin
    if tg_op OPERATOR(pg_catalog.=) 'UPDATE' then
        if (new.status OPERATOR(pg_catalog.=) old.status) is true then
            return null;
        end if;
        v_old := old.status;
    end if;
    perform pg_catalog.pg_advisory_xact_lock_shared(1819826802, 2);
    insert into pipeline.events (event_type, table_name, status_column, entity_id, company_id,
                                 old_status, new_status, snapshot, correlation_id, causation_id,
                                 actor_role)
    values (case when v_old is null then 'bench_items.created'
                 else 'bench_items.status_changed' end,
            'bench_items', 'status', new.item_id, new.company_id, v_old, new.status,
            pg_catalog.jsonb_build_object('n', new.n, 'company_id', new.company_id,
                                          'seq', new.seq, 'updated_at', new.updated_at),
            coalesce(nullif(pg_catalog.current_setting('pipeline.correlation_id', true),
                            '')::pg_catalog.uuid, new.item_id),
            nullif(pg_catalog.current_setting('pipeline.causation_id', true),
                   '')::pg_catalog.int8,
            coalesce(nullif(pg_catalog.current_setting('role'), 'none'), current_user))
    returning event_id into v_event;
    if not pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1) then
        perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
            'event_id', v_event, 'table', 'bench_items')::text);
    end if;
    return null;
end
$b$ $f$;

do $$
begin
    execute format('create function bench_profile.emit_fast_definer_set() returns trigger '
                   'language plpgsql security definer set search_path = pg_catalog, pipeline '
                   'as %L', bench_profile.emit_fast_body());
    execute format('create function bench_profile.emit_fast_definer() returns trigger '
                   'language plpgsql security definer as %L', bench_profile.emit_fast_body());
    execute format('create function bench_profile.emit_fast_invoker() returns trigger '
                   'language plpgsql as %L', bench_profile.emit_fast_body());
end
$$;

-- name: no_triggers
drop trigger if exists bench_items_outbox on bench_items;
drop trigger if exists bench_items_status_guard on bench_items;
drop trigger if exists bench_items_status_event on bench_items;
update pipeline.subscriptions set active = true where handler = 'bench.noop';

-- name: trigger_guard
create trigger bench_items_status_guard before insert or update of status on bench_items
    for each row execute function pipeline.guard_bench_items_status();

-- name: trigger_emit
create trigger bench_items_status_event after insert or update of status on bench_items
    for each row execute function pipeline.emit_bench_items_status();

-- name: no_subscription
update pipeline.subscriptions set active = false where handler = 'bench.noop';

-- name: trigger_plain
create trigger bench_items_status_guard before insert or update of status on bench_items
    for each row execute function bench_profile.guard_plain();
create trigger bench_items_status_event after insert or update of status on bench_items
    for each row execute function bench_profile.emit_plain();

-- name: trigger_inline
create trigger bench_items_status_guard before insert or update of status on bench_items
    for each row execute function bench_profile.guard_inline();
create trigger bench_items_status_event after insert or update of status on bench_items
    for each row execute function bench_profile.emit_inline();

-- name: trigger_guard_inline
create trigger bench_items_status_guard before insert or update of status on bench_items
    for each row execute function bench_profile.guard_inline();

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

-- name: restore_secondary_indexes
-- Back to what the migrations built: a BRIN on committed_at once the fast writer path
-- (pipeline.router_state) is installed, the older btree before it.
create index if not exists events_correlation_idx on pipeline.events (correlation_id, event_id);
create index if not exists deliveries_event_idx on pipeline.deliveries (event_id);
do $$
begin
    if to_regclass('pipeline.router_state') is not null then
        create index if not exists events_committed_brin on pipeline.events
            using brin (committed_at);
    else
        create index if not exists events_committed_idx on pipeline.events (committed_at);
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

-- name: trigger_fast_definer_set
create trigger bench_items_status_guard before insert or update of status on bench_items
    for each row execute function pipeline.guard_bench_items_status();
create trigger bench_items_status_event after insert or update of status on bench_items
    for each row execute function bench_profile.emit_fast_definer_set();

-- name: trigger_fast_definer
create trigger bench_items_status_guard before insert or update of status on bench_items
    for each row execute function pipeline.guard_bench_items_status();
create trigger bench_items_status_event after insert or update of status on bench_items
    for each row execute function bench_profile.emit_fast_definer();

-- name: trigger_fast_invoker
create trigger bench_items_status_guard before insert or update of status on bench_items
    for each row execute function pipeline.guard_bench_items_status();
create trigger bench_items_status_event after insert or update of status on bench_items
    for each row execute function bench_profile.emit_fast_invoker();
