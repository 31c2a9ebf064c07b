-- The status trigger's write path, cheaper (bench/results/writer-instructions.md):
--
-- 1. An API writer's chain confinement (20261125000100) compiled the actor expression into the
--    event INSERT three times and evaluated it on every status change. PL/pgSQL compiles the
--    INSERT's expressions on every execution, so even branches never taken cost; the role is now
--    read only inside the branch where a correlation or causation setting is present (the daemon's
--    fenced transactions, or a forged setting). Same results: API roles start their own chain,
--    the daemon's handlers chain their events (tests/security/test_tenancy.py).
-- 2. The generated function carries its pinned search_path itself (SET clause in the CREATE)
--    instead of relying on the event trigger of 20261125000700, which a database without a
--    superuser does not have. The path is `pg_catalog, pg_temp`: the body names every object
--    with its schema, and each name on the path is parsed and looked up again on every call
--    (PostgreSQL 15 re-reads the path twice per status change). pg_temp stays last, as every
--    pin ends (docs/security.md).
--
-- Every tracked status column's function is regenerated with the new generator.

create or replace function pipeline.generate_emit(
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
    -- Who wrote the change: the role an API gateway SET, else the current user (inside this
    -- SECURITY DEFINER function that is the owner, so an API role shows only as the role SET).
    -- A change written under an API role (anon, authenticated) starts its own chain: the
    -- correlation and causation settings are the daemon's, and any session may set them, so they
    -- are ignored for those roles and no writer can hang its events into another company's
    -- timeline. The role is tested only when a chain setting is present (a plain write sets
    -- none), so the common path evaluates no more than before the confinement.
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
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when %11$s then new.%6$I
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.%6$I end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when %11$s then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                %12$s)$i$,
        v_name, p_status_column, p_status_column, v_name || '.created',
        v_name || '.status_changed', p_key_column, v_company, v_old, v_new, v_snapshot,
        format('pg_catalog.current_setting(%L) OPERATOR(pg_catalog.=) any (%L::pg_catalog.text[])',
               'role', '{anon,authenticated}'),
        v_actor);
    execute format($f$
        create or replace function pipeline.%1$I() returns trigger
        language plpgsql security definer set search_path = pg_catalog, pg_temp
        as $body$
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

-- Regenerate every tracked column's trigger function: pipeline.allow_transitions regenerates a
-- tracked column's function (finding its relation through its trigger); given the pairs the
-- column already has, it adds none. (A column tracked without any transition keeps its old
-- function, which refuses every status change either way.)
select pipeline.allow_transitions(t.table_name, t.status_column,
                                  array_agg(array[t.from_status, t.to_status]))
  from pipeline.transitions t
 group by t.table_name, t.status_column;
