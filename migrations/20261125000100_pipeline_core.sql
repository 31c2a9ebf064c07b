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
    committed_at    timestamptz not null default clock_timestamp(),
    -- The writer's top-level transaction id: the router routes an event once the router's
    -- snapshot sees this transaction as ended (see "The router" below).
    txid            xid8 not null default pg_current_xact_id()
);
-- Event ids are handed out by nextval() one at a time (no per-backend cache): the writers of one
-- entity are serialised by its row lock and allocate their ids inside it, so one entity's event
-- ids follow its commit order.
alter sequence pipeline.events_event_id_seq cache 1;
create index events_entity_idx on pipeline.events (entity_id, event_id);
create index events_txid_idx on pipeline.events (txid);
-- The correlation id defaults to the entity id; events_entity_idx already finds those rows. Only
-- events whose correlation differs (written by a handler of another entity's workflow) need this
-- index, so a plain API write does not pay for it. The timeline query asks for
-- `correlation_id = X and correlation_id <> entity_id`, which this partial index serves.
create index events_correlation_idx on pipeline.events (correlation_id, event_id)
    where correlation_id <> entity_id;
create index events_causation_idx on pipeline.events (causation_id) where causation_id is not null;
-- committed_at grows with the heap: a BRIN index serves `prune`'s range scans at little cost.
create index events_committed_brin on pipeline.events using brin (committed_at);

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

-- ---------------------------------------------------------------------------------------------
-- Advisory locks, named once. Every key is two int4 (class, object); the other functions and the
-- daemon's queries spell a key only through pipeline.lock_key():
--   (lock_key('pipeline'), lock_key('wake'))     the wake key (below)
--   (lock_key('pipeline'), lock_key('router'))   the router key: one router at a time
--   (lock_key('handlers'), hashtext(<handler>))  held shared by every running daemon for each
--                                                handler it serves (the daemon's queries)
-- Immutable: a call with a constant name is folded into its value when the calling statement is
-- planned, so naming the key costs nothing at run time.
-- ---------------------------------------------------------------------------------------------
create function pipeline.lock_key(p_name text) returns integer
language plpgsql immutable parallel safe as $$
declare
    v_key integer := case p_name
                         when 'pipeline' then 1819826802
                         when 'handlers' then 1819826803
                         when 'wake' then 1
                         when 'router' then 3
                     end;
begin
    if v_key is null then
        raise exception 'pipeline.lock_key: no advisory lock is named %', p_name
            using errcode = 'invalid_parameter_value';
    end if;
    return v_key;
end
$$;

-- Wake-up coalescing: a daemon that is idle and listening holds the wake key (session level,
-- exclusive). A writer whose trigger cannot take it shared knows a daemon waits and NOTIFYs; all
-- other writers skip NOTIFY and so never queue on the cluster-wide notify lock. A writer's shared
-- lock lasts until its commit, so a daemon can only arm after every in-flight writer committed, and
-- it claims (and routes) once more right after arming: no wake-up is lost.
-- A listener arms before it waits (true: armed, false: writers are committing or another listener
-- is armed; claim again, then wait) and disarms when it wakes.
create function pipeline.arm_wakeup() returns boolean
language sql as $$
    select pg_catalog.pg_try_advisory_lock(pipeline.lock_key('pipeline'), pipeline.lock_key('wake'))
$$;

create function pipeline.disarm_wakeup() returns boolean
language sql as $$
    select pg_catalog.pg_advisory_unlock(pipeline.lock_key('pipeline'), pipeline.lock_key('wake'))
$$;

-- Is some listener armed (waiting for a NOTIFY)?
create function pipeline.wakeup_armed() returns boolean
language sql stable as $$
    select exists (select 1 from pg_catalog.pg_locks l
                    where l.locktype = 'advisory'
                      and l.classid = pipeline.lock_key('pipeline')::pg_catalog.oid
                      and l.objid = pipeline.lock_key('wake')::pg_catalog.oid
                      and l.objsubid = 2 and l.mode = 'ExclusiveLock' and l.granted
                      and l.database = (select d.oid from pg_catalog.pg_database d
                                         where d.datname = pg_catalog.current_database()))
$$;

-- ---------------------------------------------------------------------------------------------
-- The router (the protocol and its proof: docs/architecture.md, "Visibility protocol")
--
-- Writers only insert event rows; every event carries its writer's top-level transaction id
-- (events.txid). pipeline.route_events() fans events out into deliveries: holding the router
-- key, it takes a snapshot NOW and routes exactly the events whose transaction is visible
-- (ended) in NOW but was not in LAST, the snapshot the previous routing stored in router_state;
-- then it stores NOW. A transaction that is still open stays invisible in every snapshot taken
-- while it runs, so it is routed by the first routing after it commits, whatever its event ids;
-- the events of every other transaction are routed as soon as they commit. Nothing waits for an
-- open transaction except that transaction's own events (and the entity rows it locks).
--
-- Candidates are found through events_txid_idx: transactions that were running in LAST
-- (pg_snapshot_xip) plus the range [xmax(LAST), xmax(NOW)); every other transaction id below
-- xmax(LAST) was already visible in LAST.
--
-- Limits:
--   * READ COMMITTED only (each statement its own snapshot); the router refuses otherwise.
--   * Restore into another cluster: transaction ids are per cluster. A NOW whose xmax is below
--     LAST's (a cluster behind the dumped one) makes the router warn and route every event that
--     has no delivery yet, once; each routing skips events that already have their original
--     deliveries, so an event is never fanned out twice.
--   * An event whose subscriptions are added after it was routed gets no delivery (as before):
--     replay it.
-- ---------------------------------------------------------------------------------------------

create table pipeline.router_state (
    singleton      boolean primary key default true check (singleton),
    last_snapshot  pg_snapshot not null,
    routed_at      timestamptz
);
insert into pipeline.router_state (last_snapshot) values (pg_current_snapshot());

-- Committed events no routing has fanned out yet (their transaction ended after the last
-- routing's snapshot was taken; events of transactions still open are invisible to the caller).
-- Found through events_txid_idx, never a scan of every event (see route_events on xid8 ranges).
-- A single event: `not pg_visible_in_snapshot(e.txid, (select r.last_snapshot from
-- pipeline.router_state r))`.
create function pipeline.unrouted_events() returns setof pipeline.events
language sql stable
set search_path = pg_catalog, pipeline, pg_temp set enable_seqscan = off as $$
    select e.*
      from pipeline.router_state r
      join pipeline.events e on e.txid >= pg_snapshot_xmin(r.last_snapshot)
     where r.singleton and not pg_visible_in_snapshot(e.txid, r.last_snapshot)
     order by e.event_id
$$;

-- Route every event whose transaction ended since the last routing; returns the number of
-- deliveries created (0 when another router holds the router key: it routes instead). Call it
-- first in the transaction that then claims. p_served: the handlers the calling daemon serves;
-- a NOTIFY (only while some listener is armed) goes out only when deliveries were created for a
-- handler outside that list, so a standby daemon serving the same handlers is not woken by every
-- routing. NULL (an operator's tool): any delivery created notifies.
-- Its statements read events only through events_txid_idx and the primary key: the planner
-- has no range statistics for xid8 (it guesses 0.5% of the table for any range, enough to choose
-- a scan of every event once the table is large), so sequential scans are switched off here
-- (its plans stay cached: replanning every call would cost more than routing). Every statement
-- has an index path (the router_state row is read by its key), so no plan carries the cost that
-- disabling adds (which would also make PostgreSQL JIT-compile it on every call).
create function pipeline.route_events(p_served text[] default null) returns integer
language plpgsql security definer
set search_path = pg_catalog, pipeline, pg_temp
set enable_seqscan = off as $$
declare
    v_last pg_catalog.pg_snapshot;
    v_now pg_catalog.pg_snapshot;
    v_events bigint[];
    v_routed integer;
    v_last_event bigint;
    v_foreign boolean;
    v_own pg_catalog.xid8 := pg_catalog.pg_current_xact_id_if_assigned();
begin
    if pg_catalog.current_setting('transaction_isolation') <> 'read committed' then
        raise exception 'pipeline.route_events() must run at READ COMMITTED, not %',
            pg_catalog.current_setting('transaction_isolation')
            using errcode = 'feature_not_supported';
    end if;
    if not pg_catalog.pg_try_advisory_xact_lock(pipeline.lock_key('pipeline'),
                                                pipeline.lock_key('router')) then
        return 0;
    end if;
    -- The previous router stored LAST and committed before it released the router key, so
    -- this statement reads its LAST, and NOW (taken by a later statement) sees every
    -- transaction LAST saw as ended.
    select r.last_snapshot into v_last from pipeline.router_state r where r.singleton for update;
    v_now := pg_catalog.pg_current_snapshot();
    -- A snapshot counts its own transaction as ended. This one has not: its events (written
    -- before or after this call) are routed after it commits, like any writer's.
    if v_own is not null and pg_catalog.pg_visible_in_snapshot(v_own, v_now) then
        v_now := pg_catalog.format('%s:%s:%s',
                     least(v_own, pg_catalog.pg_snapshot_xmin(v_now)),
                     pg_catalog.pg_snapshot_xmax(v_now),
                     pg_catalog.array_to_string(array(
                         select x.id from (select pg_catalog.pg_snapshot_xip(v_now) as id
                                           union select v_own) x
                          order by x.id), ','))::pg_catalog.pg_snapshot;
    end if;

    if pg_catalog.pg_snapshot_xmax(v_now) < pg_catalog.pg_snapshot_xmax(v_last) then
        raise warning 'pipeline.route_events: transaction ids went back (xmax % < %: restored '
                      'into another cluster?); routing every event without deliveries',
                      pg_catalog.pg_snapshot_xmax(v_now), pg_catalog.pg_snapshot_xmax(v_last);
        v_events := array(select e.event_id from pipeline.events e order by e.event_id);
    else
        v_events := array(
            select e.event_id
              from pipeline.events e
             where (e.txid >= pg_catalog.pg_snapshot_xmax(v_last)
                    and e.txid < pg_catalog.pg_snapshot_xmax(v_now)
                    or e.txid = any (array(select pg_catalog.pg_snapshot_xip(v_last))))
               and pg_catalog.pg_visible_in_snapshot(e.txid, v_now)
               and not pg_catalog.pg_visible_in_snapshot(e.txid, v_last)
             order by e.event_id);
    end if;
    if pg_catalog.cardinality(v_events) = 0 then
        return 0;  -- nothing ended that wrote events: LAST stays (its candidates are the same)
    end if;

    -- One delivery per matching active subscription, in event order; an event that already
    -- has its original (non-replay) deliveries is skipped, so none is fanned out twice.
    -- Priority (claimed larger first; column added in 20261125001100): for an event of a media
    -- session, the session's render_priority as it is now (read by its primary key; the
    -- event's snapshot may predate a change), else 0.
    with routed as (
        insert into pipeline.deliveries (event_id, handler, entity_id, max_attempts, priority)
        select e.event_id, s.handler, e.entity_id, s.max_attempts,
               coalesce(ms.render_priority, 0)
          from pipeline.events e
          join pipeline.subscriptions s
            on s.active and s.table_name = e.table_name and s.status_column = e.status_column
           and (s.from_status = '*' or s.from_status = coalesce(e.old_status, 'new'))
           and (s.to_status = '*' or s.to_status = e.new_status)
          left join public.mm_multimedia_sessions ms
            on e.table_name = 'mm_multimedia_sessions' and ms.session_id = e.entity_id
         where e.event_id = any (v_events)
           and not exists (select 1 from pipeline.deliveries d
                            where d.event_id = e.event_id and not d.is_replay)
         order by e.event_id, s.handler
        returning event_id, handler
    )
    select pg_catalog.count(*)::integer, pg_catalog.max(r.event_id),
           coalesce(pg_catalog.bool_or(p_served is null or not (r.handler = any (p_served))),
                    false)
      into v_routed, v_last_event, v_foreign
      from routed r;
    update pipeline.router_state
       set last_snapshot = v_now,
           routed_at = case when v_routed > 0 then pg_catalog.now() else routed_at end
     where singleton;
    -- New deliveries for handlers this daemon does not serve: the daemon that does may have
    -- skipped routing just now, so wake it by the writers' rule (NOTIFY only while a listener
    -- is armed; else it cannot arm before this commits, and claims after arming).
    if v_foreign and not pg_catalog.pg_try_advisory_xact_lock_shared(
                             pipeline.lock_key('pipeline'), pipeline.lock_key('wake')) then
        perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
            'event_id', v_last_event, 'table', 'pipeline.deliveries')::text);
    end if;
    return v_routed;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- The generated trigger of one tracked column: pipeline.emit_<table>_<column>, one AFTER ROW
-- trigger that checks the transition against its allowed pairs (compiled in as literals) and
-- inserts the event row. Raising in an AFTER ROW trigger aborts the statement with the message,
-- SQLSTATE (check_violation), constraint (pipeline_state_machine) and hint below. The common
-- path is one plpgsql expression (the transition test and the wake-key try) and one INSERT:
-- plpgsql re-initialises every simple expression once per transaction and a status write is
-- usually a transaction of its own, so the expressions executed are what a writer pays
-- (bench/writer_profile.py).
--
-- It runs under ONE security-definer layer WITHOUT a SET clause (the API roles have no privilege
-- on schema pipeline; `SET search_path` on every row costs more than the rest, see
-- bench/FINDINGS.md). So the caller's search_path must not be able to change what the body
-- means: every function, type and operator is qualified with pg_catalog (operators as
-- OPERATOR(pg_catalog.x); no NULLIF, IS DISTINCT FROM or simple CASE, which look `=` up on the
-- path), every relation with pipeline, the lock keys are literals, and a temporary object cannot
-- capture any name. Keep it so when editing: an unqualified name here would run with the owner's
-- rights. The generator itself is not security definer: it runs as the migrating role.
-- ---------------------------------------------------------------------------------------------
create function pipeline.generate_emit(
    p_table regclass, p_status_column text, p_key_column text
) returns void
language plpgsql as $$
declare
    v_name text := (select c.relname from pg_catalog.pg_class c where c.oid = p_table);
    v_old text := format('old.%I::pg_catalog.text', p_status_column);
    v_new text := format('new.%I::pg_catalog.text', p_status_column);
    v_from text := format('coalesce(old.%I::pg_catalog.text, %L)', p_status_column, 'new');
    v_wake text := format('%s, %s', pipeline.lock_key('pipeline'), pipeline.lock_key('wake'));
    v_company text;
    v_snapshot text;
    v_test text;
    v_allowed text;
    v_insert text;
    -- Who wrote the change: the role an API gateway SET, else the current user. A change written
    -- under an API role (anon, authenticated) starts its own chain: the correlation and causation
    -- settings are the daemon's, and any session may set them, so they are ignored for those
    -- roles and no writer can hang its events into another company's timeline.
    v_actor text := $a$case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end$a$;
begin
    select case when exists (select 1 from pg_catalog.pg_attribute a
                              where a.attrelid = p_table and a.attname = 'company_id'
                                and not a.attisdropped)
                then 'new.company_id' else 'null::pg_catalog.uuid' end
      into v_company;
    select coalesce(string_agg(format('%L, new.%I', a.attname, a.attname), ', '
                               order by a.attnum), '')
      into v_snapshot
      from pg_catalog.pg_attribute a
      join pg_catalog.pg_type t on t.oid = a.atttypid
     where a.attrelid = p_table and a.attnum > 0 and not a.attisdropped
       and t.typcategory in ('N', 'B', 'D', 'U') and t.typname not in ('json', 'jsonb')
       and a.attname <> p_key_column;
    -- Per from-status: is the new status one of its targets (false when none is declared).
    select coalesce(string_agg(format('when %s OPERATOR(pg_catalog.=) %L then %s '
                                      'OPERATOR(pg_catalog.=) any (%L::pg_catalog.text[])',
                                      v_from, f.from_status, v_new, f.targets::text),
                               ' ' order by f.from_status), 'when false then false')
      into v_test
      from (select t.from_status, array_agg(t.to_status order by t.to_status) as targets
              from pipeline.transitions t
             where t.table_name = v_name and t.status_column = p_status_column
             group by t.from_status) f;
    -- Per from-status: the allowed next statuses as the error message lists them.
    select coalesce(string_agg(format('when %s OPERATOR(pg_catalog.=) %L then %L',
                                      v_from, f.from_status, f.allowed),
                               ' ' order by f.from_status), 'when false then null')
      into v_allowed
      from (select t.from_status, string_agg(t.to_status, ', ' order by t.to_status) as allowed
              from pipeline.transitions t
             where t.table_name = v_name and t.status_column = p_status_column
             group by t.from_status) f;
    v_insert := format($i$
        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.%3$I is null then %4$L else %5$L end, %1$L, %2$L, new.%6$I,
                %7$s, %8$s, %9$s, pg_catalog.jsonb_build_object(%10$s),
                case when %11$s then new.%6$I
                     else coalesce(case when pg_catalog.current_setting(
                                                 'pipeline.correlation_id', true)
                                             OPERATOR(pg_catalog.<>) ''
                                        then pg_catalog.current_setting(
                                                 'pipeline.correlation_id',
                                                 true)::pg_catalog.uuid end,
                                   new.%6$I) end,
                case when %11$s then null::pg_catalog.int8
                     when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then pg_catalog.current_setting('pipeline.causation_id',
                                                     true)::pg_catalog.int8 end,
                %12$s)$i$,
        v_name, p_status_column, p_status_column, v_name || '.created',
        v_name || '.status_changed', p_key_column, v_company, v_old, v_new, v_snapshot,
        format('(%s) OPERATOR(pg_catalog.=) any (%L::pg_catalog.text[])', v_actor,
               '{anon,authenticated}'),
        v_actor);
    execute format($f$
        create or replace function pipeline.%1$I() returns trigger
        language plpgsql security definer as $body$
        declare
            v_event pg_catalog.int8;
            v_from pg_catalog.text;
            v_allowed pg_catalog.text;
        begin
            -- The common case in one expression: the status changed, the transition is allowed,
            -- and the wake key is granted shared (no listener armed: no NOTIFY; the hold lasts
            -- until this transaction ends, so no listener arms before this commit).
            if (case when (%6$s OPERATOR(pg_catalog.=) %5$s) is true then false
                     when (case %7$s else false end)
                     then pg_catalog.pg_try_advisory_xact_lock_shared(%10$s)
                     else false end) then
                %9$s;
                return null;
            end if;
            if (%6$s OPERATOR(pg_catalog.=) %5$s) is true
               or (new.%3$I is null and old.%3$I is null
                   and tg_op OPERATOR(pg_catalog.=) 'UPDATE') then
                return null;  -- the status did not change: no transition, no event
            end if;
            if (case %7$s else false end) is not true then
                v_from := %5$s;
                v_allowed := case %8$s else 'none' end;
                if v_from is null then
                    raise exception 'illegal initial %%.%% on %% row %%: %% (allowed: %%)',
                        %2$L, %3$L, %2$L, new.%4$I, new.%3$I, v_allowed
                        using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                              hint = pg_catalog.format('a new %%s row may start as: %%s', %2$L,
                                                       v_allowed);
                end if;
                raise exception 'illegal %% transition on %% row %%: %% -> %% (allowed next: %%)',
                    %3$L, %2$L, new.%4$I, v_from, new.%3$I, v_allowed
                    using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                          hint = pg_catalog.format('from %%s a %%s row may move to: %%s', v_from,
                                                   %2$L, v_allowed);
            end if;
            -- A listener is armed (it holds the wake key exclusive): wake it when this commits.
            %9$s
            returning event_id into v_event;
            perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
                'event_id', v_event, 'table', %2$L)::pg_catalog.text);
            return null;
        end
        $body$ $f$,
        'emit_' || v_name || '_' || p_status_column, v_name, p_status_column, p_key_column,
        v_old, v_new, v_test, v_allowed, v_insert, v_wake);
end
$$;

-- Attach (or re-attach) the one trigger of a status column.
create function pipeline.track_status(p_table regclass, p_status_column text, p_key_column text)
returns void
language plpgsql as $$
declare
    v_name text := (select c.relname from pg_catalog.pg_class c where c.oid = p_table);
begin
    perform pipeline.generate_emit(p_table, p_status_column, p_key_column);
    execute format('create or replace trigger %I after insert or update of %I on %s '
                   'for each row execute function pipeline.%I()',
                   v_name || '_' || p_status_column || '_event', p_status_column, p_table,
                   'emit_' || v_name || '_' || p_status_column);
    insert into pipeline.status_columns (table_name, status_column, key_column)
    values (v_name, p_status_column, p_key_column)
    on conflict (table_name, status_column) do update set key_column = excluded.key_column;
end
$$;

-- Declare a state machine as (from, to) pairs ('new' lists the statuses a row may be inserted
-- with). A column already tracked gets its trigger function regenerated at once (the tracked
-- relation is found through its trigger, so tables outside `public` are covered).
create function pipeline.allow_transitions(p_table text, p_status_column text, p_pairs text[][])
returns void
language plpgsql as $$
declare
    v_pair text[];
    v_tracked record;
begin
    foreach v_pair slice 1 in array p_pairs loop
        insert into pipeline.transitions (table_name, status_column, from_status, to_status)
        values (p_table, p_status_column, v_pair[1], v_pair[2])
        on conflict do nothing;
    end loop;
    for v_tracked in
        select t.tgrelid, c.key_column
          from pipeline.status_columns c
          join pg_catalog.pg_trigger t
            on t.tgname = c.table_name || '_' || c.status_column || '_event'
          join pg_catalog.pg_proc p on p.oid = t.tgfoid
         where c.table_name = p_table and c.status_column = p_status_column
           and p.proname = 'emit_' || c.table_name || '_' || c.status_column
           and p.pronamespace = 'pipeline'::regnamespace
    loop
        perform pipeline.generate_emit(v_tracked.tgrelid::regclass, p_status_column,
                                       v_tracked.key_column);
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
