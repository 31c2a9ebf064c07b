-- A least-privilege role for the daemon: `lxera_daemon` (NOLOGIN). The daemon connects as a login
-- user that is a member of it, never as the superuser or the tables' owner:
--     create role lxera_daemon_login login password '...' in role lxera_daemon;
--     DATABASE_URL=postgresql://lxera_daemon_login:...@host:5432/db lxera-pipeline run
-- `migrate` (and the operator commands: replay, prune, dead) still run as the owner.
--
-- What the role may do, and nothing else:
--   pipeline.subscriptions      read, add and update (each daemon syncs its handlers at start)
--   pipeline.deliveries         read and update (claim, lease, complete, release; the fan-out that
--                               inserts them runs inside the SECURITY DEFINER router)
--   pipeline.audit_log          read and add (one row per attempt)
--   pipeline.events, .status_columns, .transitions   read
--   pipeline wake-up and routing functions           execute
--   public.cm_* and public.mm_* read, add and update (the workflow's own rows; never delete)
--   public.users, .employees    read the columns that personalise a course (name, position,
--                               department, skill level, goals, tools); never e-mail, phone,
--                               preferences or metadata
-- It cannot create objects anywhere, read companies, the archive or the migration history, or use
-- the auth schema. Row-level security stays on: the role gets its own policies on the tables it
-- reads (every row: the daemon serves every company), not BYPASSRLS.
--
-- Roles are cluster-wide, so two databases being migrated at the same time may both see the role
-- missing; the loser of that race finds it created and carries on.

do $role$
begin
    if not exists (select 1 from pg_roles where rolname = 'lxera_daemon') then
        begin
            create role lxera_daemon nologin;
        exception when duplicate_object or unique_violation then
            raise notice 'role lxera_daemon was created concurrently; keeping it';
        end;
    end if;
end
$role$;

grant usage on schema pipeline, public to lxera_daemon;

grant select, insert, update on pipeline.subscriptions to lxera_daemon;
grant select, update on pipeline.deliveries to lxera_daemon;
grant select, insert on pipeline.audit_log to lxera_daemon;
grant select on pipeline.events, pipeline.status_columns, pipeline.transitions to lxera_daemon;
grant execute on function
    pipeline.arm_wakeup(), pipeline.disarm_wakeup(), pipeline.wakeup_armed(),
    pipeline.route_events(text[])
    to lxera_daemon;

grant select, insert, update on
    public.cm_course_plans, public.cm_research_results, public.cm_module_content,
    public.cm_quality_assessments, public.cm_enhancement_sessions,
    public.mm_multimedia_sessions, public.mm_multimedia_assets,
    public.mm_slide_presentations, public.mm_audio_narrations
    to lxera_daemon;
grant select (id, full_name, position, department, company_id) on public.users to lxera_daemon;
grant select (id, user_id, company_id, position, employee_role, department, skill_level,
              career_goal, key_tools)
    on public.employees to lxera_daemon;

do $policies$
declare
    v_table text;
begin
    foreach v_table in array array[
        'cm_course_plans', 'cm_research_results', 'cm_module_content', 'cm_quality_assessments',
        'cm_enhancement_sessions', 'mm_multimedia_sessions', 'mm_multimedia_assets',
        'mm_slide_presentations', 'mm_audio_narrations'] loop
        execute format('create policy %I on public.%I for all to lxera_daemon '
                       'using (true) with check (true)', v_table || '_daemon', v_table);
    end loop;
    foreach v_table in array array['users', 'employees'] loop
        execute format('create policy %I on public.%I for select to lxera_daemon using (true)',
                       v_table || '_daemon_read', v_table);
    end loop;
end
$policies$;
