-- The fast writer path: a status change on a tracked table costs its writer little more than an
-- outbox INSERT.
--   * The guard holds the column's allowed (from, to) pairs as literals: no table read, no
--     security definer, no SET. allow_transitions regenerates it, so it never goes stale.
--   * The emit trigger inserts the event row itself (one security-definer layer without SET, no
--     nested call) and writes nothing else: no delivery rows.
--   * Deliveries are created by pipeline.route_events(), which every daemon claim calls first in
--     its own transaction (see "The router" below).
--   * events_committed_idx (btree) becomes a BRIN index: committed_at grows with the heap; the
--     correlation index only holds events whose correlation differs from their entity.

-- Writers must not run the old triggers (which fan out themselves) while this commits: after the
-- lock, every event that exists was fanned out by the old trigger, and the router starts above it.
lock table pipeline.events in exclusive mode;

-- The horizon argument below needs every id handed out by nextval() itself (no per-backend cache).
alter sequence pipeline.events_event_id_seq cache 1;

drop index pipeline.events_committed_idx;
create index events_committed_brin on pipeline.events using brin (committed_at);

-- The correlation id defaults to the entity id; events_entity_idx already finds those rows. Only
-- events whose correlation differs (written by a handler of another entity's workflow) need this
-- index, so a plain API write no longer pays for it. The timeline query asks for
-- `correlation_id = X and correlation_id <> entity_id`, which this partial index serves.
drop index pipeline.events_correlation_idx;
create index events_correlation_idx on pipeline.events (correlation_id, event_id)
    where correlation_id <> entity_id;

-- ---------------------------------------------------------------------------------------------
-- The router
--
-- Lock keys (advisory, two-int form, class 1819826802):
--   (…, 1) wake-up (pipeline.arm_wakeup); unchanged.
--   (…, 2) route key: every writer takes it SHARED, transaction level, BEFORE its event id is
--          allocated (the emit trigger, pipeline.record_event). Nobody ever takes it exclusive,
--          so it never blocks; it only makes writers in flight visible in pg_locks.
--   (…, 3) router key: pg_try_advisory_xact_lock, one router at a time per database.
--
-- INVARIANT: every event with event_id <= router_state.routed_upto that is visible (committed)
-- has exactly one non-replay delivery per subscription that matched it when it was routed, and
-- no event above routed_upto has any. Proof sketch: the router reads S = the sequence's
-- last_value FIRST, then the holders H of the route key. An id <= S was allocated before S was
-- read, so its writer took the route key before that, and either still holds it (its vxid is in
-- H) or has ended, committed or rolled back; a transaction's locks are released after it became
-- visible, so any later statement of the router sees its rows. Hence, when H is empty, every id
-- in (routed_upto, S] is final, and routing exactly that range (in a READ COMMITTED statement
-- run after the pg_locks read) routes each committed event once, none early. When H is not
-- empty, (S, H) becomes the candidate; once no vxid of H holds the key any more, every id <= S
-- is final in the same way (vxids are never reused by a later transaction). Routing a whole
-- prefix in event_id order keeps deliveries of one entity in event order, which is the entity's
-- commit order (its writers are serialised by the row lock and allocate ids inside it).
--
-- Consequences and limits:
--   * Sequence cache must be 1 (set above): with a cache a backend could later use an id <= S
--     that it had fetched before it took the route key.
--   * The router's own transaction is excluded from H: events it wrote itself are visible to it
--     and are routed atomically with them (commit or roll back together).
--   * Aborted writers leave a hole in the id range; routing a hole inserts nothing.
--   * A writer transaction that stays open (a long backfill, an idle-in-transaction session that
--     wrote a tracked status) holds the route key until it ends: no event above the candidate's
--     S is routed until then. Nothing is lost, later events are only delayed; keep transactions
--     that write tracked statuses short (idle_in_transaction_session_timeout helps).
--   * Two-phase commit: a prepared transaction keeps the key (pg_locks shows it without a pid)
--     and delays the horizon until COMMIT/ROLLBACK PREPARED.
--   * The router must run READ COMMITTED (each statement its own snapshot); it refuses otherwise.
--   * Restore: pg_dump copies router_state and the sequence consistently (the dumped sequence
--     value is >= any id visible in the dump). TRUNCATE pipeline.events resets the router (a
--     trigger below). A sequence moved back below routed_upto by hand is detected: the router
--     warns and restarts above the last routed event that still has a delivery.
-- ---------------------------------------------------------------------------------------------

create table pipeline.router_state (
    singleton        boolean primary key default true check (singleton),
    routed_upto      bigint not null,
    candidate_upto   bigint,
    candidate_vxids  text[],
    routed_at        timestamptz
);
insert into pipeline.router_state (routed_upto)
select case when is_called then last_value else last_value - 1 end
  from pipeline.events_event_id_seq;

create function pipeline.reset_router() returns trigger
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
begin
    update pipeline.router_state
       set routed_upto = 0, candidate_upto = null, candidate_vxids = null;
    return null;
end
$$;
create trigger events_truncate_resets_router after truncate on pipeline.events
    for each statement execute function pipeline.reset_router();

-- Fan events (p_after, p_upto] out into one delivery per matching active subscription.
create function pipeline.fan_out(p_after bigint, p_upto bigint) returns integer
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_count integer;
begin
    insert into pipeline.deliveries (event_id, handler, entity_id, max_attempts)
    select e.event_id, s.handler, e.entity_id, s.max_attempts
      from pipeline.events e
      join pipeline.subscriptions s
        on s.active and s.table_name = e.table_name and s.status_column = e.status_column
       and (s.from_status = '*' or s.from_status = coalesce(e.old_status, 'new'))
       and (s.to_status = '*' or s.to_status = e.new_status)
     where e.event_id > p_after and e.event_id <= p_upto
     order by e.event_id, s.handler;
    get diagnostics v_count = row_count;
    return v_count;
end
$$;

-- Route every event known complete; returns the number of deliveries created (0 when another
-- router holds the router key). Call it first in the transaction that then claims.
create function pipeline.route_events() returns integer
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_seen bigint;
    v_holders text[];
    v_state pipeline.router_state;
    v_upto bigint;
    v_routed integer := 0;
begin
    if current_setting('transaction_isolation') <> 'read committed' then
        raise exception 'pipeline.route_events() must run at READ COMMITTED, not %',
            current_setting('transaction_isolation') using errcode = 'feature_not_supported';
    end if;
    if not pg_try_advisory_xact_lock(1819826802, 3) then
        return 0;
    end if;
    -- S first, then the writers in flight: the order is what the invariant rests on.
    select case when is_called then last_value else last_value - 1 end
      into v_seen from pipeline.events_event_id_seq;
    select coalesce(array_agg(l.virtualtransaction), '{}')
      into v_holders
      from pg_locks l
     where l.locktype = 'advisory' and l.classid = 1819826802 and l.objid = 2
       and l.objsubid = 2
       and l.database = (select oid from pg_database where datname = current_database())
       and l.pid is distinct from pg_backend_pid();
    select * into v_state from pipeline.router_state for update;

    if v_seen < v_state.routed_upto then
        v_upto := coalesce((select max(d.event_id) from pipeline.deliveries d
                             where d.event_id <= v_seen and not d.is_replay), 0);
        raise warning 'pipeline.route_events: the event sequence (%) is behind routed_upto (%); '
                      'restarting above event %', v_seen, v_state.routed_upto, v_upto;
        v_state.routed_upto := v_upto;
        v_state.candidate_upto := null;
        v_state.candidate_vxids := null;
    end if;

    v_upto := v_state.routed_upto;
    if v_state.candidate_upto is not null and not (v_state.candidate_vxids && v_holders) then
        v_upto := greatest(v_upto, v_state.candidate_upto);
        v_state.candidate_upto := null;
        v_state.candidate_vxids := null;
    end if;
    if cardinality(v_holders) = 0 then
        v_upto := greatest(v_upto, v_seen);
        v_state.candidate_upto := null;
        v_state.candidate_vxids := null;
    elsif v_state.candidate_upto is null and v_seen > v_upto then
        v_state.candidate_upto := v_seen;
        v_state.candidate_vxids := v_holders;
    end if;

    if v_upto > v_state.routed_upto then
        v_routed := pipeline.fan_out(v_state.routed_upto, v_upto);
        v_state.routed_upto := v_upto;
        v_state.routed_at := now();
    end if;
    -- New deliveries may be for handlers another daemon serves (media replicas apart from the
    -- content ones), and that daemon may have skipped routing just now: wake it by the writers'
    -- rule (NOTIFY only while a listener is armed; else it cannot arm before this commits).
    if v_routed > 0 and not pg_try_advisory_xact_lock_shared(1819826802, 1) then
        perform pg_notify('pipeline_events', json_build_object(
            'event_id', v_upto, 'table', 'pipeline.deliveries')::text);
    end if;
    update pipeline.router_state r
       set routed_upto = v_state.routed_upto, candidate_upto = v_state.candidate_upto,
           candidate_vxids = v_state.candidate_vxids, routed_at = v_state.routed_at
     where (r.routed_upto, r.candidate_upto, r.candidate_vxids)
           is distinct from (v_state.routed_upto, v_state.candidate_upto, v_state.candidate_vxids);
    return v_routed;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- The writer side
-- ---------------------------------------------------------------------------------------------

-- Same signature as before (tests and tools write events with it); now writes only the event row.
create or replace function pipeline.record_event(
    p_table text, p_status_column text, p_entity uuid, p_company uuid,
    p_old text, p_new text, p_snapshot jsonb
) returns bigint
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_event bigint;
begin
    perform pg_advisory_xact_lock_shared(1819826802, 2);  -- route key, before the id
    insert into pipeline.events (event_type, table_name, status_column, entity_id, company_id,
                                 old_status, new_status, snapshot, correlation_id, causation_id,
                                 actor_role)
    values (p_table || case when p_old is null then '.created' else '.status_changed' end,
            p_table, p_status_column, p_entity, p_company, p_old, p_new, p_snapshot,
            coalesce(nullif(current_setting('pipeline.correlation_id', true), '')::uuid,
                     p_entity),
            nullif(current_setting('pipeline.causation_id', true), '')::bigint,
            coalesce(nullif(current_setting('role'), 'none'), current_user))
    returning event_id into v_event;
    if not pg_try_advisory_xact_lock_shared(1819826802, 1) then
        perform pg_notify('pipeline_events',
                          json_build_object('event_id', v_event, 'table', p_table)::text);
    end if;
    return v_event;
end
$$;

-- The generated guard of one tracked column: its allowed pairs as a literal CASE; the error text,
-- SQLSTATE, constraint name and hint are exactly those of pipeline.check_transition (the API
-- roles cannot call into schema pipeline, so the refusal is built here from the same pairs).
create function pipeline.generate_guard(p_table text, p_status_column text, p_key_column text)
returns void
language plpgsql as $$
declare
    v_test text;
    v_allowed text;
begin
    select coalesce(string_agg(format('when %L then new.%I in (%s)', f.from_status,
                                      p_status_column, f.targets), ' '), '')
      into v_test
      from (select t.from_status, string_agg(format('%L', t.to_status), ', ') as targets
              from pipeline.transitions t
             where t.table_name = p_table and t.status_column = p_status_column
             group by t.from_status) f;
    select coalesce(string_agg(format('when %L then %L', f.from_status, f.allowed), ' '), '')
      into v_allowed
      from (select t.from_status, string_agg(t.to_status, ', ' order by t.to_status) as allowed
              from pipeline.transitions t
             where t.table_name = p_table and t.status_column = p_status_column
             group by t.from_status) f;
    execute format($f$
        create or replace function pipeline.%1$I() returns trigger
        language plpgsql as $body$
        declare
            v_old pg_catalog.text;
            v_allowed pg_catalog.text;
        begin
            if tg_op = 'UPDATE' then
                if new.%3$I is not distinct from old.%3$I then
                    return new;
                end if;
                v_old := old.%3$I;
            end if;
            if (case coalesce(v_old, 'new') %5$s else false end) then
                return new;
            end if;
            v_allowed := case coalesce(v_old, 'new') %6$s else 'none' end;
            if v_old is null then
                raise exception 'illegal initial %%.%% on %% row %%: %% (allowed: %%)',
                    %2$L, %3$L, %2$L, new.%4$I, new.%3$I, v_allowed
                    using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                          hint = format('a new %%s row may start as: %%s', %2$L, v_allowed);
            end if;
            raise exception 'illegal %% transition on %% row %%: %% -> %% (allowed next: %%)',
                %3$L, %2$L, new.%4$I, v_old, new.%3$I, v_allowed
                using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                      hint = format('from %%s a %%s row may move to: %%s', v_old, %2$L, v_allowed);
        end
        $body$ $f$,
        'guard_' || p_table || '_' || p_status_column, p_table, p_status_column, p_key_column,
        v_test, v_allowed);
end
$$;

-- The generated emit function of one tracked column: the event row, inline, under ONE layer:
-- security definer (the API roles have no privilege on schema pipeline) WITHOUT a SET clause.
-- `SET search_path` on every row costs more than everything else the trigger adds (measured in
-- bench/writer_profile.py: "fast emit" variants), so the body is written so that the caller's
-- search_path cannot change its meaning: every function, type and operator is qualified with
-- pg_catalog (operators as OPERATOR(pg_catalog.x), no NULLIF / IS DISTINCT FROM, which look `=`
-- up on the path), every relation with pipeline; a temporary object cannot capture any name.
-- Keep it so when editing: an unqualified name here would run with the owner's rights.
create function pipeline.generate_emit(p_table regclass, p_status_column text, p_key_column text)
returns void
language plpgsql as $$
declare
    v_name text := (select relname from pg_class where oid = p_table);
    v_company text;
    v_snapshot text;
begin
    select case when exists (select 1 from pg_attribute
                              where attrelid = p_table and attname = 'company_id'
                                and not attisdropped)
                then 'new.company_id' else 'null::pg_catalog.uuid' end
      into v_company;
    select coalesce(string_agg(format('%L, new.%I', a.attname, a.attname), ', '
                               order by a.attnum), '')
      into v_snapshot
      from pg_attribute a
      join pg_type t on t.oid = a.atttypid
     where a.attrelid = p_table and a.attnum > 0 and not a.attisdropped
       and t.typcategory in ('N', 'B', 'D', 'U') and t.typname not in ('json', 'jsonb')
       and a.attname <> p_key_column;
    execute format($f$
        create or replace function pipeline.%1$I() returns trigger
        language plpgsql security definer as $body$
        declare
            v_event pg_catalog.int8;
            v_old pg_catalog.text;
            v_correlation pg_catalog.text :=
                pg_catalog.current_setting('pipeline.correlation_id', true);
            v_causation pg_catalog.text :=
                pg_catalog.current_setting('pipeline.causation_id', true);
            v_role pg_catalog.text := pg_catalog.current_setting('role');
        begin
            if tg_op OPERATOR(pg_catalog.=) 'UPDATE' then
                if (new.%3$I OPERATOR(pg_catalog.=) old.%3$I) is true
                   or (new.%3$I is null and old.%3$I is null) then
                    return null;
                end if;
                v_old := old.%3$I;
            end if;
            perform pg_catalog.pg_advisory_xact_lock_shared(1819826802, 2);  -- route key first
            insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                         company_id, old_status, new_status, snapshot,
                                         correlation_id, causation_id, actor_role)
            values (case when v_old is null then %4$L else %5$L end, %2$L, %3$L, new.%6$I,
                    %7$s, v_old, new.%3$I, pg_catalog.jsonb_build_object(%8$s),
                    coalesce(case when v_correlation OPERATOR(pg_catalog.<>) ''
                                  then v_correlation::pg_catalog.uuid end, new.%6$I),
                    case when v_causation OPERATOR(pg_catalog.<>) ''
                         then v_causation::pg_catalog.int8 end,
                    case when v_role OPERATOR(pg_catalog.<>) 'none'
                         then v_role else current_user::pg_catalog.text end)
            returning event_id into v_event;
            if not pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1) then
                perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
                    'event_id', v_event, 'table', %2$L)::pg_catalog.text);
            end if;
            return null;
        end
        $body$ $f$,
        'emit_' || v_name || '_' || p_status_column, v_name, p_status_column,
        v_name || '.created', v_name || '.status_changed', p_key_column, v_company, v_snapshot);
end
$$;

-- Attach (or re-attach) the guard and the emit trigger of one status column.
create or replace function pipeline.track_status(
    p_table regclass, p_status_column text, p_key_column text
) returns void
language plpgsql as $$
declare
    v_name text := (select relname from pg_class where oid = p_table);
begin
    perform pipeline.generate_guard(v_name, p_status_column, p_key_column);
    perform pipeline.generate_emit(p_table, p_status_column, p_key_column);
    execute format('create or replace trigger %I before insert or update of %I on %s '
                   'for each row execute function pipeline.%I()',
                   v_name || '_' || p_status_column || '_guard', p_status_column, p_table,
                   'guard_' || v_name || '_' || p_status_column);
    execute format('create or replace trigger %I after insert or update of %I on %s '
                   'for each row execute function pipeline.%I()',
                   v_name || '_' || p_status_column || '_event', p_status_column, p_table,
                   'emit_' || v_name || '_' || p_status_column);
    insert into pipeline.status_columns (table_name, status_column, key_column)
    values (v_name, p_status_column, p_key_column)
    on conflict (table_name, status_column) do update set key_column = excluded.key_column;
end
$$;

-- Declare transitions; a column already tracked gets its guard regenerated at once.
create or replace function pipeline.allow_transitions(
    p_table text, p_status_column text, p_pairs text[][]
) returns void
language plpgsql as $$
declare
    v_pair text[];
    v_key text;
begin
    foreach v_pair slice 1 in array p_pairs loop
        insert into pipeline.transitions (table_name, status_column, from_status, to_status)
        values (p_table, p_status_column, v_pair[1], v_pair[2])
        on conflict do nothing;
    end loop;
    select c.key_column into v_key
      from pipeline.status_columns c
     where c.table_name = p_table and c.status_column = p_status_column;
    if found then
        perform pipeline.generate_guard(p_table, p_status_column, v_key);
    end if;
end
$$;

-- Regenerate both functions and both triggers of every tracked column (the table is found
-- through its existing event trigger, so tables outside `public` are covered too).
do $regenerate$
declare
    v_column record;
begin
    for v_column in
        select c.table_name, c.status_column, c.key_column, t.tgrelid
          from pipeline.status_columns c
          join pg_trigger t on t.tgname = c.table_name || '_' || c.status_column || '_event'
          join pg_proc p on p.oid = t.tgfoid
         where p.proname = 'emit_' || c.table_name || '_' || c.status_column
           and p.pronamespace = 'pipeline'::regnamespace
    loop
        perform pipeline.track_status(v_column.tgrelid::regclass, v_column.status_column,
                                      v_column.key_column);
    end loop;
end
$regenerate$;
