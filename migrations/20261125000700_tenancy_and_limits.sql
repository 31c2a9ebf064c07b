-- Tenancy that holds across tables, JSON shapes and size ceilings, and SECURITY DEFINER functions
-- that a caller's search_path cannot steer (docs/security.md explains the threat model).
--
-- 1. Every reference from one company-owned row to another stays inside one company. The links
--    between workflow rows are composite foreign keys (<ref>, company_id) -> (<key>, company_id);
--    references to users (which may belong to no company: super admins) and the uuid[] of a
--    narration's segments are checked by triggers. Errors never say whether another company's
--    row exists.
-- 2. JSON columns that must hold an object (or an array) say so with CHECK constraints, and the
--    title-like columns have a hard length ceiling, so a 100 KB title never reaches a renderer
--    even where the daemon's configurable caps (settings.py, LXERA_MAX_*) are not consulted.
-- 3. An event written under an API role (anon, authenticated) starts its own chain: its
--    correlation and causation ids are not taken from settings the writer controls, so no
--    writer can hang its events into another company's timeline (the generated status
--    triggers decide it, pipeline.generate_emit in 20261125000100).
-- 4. The API roles hold no privilege on the `pipeline` schema or anything in it.
-- 5. Every SECURITY DEFINER function in `pipeline` and `public` runs with a pinned search_path
--    that ends in pg_temp (a temporary table called pg_locks, pg_class, ... cannot capture a
--    catalog name), now and whenever such a function is (re)created later (an event trigger
--    pins the generated status triggers when pipeline.track_status regenerates them).

-- ---------------------------------------------------------------------------------------------
-- 1. Same-company references
-- ---------------------------------------------------------------------------------------------

alter table public.cm_quality_assessments
    add constraint cm_quality_assessments_assessment_company_key
        unique (assessment_id, company_id);
alter table public.cm_enhancement_sessions
    add constraint cm_enhancement_sessions_session_company_key unique (session_id, company_id);
alter table public.mm_multimedia_assets
    add constraint mm_multimedia_assets_asset_company_key unique (asset_id, company_id);

-- (table, constraint, referencing column, referenced table, referenced key)
do $same_company$
declare
    v_link text[];
begin
    foreach v_link slice 1 in array array[
        ['employees', 'employees_manager_fkey', 'manager_id', 'employees', 'id'],
        ['cm_module_content', 'cm_module_content_parent_content_fkey', 'parent_content_id',
         'cm_module_content', 'content_id'],
        ['cm_module_content', 'cm_module_content_last_enhancement_fkey', 'last_enhancement_id',
         'cm_enhancement_sessions', 'session_id'],
        ['cm_enhancement_sessions', 'cm_enhancement_sessions_quality_assessment_fkey',
         'quality_assessment_id', 'cm_quality_assessments', 'assessment_id'],
        ['mm_multimedia_assets', 'mm_multimedia_assets_parent_asset_fkey', 'parent_asset_id',
         'mm_multimedia_assets', 'asset_id'],
        ['mm_slide_presentations', 'mm_slide_presentations_pdf_asset_fkey', 'pdf_asset_id',
         'mm_multimedia_assets', 'asset_id'],
        ['mm_slide_presentations', 'mm_slide_presentations_pptx_asset_fkey', 'pptx_asset_id',
         'mm_multimedia_assets', 'asset_id'],
        ['mm_slide_presentations', 'mm_slide_presentations_html_asset_fkey', 'html_asset_id',
         'mm_multimedia_assets', 'asset_id'],
        ['mm_audio_narrations', 'mm_audio_narrations_master_audio_fkey', 'master_audio_id',
         'mm_multimedia_assets', 'asset_id']] loop
        execute format('alter table public.%I drop constraint %I', v_link[1], v_link[2]);
        execute format('alter table public.%I add constraint %I foreign key (%I, company_id) '
                       'references public.%I (%I, company_id) on delete set null (%I)',
                       v_link[1], v_link[2], v_link[3], v_link[4], v_link[5], v_link[3]);
    end loop;
end
$same_company$;

-- A reference to a user: the user belongs to the row's company or to none (a super admin).
-- SECURITY DEFINER so the check sees the user whatever the writer's row-level security shows.
create function pipeline.check_user_company() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
    v_column text := tg_argv[0];
    v_user uuid := (to_jsonb(new) ->> v_column)::uuid;
begin
    if exists (select 1 from public.users u
                where u.id = v_user and u.company_id is not null
                  and u.company_id <> new.company_id) then
        raise exception '%.% must name a user of the row''s company', tg_table_name, v_column
            using errcode = 'foreign_key_violation',
                  constraint = tg_table_name || '_' || v_column || '_company_check';
    end if;
    return new;
end
$$;

do $user_refs$
declare
    v_ref text[];
begin
    foreach v_ref slice 1 in array array[
        ['employees', 'user_id'],
        ['cm_course_plans', 'approved_by'],
        ['cm_module_content', 'created_by'],
        ['cm_module_content', 'last_edited_by'],
        ['cm_quality_assessments', 'assessed_by'],
        ['cm_enhancement_sessions', 'initiated_by'],
        ['mm_multimedia_sessions', 'initiated_by']] loop
        execute format('create trigger %I before insert or update of %I, company_id on public.%I '
                       'for each row when (new.%I is not null) '
                       'execute function pipeline.check_user_company(%L)',
                       v_ref[1] || '_' || v_ref[2] || '_company', v_ref[2], v_ref[1], v_ref[2],
                       v_ref[2]);
    end loop;
end
$user_refs$;

-- A narration's segments (uuid[], no foreign key possible): assets of the narration's company.
create function pipeline.check_segment_assets() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
    if exists (select 1 from unnest(new.segments_audio_ids) as s(asset_id)
                where not exists (select 1 from public.mm_multimedia_assets a
                                   where a.asset_id = s.asset_id
                                     and a.company_id = new.company_id)) then
        raise exception 'mm_audio_narrations.segments_audio_ids must name assets of the row''s '
                        'company'
            using errcode = 'foreign_key_violation',
                  constraint = 'mm_audio_narrations_segments_audio_ids_company_check';
    end if;
    return new;
end
$$;

create trigger mm_audio_narrations_segments_audio_ids_company
    before insert or update of segments_audio_ids, company_id on public.mm_audio_narrations
    for each row when (cardinality(new.segments_audio_ids) > 0)
    execute function pipeline.check_segment_assets();

-- ---------------------------------------------------------------------------------------------
-- 2. JSON shapes and length ceilings
-- ---------------------------------------------------------------------------------------------

-- (table, column, 'object' | 'array' | 'object or array'); a nullable column may also be NULL.
do $json_shapes$
declare
    v_shape text[];
    v_test text;
begin
    foreach v_shape slice 1 in array array[
        ['companies', 'settings', 'object'],
        ['users', 'learning_preferences', 'object'],
        ['users', 'metadata', 'object'],
        ['employees', 'learning_style', 'object'],
        ['cm_course_plans', 'course_structure', 'object'],
        ['cm_course_plans', 'prioritized_gaps', 'object'],
        ['cm_course_plans', 'research_strategy', 'object'],
        ['cm_course_plans', 'learning_path', 'object'],
        ['cm_course_plans', 'employee_profile', 'object'],
        ['cm_course_plans', 'metadata', 'object'],
        ['cm_course_plans', 'tool_calls', 'array'],
        ['cm_research_results', 'research_findings', 'object'],
        ['cm_research_results', 'content_library', 'object'],
        ['cm_research_results', 'module_mappings', 'object'],
        ['cm_research_results', 'execution_metrics', 'object'],
        ['cm_research_results', 'source_types', 'object or array'],
        ['cm_research_results', 'credibility_analysis', 'object or array'],
        ['cm_research_results', 'enhanced_features_used', 'object or array'],
        ['cm_module_content', 'module_spec', 'object'],
        ['cm_module_content', 'research_context', 'object'],
        ['cm_module_content', 'section_word_counts', 'object'],
        ['cm_module_content', 'section_quality_scores', 'object'],
        ['cm_module_content', 'section_quality_issues', 'object'],
        ['cm_module_content', 'section_last_assessed', 'object'],
        ['cm_module_content', 'section_updated_at', 'object'],
        ['cm_module_content', 'section_enhancement_count', 'object'],
        ['cm_module_content', 'section_status', 'object'],
        ['cm_module_content', 'enhancement_history', 'array'],
        ['cm_module_content', 'draft_content', 'object'],
        ['cm_quality_assessments', 'section_scores', 'object'],
        ['cm_quality_assessments', 'word_count_assessment', 'object'],
        ['cm_quality_assessments', 'module_context', 'object'],
        ['mm_multimedia_sessions', 'generation_config', 'object'],
        ['mm_multimedia_assets', 'generation_config', 'object'],
        ['mm_multimedia_assets', 'quality_metrics', 'object'],
        ['mm_slide_presentations', 'slide_order', 'array'],
        ['mm_slide_presentations', 'theme_config', 'object'],
        ['mm_audio_narrations', 'audio_segments', 'array'],
        ['mm_audio_narrations', 'voice_config', 'object']] loop
        v_test := case v_shape[3]
            when 'object or array' then format('jsonb_typeof(%I) in (%L, %L)',
                                               v_shape[2], 'object', 'array')
            else format('jsonb_typeof(%I) = %L', v_shape[2], v_shape[3]) end;
        execute format('alter table public.%I add constraint %I check (%s)',
                       v_shape[1], v_shape[1] || '_' || v_shape[2] || '_shape_check', v_test);
    end loop;
end
$json_shapes$;

-- Names and titles that end up on slides, in file names and in logs: at most 1000 characters
-- (the daemon's own caps, LXERA_MAX_TITLE_CHARS, are lower and configurable).
do $ceilings$
declare
    v_column text[];
begin
    foreach v_column slice 1 in array array[
        ['cm_course_plans', 'course_title'],
        ['cm_course_plans', 'employee_name'],
        ['cm_module_content', 'module_name'],
        ['cm_module_content', 'module_id'],
        ['cm_module_content', 'employee_name'],
        ['mm_multimedia_sessions', 'module_name'],
        ['mm_multimedia_sessions', 'employee_name'],
        ['mm_multimedia_assets', 'asset_name'],
        ['mm_slide_presentations', 'presentation_name'],
        ['mm_audio_narrations', 'narration_name']] loop
        execute format('alter table public.%I add constraint %I check (char_length(%I) <= 1000)',
                       v_column[1], v_column[1] || '_' || v_column[2] || '_length_check',
                       v_column[2]);
    end loop;
end
$ceilings$;

-- ---------------------------------------------------------------------------------------------
-- 4. The API roles and the pipeline schema
-- ---------------------------------------------------------------------------------------------

revoke all on schema pipeline from public, anon, authenticated;
revoke all on all tables in schema pipeline from public, anon, authenticated;
revoke all on all sequences in schema pipeline from public, anon, authenticated;
revoke all on all functions in schema pipeline from anon, authenticated;
alter default privileges in schema pipeline revoke all on tables from public, anon, authenticated;
alter default privileges in schema pipeline
    revoke all on sequences from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- 5. SECURITY DEFINER functions: a pinned search_path ending in pg_temp
-- ---------------------------------------------------------------------------------------------

-- Pins one function: no search_path setting -> 'pg_catalog, pipeline, pg_temp'; a setting
-- without pg_temp -> the same path with pg_temp appended (unlisted, pg_temp is searched FIRST
-- for tables and views, so a caller's temporary pg_locks would shadow the catalog's).
create function pipeline.pin_search_path(p_function regprocedure) returns boolean
language plpgsql set search_path = pg_catalog, pg_temp as $$
declare
    v_path text;
begin
    select substr(c, length('search_path=') + 1)
      into v_path
      from pg_catalog.pg_proc p, pg_catalog.unnest(p.proconfig) as c
     where p.oid = p_function and c like 'search_path=%';
    if v_path is null then
        v_path := 'pg_catalog, pipeline, pg_temp';
    elsif v_path ~ '(^|[\s,])"?pg_temp"?\s*$' then
        return false;
    else
        v_path := v_path || ', pg_temp';
    end if;
    execute format('alter function %s set search_path = %s', p_function, v_path);
    return true;
end
$$;

do $pin$
declare
    v_function regprocedure;
begin
    for v_function in
        select p.oid::regprocedure
          from pg_catalog.pg_proc p
          join pg_catalog.pg_namespace n on n.oid = p.pronamespace
         where p.prosecdef and n.nspname in ('pipeline', 'public')
    loop
        perform pipeline.pin_search_path(v_function);
    end loop;
end
$pin$;

-- Functions created later (pipeline.track_status regenerates the per-table status triggers with
-- CREATE OR REPLACE, which drops an ALTER's setting) are pinned as they are created. Creating an
-- event trigger needs a superuser; where the migration runs without one (a hosted database), the
-- functions existing now are pinned and a notice says that later ones are not.
create function pipeline.pin_new_definer_functions() returns event_trigger
language plpgsql set search_path = pg_catalog, pg_temp as $$
declare
    v_function regprocedure;
begin
    for v_function in
        select p.oid::regprocedure
          from pg_catalog.pg_event_trigger_ddl_commands() c
          join pg_catalog.pg_proc p on p.oid = c.objid
          join pg_catalog.pg_namespace n on n.oid = p.pronamespace
         where c.classid = 'pg_catalog.pg_proc'::regclass
           and p.prosecdef and n.nspname in ('pipeline', 'public')
    loop
        perform pipeline.pin_search_path(v_function);
    end loop;
end
$$;

do $event_trigger$
begin
    if exists (select 1 from pg_catalog.pg_event_trigger
                where evtname = 'pipeline_pin_definer_search_path') then
        return;
    end if;
    create event trigger pipeline_pin_definer_search_path on ddl_command_end
        when tag in ('CREATE FUNCTION')
        execute function pipeline.pin_new_definer_functions();
exception when insufficient_privilege then
    raise notice 'not a superuser: SECURITY DEFINER functions created after this migration are '
                 'not pinned automatically; run select pipeline.pin_search_path(oid) for them';
end
$event_trigger$;
