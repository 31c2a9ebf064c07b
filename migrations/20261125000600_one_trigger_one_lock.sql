-- One trigger, one lock: the writer's price of a tracked status change.
--   * The guard and the emit become ONE generated AFTER ROW trigger per tracked column
--     (pipeline.emit_<table>_<column>): it checks the transition against its allowed pairs (compiled
--     in as literals) and inserts the event row. Raising in an AFTER ROW trigger aborts the
--     statement just as the BEFORE guard did, with the same message, SQLSTATE, constraint and hint.
--     A BEFORE ROW UPDATE trigger made PostgreSQL lock the old row version first (one more WAL
--     record per update) and cost a second plpgsql call; both are gone.
--   * The common path is one plpgsql expression (the transition test and the wake-up try-lock)
--     and one INSERT. plpgsql re-initialises every simple expression once per transaction, and a
--     status write is usually a transaction of its own, so the number of expressions executed is
--     what a writer pays (bench/writer_profile.py).
--   * One advisory lock instead of two when no listener is armed: the wake key held shared also
--     marks the writer as in flight for the router (see the lock protocol below).
-- Measured on bench_items (bench/results/writer-one-trigger.md).

-- ---------------------------------------------------------------------------------------------
-- The lock protocol (advisory, two-int form, class 1819826802); supersedes the comment of
-- 20261125000500_fast_writer_path.sql.
--
--   (…, 1) wake key: a listener that waits for a NOTIFY holds it EXCLUSIVE (session level,
--          pipeline.arm_wakeup). Every writer first tries it SHARED, transaction level
--          (pg_try_advisory_xact_lock_shared), BEFORE its event id is allocated:
--            - granted (no listener armed): the writer holds it until it ends, which also keeps
--              a listener from arming before this commit; no NOTIFY.
--            - refused (a listener is armed): the writer takes the route key instead (below),
--              still before its id, and NOTIFYs.
--   (…, 2) route key: taken SHARED, transaction level, by a writer whose wake-key try was
--          refused. Nobody ever takes it exclusive, so it never blocks.
--   (…, 3) router key: pg_try_advisory_xact_lock, one router at a time per database.
--
-- A writer in flight is therefore a holder of key 2 in any mode or of key 1 in ShareLock mode
-- (a listener's own exclusive hold of key 1 is not a writer and is told apart by its mode).
-- Other transactions also try key 1 shared (the router when it created deliveries, the replay
-- tool): the router counts them as writers in flight too, which can only delay routing until they
-- end, never route early.
--
-- INVARIANT: every event with event_id <= router_state.routed_upto that is visible (committed)
-- has exactly one non-replay delivery per subscription that matched it when it was routed, and
-- no event above routed_upto has any. Proof sketch: the router reads S = the sequence's
-- last_value FIRST, then the holders H (virtual transaction ids) of key 2 and of key 1 in
-- ShareLock mode, in one read of pg_locks. An id <= S was allocated before S was read, so its
-- writer took key 1 or key 2 before that, and either still holds it (its vxid is in H) or has
-- ended, committed or rolled back; a transaction's locks are released after it became visible,
-- so any later statement of the router sees its rows. Hence, when H is empty, every id in
-- (routed_upto, S] is final, and routing exactly that range (in a READ COMMITTED statement run
-- after the pg_locks read) routes each committed event once, none early. When H is not empty,
-- (S, H) becomes the candidate; once no vxid of H holds either key any more, every id <= S is
-- final in the same way (vxids are never reused by a later transaction). Routing a whole prefix
-- in event_id order keeps deliveries of one entity in event order, which is the entity's commit
-- order (its writers are serialised by the row lock and allocate ids inside it).
--
-- Consequences and limits: as listed in 20261125000500 (sequence cache 1, the router's own
-- transaction excluded from H, holes from aborted writers, long writer transactions and prepared
-- transactions delay the horizon, READ COMMITTED only, restore and TRUNCATE).
--
-- Switching protocols: a router still running the previous body (which counts key 2 only) while
-- this migration commits could read S after the commit and miss a new writer that holds key 1
-- only. The candidate column is renamed below, so such a call fails on its final UPDATE (and its
-- transaction, deliveries included, rolls back) instead of recording a horizon that is too high;
-- a router that finished before the commit read S before it, when every writer took key 2.
-- ---------------------------------------------------------------------------------------------

alter table pipeline.router_state rename column candidate_vxids to candidate_holders;

create or replace function pipeline.reset_router() returns trigger
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
begin
    update pipeline.router_state
       set routed_upto = 0, candidate_upto = null, candidate_holders = null;
    return null;
end
$$;

create or replace function pipeline.route_events() returns integer
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
    select coalesce(array_agg(distinct l.virtualtransaction), '{}')
      into v_holders
      from pg_locks l
     where l.locktype = 'advisory' and l.classid = 1819826802 and l.objsubid = 2
       and (l.objid = 2 or (l.objid = 1 and l.mode = 'ShareLock'))
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
        v_state.candidate_holders := null;
    end if;

    v_upto := v_state.routed_upto;
    if v_state.candidate_upto is not null and not (v_state.candidate_holders && v_holders) then
        v_upto := greatest(v_upto, v_state.candidate_upto);
        v_state.candidate_upto := null;
        v_state.candidate_holders := null;
    end if;
    if cardinality(v_holders) = 0 then
        v_upto := greatest(v_upto, v_seen);
        v_state.candidate_upto := null;
        v_state.candidate_holders := null;
    elsif v_state.candidate_upto is null and v_seen > v_upto then
        v_state.candidate_upto := v_seen;
        v_state.candidate_holders := v_holders;
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
           candidate_holders = v_state.candidate_holders, routed_at = v_state.routed_at
     where (r.routed_upto, r.candidate_upto, r.candidate_holders)
           is distinct from (v_state.routed_upto, v_state.candidate_upto, v_state.candidate_holders);
    return v_routed;
end
$$;

-- Same signature as before (tests and tools write events with it); same protocol as the trigger.
create or replace function pipeline.record_event(
    p_table text, p_status_column text, p_entity uuid, p_company uuid,
    p_old text, p_new text, p_snapshot jsonb
) returns bigint
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_event bigint;
    v_armed boolean := not pg_try_advisory_xact_lock_shared(1819826802, 1);  -- before the id
begin
    if v_armed then
        perform pg_advisory_xact_lock_shared(1819826802, 2);  -- route key, before the id
    end if;
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
    if v_armed then
        perform pg_notify('pipeline_events',
                          json_build_object('event_id', v_event, 'table', p_table)::text);
    end if;
    return v_event;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- The generated trigger of one tracked column
--
-- It runs under ONE security-definer layer WITHOUT a SET clause (the API roles have no privilege
-- on schema pipeline; `SET search_path` on every row costs more than the rest). So the caller's
-- search_path must not be able to change what the body means: every function, type and operator
-- is qualified with pg_catalog (operators as OPERATOR(pg_catalog.x); no NULLIF, IS DISTINCT FROM
-- or simple CASE, which look `=` up on the path), every relation with pipeline, and a temporary
-- object cannot capture any name. Keep it so when editing: an unqualified name here would run
-- with the owner's rights.
--
-- Its error text, SQLSTATE, constraint name and hint are those of pipeline.check_transition.
-- ---------------------------------------------------------------------------------------------
create or replace function pipeline.generate_emit(
    p_table regclass, p_status_column text, p_key_column text
) returns void
language plpgsql as $$
declare
    v_name text := (select relname from pg_class where oid = p_table);
    v_old text := format('old.%I::pg_catalog.text', p_status_column);
    v_new text := format('new.%I::pg_catalog.text', p_status_column);
    v_from text := format('coalesce(old.%I::pg_catalog.text, %L)', p_status_column, 'new');
    v_company text;
    v_snapshot text;
    v_test text;
    v_allowed text;
    v_insert text;
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
                coalesce(case when pg_catalog.current_setting('pipeline.correlation_id', true)
                                   OPERATOR(pg_catalog.<>) ''
                              then pg_catalog.current_setting('pipeline.correlation_id',
                                                              true)::pg_catalog.uuid end,
                         new.%6$I),
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then pg_catalog.current_setting('pipeline.causation_id',
                                                     true)::pg_catalog.int8 end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                     then pg_catalog.current_setting('role')
                     else current_user::pg_catalog.text end)$i$,
        v_name, p_status_column, p_status_column, v_name || '.created',
        v_name || '.status_changed', p_key_column, v_company, v_old, v_new, v_snapshot);
    execute format($f$
        create or replace function pipeline.%1$I() returns trigger
        language plpgsql security definer as $body$
        declare
            v_event pg_catalog.int8;
            v_from pg_catalog.text;
            v_allowed pg_catalog.text;
        begin
            -- The common case in one expression: the status changed, the transition is allowed,
            -- and the wake key is granted shared (no listener armed). That hold, taken before
            -- the event id is allocated, is what makes this writer visible to the router.
            if (case when (%6$s OPERATOR(pg_catalog.=) %5$s) is true then false
                     when (case %7$s else false end)
                     then pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1)
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
            -- A listener is armed (it holds the wake key exclusive): take the route key before
            -- the event id is allocated, and wake the listener when this commits.
            perform pg_catalog.pg_advisory_xact_lock_shared(1819826802, 2);
            %9$s
            returning event_id into v_event;
            perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
                'event_id', v_event, 'table', %2$L)::pg_catalog.text);
            return null;
        end
        $body$ $f$,
        'emit_' || v_name || '_' || p_status_column, v_name, p_status_column, p_key_column,
        v_old, v_new, v_test, v_allowed, v_insert);
end
$$;

-- Attach (or re-attach) the one trigger of a status column; a separate guard trigger left by
-- an earlier version is dropped (its function too, once no trigger uses it).
create or replace function pipeline.track_status(
    p_table regclass, p_status_column text, p_key_column text
) returns void
language plpgsql as $$
declare
    v_name text := (select relname from pg_class where oid = p_table);
    v_guard regprocedure;
begin
    perform pipeline.generate_emit(p_table, p_status_column, p_key_column);
    execute format('create or replace trigger %I after insert or update of %I on %s '
                   'for each row execute function pipeline.%I()',
                   v_name || '_' || p_status_column || '_event', p_status_column, p_table,
                   'emit_' || v_name || '_' || p_status_column);
    execute format('drop trigger if exists %I on %s',
                   v_name || '_' || p_status_column || '_guard', p_table);
    v_guard := to_regprocedure(format('pipeline.%I()', 'guard_' || v_name || '_' || p_status_column));
    if v_guard is not null and not exists (select 1 from pg_trigger where tgfoid = v_guard) then
        execute format('drop function %s', v_guard);
    end if;
    insert into pipeline.status_columns (table_name, status_column, key_column)
    values (v_name, p_status_column, p_key_column)
    on conflict (table_name, status_column) do update set key_column = excluded.key_column;
end
$$;

-- Declare transitions; a column already tracked gets its trigger function regenerated at once
-- (the tracked relation is found through its trigger, so tables outside `public` are covered).
create or replace function pipeline.allow_transitions(
    p_table text, p_status_column text, p_pairs text[][]
) returns void
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
          join pg_trigger t on t.tgname = c.table_name || '_' || c.status_column || '_event'
          join pg_proc p on p.oid = t.tgfoid
         where c.table_name = p_table and c.status_column = p_status_column
           and p.proname = 'emit_' || c.table_name || '_' || c.status_column
           and p.pronamespace = 'pipeline'::regnamespace
    loop
        perform pipeline.generate_emit(v_tracked.tgrelid::regclass, p_status_column,
                                       v_tracked.key_column);
    end loop;
end
$$;

-- Regenerate the function and trigger of every tracked column (found through its event trigger).
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

drop function pipeline.generate_guard(text, text, text);
