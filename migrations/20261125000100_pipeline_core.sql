-- The pipeline's own schema: the append-only event log, delivery bookkeeping, the audit log,
-- handler subscriptions, the database-enforced state machines and the status-event triggers.
-- Nothing here lives in `public`, so no Supabase API exposes it.

create schema if not exists pipeline;
revoke all on schema pipeline from public;

-- Which handler wants which transitions. Synced from the Python registry by `migrate` and by every
-- daemon at start; the status trigger fans an event out into one delivery per matching row.
create table pipeline.subscriptions (
    handler        text primary key,
    handler_group  text not null,
    table_name     text not null,
    status_column  text not null default 'status',
    from_status    text not null,   -- '*' any, 'new' for an insert, else a status value
    to_status      text not null,   -- '*' any, else a status value
    max_attempts   integer not null check (max_attempts between 1 and 100),
    active         boolean not null default true,
    registered_at  timestamptz not null default now()
);
create index subscriptions_match_idx on pipeline.subscriptions (table_name, status_column)
    where active;

-- One row per status change (or insert). Append-only: updates are refused.
create table pipeline.events (
    event_id        bigint generated always as identity primary key,
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
    committed_at    timestamptz not null default clock_timestamp()
);
create index events_entity_idx on pipeline.events (entity_id, event_id);
create index events_correlation_idx on pipeline.events (correlation_id, event_id);
create index events_causation_idx on pipeline.events (causation_id) where causation_id is not null;
create index events_committed_idx on pipeline.events (committed_at);

create function pipeline.refuse_event_update() returns trigger
language plpgsql as $$
begin
    raise exception 'pipeline.events is append-only: event % cannot be updated', old.event_id
        using errcode = 'object_not_in_prerequisite_state';
end
$$;
create trigger events_append_only before update on pipeline.events
    for each row execute function pipeline.refuse_event_update();

-- One row per (event, handler): the unit that daemons claim, lease, retry and dead-letter.
create table pipeline.deliveries (
    delivery_id    bigint generated always as identity primary key,
    event_id       bigint not null,
    handler        text not null,
    entity_id      uuid not null,
    state          text not null default 'pending'
                   check (state in ('pending', 'running', 'done', 'dead', 'skipped')),
    attempts       integer not null default 0,
    max_attempts   integer not null,
    run_after      timestamptz not null default now(),
    lease_until    timestamptz,
    leased_by      text,
    last_error     text,
    is_replay      boolean not null default false,
    replay_of      bigint,
    replay_by      text,
    replay_reason  text,
    created_at     timestamptz not null default now(),
    finished_at    timestamptz
);
create index deliveries_pending_idx on pipeline.deliveries (delivery_id) where state = 'pending';
create index deliveries_open_entity_idx on pipeline.deliveries (entity_id, event_id)
    where state in ('pending', 'running');
create index deliveries_running_idx on pipeline.deliveries (lease_until) where state = 'running';
create index deliveries_event_idx on pipeline.deliveries (event_id);
create index deliveries_dead_idx on pipeline.deliveries (delivery_id) where state = 'dead';

-- One row per handler attempt, whatever its outcome.
create table pipeline.audit_log (
    audit_id        bigint generated always as identity primary key,
    delivery_id     bigint not null,
    event_id        bigint not null,
    handler         text not null,
    attempt         integer not null,
    outcome         text not null check (outcome in
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
    detail          jsonb not null default '{}'::jsonb
);
create index audit_log_event_idx on pipeline.audit_log (event_id);
create index audit_log_delivery_idx on pipeline.audit_log (delivery_id);
create index audit_log_entity_idx on pipeline.audit_log (entity_id, audit_id);
create index audit_log_finished_idx on pipeline.audit_log (finished_at);

-- Tables whose status columns emit events (filled by pipeline.track_status).
create table pipeline.status_columns (
    table_name     text not null,
    status_column  text not null,
    key_column     text not null,
    primary key (table_name, status_column)
);

-- Allowed transitions; from_status 'new' lists the statuses a row may be inserted with.
create table pipeline.transitions (
    table_name     text not null,
    status_column  text not null,
    from_status    text not null,
    to_status      text not null,
    primary key (table_name, status_column, from_status, to_status)
);

-- Wake-up coalescing: a daemon that is idle and listening holds this advisory lock (session level,
-- exclusive). A writer whose trigger cannot take it shared knows a daemon waits and NOTIFYs; all
-- other writers skip NOTIFY and so never queue on the cluster-wide notify lock. A writer's shared
-- lock lasts until its commit, so a daemon can only arm after every in-flight writer committed, and
-- it claims once more right after arming: no wake-up is lost. The key is (1819826802, 1).
-- A listener arms before it waits (true: armed, false: writers are committing or another listener
-- is armed; claim again, then wait) and disarms when it wakes.
create function pipeline.arm_wakeup() returns boolean
language sql as $$ select pg_try_advisory_lock(1819826802, 1) $$;

create function pipeline.disarm_wakeup() returns boolean
language sql as $$ select pg_advisory_unlock(1819826802, 1) $$;

-- Is some listener armed (waiting for a NOTIFY)?
create function pipeline.wakeup_armed() returns boolean
language sql stable as $$
    select exists (select 1 from pg_locks
                    where locktype = 'advisory' and classid = 1819826802 and objid = 1
                      and objsubid = 2 and mode = 'ExclusiveLock' and granted
                      and database = (select oid from pg_database
                                       where datname = current_database()))
$$;

create function pipeline.record_event(
    p_table text, p_status_column text, p_entity uuid, p_company uuid,
    p_old text, p_new text, p_snapshot jsonb
) returns bigint
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
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
            v_correlation, v_causation,
            coalesce(nullif(current_setting('role'), 'none'), current_user))
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

create function pipeline.check_transition(
    p_table text, p_status_column text, p_entity uuid, p_old text, p_new text
) returns void
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_from text := coalesce(p_old, 'new');
    v_allowed text;
begin
    if p_old is not distinct from p_new then
        return;
    end if;
    perform 1 from pipeline.transitions t
     where t.table_name = p_table and t.status_column = p_status_column
       and t.from_status = v_from and t.to_status = p_new;
    if found then
        return;
    end if;
    select coalesce(string_agg(t.to_status, ', ' order by t.to_status), 'none')
      into v_allowed
      from pipeline.transitions t
     where t.table_name = p_table and t.status_column = p_status_column and t.from_status = v_from;
    if p_old is null then
        raise exception 'illegal initial %.% on % row %: % (allowed: %)',
            p_table, p_status_column, p_table, p_entity, p_new, v_allowed
            using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                  hint = format('a new %s row may start as: %s', p_table, v_allowed);
    end if;
    raise exception 'illegal % transition on % row %: % -> % (allowed next: %)',
        p_status_column, p_table, p_entity, p_old, p_new, v_allowed
        using errcode = 'check_violation', constraint = 'pipeline_state_machine',
              hint = format('from %s a %s row may move to: %s', p_old, p_table, v_allowed);
end
$$;

-- Attach the status-event trigger and the state-machine guard to one status column. The trigger
-- functions are generated per table so they read NEW.<column> directly (no row-to-JSON detour).
-- The snapshot holds the row's non-text columns (numbers, booleans, uuids, timestamps).
create function pipeline.track_status(p_table regclass, p_status_column text, p_key_column text)
returns void
language plpgsql as $$
declare
    v_name text := (select relname from pg_class where oid = p_table);
    v_has_company boolean;
    v_snapshot text;
    v_emit text := format('%I', 'emit_' || v_name || '_' || p_status_column);
    v_guard text := format('%I', 'guard_' || v_name || '_' || p_status_column);
begin
    select exists (select 1 from pg_attribute
                    where attrelid = p_table and attname = 'company_id' and not attisdropped)
      into v_has_company;
    select coalesce(string_agg(format('%L, new.%I', a.attname, a.attname), ', '
                               order by a.attnum), '')
      into v_snapshot
      from pg_attribute a
      join pg_type t on t.oid = a.atttypid
     where a.attrelid = p_table and a.attnum > 0 and not a.attisdropped
       and t.typcategory in ('N', 'B', 'D', 'U') and t.typname not in ('json', 'jsonb')
       and a.attname <> p_key_column;

    execute format($f$
        create or replace function pipeline.%1$s() returns trigger
        language plpgsql as $body$
        begin
            if tg_op = 'UPDATE' and new.%2$I is not distinct from old.%2$I then
                return null;
            end if;
            perform pipeline.record_event(%3$L, %4$L, new.%5$I, %6$s,
                case when tg_op = 'UPDATE' then old.%2$I end, new.%2$I,
                jsonb_build_object(%7$s));
            return null;
        end
        $body$ $f$,
        v_emit, p_status_column, v_name, p_status_column, p_key_column,
        case when v_has_company then 'new.company_id' else 'null::uuid' end, v_snapshot);

    execute format($f$
        create or replace function pipeline.%1$s() returns trigger
        language plpgsql as $body$
        begin
            perform pipeline.check_transition(%2$L, %3$L, new.%4$I,
                case when tg_op = 'UPDATE' then old.%5$I end, new.%5$I);
            return new;
        end
        $body$ $f$,
        v_guard, v_name, p_status_column, p_key_column, p_status_column);

    execute format('create trigger %I before insert or update of %I on %s '
                   'for each row execute function pipeline.%s()',
                   v_name || '_' || p_status_column || '_guard', p_status_column, p_table, v_guard);
    execute format('create trigger %I after insert or update of %I on %s '
                   'for each row execute function pipeline.%s()',
                   v_name || '_' || p_status_column || '_event', p_status_column, p_table, v_emit);
    insert into pipeline.status_columns (table_name, status_column, key_column)
    values (v_name, p_status_column, p_key_column)
    on conflict (table_name, status_column) do update set key_column = excluded.key_column;
end
$$;

-- Helper for migrations: declare a state machine as (from, to) pairs.
create function pipeline.allow_transitions(p_table text, p_status_column text, p_pairs text[][])
returns void
language plpgsql as $$
declare
    v_pair text[];
begin
    foreach v_pair slice 1 in array p_pairs loop
        insert into pipeline.transitions (table_name, status_column, from_status, to_status)
        values (p_table, p_status_column, v_pair[1], v_pair[2])
        on conflict do nothing;
    end loop;
end
$$;

-- updated_at kept by the database on every table that has it.
create function pipeline.touch_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end
$$;
