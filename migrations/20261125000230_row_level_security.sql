-- Who may see and change which rows through the Supabase API roles.
--
-- The application role and company come from the request's JWT claims: `role` and `company_id`
-- at the top level, or inside `app_metadata` (which on Supabase only the service key can set; the
-- top-level `role` claim of a real Supabase token is the PostgreSQL role, 'authenticated', so the
-- app role must then come from app_metadata or an access-token hook).
--   super_admin    every row of every table, read and write
--   company_admin  read and write the rows of its own company
--   learner        read its own company's cm_/mm_ rows, its own users/employees row; never write
--   anon           nothing (granted table privileges like on Supabase, but no policy admits it)
--   service_role   BYPASSRLS: everything (the pipeline's own connection is the table owner and is
--                  not subject to row-level security either)
-- Claims are read through `(select auth.jwt())` so PostgreSQL evaluates them once per statement.

grant select, insert, update, delete on
    public.companies, public.users, public.employees,
    public.cm_course_plans, public.cm_research_results, public.cm_module_content,
    public.cm_quality_assessments, public.cm_enhancement_sessions,
    public.mm_multimedia_sessions, public.mm_multimedia_assets,
    public.mm_slide_presentations, public.mm_audio_narrations
    to anon, authenticated;
grant all on
    public.companies, public.users, public.employees,
    public.cm_course_plans, public.cm_research_results, public.cm_module_content,
    public.cm_quality_assessments, public.cm_enhancement_sessions,
    public.mm_multimedia_sessions, public.mm_multimedia_assets,
    public.mm_slide_presentations, public.mm_audio_narrations
    to service_role;

-- One block so the claim expressions are written once.
--   <cm_/mm_ table>_company_members_read   SELECT: super_admin, or a member of the row's company
--   <cm_/mm_ table>_company_admins_write   ALL: super_admin, or company_admin of the row's company
--   companies: members read their own company; only super admins create or change companies
--   users / employees: everyone reads their own row (sub claim); company admins manage their
--     company's rows (users_role_company_check keeps them from creating a company-less super admin)
do $policies$
declare
    v_table text;
    v_role constant text := $sql$(select coalesce(auth.jwt() -> 'app_metadata' ->> 'role',
                                                   auth.jwt() ->> 'role'))$sql$;
    v_company constant text := $sql$(select nullif(coalesce(
                                        auth.jwt() -> 'app_metadata' ->> 'company_id',
                                        auth.jwt() ->> 'company_id'), '')::uuid)$sql$;
    v_super text := format('%s = %L', v_role, 'super_admin');
    v_admin text := format('%s = %L and company_id = %s', v_role, 'company_admin', v_company);
    v_member text := format('%s in (%L, %L) and company_id = %s',
                            v_role, 'company_admin', 'learner', v_company);
begin
    foreach v_table in array array[
        'cm_course_plans', 'cm_research_results', 'cm_module_content', 'cm_quality_assessments',
        'cm_enhancement_sessions', 'mm_multimedia_sessions', 'mm_multimedia_assets',
        'mm_slide_presentations', 'mm_audio_narrations'] loop
        execute format('create policy %I on public.%I for select to authenticated '
                       'using (%s or (%s))',
                       v_table || '_company_members_read', v_table, v_super, v_member);
        execute format('create policy %I on public.%I for all to authenticated '
                       'using (%s or (%s)) with check (%s or (%s))',
                       v_table || '_company_admins_write', v_table,
                       v_super, v_admin, v_super, v_admin);
    end loop;

    execute format('create policy companies_members_read on public.companies for select '
                   'to authenticated using (%s or id = %s)', v_super, v_company);
    execute format('create policy companies_super_admins_write on public.companies for all '
                   'to authenticated using (%s) with check (%s)', v_super, v_super);

    foreach v_table in array array['users', 'employees'] loop
        execute format('create policy %I on public.%I for select to authenticated '
                       'using (%I = (select auth.uid()))',
                       v_table || '_self_read', v_table,
                       case v_table when 'users' then 'id' else 'user_id' end);
        execute format('create policy %I on public.%I for all to authenticated '
                       'using (%s or (%s)) with check (%s or (%s))',
                       v_table || '_company_admins_write', v_table,
                       v_super, v_admin, v_super, v_admin);
    end loop;
end
$policies$;
