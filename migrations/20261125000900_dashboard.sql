-- The dashboard: paused handler groups (daemons stop claiming them), the operators' actions taken
-- from it (who, what, why), and the progress tables in Supabase Realtime's publication.

-- A paused handler group: claim_deliveries skips the deliveries of its handlers (pending ones
-- and expired leases alike) until the row is deleted (resume). Running deliveries finish.
create table pipeline.paused_groups (
    handler_group  text primary key,
    paused_by      text not null,
    reason         text not null check (length(reason) between 1 and 500),
    paused_at      timestamptz not null default now()
);

-- The handlers whose deliveries nobody claims now (read once per claim, as an InitPlan).
create view pipeline.paused_handlers as
    select s.handler
      from pipeline.subscriptions s
      join pipeline.paused_groups p on p.handler_group = s.handler_group;

-- Every state-changing action taken from the dashboard, whatever it touched.
create table pipeline.operator_actions (
    action_id  bigint generated always as identity primary key,
    acted_at   timestamptz not null default now(),
    actor      text not null check (length(actor) between 1 and 200),
    action     text not null check (action in ('pause', 'resume', 'cancel', 'dead_retry', 'replay')),
    target     text not null,
    reason     text not null check (length(reason) between 1 and 500),
    detail     jsonb not null default '{}'::jsonb
);
create index operator_actions_acted_idx on pipeline.operator_actions (acted_at);

-- Supabase Realtime: where the `supabase_realtime` publication exists, the progress tables join
-- it, so clients subscribed through supabase-js get their changes pushed (filtered by RLS).
-- Returns the tables it added; a table already published is left alone.
create function pipeline.publish_progress_tables() returns text[]
language plpgsql set search_path = pg_catalog as $$
declare
    v_table text;
    v_added text[] := '{}';
begin
    if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
        return v_added;
    end if;
    foreach v_table in array array['cm_module_content', 'mm_multimedia_sessions',
                                   'mm_multimedia_assets', 'cm_course_plans']
    loop
        if not exists (select 1 from pg_publication_tables
                        where pubname = 'supabase_realtime' and schemaname = 'public'
                          and tablename = v_table) then
            execute format('alter publication supabase_realtime add table public.%I', v_table);
            v_added := v_added || v_table;
        end if;
    end loop;
    return v_added;
end
$$;
revoke all on function pipeline.publish_progress_tables() from public;

select pipeline.publish_progress_tables();

-- The daemon's least-privilege role (20261125000730_daemon_role.sql) reads the paused handlers
-- in every claim; the tables behind the view stay the owner's.
grant select on pipeline.paused_handlers to lxera_daemon;
