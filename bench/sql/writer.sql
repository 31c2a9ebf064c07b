-- Writer-price benchmark: the write paths compared on bench_items (bench_items.sql).
-- `bench_outbox` has the columns of pipeline.events and only its primary key: the cheapest
-- durable record of a status change (the floor any durable design pays).

-- name: schema
create table bench_outbox (
    event_id        bigint generated always as identity primary key,
    event_type      text not null,
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

-- The same row pipeline.record_event writes (the snapshot of the non-text columns included),
-- inserted inline: the cheapest way a trigger can write it.
create function bench_outbox_insert() returns trigger
language plpgsql as $$
begin
    if new.status is not distinct from old.status then
        return null;
    end if;
    insert into bench_outbox (event_type, table_name, status_column, entity_id, company_id,
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

create function bench_outbox_notify() returns trigger
language plpgsql as $$
declare
    v_event bigint;
begin
    if new.status is not distinct from old.status then
        return null;
    end if;
    insert into bench_outbox (event_type, table_name, status_column, entity_id, company_id,
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
    perform pg_notify('pipeline_events',
                      json_build_object('event_id', v_event, 'table', 'bench_items')::text);
    return null;
end
$$;


-- name: no_triggers
drop trigger if exists bench_items_outbox on bench_items;
drop trigger if exists bench_items_status_guard on bench_items;
drop trigger if exists bench_items_status_event on bench_items;

-- name: trigger_outbox
create trigger bench_items_outbox after update of status on bench_items
    for each row execute function bench_outbox_insert();

-- name: trigger_outbox_notify
create trigger bench_items_outbox after update of status on bench_items
    for each row execute function bench_outbox_notify();

-- name: trigger_ours
-- The real write path: whatever the migrations' pipeline.track_status generates and attaches.
select pipeline.track_status('bench_items', 'status', 'item_id');

-- name: reset
truncate bench_outbox, pipeline.events, pipeline.deliveries, pipeline.audit_log restart identity;

-- name: listeners
select count(*) from pg_stat_activity
 where datname = current_database() and application_name like 'lxera-pipeline:%:listener';

-- name: handled
select (select count(*) from pipeline.audit_log where outcome = 'succeeded'),
       (select count(*) from pipeline.events);
