-- The schema a fresh `migrate` builds: pg_dump --schema-only, normalised (no comments,
-- SET lines or owners). Do not edit: regenerate with ./scripts/schema-dump after changing a
-- migration (checked by tests/integration/test_schema_dump.py).
-- pg_dump major: 15

CREATE SCHEMA auth;

CREATE SCHEMA pipeline;

CREATE SCHEMA supabase_migrations;

CREATE FUNCTION auth.jwt() RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
            select coalesce(
                nullif(current_setting('request.jwt.claim', true), ''),
                nullif(current_setting('request.jwt.claims', true), '')
            )::jsonb
        $$;

COMMENT ON FUNCTION auth.jwt() IS 'lxera-pipeline stand-in for Supabase auth.jwt(): the request''s JWT claims';

CREATE FUNCTION auth.role() RETURNS text
    LANGUAGE sql STABLE
    AS $$
            select coalesce(
                nullif(current_setting('request.jwt.claim.role', true), ''),
                nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'
            )::text
        $$;

COMMENT ON FUNCTION auth.role() IS 'lxera-pipeline stand-in for Supabase auth.role(): the JWT role claim';

CREATE FUNCTION auth.uid() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$
            select coalesce(
                nullif(current_setting('request.jwt.claim.sub', true), ''),
                nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
            )::uuid
        $$;

COMMENT ON FUNCTION auth.uid() IS 'lxera-pipeline stand-in for Supabase auth.uid(): the JWT sub claim';

CREATE FUNCTION pipeline.allow_transitions(p_table text, p_status_column text, p_pairs text[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
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

CREATE FUNCTION pipeline.api_role_writes() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
    select coalesce(current_setting('role', true), 'none') in ('anon', 'authenticated')
$$;

CREATE FUNCTION pipeline.archive_content(p_content uuid, p_cutoff timestamp with time zone, p_actor text) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
    v_content public.cm_module_content;
    v_reason text;
    v_table text;
    v_rows jsonb := '{}'::jsonb;
    v_counts jsonb := '{}'::jsonb;
    v_part jsonb;
begin
    -- Lock the module and its sessions first: a writer adding a child row (its foreign key
    -- takes a key-share lock on the parent) finishes before the rows are read, or waits and
    -- then fails on the deleted parent. Nothing is read before the locks are held. A module
    -- whose rows a handler holds is not waited for long (the caller reports it as busy).
    perform set_config('lock_timeout', '5s', true);
    select * into v_content from public.cm_module_content c
     where c.content_id = p_content for update;
    perform 1 from public.mm_multimedia_sessions s where s.content_id = p_content for update;
    perform 1 from public.cm_quality_assessments q where q.content_id = p_content for update;
    v_reason := pipeline.content_archive_blocker(p_content, p_cutoff);
    if v_reason is not null then
        raise exception 'module % cannot be archived: %', p_content, v_reason
            using errcode = 'object_not_in_prerequisite_state';
    end if;
    foreach v_table in array pipeline.content_family_tables() loop
        execute format('select coalesce(jsonb_agg(to_jsonb(t)), ''[]''::jsonb)'
                       '  from public.%I t where t.content_id = $1', v_table)
           into v_part using p_content;
        v_rows := v_rows || jsonb_build_object(v_table, v_part);
        v_counts := v_counts || jsonb_build_object(v_table, jsonb_array_length(v_part));
    end loop;
    insert into pipeline.content_archive
           (content_id, company_id, plan_id, published_at, archived_by, row_counts, rows)
    values (p_content, v_content.company_id, v_content.plan_id, v_content.updated_at, p_actor,
            v_counts, v_rows);
    -- The family goes with the module (every child's foreign key cascades).
    delete from public.cm_module_content c where c.content_id = p_content;
    insert into pipeline.content_archive_log (content_id, company_id, action, actor, row_counts)
    values (p_content, v_content.company_id, 'archive', p_actor, v_counts);
    return v_counts;
end
$_$;

CREATE FUNCTION pipeline.arm_wakeup() RETURNS boolean
    LANGUAGE sql
    AS $$
    select pg_catalog.pg_try_advisory_lock(pipeline.lock_key('pipeline'), pipeline.lock_key('wake'))
$$;

CREATE FUNCTION pipeline.check_content_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    AS $$
begin
    if not pipeline.content_edited(old, new) then
        return new;
    end if;
    if new.version is distinct from old.version + 1 then
        raise exception 'stale version % of cm_module_content %: the stored version is %, an edit must set version = % (it set %)',
            coalesce(new.version - 1, 0), new.content_id, old.version, old.version + 1,
            coalesce(new.version::text, 'NULL')
            using errcode = 'serialization_failure',
                  constraint = 'cm_module_content_version_check',
                  detail = format('the edit was based on version %s; version %s is stored',
                                  coalesce(new.version - 1, 0), old.version),
                  hint = 're-read the row (and its version) and apply the edit again';
    end if;
    new.last_edited_at := now();
    return new;
end
$$;

CREATE FUNCTION pipeline.check_initial_approval_status() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    AS $$
declare
    v_allowed text;
begin
    if exists (select 1 from pipeline.transitions t
                where t.table_name = 'cm_module_content' and t.status_column = 'approval_status'
                  and t.from_status = 'new' and t.to_status = new.approval_status) then
        return new;
    end if;
    select string_agg(t.to_status, ', ' order by t.to_status) into v_allowed
      from pipeline.transitions t
     where t.table_name = 'cm_module_content' and t.status_column = 'approval_status'
       and t.from_status = 'new';
    raise exception 'illegal initial cm_module_content.approval_status on cm_module_content row %: % (allowed: %)',
        new.content_id, new.approval_status, v_allowed
        using errcode = 'check_violation', constraint = 'pipeline_state_machine',
              hint = format('a new cm_module_content row may start as: %s', v_allowed);
end
$$;

CREATE FUNCTION pipeline.check_segment_assets() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

CREATE FUNCTION pipeline.check_user_company() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

CREATE FUNCTION pipeline.check_video_view() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    AS $$
declare
    v_claims constant jsonb := auth.jwt();
    v_role constant text := coalesce(v_claims -> 'app_metadata' ->> 'role', v_claims ->> 'role');
    v_company constant uuid := nullif(coalesce(v_claims -> 'app_metadata' ->> 'company_id',
                                               v_claims ->> 'company_id'), '')::uuid;
    v_video public.mm_multimedia_assets;
    v_limit numeric;
begin
    if new.asset_id is null or new.seconds_watched is null or new.completed is null then
        raise exception 'a video view needs the video, seconds_watched and completed'
            using errcode = 'null_value_not_allowed';
    end if;
    select a.* into v_video from public.mm_multimedia_assets a
     where a.asset_id = new.asset_id and a.asset_type = 'video';
    if not found or (pipeline.api_role_writes() and v_role is distinct from 'super_admin'
                     and v_video.company_id is distinct from v_company) then
        raise exception 'no video %', new.asset_id using errcode = 'no_data_found';
    end if;
    v_limit := coalesce(v_video.duration_seconds, 0)
               + greatest(5, 0.05 * coalesce(v_video.duration_seconds, 0));
    if new.seconds_watched < 0 or new.seconds_watched > v_limit then
        raise exception 'seconds_watched % is out of range for video % (0 to %)',
            new.seconds_watched, new.asset_id, round(v_limit, 2)
            using errcode = 'numeric_value_out_of_range';
    end if;
    new.session_id := v_video.session_id;
    new.content_id := v_video.content_id;
    new.company_id := v_video.company_id;
    new.video_seconds := v_video.duration_seconds;
    if pipeline.api_role_writes() then
        new.viewer_id := auth.uid();
    end if;
    return new;
end
$$;

CREATE FUNCTION pipeline.complete_media_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    AS $$
declare
    v_version public.mm_media_versions;
begin
    if new.status = 'completed' and old.status is distinct from 'completed' then
        select v.* into v_version from public.mm_media_versions v
         where v.session_id = new.session_id;
        if found then
            perform pipeline.make_media_version_current(
                v_version.content_id, v_version.section_name, v_version.version);
        end if;
    end if;
    return null;
end
$$;

CREATE FUNCTION pipeline.content_archive_blocker(p_content uuid, p_cutoff timestamp with time zone) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
    v_content public.cm_module_content;
    v_entities uuid[];
begin
    select * into v_content from public.cm_module_content c where c.content_id = p_content;
    if not found then
        return 'no such module';
    end if;
    if v_content.status <> 'published' then
        return format('status is %s, not published', v_content.status);
    end if;
    if v_content.updated_at >= p_cutoff then
        return 'published after the cut-off';
    end if;
    -- A newer version points at it (parent_content_id): deleting would cut that link.
    if exists (select 1 from public.cm_module_content n
                where n.parent_content_id = p_content and n.content_id <> p_content) then
        return 'a newer version refers to it';
    end if;
    if exists (select 1 from public.cm_course_plans p
                where p.plan_id = v_content.plan_id
                  and p.status not in ('delivered', 'failed')) then
        return 'its course plan is still in progress';
    end if;
    -- Unfinished work on any row of the family: a handler may still read or write it.
    v_entities := array(select p_content
                        union all
                        select s.session_id from public.mm_multimedia_sessions s
                         where s.content_id = p_content
                        union all
                        select x.session_id from public.cm_enhancement_sessions x
                         where x.content_id = p_content);
    if exists (select 1 from pipeline.deliveries d
                where d.state in ('pending', 'running') and d.entity_id = any (v_entities))
       or exists (select 1 from pipeline.events e  -- committed, not routed yet
                   where e.entity_id = any (v_entities)
                     and not pg_visible_in_snapshot(
                             e.txid, (select r.last_snapshot from pipeline.router_state r))) then
        return 'it has unfinished deliveries';
    end if;
    -- An asset of another module derived from one of its assets (parent_asset_id).
    if exists (select 1
                 from public.mm_multimedia_assets a
                 join public.mm_multimedia_assets child on child.parent_asset_id = a.asset_id
                where a.content_id = p_content and child.content_id <> p_content) then
        return 'another module''s asset derives from its assets';
    end if;
    return null;
end
$$;

CREATE TABLE public.cm_module_content (
    content_id uuid DEFAULT gen_random_uuid() NOT NULL,
    company_id uuid NOT NULL,
    plan_id uuid,
    module_id text,
    module_name text NOT NULL,
    employee_name text NOT NULL,
    session_id text NOT NULL,
    introduction text,
    core_content text,
    practical_applications text,
    case_studies text,
    assessments text,
    module_spec jsonb DEFAULT '{}'::jsonb NOT NULL,
    research_context jsonb DEFAULT '{}'::jsonb NOT NULL,
    total_word_count integer DEFAULT 0 NOT NULL,
    section_word_counts jsonb DEFAULT '{}'::jsonb NOT NULL,
    status text DEFAULT 'draft'::text NOT NULL,
    failure_reason text,
    priority_level text DEFAULT 'medium'::text NOT NULL,
    revision_count integer DEFAULT 0 NOT NULL,
    assigned_to uuid,
    created_by uuid,
    last_quality_check timestamp with time zone,
    version_number integer DEFAULT 1 NOT NULL,
    parent_content_id uuid,
    is_current_version boolean DEFAULT true NOT NULL,
    version_notes text,
    section_quality_scores jsonb DEFAULT '{}'::jsonb NOT NULL,
    section_quality_issues jsonb DEFAULT '{}'::jsonb NOT NULL,
    section_last_assessed jsonb DEFAULT '{}'::jsonb NOT NULL,
    section_updated_at jsonb DEFAULT '{}'::jsonb NOT NULL,
    section_enhancement_count jsonb DEFAULT '{"assessments": 0, "case_studies": 0, "core_content": 0, "introduction": 0, "practical_applications": 0}'::jsonb NOT NULL,
    section_status jsonb DEFAULT '{"assessments": "current", "case_studies": "current", "core_content": "current", "introduction": "current", "practical_applications": "current"}'::jsonb NOT NULL,
    last_enhancement_id uuid,
    enhancement_history jsonb DEFAULT '[]'::jsonb NOT NULL,
    draft_content jsonb,
    is_draft boolean DEFAULT false NOT NULL,
    last_edited_at timestamp with time zone,
    last_edited_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    requires_approval boolean DEFAULT false NOT NULL,
    approval_status text DEFAULT 'not_required'::text NOT NULL,
    CONSTRAINT cm_module_content_approval_status_check CHECK ((approval_status = ANY (ARRAY['not_required'::text, 'pending'::text, 'approved'::text, 'rejected'::text]))),
    CONSTRAINT cm_module_content_draft_content_shape_check CHECK ((jsonb_typeof(draft_content) = 'object'::text)),
    CONSTRAINT cm_module_content_employee_name_length_check CHECK ((char_length(employee_name) <= 1000)),
    CONSTRAINT cm_module_content_enhancement_history_shape_check CHECK ((jsonb_typeof(enhancement_history) = 'array'::text)),
    CONSTRAINT cm_module_content_module_id_length_check CHECK ((char_length(module_id) <= 1000)),
    CONSTRAINT cm_module_content_module_name_length_check CHECK ((char_length(module_name) <= 1000)),
    CONSTRAINT cm_module_content_module_spec_shape_check CHECK ((jsonb_typeof(module_spec) = 'object'::text)),
    CONSTRAINT cm_module_content_priority_level_check CHECK ((priority_level = ANY (ARRAY['critical'::text, 'high'::text, 'medium'::text, 'low'::text]))),
    CONSTRAINT cm_module_content_research_context_shape_check CHECK ((jsonb_typeof(research_context) = 'object'::text)),
    CONSTRAINT cm_module_content_revision_count_check CHECK ((revision_count >= 0)),
    CONSTRAINT cm_module_content_section_enhancement_count_shape_check CHECK ((jsonb_typeof(section_enhancement_count) = 'object'::text)),
    CONSTRAINT cm_module_content_section_last_assessed_shape_check CHECK ((jsonb_typeof(section_last_assessed) = 'object'::text)),
    CONSTRAINT cm_module_content_section_quality_issues_shape_check CHECK ((jsonb_typeof(section_quality_issues) = 'object'::text)),
    CONSTRAINT cm_module_content_section_quality_scores_shape_check CHECK ((jsonb_typeof(section_quality_scores) = 'object'::text)),
    CONSTRAINT cm_module_content_section_status_shape_check CHECK ((jsonb_typeof(section_status) = 'object'::text)),
    CONSTRAINT cm_module_content_section_updated_at_shape_check CHECK ((jsonb_typeof(section_updated_at) = 'object'::text)),
    CONSTRAINT cm_module_content_section_word_counts_shape_check CHECK ((jsonb_typeof(section_word_counts) = 'object'::text)),
    CONSTRAINT cm_module_content_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'quality_check'::text, 'revision'::text, 'approved'::text, 'published'::text, 'failed'::text]))),
    CONSTRAINT cm_module_content_total_word_count_check CHECK ((total_word_count >= 0)),
    CONSTRAINT cm_module_content_version_check CHECK ((version >= 1)),
    CONSTRAINT cm_module_content_version_number_check CHECK ((version_number >= 1))
);

CREATE FUNCTION pipeline.content_edited(p_old public.cm_module_content, p_new public.cm_module_content) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
    select p_new.version is distinct from p_old.version
        or p_new.introduction is distinct from p_old.introduction
        or p_new.core_content is distinct from p_old.core_content
        or p_new.practical_applications is distinct from p_old.practical_applications
        or p_new.case_studies is distinct from p_old.case_studies
        or p_new.assessments is distinct from p_old.assessments
$$;

CREATE FUNCTION pipeline.content_family_tables() RETURNS text[]
    LANGUAGE sql IMMUTABLE
    AS $$
    select array['cm_module_content', 'cm_quality_assessments', 'cm_enhancement_sessions',
                 'mm_multimedia_sessions', 'mm_multimedia_assets', 'mm_slide_presentations',
                 'mm_audio_narrations', 'cm_module_content_revisions', 'mm_media_versions',
                 'mm_script_generations', 'mm_rendering_queue', 'mm_video_analytics']
$$;

CREATE FUNCTION pipeline.count_module_words() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
declare
    v_counts jsonb := jsonb_build_object(
        'introduction', coalesce(regexp_count(new.introduction, '\S+'), 0),
        'core_content', coalesce(regexp_count(new.core_content, '\S+'), 0),
        'practical_applications', coalesce(regexp_count(new.practical_applications, '\S+'), 0),
        'case_studies', coalesce(regexp_count(new.case_studies, '\S+'), 0),
        'assessments', coalesce(regexp_count(new.assessments, '\S+'), 0));
begin
    new.section_word_counts := v_counts;
    new.total_word_count := (select sum(value::integer) from jsonb_each_text(v_counts));
    return new;
end
$$;

CREATE FUNCTION pipeline.create_log_partition(p_parent text, p_at timestamp with time zone) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    AS $_$
declare
    v_key text := case p_parent when 'events' then 'committed_at'
                                when 'audit_log' then 'finished_at' end;
    v_default text := p_parent || '_default';
    v_day timestamp := pg_catalog.date_trunc('day', p_at at time zone 'UTC');
    v_from timestamptz;
    v_to timestamptz;
    v_name text;
begin
    if v_key is null then
        raise exception 'pipeline.create_log_partition: % is not a partitioned log', p_parent
            using errcode = 'invalid_parameter_value';
    end if;
    if exists (select 1 from pipeline.log_partitions() l
                where l.parent = p_parent and not l.is_default
                  and (l.range_from is null or l.range_from <= p_at)
                  and (l.range_to is null or l.range_to > p_at)) then
        return null;
    end if;
    if p_at < pg_catalog.now() - interval '31 days' then
        v_from := pg_catalog.date_trunc('month', v_day) at time zone 'UTC';
        v_to := (pg_catalog.date_trunc('month', v_day) + interval '1 month') at time zone 'UTC';
    else
        v_from := v_day at time zone 'UTC';
        v_to := (v_day + interval '1 day') at time zone 'UTC';
    end if;
    -- p_at lies in no partition, so every other partition ends at or before it or starts after.
    select greatest(v_from, pg_catalog.max(l.range_to) filter (where l.range_to <= p_at)),
           least(v_to, pg_catalog.min(l.range_from) filter (where l.range_from > p_at))
      into v_from, v_to
      from pipeline.log_partitions() l
     where l.parent = p_parent and not l.is_default;
    v_name := p_parent || '_p' || pg_catalog.to_char(v_from at time zone 'UTC', 'YYYYMMDD')
              || case when v_from at time zone 'UTC'
                           = pg_catalog.date_trunc('day', v_from at time zone 'UTC')
                      then '' else pg_catalog.to_char(v_from at time zone 'UTC', '"_"HH24MISS')
                 end;
    execute pg_catalog.format(
        'create table pipeline.%I (like pipeline.%I including defaults including constraints '
        'including storage)', v_name, p_parent);
    -- Inserts that would land in the default partition wait from here to the commit, so no row
    -- of the new range reaches it between the move and the ATTACH (which checks it).
    execute pg_catalog.format('lock table pipeline.%I in exclusive mode', v_default);
    execute pg_catalog.format(
        'with moved as (delete from pipeline.%1$I d where d.%2$I >= $1 and d.%2$I < $2 '
        'returning d.*) insert into pipeline.%3$I select * from moved',
        v_default, v_key, v_name) using v_from, v_to;
    execute pg_catalog.format('alter table pipeline.%I attach partition pipeline.%I '
                              'for values from (%L) to (%L)', p_parent, v_name, v_from, v_to);
    execute pg_catalog.format('revoke all on pipeline.%I from public', v_name);
    return v_name;
end
$_$;

CREATE FUNCTION pipeline.disarm_wakeup() RETURNS boolean
    LANGUAGE sql
    AS $$
    select pg_catalog.pg_advisory_unlock(pipeline.lock_key('pipeline'), pipeline.lock_key('wake'))
$$;

CREATE FUNCTION pipeline.emit_cm_course_plans_status() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
        declare
            v_event pg_catalog.int8;
            v_from pg_catalog.text;
            v_allowed pg_catalog.text;
        begin
            -- The common case in one expression: the status changed, the transition is allowed,
            -- and the wake key is granted shared (no listener armed: no NOTIFY; the hold lasts
            -- until this transaction ends, so no listener arms before this commit).
            if (case when (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true then false
                     when (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'completed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,researching}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{completed,planning}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{completed,planning}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'planning' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{completed,failed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'producing' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{delivered,failed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'researching' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,producing}'::pg_catalog.text[]) else false end)
                     then pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1)
                     else false end) then

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'cm_course_plans.created' else 'cm_course_plans.status_changed' end, 'cm_course_plans', 'status', new.plan_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('company_id', new.company_id, 'employee_id', new.employee_id, 'total_modules', new.total_modules, 'course_duration_weeks', new.course_duration_weeks, 'execution_time_seconds', new.execution_time_seconds, 'agent_turns', new.agent_turns, 'is_preview_mode', new.is_preview_mode, 'approved_by', new.approved_by, 'approved_at', new.approved_at, 'revision_count', new.revision_count, 'created_at', new.created_at, 'updated_at', new.updated_at),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.plan_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.plan_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end);
                return null;
            end if;
            if (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true
               or (new.status is null and old.status is null
                   and tg_op OPERATOR(pg_catalog.=) 'UPDATE') then
                return null;  -- the status did not change: no transition, no event
            end if;
            if (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'completed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,researching}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{completed,planning}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{completed,planning}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'planning' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{completed,failed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'producing' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{delivered,failed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'researching' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,producing}'::pg_catalog.text[]) else false end) is not true then
                v_from := old.status::pg_catalog.text;
                v_allowed := case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'completed' then 'failed, researching' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then 'completed, planning' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then 'completed, planning' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'planning' then 'completed, failed' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'producing' then 'delivered, failed' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'researching' then 'failed, producing' else 'none' end;
                if v_from is null then
                    raise exception 'illegal initial %.% on % row %: % (allowed: %)',
                        'cm_course_plans', 'status', 'cm_course_plans', new.plan_id, new.status, v_allowed
                        using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                              hint = pg_catalog.format('a new %s row may start as: %s', 'cm_course_plans',
                                                       v_allowed);
                end if;
                raise exception 'illegal % transition on % row %: % -> % (allowed next: %)',
                    'status', 'cm_course_plans', new.plan_id, v_from, new.status, v_allowed
                    using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                          hint = pg_catalog.format('from %s a %s row may move to: %s', v_from,
                                                   'cm_course_plans', v_allowed);
            end if;
            -- A listener is armed (it holds the wake key exclusive): wake it when this commits.

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'cm_course_plans.created' else 'cm_course_plans.status_changed' end, 'cm_course_plans', 'status', new.plan_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('company_id', new.company_id, 'employee_id', new.employee_id, 'total_modules', new.total_modules, 'course_duration_weeks', new.course_duration_weeks, 'execution_time_seconds', new.execution_time_seconds, 'agent_turns', new.agent_turns, 'is_preview_mode', new.is_preview_mode, 'approved_by', new.approved_by, 'approved_at', new.approved_at, 'revision_count', new.revision_count, 'created_at', new.created_at, 'updated_at', new.updated_at),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.plan_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.plan_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end)
            returning event_id into v_event;
            perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
                'event_id', v_event, 'table', 'cm_course_plans')::pg_catalog.text);
            return null;
        end
        $$;

CREATE FUNCTION pipeline.emit_cm_enhancement_sessions_status() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
        declare
            v_event pg_catalog.int8;
            v_from pg_catalog.text;
            v_allowed pg_catalog.text;
        begin
            -- The common case in one expression: the status changed, the transition is allowed,
            -- and the wake key is granted shared (no listener armed: no NOTIFY; the hold lasts
            -- until this transaction ends, so no listener arms before this commit).
            if (case when (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true then false
                     when (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'content_enhanced' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{completed,failed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{started}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'research_complete' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{content_enhanced,failed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'started' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,research_complete}'::pg_catalog.text[]) else false end)
                     then pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1)
                     else false end) then

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'cm_enhancement_sessions.created' else 'cm_enhancement_sessions.status_changed' end, 'cm_enhancement_sessions', 'status', new.session_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('content_id', new.content_id, 'company_id', new.company_id, 'quality_assessment_id', new.quality_assessment_id, 'research_conducted', new.research_conducted, 'content_regenerated', new.content_regenerated, 'integration_completed', new.integration_completed, 'word_count_before', new.word_count_before, 'word_count_after', new.word_count_after, 'quality_score_before', new.quality_score_before, 'quality_score_after', new.quality_score_after, 'enhancement_tokens_used', new.enhancement_tokens_used, 'content_tokens_used', new.content_tokens_used, 'total_tokens_saved', new.total_tokens_saved, 'success', new.success, 'initiated_by', new.initiated_by, 'started_at', new.started_at, 'completed_at', new.completed_at, 'duration_seconds', new.duration_seconds, 'created_at', new.created_at, 'updated_at', new.updated_at),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.session_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.session_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end);
                return null;
            end if;
            if (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true
               or (new.status is null and old.status is null
                   and tg_op OPERATOR(pg_catalog.=) 'UPDATE') then
                return null;  -- the status did not change: no transition, no event
            end if;
            if (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'content_enhanced' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{completed,failed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{started}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'research_complete' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{content_enhanced,failed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'started' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,research_complete}'::pg_catalog.text[]) else false end) is not true then
                v_from := old.status::pg_catalog.text;
                v_allowed := case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'content_enhanced' then 'completed, failed' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then 'started' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'research_complete' then 'content_enhanced, failed' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'started' then 'failed, research_complete' else 'none' end;
                if v_from is null then
                    raise exception 'illegal initial %.% on % row %: % (allowed: %)',
                        'cm_enhancement_sessions', 'status', 'cm_enhancement_sessions', new.session_id, new.status, v_allowed
                        using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                              hint = pg_catalog.format('a new %s row may start as: %s', 'cm_enhancement_sessions',
                                                       v_allowed);
                end if;
                raise exception 'illegal % transition on % row %: % -> % (allowed next: %)',
                    'status', 'cm_enhancement_sessions', new.session_id, v_from, new.status, v_allowed
                    using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                          hint = pg_catalog.format('from %s a %s row may move to: %s', v_from,
                                                   'cm_enhancement_sessions', v_allowed);
            end if;
            -- A listener is armed (it holds the wake key exclusive): wake it when this commits.

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'cm_enhancement_sessions.created' else 'cm_enhancement_sessions.status_changed' end, 'cm_enhancement_sessions', 'status', new.session_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('content_id', new.content_id, 'company_id', new.company_id, 'quality_assessment_id', new.quality_assessment_id, 'research_conducted', new.research_conducted, 'content_regenerated', new.content_regenerated, 'integration_completed', new.integration_completed, 'word_count_before', new.word_count_before, 'word_count_after', new.word_count_after, 'quality_score_before', new.quality_score_before, 'quality_score_after', new.quality_score_after, 'enhancement_tokens_used', new.enhancement_tokens_used, 'content_tokens_used', new.content_tokens_used, 'total_tokens_saved', new.total_tokens_saved, 'success', new.success, 'initiated_by', new.initiated_by, 'started_at', new.started_at, 'completed_at', new.completed_at, 'duration_seconds', new.duration_seconds, 'created_at', new.created_at, 'updated_at', new.updated_at),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.session_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.session_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end)
            returning event_id into v_event;
            perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
                'event_id', v_event, 'table', 'cm_enhancement_sessions')::pg_catalog.text);
            return null;
        end
        $$;

CREATE FUNCTION pipeline.emit_cm_module_content_approval_status() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
        declare
            v_event pg_catalog.int8;
            v_from pg_catalog.text;
            v_allowed pg_catalog.text;
        begin
            -- The common case in one expression: the status changed, the transition is allowed,
            -- and the wake key is granted shared (no listener armed: no NOTIFY; the hold lasts
            -- until this transaction ends, so no listener arms before this commit).
            if (case when (new.approval_status::pg_catalog.text OPERATOR(pg_catalog.=) old.approval_status::pg_catalog.text) is true then false
                     when (case when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'approved' then new.approval_status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{pending}'::pg_catalog.text[]) when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.approval_status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{not_required,pending}'::pg_catalog.text[]) when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'not_required' then new.approval_status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{pending}'::pg_catalog.text[]) when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'pending' then new.approval_status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{approved,rejected}'::pg_catalog.text[]) when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'rejected' then new.approval_status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{pending}'::pg_catalog.text[]) else false end)
                     then pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1)
                     else false end) then

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.approval_status is null then 'cm_module_content.created' else 'cm_module_content.status_changed' end, 'cm_module_content', 'approval_status', new.content_id,
                new.company_id, old.approval_status::pg_catalog.text, new.approval_status::pg_catalog.text, pg_catalog.jsonb_build_object('company_id', new.company_id, 'plan_id', new.plan_id, 'total_word_count', new.total_word_count, 'revision_count', new.revision_count, 'assigned_to', new.assigned_to, 'created_by', new.created_by, 'last_quality_check', new.last_quality_check, 'version_number', new.version_number, 'parent_content_id', new.parent_content_id, 'is_current_version', new.is_current_version, 'last_enhancement_id', new.last_enhancement_id, 'is_draft', new.is_draft, 'last_edited_at', new.last_edited_at, 'last_edited_by', new.last_edited_by, 'created_at', new.created_at, 'updated_at', new.updated_at, 'version', new.version, 'requires_approval', new.requires_approval),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.content_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.content_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end);
                return null;
            end if;
            if (new.approval_status::pg_catalog.text OPERATOR(pg_catalog.=) old.approval_status::pg_catalog.text) is true
               or (new.approval_status is null and old.approval_status is null
                   and tg_op OPERATOR(pg_catalog.=) 'UPDATE') then
                return null;  -- the status did not change: no transition, no event
            end if;
            if (case when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'approved' then new.approval_status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{pending}'::pg_catalog.text[]) when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.approval_status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{not_required,pending}'::pg_catalog.text[]) when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'not_required' then new.approval_status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{pending}'::pg_catalog.text[]) when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'pending' then new.approval_status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{approved,rejected}'::pg_catalog.text[]) when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'rejected' then new.approval_status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{pending}'::pg_catalog.text[]) else false end) is not true then
                v_from := old.approval_status::pg_catalog.text;
                v_allowed := case when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'approved' then 'pending' when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then 'not_required, pending' when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'not_required' then 'pending' when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'pending' then 'approved, rejected' when coalesce(old.approval_status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'rejected' then 'pending' else 'none' end;
                if v_from is null then
                    raise exception 'illegal initial %.% on % row %: % (allowed: %)',
                        'cm_module_content', 'approval_status', 'cm_module_content', new.content_id, new.approval_status, v_allowed
                        using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                              hint = pg_catalog.format('a new %s row may start as: %s', 'cm_module_content',
                                                       v_allowed);
                end if;
                raise exception 'illegal % transition on % row %: % -> % (allowed next: %)',
                    'approval_status', 'cm_module_content', new.content_id, v_from, new.approval_status, v_allowed
                    using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                          hint = pg_catalog.format('from %s a %s row may move to: %s', v_from,
                                                   'cm_module_content', v_allowed);
            end if;
            -- A listener is armed (it holds the wake key exclusive): wake it when this commits.

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.approval_status is null then 'cm_module_content.created' else 'cm_module_content.status_changed' end, 'cm_module_content', 'approval_status', new.content_id,
                new.company_id, old.approval_status::pg_catalog.text, new.approval_status::pg_catalog.text, pg_catalog.jsonb_build_object('company_id', new.company_id, 'plan_id', new.plan_id, 'total_word_count', new.total_word_count, 'revision_count', new.revision_count, 'assigned_to', new.assigned_to, 'created_by', new.created_by, 'last_quality_check', new.last_quality_check, 'version_number', new.version_number, 'parent_content_id', new.parent_content_id, 'is_current_version', new.is_current_version, 'last_enhancement_id', new.last_enhancement_id, 'is_draft', new.is_draft, 'last_edited_at', new.last_edited_at, 'last_edited_by', new.last_edited_by, 'created_at', new.created_at, 'updated_at', new.updated_at, 'version', new.version, 'requires_approval', new.requires_approval),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.content_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.content_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end)
            returning event_id into v_event;
            perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
                'event_id', v_event, 'table', 'cm_module_content')::pg_catalog.text);
            return null;
        end
        $$;

CREATE FUNCTION pipeline.emit_cm_module_content_status() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
        declare
            v_event pg_catalog.int8;
            v_from pg_catalog.text;
            v_allowed pg_catalog.text;
        begin
            -- The common case in one expression: the status changed, the transition is allowed,
            -- and the wake key is granted shared (no listener armed: no NOTIFY; the hold lasts
            -- until this transaction ends, so no listener arms before this commit).
            if (case when (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true then false
                     when (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'approved' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,published,quality_check}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'draft' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,quality_check}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{draft}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{draft}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'published' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{quality_check}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'quality_check' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{approved,failed,revision}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'revision' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,quality_check}'::pg_catalog.text[]) else false end)
                     then pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1)
                     else false end) then

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'cm_module_content.created' else 'cm_module_content.status_changed' end, 'cm_module_content', 'status', new.content_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('company_id', new.company_id, 'plan_id', new.plan_id, 'total_word_count', new.total_word_count, 'revision_count', new.revision_count, 'assigned_to', new.assigned_to, 'created_by', new.created_by, 'last_quality_check', new.last_quality_check, 'version_number', new.version_number, 'parent_content_id', new.parent_content_id, 'is_current_version', new.is_current_version, 'last_enhancement_id', new.last_enhancement_id, 'is_draft', new.is_draft, 'last_edited_at', new.last_edited_at, 'last_edited_by', new.last_edited_by, 'created_at', new.created_at, 'updated_at', new.updated_at, 'version', new.version, 'requires_approval', new.requires_approval),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.content_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.content_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end);
                return null;
            end if;
            if (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true
               or (new.status is null and old.status is null
                   and tg_op OPERATOR(pg_catalog.=) 'UPDATE') then
                return null;  -- the status did not change: no transition, no event
            end if;
            if (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'approved' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,published,quality_check}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'draft' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,quality_check}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{draft}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{draft}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'published' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{quality_check}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'quality_check' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{approved,failed,revision}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'revision' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,quality_check}'::pg_catalog.text[]) else false end) is not true then
                v_from := old.status::pg_catalog.text;
                v_allowed := case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'approved' then 'failed, published, quality_check' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'draft' then 'failed, quality_check' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then 'draft' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then 'draft' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'published' then 'quality_check' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'quality_check' then 'approved, failed, revision' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'revision' then 'failed, quality_check' else 'none' end;
                if v_from is null then
                    raise exception 'illegal initial %.% on % row %: % (allowed: %)',
                        'cm_module_content', 'status', 'cm_module_content', new.content_id, new.status, v_allowed
                        using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                              hint = pg_catalog.format('a new %s row may start as: %s', 'cm_module_content',
                                                       v_allowed);
                end if;
                raise exception 'illegal % transition on % row %: % -> % (allowed next: %)',
                    'status', 'cm_module_content', new.content_id, v_from, new.status, v_allowed
                    using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                          hint = pg_catalog.format('from %s a %s row may move to: %s', v_from,
                                                   'cm_module_content', v_allowed);
            end if;
            -- A listener is armed (it holds the wake key exclusive): wake it when this commits.

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'cm_module_content.created' else 'cm_module_content.status_changed' end, 'cm_module_content', 'status', new.content_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('company_id', new.company_id, 'plan_id', new.plan_id, 'total_word_count', new.total_word_count, 'revision_count', new.revision_count, 'assigned_to', new.assigned_to, 'created_by', new.created_by, 'last_quality_check', new.last_quality_check, 'version_number', new.version_number, 'parent_content_id', new.parent_content_id, 'is_current_version', new.is_current_version, 'last_enhancement_id', new.last_enhancement_id, 'is_draft', new.is_draft, 'last_edited_at', new.last_edited_at, 'last_edited_by', new.last_edited_by, 'created_at', new.created_at, 'updated_at', new.updated_at, 'version', new.version, 'requires_approval', new.requires_approval),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.content_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.content_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end)
            returning event_id into v_event;
            perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
                'event_id', v_event, 'table', 'cm_module_content')::pg_catalog.text);
            return null;
        end
        $$;

CREATE FUNCTION pipeline.emit_cm_research_results_status() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
        declare
            v_event pg_catalog.int8;
            v_from pg_catalog.text;
            v_allowed pg_catalog.text;
        begin
            -- The common case in one expression: the status changed, the transition is allowed,
            -- and the wake key is granted shared (no listener armed: no NOTIFY; the hold lasts
            -- until this transaction ends, so no listener arms before this commit).
            if (case when (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true then false
                     when (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{started}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{started}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'started' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{completed,failed}'::pg_catalog.text[]) else false end)
                     then pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1)
                     else false end) then

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'cm_research_results.created' else 'cm_research_results.status_changed' end, 'cm_research_results', 'status', new.research_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('company_id', new.company_id, 'plan_id', new.plan_id, 'total_topics', new.total_topics, 'total_sources', new.total_sources, 'created_at', new.created_at, 'updated_at', new.updated_at),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.research_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.research_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end);
                return null;
            end if;
            if (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true
               or (new.status is null and old.status is null
                   and tg_op OPERATOR(pg_catalog.=) 'UPDATE') then
                return null;  -- the status did not change: no transition, no event
            end if;
            if (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{started}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{started}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'started' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{completed,failed}'::pg_catalog.text[]) else false end) is not true then
                v_from := old.status::pg_catalog.text;
                v_allowed := case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then 'started' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then 'started' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'started' then 'completed, failed' else 'none' end;
                if v_from is null then
                    raise exception 'illegal initial %.% on % row %: % (allowed: %)',
                        'cm_research_results', 'status', 'cm_research_results', new.research_id, new.status, v_allowed
                        using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                              hint = pg_catalog.format('a new %s row may start as: %s', 'cm_research_results',
                                                       v_allowed);
                end if;
                raise exception 'illegal % transition on % row %: % -> % (allowed next: %)',
                    'status', 'cm_research_results', new.research_id, v_from, new.status, v_allowed
                    using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                          hint = pg_catalog.format('from %s a %s row may move to: %s', v_from,
                                                   'cm_research_results', v_allowed);
            end if;
            -- A listener is armed (it holds the wake key exclusive): wake it when this commits.

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'cm_research_results.created' else 'cm_research_results.status_changed' end, 'cm_research_results', 'status', new.research_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('company_id', new.company_id, 'plan_id', new.plan_id, 'total_topics', new.total_topics, 'total_sources', new.total_sources, 'created_at', new.created_at, 'updated_at', new.updated_at),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.research_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.research_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end)
            returning event_id into v_event;
            perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
                'event_id', v_event, 'table', 'cm_research_results')::pg_catalog.text);
            return null;
        end
        $$;

CREATE FUNCTION pipeline.emit_mm_audio_narrations_status() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
        declare
            v_event pg_catalog.int8;
            v_from pg_catalog.text;
            v_allowed pg_catalog.text;
        begin
            -- The common case in one expression: the status changed, the transition is allowed,
            -- and the wake key is granted shared (no listener armed: no NOTIFY; the hold lasts
            -- until this transaction ends, so no listener arms before this commit).
            if (case when (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true then false
                     when (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'draft' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{generated}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'generated' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{processed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{draft,generated}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'processed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{published}'::pg_catalog.text[]) else false end)
                     then pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1)
                     else false end) then

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'mm_audio_narrations.created' else 'mm_audio_narrations.status_changed' end, 'mm_audio_narrations', 'status', new.narration_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('session_id', new.session_id, 'content_id', new.content_id, 'company_id', new.company_id, 'total_duration_seconds', new.total_duration_seconds, 'master_audio_id', new.master_audio_id, 'synthesis_completed', new.synthesis_completed, 'segments_merged', new.segments_merged, 'is_active', new.is_active, 'created_at', new.created_at, 'updated_at', new.updated_at),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.narration_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.narration_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end);
                return null;
            end if;
            if (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true
               or (new.status is null and old.status is null
                   and tg_op OPERATOR(pg_catalog.=) 'UPDATE') then
                return null;  -- the status did not change: no transition, no event
            end if;
            if (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'draft' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{generated}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'generated' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{processed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{draft,generated}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'processed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{published}'::pg_catalog.text[]) else false end) is not true then
                v_from := old.status::pg_catalog.text;
                v_allowed := case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'draft' then 'generated' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'generated' then 'processed' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then 'draft, generated' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'processed' then 'published' else 'none' end;
                if v_from is null then
                    raise exception 'illegal initial %.% on % row %: % (allowed: %)',
                        'mm_audio_narrations', 'status', 'mm_audio_narrations', new.narration_id, new.status, v_allowed
                        using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                              hint = pg_catalog.format('a new %s row may start as: %s', 'mm_audio_narrations',
                                                       v_allowed);
                end if;
                raise exception 'illegal % transition on % row %: % -> % (allowed next: %)',
                    'status', 'mm_audio_narrations', new.narration_id, v_from, new.status, v_allowed
                    using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                          hint = pg_catalog.format('from %s a %s row may move to: %s', v_from,
                                                   'mm_audio_narrations', v_allowed);
            end if;
            -- A listener is armed (it holds the wake key exclusive): wake it when this commits.

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'mm_audio_narrations.created' else 'mm_audio_narrations.status_changed' end, 'mm_audio_narrations', 'status', new.narration_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('session_id', new.session_id, 'content_id', new.content_id, 'company_id', new.company_id, 'total_duration_seconds', new.total_duration_seconds, 'master_audio_id', new.master_audio_id, 'synthesis_completed', new.synthesis_completed, 'segments_merged', new.segments_merged, 'is_active', new.is_active, 'created_at', new.created_at, 'updated_at', new.updated_at),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.narration_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.narration_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end)
            returning event_id into v_event;
            perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
                'event_id', v_event, 'table', 'mm_audio_narrations')::pg_catalog.text);
            return null;
        end
        $$;

CREATE FUNCTION pipeline.emit_mm_multimedia_assets_status() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
        declare
            v_event pg_catalog.int8;
            v_from pg_catalog.text;
            v_allowed pg_catalog.text;
        begin
            -- The common case in one expression: the status changed, the transition is allowed,
            -- and the wake key is granted shared (no listener armed: no NOTIFY; the hold lasts
            -- until this transaction ends, so no listener arms before this commit).
            if (case when (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true then false
                     when (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{generated}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'generated' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,processed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{generated,processed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'optimized' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'processed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,optimized}'::pg_catalog.text[]) else false end)
                     then pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1)
                     else false end) then

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'mm_multimedia_assets.created' else 'mm_multimedia_assets.status_changed' end, 'mm_multimedia_assets', 'status', new.asset_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('session_id', new.session_id, 'content_id', new.content_id, 'company_id', new.company_id, 'file_size_bytes', new.file_size_bytes, 'slide_number', new.slide_number, 'duration_seconds', new.duration_seconds, 'processing_time_seconds', new.processing_time_seconds, 'tokens_used', new.tokens_used, 'is_active', new.is_active, 'version_number', new.version_number, 'parent_asset_id', new.parent_asset_id, 'created_at', new.created_at, 'updated_at', new.updated_at),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.asset_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.asset_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end);
                return null;
            end if;
            if (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true
               or (new.status is null and old.status is null
                   and tg_op OPERATOR(pg_catalog.=) 'UPDATE') then
                return null;  -- the status did not change: no transition, no event
            end if;
            if (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{generated}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'generated' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,processed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{generated,processed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'optimized' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'processed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,optimized}'::pg_catalog.text[]) else false end) is not true then
                v_from := old.status::pg_catalog.text;
                v_allowed := case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then 'generated' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'generated' then 'failed, processed' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then 'generated, processed' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'optimized' then 'failed' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'processed' then 'failed, optimized' else 'none' end;
                if v_from is null then
                    raise exception 'illegal initial %.% on % row %: % (allowed: %)',
                        'mm_multimedia_assets', 'status', 'mm_multimedia_assets', new.asset_id, new.status, v_allowed
                        using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                              hint = pg_catalog.format('a new %s row may start as: %s', 'mm_multimedia_assets',
                                                       v_allowed);
                end if;
                raise exception 'illegal % transition on % row %: % -> % (allowed next: %)',
                    'status', 'mm_multimedia_assets', new.asset_id, v_from, new.status, v_allowed
                    using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                          hint = pg_catalog.format('from %s a %s row may move to: %s', v_from,
                                                   'mm_multimedia_assets', v_allowed);
            end if;
            -- A listener is armed (it holds the wake key exclusive): wake it when this commits.

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'mm_multimedia_assets.created' else 'mm_multimedia_assets.status_changed' end, 'mm_multimedia_assets', 'status', new.asset_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('session_id', new.session_id, 'content_id', new.content_id, 'company_id', new.company_id, 'file_size_bytes', new.file_size_bytes, 'slide_number', new.slide_number, 'duration_seconds', new.duration_seconds, 'processing_time_seconds', new.processing_time_seconds, 'tokens_used', new.tokens_used, 'is_active', new.is_active, 'version_number', new.version_number, 'parent_asset_id', new.parent_asset_id, 'created_at', new.created_at, 'updated_at', new.updated_at),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.asset_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.asset_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end)
            returning event_id into v_event;
            perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
                'event_id', v_event, 'table', 'mm_multimedia_assets')::pg_catalog.text);
            return null;
        end
        $$;

CREATE FUNCTION pipeline.emit_mm_multimedia_sessions_current_stage() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
        declare
            v_event pg_catalog.int8;
            v_from pg_catalog.text;
            v_allowed pg_catalog.text;
        begin
            -- The common case in one expression: the status changed, the transition is allowed,
            -- and the wake key is granted shared (no listener armed: no NOTIFY; the hold lasts
            -- until this transaction ends, so no listener arms before this commit).
            if (case when (new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) old.current_stage::pg_catalog.text) is true then false
                     when (case when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'audio_generation' then new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) any ('{video_assembly}'::pg_catalog.text[]) when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'initialization' then new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) any ('{script_generation}'::pg_catalog.text[]) when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) any ('{initialization}'::pg_catalog.text[]) when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'script_generation' then new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) any ('{slide_generation}'::pg_catalog.text[]) when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'slide_generation' then new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) any ('{audio_generation}'::pg_catalog.text[]) when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'uploading' then new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) any ('{completed}'::pg_catalog.text[]) when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'video_assembly' then new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) any ('{uploading}'::pg_catalog.text[]) else false end)
                     then pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1)
                     else false end) then

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.current_stage is null then 'mm_multimedia_sessions.created' else 'mm_multimedia_sessions.status_changed' end, 'mm_multimedia_sessions', 'current_stage', new.session_id,
                new.company_id, old.current_stage::pg_catalog.text, new.current_stage::pg_catalog.text, pg_catalog.jsonb_build_object('content_id', new.content_id, 'company_id', new.company_id, 'progress_percentage', new.progress_percentage, 'total_assets_generated', new.total_assets_generated, 'slides_generated', new.slides_generated, 'audio_files_generated', new.audio_files_generated, 'video_files_generated', new.video_files_generated, 'processing_duration_seconds', new.processing_duration_seconds, 'tokens_used', new.tokens_used, 'retry_count', new.retry_count, 'initiated_by', new.initiated_by, 'started_at', new.started_at, 'completed_at', new.completed_at, 'created_at', new.created_at, 'updated_at', new.updated_at, 'render_priority', new.render_priority),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.session_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.session_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end);
                return null;
            end if;
            if (new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) old.current_stage::pg_catalog.text) is true
               or (new.current_stage is null and old.current_stage is null
                   and tg_op OPERATOR(pg_catalog.=) 'UPDATE') then
                return null;  -- the status did not change: no transition, no event
            end if;
            if (case when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'audio_generation' then new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) any ('{video_assembly}'::pg_catalog.text[]) when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'initialization' then new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) any ('{script_generation}'::pg_catalog.text[]) when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) any ('{initialization}'::pg_catalog.text[]) when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'script_generation' then new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) any ('{slide_generation}'::pg_catalog.text[]) when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'slide_generation' then new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) any ('{audio_generation}'::pg_catalog.text[]) when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'uploading' then new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) any ('{completed}'::pg_catalog.text[]) when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'video_assembly' then new.current_stage::pg_catalog.text OPERATOR(pg_catalog.=) any ('{uploading}'::pg_catalog.text[]) else false end) is not true then
                v_from := old.current_stage::pg_catalog.text;
                v_allowed := case when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'audio_generation' then 'video_assembly' when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'initialization' then 'script_generation' when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then 'initialization' when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'script_generation' then 'slide_generation' when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'slide_generation' then 'audio_generation' when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'uploading' then 'completed' when coalesce(old.current_stage::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'video_assembly' then 'uploading' else 'none' end;
                if v_from is null then
                    raise exception 'illegal initial %.% on % row %: % (allowed: %)',
                        'mm_multimedia_sessions', 'current_stage', 'mm_multimedia_sessions', new.session_id, new.current_stage, v_allowed
                        using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                              hint = pg_catalog.format('a new %s row may start as: %s', 'mm_multimedia_sessions',
                                                       v_allowed);
                end if;
                raise exception 'illegal % transition on % row %: % -> % (allowed next: %)',
                    'current_stage', 'mm_multimedia_sessions', new.session_id, v_from, new.current_stage, v_allowed
                    using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                          hint = pg_catalog.format('from %s a %s row may move to: %s', v_from,
                                                   'mm_multimedia_sessions', v_allowed);
            end if;
            -- A listener is armed (it holds the wake key exclusive): wake it when this commits.

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.current_stage is null then 'mm_multimedia_sessions.created' else 'mm_multimedia_sessions.status_changed' end, 'mm_multimedia_sessions', 'current_stage', new.session_id,
                new.company_id, old.current_stage::pg_catalog.text, new.current_stage::pg_catalog.text, pg_catalog.jsonb_build_object('content_id', new.content_id, 'company_id', new.company_id, 'progress_percentage', new.progress_percentage, 'total_assets_generated', new.total_assets_generated, 'slides_generated', new.slides_generated, 'audio_files_generated', new.audio_files_generated, 'video_files_generated', new.video_files_generated, 'processing_duration_seconds', new.processing_duration_seconds, 'tokens_used', new.tokens_used, 'retry_count', new.retry_count, 'initiated_by', new.initiated_by, 'started_at', new.started_at, 'completed_at', new.completed_at, 'created_at', new.created_at, 'updated_at', new.updated_at, 'render_priority', new.render_priority),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.session_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.session_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end)
            returning event_id into v_event;
            perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
                'event_id', v_event, 'table', 'mm_multimedia_sessions')::pg_catalog.text);
            return null;
        end
        $$;

CREATE FUNCTION pipeline.emit_mm_multimedia_sessions_status() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
        declare
            v_event pg_catalog.int8;
            v_from pg_catalog.text;
            v_allowed pg_catalog.text;
        begin
            -- The common case in one expression: the status changed, the transition is allowed,
            -- and the wake key is granted shared (no listener armed: no NOTIFY; the hold lasts
            -- until this transaction ends, so no listener arms before this commit).
            if (case when (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true then false
                     when (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{processing}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{started}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'processing' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{completed,failed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'started' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,processing}'::pg_catalog.text[]) else false end)
                     then pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1)
                     else false end) then

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'mm_multimedia_sessions.created' else 'mm_multimedia_sessions.status_changed' end, 'mm_multimedia_sessions', 'status', new.session_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('content_id', new.content_id, 'company_id', new.company_id, 'progress_percentage', new.progress_percentage, 'total_assets_generated', new.total_assets_generated, 'slides_generated', new.slides_generated, 'audio_files_generated', new.audio_files_generated, 'video_files_generated', new.video_files_generated, 'processing_duration_seconds', new.processing_duration_seconds, 'tokens_used', new.tokens_used, 'retry_count', new.retry_count, 'initiated_by', new.initiated_by, 'started_at', new.started_at, 'completed_at', new.completed_at, 'created_at', new.created_at, 'updated_at', new.updated_at, 'render_priority', new.render_priority),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.session_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.session_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end);
                return null;
            end if;
            if (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true
               or (new.status is null and old.status is null
                   and tg_op OPERATOR(pg_catalog.=) 'UPDATE') then
                return null;  -- the status did not change: no transition, no event
            end if;
            if (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{processing}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{started}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'processing' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{completed,failed}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'started' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{failed,processing}'::pg_catalog.text[]) else false end) is not true then
                v_from := old.status::pg_catalog.text;
                v_allowed := case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'failed' then 'processing' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then 'started' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'processing' then 'completed, failed' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'started' then 'failed, processing' else 'none' end;
                if v_from is null then
                    raise exception 'illegal initial %.% on % row %: % (allowed: %)',
                        'mm_multimedia_sessions', 'status', 'mm_multimedia_sessions', new.session_id, new.status, v_allowed
                        using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                              hint = pg_catalog.format('a new %s row may start as: %s', 'mm_multimedia_sessions',
                                                       v_allowed);
                end if;
                raise exception 'illegal % transition on % row %: % -> % (allowed next: %)',
                    'status', 'mm_multimedia_sessions', new.session_id, v_from, new.status, v_allowed
                    using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                          hint = pg_catalog.format('from %s a %s row may move to: %s', v_from,
                                                   'mm_multimedia_sessions', v_allowed);
            end if;
            -- A listener is armed (it holds the wake key exclusive): wake it when this commits.

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'mm_multimedia_sessions.created' else 'mm_multimedia_sessions.status_changed' end, 'mm_multimedia_sessions', 'status', new.session_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('content_id', new.content_id, 'company_id', new.company_id, 'progress_percentage', new.progress_percentage, 'total_assets_generated', new.total_assets_generated, 'slides_generated', new.slides_generated, 'audio_files_generated', new.audio_files_generated, 'video_files_generated', new.video_files_generated, 'processing_duration_seconds', new.processing_duration_seconds, 'tokens_used', new.tokens_used, 'retry_count', new.retry_count, 'initiated_by', new.initiated_by, 'started_at', new.started_at, 'completed_at', new.completed_at, 'created_at', new.created_at, 'updated_at', new.updated_at, 'render_priority', new.render_priority),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.session_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.session_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end)
            returning event_id into v_event;
            perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
                'event_id', v_event, 'table', 'mm_multimedia_sessions')::pg_catalog.text);
            return null;
        end
        $$;

CREATE FUNCTION pipeline.emit_mm_slide_presentations_status() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
        declare
            v_event pg_catalog.int8;
            v_from pg_catalog.text;
            v_allowed pg_catalog.text;
        begin
            -- The common case in one expression: the status changed, the transition is allowed,
            -- and the wake key is granted shared (no listener armed: no NOTIFY; the hold lasts
            -- until this transaction ends, so no listener arms before this commit).
            if (case when (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true then false
                     when (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'draft' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{generated}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'exported' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{published}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'generated' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{exported}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{draft,generated}'::pg_catalog.text[]) else false end)
                     then pg_catalog.pg_try_advisory_xact_lock_shared(1819826802, 1)
                     else false end) then

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'mm_slide_presentations.created' else 'mm_slide_presentations.status_changed' end, 'mm_slide_presentations', 'status', new.presentation_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('session_id', new.session_id, 'content_id', new.content_id, 'company_id', new.company_id, 'total_slides', new.total_slides, 'pdf_generated', new.pdf_generated, 'pptx_generated', new.pptx_generated, 'html_generated', new.html_generated, 'pdf_asset_id', new.pdf_asset_id, 'pptx_asset_id', new.pptx_asset_id, 'html_asset_id', new.html_asset_id, 'is_active', new.is_active, 'created_at', new.created_at, 'updated_at', new.updated_at),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.presentation_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.presentation_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end);
                return null;
            end if;
            if (new.status::pg_catalog.text OPERATOR(pg_catalog.=) old.status::pg_catalog.text) is true
               or (new.status is null and old.status is null
                   and tg_op OPERATOR(pg_catalog.=) 'UPDATE') then
                return null;  -- the status did not change: no transition, no event
            end if;
            if (case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'draft' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{generated}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'exported' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{published}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'generated' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{exported}'::pg_catalog.text[]) when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then new.status::pg_catalog.text OPERATOR(pg_catalog.=) any ('{draft,generated}'::pg_catalog.text[]) else false end) is not true then
                v_from := old.status::pg_catalog.text;
                v_allowed := case when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'draft' then 'generated' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'exported' then 'published' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'generated' then 'exported' when coalesce(old.status::pg_catalog.text, 'new') OPERATOR(pg_catalog.=) 'new' then 'draft, generated' else 'none' end;
                if v_from is null then
                    raise exception 'illegal initial %.% on % row %: % (allowed: %)',
                        'mm_slide_presentations', 'status', 'mm_slide_presentations', new.presentation_id, new.status, v_allowed
                        using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                              hint = pg_catalog.format('a new %s row may start as: %s', 'mm_slide_presentations',
                                                       v_allowed);
                end if;
                raise exception 'illegal % transition on % row %: % -> % (allowed next: %)',
                    'status', 'mm_slide_presentations', new.presentation_id, v_from, new.status, v_allowed
                    using errcode = 'check_violation', constraint = 'pipeline_state_machine',
                          hint = pg_catalog.format('from %s a %s row may move to: %s', v_from,
                                                   'mm_slide_presentations', v_allowed);
            end if;
            -- A listener is armed (it holds the wake key exclusive): wake it when this commits.

        insert into pipeline.events (event_type, table_name, status_column, entity_id,
                                     company_id, old_status, new_status, snapshot,
                                     correlation_id, causation_id, actor_role)
        values (case when old.status is null then 'mm_slide_presentations.created' else 'mm_slide_presentations.status_changed' end, 'mm_slide_presentations', 'status', new.presentation_id,
                new.company_id, old.status::pg_catalog.text, new.status::pg_catalog.text, pg_catalog.jsonb_build_object('session_id', new.session_id, 'content_id', new.content_id, 'company_id', new.company_id, 'total_slides', new.total_slides, 'pdf_generated', new.pdf_generated, 'pptx_generated', new.pptx_generated, 'html_generated', new.html_generated, 'pdf_asset_id', new.pdf_asset_id, 'pptx_asset_id', new.pptx_asset_id, 'html_asset_id', new.html_asset_id, 'is_active', new.is_active, 'created_at', new.created_at, 'updated_at', new.updated_at),
                case when pg_catalog.current_setting('pipeline.correlation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then new.presentation_id
                               else pg_catalog.current_setting('pipeline.correlation_id',
                                                               true)::pg_catalog.uuid end
                     else new.presentation_id end,
                case when pg_catalog.current_setting('pipeline.causation_id', true)
                          OPERATOR(pg_catalog.<>) ''
                     then case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) any ('{anon,authenticated}'::pg_catalog.text[]) then null::pg_catalog.int8
                               else pg_catalog.current_setting('pipeline.causation_id',
                                                               true)::pg_catalog.int8 end
                     end,
                case when pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'
                            then pg_catalog.current_setting('role')
                            else current_user::pg_catalog.text end)
            returning event_id into v_event;
            perform pg_catalog.pg_notify('pipeline_events', pg_catalog.json_build_object(
                'event_id', v_event, 'table', 'mm_slide_presentations')::pg_catalog.text);
            return null;
        end
        $$;

CREATE FUNCTION pipeline.ensure_log_partitions(p_ahead integer DEFAULT 7) RETURNS SETOF text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    SET lock_timeout TO '5s'
    AS $_$
declare
    v_parent text;
    v_key text;
    v_partman text;
    v_at timestamptz;
    v_today timestamptz := pg_catalog.date_trunc('day', pg_catalog.now() at time zone 'UTC')
                           at time zone 'UTC';
    v_made text;
    v_managed boolean;
begin
    if p_ahead is null or p_ahead < 0 or p_ahead > 366 then
        raise exception 'pipeline.ensure_log_partitions: ahead must be 0 to 366 days, not %',
            p_ahead using errcode = 'invalid_parameter_value';
    end if;
    perform pg_catalog.pg_advisory_xact_lock(pipeline.lock_key('pipeline'), 40);
    select n.nspname into v_partman
      from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
     where e.extname = 'pg_partman';
    foreach v_parent in array array['events', 'audit_log'] loop
        v_key := case v_parent when 'events' then 'committed_at' else 'finished_at' end;
        v_managed := false;
        if v_partman is not null then
            execute pg_catalog.format('select exists (select 1 from %I.part_config '
                                      'where parent_table = $1)', v_partman)
               into v_managed using 'pipeline.' || v_parent;
        end if;
        if v_managed then
            execute pg_catalog.format('select %I.run_maintenance($1)', v_partman)
              using 'pipeline.' || v_parent;
            continue;
        end if;
        -- Rows the default partition caught, one day at a time (in time order, so a month
        -- partition created for an old day takes that month's later days along).
        for v_at in execute pg_catalog.format(
                'select distinct pg_catalog.date_trunc(''day'', d.%1$I at time zone ''UTC'') '
                'at time zone ''UTC'' from pipeline.%2$I d order by 1',
                v_key, v_parent || '_default') loop
            v_made := pipeline.create_log_partition(v_parent, v_at);
            if v_made is not null then
                return next v_made;
            end if;
        end loop;
        for i in 0 .. p_ahead loop
            v_made := pipeline.create_log_partition(v_parent, v_today + pg_catalog.make_interval(days => i));
            if v_made is not null then
                return next v_made;
            end if;
        end loop;
    end loop;
end
$_$;

CREATE FUNCTION pipeline.follow_render_priority() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    AS $$
begin
    update public.mm_rendering_queue q
       set priority = new.render_priority
     where q.session_id = new.session_id and q.priority <> new.render_priority;
    -- The session's waiting deliveries take the new priority (the claim orders by it; column
    -- added in 20261125001100).
    update pipeline.deliveries d
       set priority = new.render_priority
     where d.entity_id = new.session_id and d.state = 'pending'
       and d.priority <> new.render_priority;
    return null;
end
$$;

CREATE FUNCTION pipeline.generate_emit(p_table regclass, p_status_column text, p_key_column text) RETURNS void
    LANGUAGE plpgsql
    AS $_$
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
$_$;

CREATE FUNCTION pipeline.keep_content_revision() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    AS $$
declare
    v_api constant boolean := pipeline.api_role_writes();
begin
    if not pipeline.content_edited(old, new) then
        return null;
    end if;
    insert into public.cm_module_content_revisions
        (content_id, company_id, version, replaced_by_version, status, introduction,
         core_content, practical_applications, case_studies, assessments, edited_by,
         edited_via)
    values
        (old.content_id, old.company_id, old.version, new.version, old.status,
         old.introduction, old.core_content, old.practical_applications, old.case_studies,
         old.assessments, case when v_api then auth.uid() end,
         case when v_api then 'api' else 'pipeline' end);
    if v_api and new.status in ('approved', 'published') then
        update public.cm_module_content
           set status = 'quality_check',
               approval_status = case when approval_status in ('approved', 'rejected')
                                      then 'pending' else approval_status end
         where content_id = new.content_id;
    end if;
    return null;
end
$$;

CREATE FUNCTION pipeline.lock_key(p_name text) RETURNS integer
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
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

CREATE FUNCTION pipeline.log_partitions() RETURNS TABLE(parent text, partition_name text, is_default boolean, range_from timestamp with time zone, range_to timestamp with time zone, rows_estimate bigint, total_bytes bigint)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    AS $_$
    select p.relname::text, c.relname::text, b.bound = 'DEFAULT',
           case when m[1] is null or m[1] = 'MINVALUE' then null
                else pg_catalog.btrim(m[1], '''')::timestamptz end,
           case when m[2] is null or m[2] = 'MAXVALUE' then null
                else pg_catalog.btrim(m[2], '''')::timestamptz end,
           c.reltuples::bigint, pg_catalog.pg_total_relation_size(c.oid)
      from pg_catalog.pg_inherits i
      join pg_catalog.pg_class p on p.oid = i.inhparent
      join pg_catalog.pg_class c on c.oid = i.inhrelid
      cross join lateral (select pg_catalog.pg_get_expr(c.relpartbound, c.oid) as bound) b
      left join lateral pg_catalog.regexp_match(b.bound, '^FOR VALUES FROM \((.*)\) TO \((.*)\)$')
           as m on true
     where p.relnamespace = 'pipeline'::regnamespace and p.relname in ('events', 'audit_log')
       and c.relispartition
     order by 1, b.bound = 'DEFAULT', 4 nulls first, 2
$_$;

CREATE TABLE public.mm_media_versions (
    version_id uuid DEFAULT gen_random_uuid() NOT NULL,
    content_id uuid NOT NULL,
    company_id uuid NOT NULL,
    section_name text DEFAULT 'full_module'::text NOT NULL,
    version integer NOT NULL,
    session_id uuid NOT NULL,
    content_version integer NOT NULL,
    is_current boolean DEFAULT false NOT NULL,
    current_since timestamp with time zone,
    requested_by uuid,
    requested_via text NOT NULL,
    reason text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mm_media_versions_content_version_check CHECK ((content_version >= 1)),
    CONSTRAINT mm_media_versions_reason_check CHECK ((length(reason) <= 500)),
    CONSTRAINT mm_media_versions_requested_via_check CHECK ((requested_via = ANY (ARRAY['pipeline'::text, 'api'::text, 'operator'::text]))),
    CONSTRAINT mm_media_versions_version_check CHECK ((version >= 1))
);

CREATE FUNCTION pipeline.make_media_version_current(p_content uuid, p_section text, p_version integer) RETURNS public.mm_media_versions
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    AS $$
declare
    v_target public.mm_media_versions;
    v_status text;
begin
    select v.* into v_target
      from public.mm_media_versions v
     where v.content_id = p_content and v.section_name = p_section and v.version = p_version
       for update;
    if not found then
        raise exception 'no media version % of content % (section %)',
            p_version, p_content, p_section
            using errcode = 'no_data_found';
    end if;
    select s.status into v_status
      from public.mm_multimedia_sessions s where s.session_id = v_target.session_id;
    if v_status is distinct from 'completed' then
        raise exception 'media version % of content % is not complete (its session is %)',
            p_version, p_content, v_status
            using errcode = 'object_not_in_prerequisite_state';
    end if;
    update public.mm_media_versions v
       set is_current = false, current_since = null
     where v.content_id = p_content and v.section_name = p_section and v.is_current
       and v.version <> p_version;
    update public.mm_media_versions v
       set is_current = true, current_since = now()
     where v.version_id = v_target.version_id and not v.is_current;
    update public.mm_multimedia_assets a
       set is_active = (a.session_id = v_target.session_id)
      from public.mm_media_versions v
     where v.content_id = p_content and v.section_name = p_section
       and a.session_id = v.session_id
       and a.is_active is distinct from (a.session_id = v_target.session_id);
    select v.* into v_target from public.mm_media_versions v
     where v.version_id = v_target.version_id;
    return v_target;
end
$$;

CREATE FUNCTION pipeline.open_media_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    AS $$
declare
    v_api constant boolean := pipeline.api_role_writes();
    v_section constant text := pipeline.session_section(new.session_type, new.content_sections);
    v_content_version integer;
    v_version integer;
begin
    -- the content row's lock serialises version numbers of one module
    select c.version into v_content_version
      from public.cm_module_content c where c.content_id = new.content_id for update;
    select coalesce(max(v.version), 0) + 1 into v_version
      from public.mm_media_versions v
     where v.content_id = new.content_id and v.section_name = v_section;
    insert into public.mm_media_versions
        (content_id, company_id, section_name, version, session_id, content_version,
         requested_by, requested_via, reason)
    values
        (new.content_id, new.company_id, v_section, v_version, new.session_id,
         v_content_version, case when v_api then auth.uid() end,
         case when v_api then 'api' else 'pipeline' end,
         coalesce(new.version_reason,
                  case when v_version = 1 then 'first generation'
                       else format('content version %s', v_content_version) end));
    return null;
end
$$;

CREATE FUNCTION pipeline.pending_work(handler_group text) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    with subscribed as (
        select s.handler, s.table_name, s.status_column, s.from_status, s.to_status
          from pipeline.subscriptions s
         where s.active and s.handler_group = pending_work.handler_group
    ),
    open_deliveries as (
        select count(*) as n
          from pipeline.deliveries d
          join subscribed s on s.handler = d.handler
         where d.state in ('pending', 'running')
    ),
    unrouted as (
        select count(*) as n
          from pipeline.unrouted_events() e
          join subscribed s
            on s.table_name = e.table_name and s.status_column = e.status_column
           and (s.from_status = '*' or s.from_status = coalesce(e.old_status, 'new'))
           and (s.to_status = '*' or s.to_status = e.new_status)
    )
    select (select n from open_deliveries) + (select n from unrouted)
$$;

COMMENT ON FUNCTION pipeline.pending_work(handler_group text) IS 'Deliveries of a handler group still needing a daemon (pending, running) plus those routing will create for it (committed events not routed yet). The autoscaler''s query.';

CREATE FUNCTION pipeline.pin_new_definer_functions() RETURNS event_trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

CREATE FUNCTION pipeline.pin_search_path(p_function regprocedure) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
$_$;

CREATE FUNCTION pipeline.publish_progress_tables() RETURNS text[]
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
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

CREATE FUNCTION pipeline.refresh_analytics() RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    AS $$
begin
    if not pg_try_advisory_xact_lock(1819826802, 30) then
        return false;
    end if;
    refresh materialized view concurrently pipeline.analytics_video_views;
    refresh materialized view concurrently pipeline.analytics_module_views;
    refresh materialized view concurrently pipeline.analytics_stage_stats;
    refresh materialized view concurrently pipeline.analytics_enhancement_loops;
    return true;
end
$$;

CREATE FUNCTION pipeline.refuse_event_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    raise exception 'pipeline.events is append-only: event % cannot be updated', old.event_id
        using errcode = 'object_not_in_prerequisite_state';
end
$$;

CREATE FUNCTION pipeline.remove_log_partition(p_parent text, p_partition text, p_keep boolean) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    AS $$
begin
    if not exists (select 1 from pipeline.log_partitions() l
                    where l.parent = p_parent and l.partition_name = p_partition
                      and not l.is_default) then
        raise exception 'pipeline.remove_log_partition: % is no ranged partition of pipeline.%',
            p_partition, p_parent using errcode = 'invalid_parameter_value';
    end if;
    if p_keep then
        execute pg_catalog.format('alter table pipeline.%I detach partition pipeline.%I',
                                  p_parent, p_partition);
    else
        execute pg_catalog.format('drop table pipeline.%I', p_partition);
    end if;
end
$$;

CREATE FUNCTION pipeline.restore_content(p_content uuid, p_actor text) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
    v_archive pipeline.content_archive;
    v_table text;
    v_count bigint;
    v_role text := current_setting('session_replication_role');
    v_fk record;
begin
    delete from pipeline.content_archive a where a.content_id = p_content
    returning * into v_archive;
    if not found then
        raise exception 'module % is not in the archive', p_content
            using errcode = 'no_data_found';
    end if;
    perform set_config('session_replication_role', 'replica', true);
    foreach v_table in array pipeline.content_family_tables() loop
        execute format('insert into public.%1$I select * from'
                       ' jsonb_populate_recordset(null::public.%1$I, $1)', v_table)
          using coalesce(v_archive.rows -> v_table, '[]'::jsonb);
        get diagnostics v_count = row_count;
        if v_count <> coalesce((v_archive.row_counts ->> v_table)::bigint, 0) then
            raise exception 'restoring module %: % rows of % instead of %', p_content, v_count,
                v_table, v_archive.row_counts ->> v_table
                using errcode = 'data_corrupted';
        end if;
    end loop;
    perform set_config('session_replication_role', v_role, true);
    -- The triggers were off, foreign keys included: check every foreign key of the restored rows
    -- here (a user, plan or company deleted since the archive makes the restore fail whole).
    for v_fk in
        select c.conname, c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent,
               array(select quote_ident(a.attname) from unnest(c.conkey) with ordinality k(n, i)
                       join pg_catalog.pg_attribute a
                         on a.attrelid = c.conrelid and a.attnum = k.n order by k.i) as cols,
               array(select quote_ident(a.attname) from unnest(c.confkey) with ordinality k(n, i)
                       join pg_catalog.pg_attribute a
                         on a.attrelid = c.confrelid and a.attnum = k.n order by k.i) as refs
          from pg_catalog.pg_constraint c
         where c.contype = 'f'
           and c.conrelid = any (array(select ('public.' || quote_ident(t))::regclass
                                         from unnest(pipeline.content_family_tables()) t))
         order by c.conrelid::regclass::text, c.conname  -- the same first refusal everywhere
    loop
        execute format(
            'select count(*) from %s t where t.content_id = $1 and (%s) is not null'
            ' and not exists (select 1 from %s p where (%s) = (%s))',
            v_fk.child,
            (select string_agg('t.' || c, ', ') from unnest(v_fk.cols) c),
            v_fk.parent,
            (select string_agg('p.' || c, ', ') from unnest(v_fk.refs) c),
            (select string_agg('t.' || c, ', ') from unnest(v_fk.cols) c))
          into v_count using p_content;
        if v_count > 0 then
            raise exception 'module % cannot be restored: % of its % rows refer to a missing % (%)',
                p_content, v_count, v_fk.child, v_fk.parent, v_fk.conname
                using errcode = 'foreign_key_violation';
        end if;
    end loop;
    insert into pipeline.content_archive_log (content_id, company_id, action, actor, row_counts)
    values (p_content, v_archive.company_id, 'restore', p_actor, v_archive.row_counts);
    return v_archive.row_counts;
end
$_$;

CREATE FUNCTION pipeline.route_events(p_served text[] DEFAULT NULL::text[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    SET enable_seqscan TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
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

CREATE FUNCTION pipeline.session_section(p_session_type text, p_sections text[]) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
    select case when p_session_type = 'section_video' and cardinality(p_sections) = 1
                then p_sections[1] else 'full_module' end
$$;

CREATE FUNCTION pipeline.stamp_asset_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    AS $$
begin
    select v.version into new.version_number
      from public.mm_media_versions v where v.session_id = new.session_id;
    new.version_number := coalesce(new.version_number, 1);
    return new;
end
$$;

CREATE FUNCTION pipeline.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    new.updated_at := now();
    return new;
end
$$;

CREATE FUNCTION pipeline.track_render() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    AS $$
declare
    v_status constant text := case new.state
                                  when 'pending' then 'queued'
                                  when 'running' then 'rendering'
                                  when 'dead' then 'failed'
                                  else 'done' end;
begin
    insert into public.mm_rendering_queue as q
        (session_id, content_id, company_id, kind, priority, status, attempts, worker,
         delivery_id, queued_at, started_at, finished_at)
    select s.session_id, s.content_id, s.company_id,
           case new.handler when 'media.slides' then 'slides'
                            when 'media.narration' then 'narration' else 'video' end,
           s.render_priority, v_status, new.attempts,
           case when new.state = 'running' then new.leased_by end,
           new.delivery_id, new.created_at,
           case when new.state <> 'pending' then now() end,
           case when v_status in ('done', 'failed') then now() end
      from public.mm_multimedia_sessions s
     where s.session_id = new.entity_id
    on conflict (session_id, kind) do update
       set status = excluded.status,
           attempts = excluded.attempts,
           worker = coalesce(excluded.worker, q.worker),
           delivery_id = excluded.delivery_id,
           queued_at = case when excluded.delivery_id <> q.delivery_id
                            then excluded.queued_at else q.queued_at end,
           started_at = case when excluded.status = 'rendering' then now()
                             else q.started_at end,
           finished_at = case when excluded.status in ('done', 'failed') then now() end;
    return null;
end
$$;

CREATE FUNCTION pipeline.track_status(p_table regclass, p_status_column text, p_key_column text) RETURNS void
    LANGUAGE plpgsql
    AS $$
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

CREATE TABLE pipeline.events (
    event_id bigint NOT NULL,
    event_type text NOT NULL,
    table_name text NOT NULL,
    status_column text NOT NULL,
    entity_id uuid NOT NULL,
    company_id uuid,
    old_status text,
    new_status text NOT NULL,
    snapshot jsonb DEFAULT '{}'::jsonb NOT NULL,
    correlation_id uuid NOT NULL,
    causation_id bigint,
    actor_role text NOT NULL,
    committed_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    txid xid8 DEFAULT pg_current_xact_id() NOT NULL
)
PARTITION BY RANGE (committed_at);

CREATE FUNCTION pipeline.unrouted_events() RETURNS SETOF pipeline.events
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pipeline', 'pg_temp'
    SET enable_seqscan TO 'off'
    AS $$
    select e.*
      from pipeline.router_state r
      join pipeline.events e on e.txid >= pg_snapshot_xmin(r.last_snapshot)
     where r.singleton and not pg_visible_in_snapshot(e.txid, r.last_snapshot)
     order by e.event_id
$$;

CREATE FUNCTION pipeline.wakeup_armed() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    select exists (select 1 from pg_catalog.pg_locks l
                    where l.locktype = 'advisory'
                      and l.classid = pipeline.lock_key('pipeline')::pg_catalog.oid
                      and l.objid = pipeline.lock_key('wake')::pg_catalog.oid
                      and l.objsubid = 2 and l.mode = 'ExclusiveLock' and l.granted
                      and l.database = (select d.oid from pg_catalog.pg_database d
                                         where d.datname = pg_catalog.current_database()))
$$;

CREATE FUNCTION public.module_content_document(p_name text, p_introduction text, p_core text, p_practical text, p_cases text, p_assessments text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    select setweight(to_tsvector('english'::regconfig, coalesce(p_name, '')), 'A')
        || setweight(to_tsvector('english'::regconfig,
                                 coalesce(p_introduction, '') || ' ' || coalesce(p_core, '')), 'B')
        || setweight(to_tsvector('english'::regconfig,
                                 coalesce(p_practical, '') || ' ' || coalesce(p_cases, '') || ' '
                                 || coalesce(p_assessments, '')), 'C')
$$;

CREATE FUNCTION public.record_video_view(p_video uuid, p_seconds_watched numeric, p_completed boolean) RETURNS uuid
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'public'
    AS $$
    insert into public.mm_video_analytics (asset_id, seconds_watched, completed)
    values (p_video, p_seconds_watched, p_completed)
    returning view_id
$$;

COMMENT ON FUNCTION public.record_video_view(p_video uuid, p_seconds_watched numeric, p_completed boolean) IS 'Record one view of a video of the caller''s company: seconds watched (0 .. duration + slack) and whether it was watched to the end. Returns the view id.';

CREATE FUNCTION public.search_module_content(query text, max_results integer DEFAULT 20) RETURNS TABLE(content_id uuid, company_id uuid, module_name text, status text, rank real, excerpt text)
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'public'
    AS $$
#variable_conflict use_column
declare
    v_query tsquery;
begin
    if search_module_content.query is null
       or length(btrim(search_module_content.query)) = 0
       or length(search_module_content.query) > 200 then
        raise exception 'search_module_content: query must have 1 to 200 characters'
            using errcode = 'invalid_parameter_value';
    end if;
    if max_results is null or max_results < 1 or max_results > 100 then
        raise exception 'search_module_content: max_results must be 1 to 100, got %', max_results
            using errcode = 'invalid_parameter_value';
    end if;
    v_query := websearch_to_tsquery('english'::regconfig, search_module_content.query);
    return query
        select c.content_id, c.company_id, c.module_name, c.status,
               ts_rank(public.module_content_document(c.module_name, c.introduction,
                           c.core_content, c.practical_applications, c.case_studies,
                           c.assessments), v_query) as rank,
               ts_headline('english'::regconfig,
                           left(coalesce(c.introduction, '') || ' ' || coalesce(c.core_content, '')
                                || ' ' || coalesce(c.practical_applications, ''), 20000),
                           v_query, 'MaxWords=30, MinWords=10, MaxFragments=1') as excerpt
          from public.cm_module_content c
         where public.module_content_document(c.module_name, c.introduction, c.core_content,
                                              c.practical_applications, c.case_studies,
                                              c.assessments) @@ v_query
         order by rank desc, c.content_id
         limit max_results;
end
$$;

COMMENT ON FUNCTION public.search_module_content(query text, max_results integer) IS 'Modules matching a web-search style query (the caller''s rows only), best first.';

CREATE TABLE pipeline.audit_log (
    audit_id bigint NOT NULL,
    delivery_id bigint NOT NULL,
    event_id bigint NOT NULL,
    handler text NOT NULL,
    attempt integer NOT NULL,
    outcome text NOT NULL,
    is_replay boolean DEFAULT false NOT NULL,
    worker text NOT NULL,
    entity_id uuid,
    correlation_id uuid,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    duration_ms double precision DEFAULT 0 NOT NULL,
    error text,
    traceback text,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT audit_log_outcome_check CHECK ((outcome = ANY (ARRAY['succeeded'::text, 'failed'::text, 'dead'::text, 'lost_lease'::text, 'released'::text, 'skipped'::text])))
)
PARTITION BY RANGE (finished_at);

CREATE TABLE public.mm_script_generations (
    generation_id uuid DEFAULT gen_random_uuid() NOT NULL,
    session_id uuid NOT NULL,
    content_id uuid NOT NULL,
    company_id uuid NOT NULL,
    section_name text DEFAULT 'full_module'::text NOT NULL,
    backend text NOT NULL,
    model text,
    prompt_tokens integer DEFAULT 0 NOT NULL,
    completion_tokens integer DEFAULT 0 NOT NULL,
    total_tokens integer DEFAULT 0 NOT NULL,
    token_source text NOT NULL,
    duration_seconds numeric(10,3) NOT NULL,
    status text NOT NULL,
    error_message text,
    script_asset_id uuid,
    slides integer,
    words integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mm_script_generations_completed_check CHECK (((status = 'completed'::text) = (error_message IS NULL))),
    CONSTRAINT mm_script_generations_completion_tokens_check CHECK ((completion_tokens >= 0)),
    CONSTRAINT mm_script_generations_duration_seconds_check CHECK ((duration_seconds >= (0)::numeric)),
    CONSTRAINT mm_script_generations_error_message_check CHECK ((length(error_message) <= 300)),
    CONSTRAINT mm_script_generations_prompt_tokens_check CHECK ((prompt_tokens >= 0)),
    CONSTRAINT mm_script_generations_slides_check CHECK ((slides >= 0)),
    CONSTRAINT mm_script_generations_status_check CHECK ((status = ANY (ARRAY['completed'::text, 'failed'::text]))),
    CONSTRAINT mm_script_generations_token_source_check CHECK ((token_source = ANY (ARRAY['reported'::text, 'counted'::text]))),
    CONSTRAINT mm_script_generations_total_tokens_check CHECK ((total_tokens = (prompt_tokens + completion_tokens))),
    CONSTRAINT mm_script_generations_words_check CHECK ((words >= 0))
);

CREATE MATERIALIZED VIEW pipeline.analytics_stage_stats AS
 WITH runs AS (
         SELECT l.handler,
            count(*) AS runs,
            count(*) FILTER (WHERE (l.outcome = 'succeeded'::text)) AS succeeded,
            count(*) FILTER (WHERE (l.outcome = ANY (ARRAY['failed'::text, 'dead'::text]))) AS failed,
            count(*) FILTER (WHERE (l.outcome = 'dead'::text)) AS dead,
            round(((avg(l.duration_ms) / (1000)::double precision))::numeric, 3) AS avg_seconds,
            round(((percentile_cont((0.95)::double precision) WITHIN GROUP (ORDER BY l.duration_ms) / (1000)::double precision))::numeric, 3) AS p95_seconds,
            round(((sum(l.duration_ms) / (1000)::double precision))::numeric, 3) AS total_seconds
           FROM pipeline.audit_log l
          GROUP BY l.handler
        ), tokens AS (
         SELECT 'media.script'::text AS handler,
            sum(g.total_tokens) AS tokens
           FROM public.mm_script_generations g
        )
 SELECT r.handler,
    r.runs,
    r.succeeded,
    r.failed,
    r.dead,
    round(((r.failed)::numeric / (NULLIF(r.runs, 0))::numeric), 4) AS failure_rate,
    r.avg_seconds,
    r.p95_seconds,
    r.total_seconds,
    COALESCE(t.tokens, (0)::bigint) AS tokens
   FROM (runs r
     LEFT JOIN tokens t USING (handler))
  WITH NO DATA;

CREATE SEQUENCE pipeline.audit_log_audit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE pipeline.audit_log_audit_id_seq OWNED BY pipeline.audit_log.audit_id;

CREATE TABLE pipeline.audit_log_default (
    audit_id bigint DEFAULT nextval('pipeline.audit_log_audit_id_seq'::regclass) NOT NULL,
    delivery_id bigint NOT NULL,
    event_id bigint NOT NULL,
    handler text NOT NULL,
    attempt integer NOT NULL,
    outcome text NOT NULL,
    is_replay boolean DEFAULT false NOT NULL,
    worker text NOT NULL,
    entity_id uuid,
    correlation_id uuid,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    duration_ms double precision DEFAULT 0 NOT NULL,
    error text,
    traceback text,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT audit_log_outcome_check CHECK ((outcome = ANY (ARRAY['succeeded'::text, 'failed'::text, 'dead'::text, 'lost_lease'::text, 'released'::text, 'skipped'::text])))
);

CREATE TABLE pipeline.content_archive (
    content_id uuid NOT NULL,
    company_id uuid NOT NULL,
    plan_id uuid,
    published_at timestamp with time zone NOT NULL,
    archived_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    archived_by text NOT NULL,
    row_counts jsonb NOT NULL,
    rows jsonb NOT NULL
);

CREATE TABLE pipeline.content_archive_log (
    log_id bigint NOT NULL,
    content_id uuid NOT NULL,
    company_id uuid NOT NULL,
    action text NOT NULL,
    actor text NOT NULL,
    at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    row_counts jsonb NOT NULL,
    CONSTRAINT content_archive_log_action_check CHECK ((action = ANY (ARRAY['archive'::text, 'restore'::text])))
);

ALTER TABLE pipeline.content_archive_log ALTER COLUMN log_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME pipeline.content_archive_log_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE pipeline.deliveries (
    delivery_id bigint NOT NULL,
    event_id bigint NOT NULL,
    handler text NOT NULL,
    entity_id uuid NOT NULL,
    state text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    max_attempts integer NOT NULL,
    run_after timestamp with time zone DEFAULT now() NOT NULL,
    lease_until timestamp with time zone,
    leased_by text,
    last_error text,
    is_replay boolean DEFAULT false NOT NULL,
    replay_of bigint,
    replay_by text,
    replay_reason text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    priority integer DEFAULT 0 NOT NULL,
    CONSTRAINT deliveries_state_check CHECK ((state = ANY (ARRAY['pending'::text, 'running'::text, 'done'::text, 'dead'::text, 'skipped'::text])))
);

ALTER TABLE pipeline.deliveries ALTER COLUMN delivery_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME pipeline.deliveries_delivery_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE SEQUENCE pipeline.events_event_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE pipeline.events_event_id_seq OWNED BY pipeline.events.event_id;

CREATE TABLE pipeline.events_default (
    event_id bigint DEFAULT nextval('pipeline.events_event_id_seq'::regclass) NOT NULL,
    event_type text NOT NULL,
    table_name text NOT NULL,
    status_column text NOT NULL,
    entity_id uuid NOT NULL,
    company_id uuid,
    old_status text,
    new_status text NOT NULL,
    snapshot jsonb DEFAULT '{}'::jsonb NOT NULL,
    correlation_id uuid NOT NULL,
    causation_id bigint,
    actor_role text NOT NULL,
    committed_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    txid xid8 DEFAULT pg_current_xact_id() NOT NULL
);

CREATE TABLE pipeline.operator_actions (
    action_id bigint NOT NULL,
    acted_at timestamp with time zone DEFAULT now() NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    reason text NOT NULL,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT operator_actions_action_check CHECK ((action = ANY (ARRAY['pause'::text, 'resume'::text, 'cancel'::text, 'dead_retry'::text, 'replay'::text]))),
    CONSTRAINT operator_actions_actor_check CHECK (((length(actor) >= 1) AND (length(actor) <= 200))),
    CONSTRAINT operator_actions_reason_check CHECK (((length(reason) >= 1) AND (length(reason) <= 500)))
);

ALTER TABLE pipeline.operator_actions ALTER COLUMN action_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME pipeline.operator_actions_action_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE pipeline.paused_groups (
    handler_group text NOT NULL,
    paused_by text NOT NULL,
    reason text NOT NULL,
    paused_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT paused_groups_reason_check CHECK (((length(reason) >= 1) AND (length(reason) <= 500)))
);

CREATE TABLE pipeline.subscriptions (
    handler text NOT NULL,
    handler_group text NOT NULL,
    table_name text NOT NULL,
    status_column text DEFAULT 'status'::text NOT NULL,
    from_status text NOT NULL,
    to_status text NOT NULL,
    max_attempts integer NOT NULL,
    active boolean DEFAULT true NOT NULL,
    registered_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT subscriptions_max_attempts_check CHECK (((max_attempts >= 1) AND (max_attempts <= 100)))
);

CREATE VIEW pipeline.paused_handlers AS
 SELECT s.handler
   FROM (pipeline.subscriptions s
     JOIN pipeline.paused_groups p ON ((p.handler_group = s.handler_group)));

CREATE TABLE pipeline.pruned_partitions (
    pruned_id bigint NOT NULL,
    parent text NOT NULL,
    partition_name text NOT NULL,
    range_from timestamp with time zone,
    range_to timestamp with time zone NOT NULL,
    row_count bigint NOT NULL,
    min_id bigint,
    max_id bigint,
    deliveries_removed bigint DEFAULT 0 NOT NULL,
    archive_path text,
    archive_sha256 text,
    detached boolean DEFAULT false NOT NULL,
    pruned_by text NOT NULL,
    pruned_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pruned_partitions_parent_check CHECK ((parent = ANY (ARRAY['events'::text, 'audit_log'::text])))
);

ALTER TABLE pipeline.pruned_partitions ALTER COLUMN pruned_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME pipeline.pruned_partitions_pruned_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE pipeline.router_state (
    singleton boolean DEFAULT true NOT NULL,
    last_snapshot pg_snapshot NOT NULL,
    routed_at timestamp with time zone,
    CONSTRAINT router_state_singleton_check CHECK (singleton)
);

CREATE TABLE pipeline.schema_migrations (
    version text NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    duration_ms integer DEFAULT 0 NOT NULL
);

CREATE TABLE pipeline.status_columns (
    table_name text NOT NULL,
    status_column text NOT NULL,
    key_column text NOT NULL
);

CREATE TABLE pipeline.transitions (
    table_name text NOT NULL,
    status_column text NOT NULL,
    from_status text NOT NULL,
    to_status text NOT NULL
);

CREATE TABLE public.cm_course_plans (
    plan_id uuid DEFAULT gen_random_uuid() NOT NULL,
    company_id uuid NOT NULL,
    employee_id uuid NOT NULL,
    employee_name text NOT NULL,
    session_id text NOT NULL,
    course_title text,
    course_structure jsonb DEFAULT '{}'::jsonb NOT NULL,
    prioritized_gaps jsonb DEFAULT '{}'::jsonb NOT NULL,
    research_strategy jsonb DEFAULT '{}'::jsonb NOT NULL,
    learning_path jsonb DEFAULT '{}'::jsonb NOT NULL,
    employee_profile jsonb DEFAULT '{}'::jsonb NOT NULL,
    total_modules integer,
    course_duration_weeks integer,
    planning_agent_version text DEFAULT 'v1'::text NOT NULL,
    tool_calls jsonb DEFAULT '[]'::jsonb NOT NULL,
    execution_time_seconds numeric(10,2),
    agent_turns integer,
    status text DEFAULT 'planning'::text NOT NULL,
    error_message text,
    is_preview_mode boolean DEFAULT false NOT NULL,
    approval_status text,
    approved_by uuid,
    approved_at timestamp with time zone,
    approval_feedback text,
    rejection_reason text,
    revision_count integer DEFAULT 0 NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT cm_course_plans_agent_turns_check CHECK ((agent_turns >= 0)),
    CONSTRAINT cm_course_plans_approval_status_check CHECK ((approval_status = ANY (ARRAY['pending_review'::text, 'approved'::text, 'rejected'::text]))),
    CONSTRAINT cm_course_plans_course_duration_weeks_check CHECK ((course_duration_weeks >= 0)),
    CONSTRAINT cm_course_plans_course_structure_shape_check CHECK ((jsonb_typeof(course_structure) = 'object'::text)),
    CONSTRAINT cm_course_plans_course_title_length_check CHECK ((char_length(course_title) <= 1000)),
    CONSTRAINT cm_course_plans_employee_name_length_check CHECK ((char_length(employee_name) <= 1000)),
    CONSTRAINT cm_course_plans_employee_profile_shape_check CHECK ((jsonb_typeof(employee_profile) = 'object'::text)),
    CONSTRAINT cm_course_plans_execution_time_seconds_check CHECK ((execution_time_seconds >= (0)::numeric)),
    CONSTRAINT cm_course_plans_learning_path_shape_check CHECK ((jsonb_typeof(learning_path) = 'object'::text)),
    CONSTRAINT cm_course_plans_metadata_shape_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT cm_course_plans_prioritized_gaps_shape_check CHECK ((jsonb_typeof(prioritized_gaps) = 'object'::text)),
    CONSTRAINT cm_course_plans_research_strategy_shape_check CHECK ((jsonb_typeof(research_strategy) = 'object'::text)),
    CONSTRAINT cm_course_plans_revision_count_check CHECK ((revision_count >= 0)),
    CONSTRAINT cm_course_plans_status_check CHECK ((status = ANY (ARRAY['planning'::text, 'completed'::text, 'researching'::text, 'producing'::text, 'delivered'::text, 'failed'::text]))),
    CONSTRAINT cm_course_plans_tool_calls_shape_check CHECK ((jsonb_typeof(tool_calls) = 'array'::text)),
    CONSTRAINT cm_course_plans_total_modules_check CHECK ((total_modules >= 0))
);

CREATE TABLE public.cm_enhancement_sessions (
    session_id uuid DEFAULT gen_random_uuid() NOT NULL,
    content_id uuid NOT NULL,
    company_id uuid NOT NULL,
    quality_assessment_id uuid,
    enhancement_type text DEFAULT 'targeted'::text NOT NULL,
    sections_to_enhance text[] DEFAULT '{}'::text[] NOT NULL,
    sections_preserved text[] DEFAULT '{}'::text[] NOT NULL,
    research_conducted boolean DEFAULT false NOT NULL,
    content_regenerated boolean DEFAULT false NOT NULL,
    integration_completed boolean DEFAULT false NOT NULL,
    word_count_before integer,
    word_count_after integer,
    quality_score_before numeric(3,1),
    quality_score_after numeric(3,1),
    enhancement_tokens_used integer,
    content_tokens_used integer,
    total_tokens_saved integer,
    status text DEFAULT 'started'::text NOT NULL,
    success boolean,
    error_details text,
    initiated_by uuid,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    completed_at timestamp with time zone,
    duration_seconds integer,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT cm_enhancement_sessions_content_tokens_used_check CHECK ((content_tokens_used >= 0)),
    CONSTRAINT cm_enhancement_sessions_duration_seconds_check CHECK ((duration_seconds >= 0)),
    CONSTRAINT cm_enhancement_sessions_enhancement_tokens_used_check CHECK ((enhancement_tokens_used >= 0)),
    CONSTRAINT cm_enhancement_sessions_enhancement_type_check CHECK ((enhancement_type = ANY (ARRAY['targeted'::text, 'comprehensive'::text, 'research_driven'::text]))),
    CONSTRAINT cm_enhancement_sessions_quality_score_after_check CHECK (((quality_score_after >= (0)::numeric) AND (quality_score_after <= (10)::numeric))),
    CONSTRAINT cm_enhancement_sessions_quality_score_before_check CHECK (((quality_score_before >= (0)::numeric) AND (quality_score_before <= (10)::numeric))),
    CONSTRAINT cm_enhancement_sessions_status_check CHECK ((status = ANY (ARRAY['started'::text, 'research_complete'::text, 'content_enhanced'::text, 'completed'::text, 'failed'::text]))),
    CONSTRAINT cm_enhancement_sessions_word_count_after_check CHECK ((word_count_after >= 0)),
    CONSTRAINT cm_enhancement_sessions_word_count_before_check CHECK ((word_count_before >= 0))
);

CREATE TABLE public.cm_module_content_revisions (
    revision_id uuid DEFAULT gen_random_uuid() NOT NULL,
    content_id uuid NOT NULL,
    company_id uuid NOT NULL,
    version integer NOT NULL,
    replaced_by_version integer NOT NULL,
    status text NOT NULL,
    introduction text,
    core_content text,
    practical_applications text,
    case_studies text,
    assessments text,
    edited_by uuid,
    edited_via text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT cm_module_content_revisions_edited_via_check CHECK ((edited_via = ANY (ARRAY['api'::text, 'pipeline'::text]))),
    CONSTRAINT cm_module_content_revisions_replaced_by_check CHECK ((replaced_by_version = (version + 1))),
    CONSTRAINT cm_module_content_revisions_version_check CHECK ((version >= 1))
);

CREATE TABLE public.cm_quality_assessments (
    assessment_id uuid DEFAULT gen_random_uuid() NOT NULL,
    content_id uuid NOT NULL,
    company_id uuid NOT NULL,
    overall_score numeric(3,1) NOT NULL,
    section_scores jsonb DEFAULT '{}'::jsonb NOT NULL,
    accuracy_score numeric(3,1),
    clarity_score numeric(3,1),
    completeness_score numeric(3,1),
    engagement_score numeric(3,1),
    personalization_score numeric(3,1),
    source_credibility_score numeric(3,1),
    currency_timeliness_score numeric(3,1),
    source_diversity_score numeric(3,1),
    evidence_quality_score numeric(3,1),
    quality_feedback text,
    word_count_assessment jsonb DEFAULT '{}'::jsonb NOT NULL,
    critical_issues text[] DEFAULT '{}'::text[] NOT NULL,
    improvement_suggestions text[] DEFAULT '{}'::text[] NOT NULL,
    assessment_criteria text DEFAULT 'accuracy,clarity,completeness,engagement,personalization'::text NOT NULL,
    module_context jsonb,
    passed boolean DEFAULT false NOT NULL,
    requires_revision boolean DEFAULT false NOT NULL,
    sections_needing_work text[] DEFAULT '{}'::text[] NOT NULL,
    assessed_by uuid,
    assessed_at timestamp with time zone DEFAULT now() NOT NULL,
    assessment_duration_seconds integer,
    enhanced_assessment boolean DEFAULT false NOT NULL,
    assessment_methodology text DEFAULT 'standard_5_dimensional'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT cm_quality_assessments_accuracy_score_check CHECK (((accuracy_score >= (0)::numeric) AND (accuracy_score <= (10)::numeric))),
    CONSTRAINT cm_quality_assessments_assessment_methodology_check CHECK ((assessment_methodology = ANY (ARRAY['standard_5_dimensional'::text, 'enhanced_9_dimensional'::text]))),
    CONSTRAINT cm_quality_assessments_clarity_score_check CHECK (((clarity_score >= (0)::numeric) AND (clarity_score <= (10)::numeric))),
    CONSTRAINT cm_quality_assessments_completeness_score_check CHECK (((completeness_score >= (0)::numeric) AND (completeness_score <= (10)::numeric))),
    CONSTRAINT cm_quality_assessments_currency_timeliness_score_check CHECK (((currency_timeliness_score >= (0)::numeric) AND (currency_timeliness_score <= (10)::numeric))),
    CONSTRAINT cm_quality_assessments_duration_check CHECK ((assessment_duration_seconds >= 0)),
    CONSTRAINT cm_quality_assessments_engagement_score_check CHECK (((engagement_score >= (0)::numeric) AND (engagement_score <= (10)::numeric))),
    CONSTRAINT cm_quality_assessments_evidence_quality_score_check CHECK (((evidence_quality_score >= (0)::numeric) AND (evidence_quality_score <= (10)::numeric))),
    CONSTRAINT cm_quality_assessments_module_context_shape_check CHECK ((jsonb_typeof(module_context) = 'object'::text)),
    CONSTRAINT cm_quality_assessments_overall_score_check CHECK (((overall_score >= (0)::numeric) AND (overall_score <= (10)::numeric))),
    CONSTRAINT cm_quality_assessments_personalization_score_check CHECK (((personalization_score >= (0)::numeric) AND (personalization_score <= (10)::numeric))),
    CONSTRAINT cm_quality_assessments_section_scores_shape_check CHECK ((jsonb_typeof(section_scores) = 'object'::text)),
    CONSTRAINT cm_quality_assessments_source_credibility_score_check CHECK (((source_credibility_score >= (0)::numeric) AND (source_credibility_score <= (10)::numeric))),
    CONSTRAINT cm_quality_assessments_source_diversity_score_check CHECK (((source_diversity_score >= (0)::numeric) AND (source_diversity_score <= (10)::numeric))),
    CONSTRAINT cm_quality_assessments_word_count_assessment_shape_check CHECK ((jsonb_typeof(word_count_assessment) = 'object'::text))
);

CREATE TABLE public.cm_research_results (
    research_id uuid DEFAULT gen_random_uuid() NOT NULL,
    company_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    session_id text NOT NULL,
    research_findings jsonb DEFAULT '{}'::jsonb NOT NULL,
    content_library jsonb DEFAULT '{}'::jsonb NOT NULL,
    module_mappings jsonb DEFAULT '{}'::jsonb NOT NULL,
    total_topics integer DEFAULT 0 NOT NULL,
    total_sources integer DEFAULT 0 NOT NULL,
    research_agent_version text DEFAULT 'v2'::text NOT NULL,
    search_queries jsonb DEFAULT '[]'::jsonb NOT NULL,
    sources_analyzed jsonb DEFAULT '[]'::jsonb NOT NULL,
    synthesis_sessions jsonb DEFAULT '[]'::jsonb NOT NULL,
    tool_calls jsonb DEFAULT '[]'::jsonb NOT NULL,
    execution_metrics jsonb DEFAULT '{}'::jsonb NOT NULL,
    source_types jsonb,
    credibility_analysis jsonb,
    research_methodology text,
    enhanced_features_used jsonb,
    status text DEFAULT 'started'::text NOT NULL,
    error_message text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT cm_research_results_content_library_shape_check CHECK ((jsonb_typeof(content_library) = 'object'::text)),
    CONSTRAINT cm_research_results_credibility_analysis_shape_check CHECK ((jsonb_typeof(credibility_analysis) = ANY (ARRAY['object'::text, 'array'::text]))),
    CONSTRAINT cm_research_results_enhanced_features_used_shape_check CHECK ((jsonb_typeof(enhanced_features_used) = ANY (ARRAY['object'::text, 'array'::text]))),
    CONSTRAINT cm_research_results_execution_metrics_shape_check CHECK ((jsonb_typeof(execution_metrics) = 'object'::text)),
    CONSTRAINT cm_research_results_module_mappings_shape_check CHECK ((jsonb_typeof(module_mappings) = 'object'::text)),
    CONSTRAINT cm_research_results_research_findings_shape_check CHECK ((jsonb_typeof(research_findings) = 'object'::text)),
    CONSTRAINT cm_research_results_search_queries_check CHECK ((jsonb_typeof(search_queries) = 'array'::text)),
    CONSTRAINT cm_research_results_source_types_shape_check CHECK ((jsonb_typeof(source_types) = ANY (ARRAY['object'::text, 'array'::text]))),
    CONSTRAINT cm_research_results_sources_analyzed_check CHECK ((jsonb_typeof(sources_analyzed) = 'array'::text)),
    CONSTRAINT cm_research_results_status_check CHECK ((status = ANY (ARRAY['started'::text, 'completed'::text, 'failed'::text]))),
    CONSTRAINT cm_research_results_synthesis_sessions_check CHECK ((jsonb_typeof(synthesis_sessions) = 'array'::text)),
    CONSTRAINT cm_research_results_tool_calls_check CHECK ((jsonb_typeof(tool_calls) = 'array'::text)),
    CONSTRAINT cm_research_results_total_sources_check CHECK ((total_sources >= 0)),
    CONSTRAINT cm_research_results_total_topics_check CHECK ((total_topics >= 0))
);

CREATE TABLE public.companies (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    domain text NOT NULL,
    logo_url text,
    settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    plan_type text DEFAULT 'trial'::text NOT NULL,
    max_employees integer DEFAULT 10 NOT NULL,
    max_courses integer DEFAULT 5 NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT companies_max_courses_check CHECK ((max_courses >= 0)),
    CONSTRAINT companies_max_employees_check CHECK ((max_employees >= 0)),
    CONSTRAINT companies_plan_type_check CHECK ((plan_type = ANY (ARRAY['trial'::text, 'basic'::text, 'premium'::text, 'enterprise'::text]))),
    CONSTRAINT companies_settings_shape_check CHECK ((jsonb_typeof(settings) = 'object'::text))
);

CREATE TABLE public.employees (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    company_id uuid NOT NULL,
    employee_id text,
    department text,
    "position" text,
    employee_role text,
    career_goal text,
    manager_id uuid,
    skill_level text DEFAULT 'beginner'::text NOT NULL,
    learning_style jsonb,
    key_tools text[] DEFAULT '{}'::text[] NOT NULL,
    courses_completed integer DEFAULT 0 NOT NULL,
    total_learning_hours numeric(8,2) DEFAULT 0 NOT NULL,
    last_activity timestamp with time zone,
    is_active boolean DEFAULT true NOT NULL,
    hired_date date,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT employees_courses_completed_check CHECK ((courses_completed >= 0)),
    CONSTRAINT employees_learning_style_shape_check CHECK ((jsonb_typeof(learning_style) = 'object'::text)),
    CONSTRAINT employees_skill_level_check CHECK ((skill_level = ANY (ARRAY['beginner'::text, 'intermediate'::text, 'advanced'::text]))),
    CONSTRAINT employees_total_learning_hours_check CHECK ((total_learning_hours >= (0)::numeric))
);

CREATE TABLE public.mm_audio_narrations (
    narration_id uuid DEFAULT gen_random_uuid() NOT NULL,
    session_id uuid NOT NULL,
    content_id uuid NOT NULL,
    company_id uuid NOT NULL,
    narration_name text NOT NULL,
    narration_type text DEFAULT 'full_module'::text NOT NULL,
    section_name text,
    total_duration_seconds numeric(8,2) DEFAULT 0 NOT NULL,
    audio_segments jsonb DEFAULT '[]'::jsonb NOT NULL,
    voice_config jsonb DEFAULT '{}'::jsonb NOT NULL,
    script_content text,
    master_audio_id uuid,
    segments_audio_ids uuid[] DEFAULT '{}'::uuid[] NOT NULL,
    synthesis_completed boolean DEFAULT false NOT NULL,
    segments_merged boolean DEFAULT false NOT NULL,
    status text DEFAULT 'draft'::text NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mm_audio_narrations_audio_segments_shape_check CHECK ((jsonb_typeof(audio_segments) = 'array'::text)),
    CONSTRAINT mm_audio_narrations_narration_name_length_check CHECK ((char_length(narration_name) <= 1000)),
    CONSTRAINT mm_audio_narrations_narration_type_check CHECK ((narration_type = ANY (ARRAY['full_module'::text, 'section'::text, 'section_narration'::text, 'slide_narration'::text]))),
    CONSTRAINT mm_audio_narrations_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'generated'::text, 'processed'::text, 'published'::text]))),
    CONSTRAINT mm_audio_narrations_total_duration_seconds_check CHECK ((total_duration_seconds >= (0)::numeric)),
    CONSTRAINT mm_audio_narrations_voice_config_shape_check CHECK ((jsonb_typeof(voice_config) = 'object'::text))
);

CREATE TABLE public.mm_multimedia_assets (
    asset_id uuid DEFAULT gen_random_uuid() NOT NULL,
    session_id uuid NOT NULL,
    content_id uuid NOT NULL,
    company_id uuid NOT NULL,
    asset_type text NOT NULL,
    asset_name text NOT NULL,
    file_path text NOT NULL,
    file_size_bytes bigint,
    mime_type text,
    section_name text,
    slide_number integer,
    duration_seconds numeric(8,2),
    generation_config jsonb DEFAULT '{}'::jsonb NOT NULL,
    quality_metrics jsonb DEFAULT '{}'::jsonb NOT NULL,
    processing_time_seconds numeric(10,2),
    tokens_used integer DEFAULT 0 NOT NULL,
    generation_prompt text,
    status text DEFAULT 'generated'::text NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    storage_bucket text DEFAULT 'multimedia-assets'::text NOT NULL,
    storage_path text,
    public_url text,
    version_number integer DEFAULT 1 NOT NULL,
    parent_asset_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mm_multimedia_assets_asset_name_length_check CHECK ((char_length(asset_name) <= 1000)),
    CONSTRAINT mm_multimedia_assets_asset_type_check CHECK ((asset_type = ANY (ARRAY['slide'::text, 'audio'::text, 'video'::text, 'image'::text, 'document'::text, 'script'::text, 'thumbnail'::text]))),
    CONSTRAINT mm_multimedia_assets_duration_seconds_check CHECK ((duration_seconds >= (0)::numeric)),
    CONSTRAINT mm_multimedia_assets_file_size_bytes_check CHECK ((file_size_bytes >= 0)),
    CONSTRAINT mm_multimedia_assets_generation_config_shape_check CHECK ((jsonb_typeof(generation_config) = 'object'::text)),
    CONSTRAINT mm_multimedia_assets_processing_time_seconds_check CHECK ((processing_time_seconds >= (0)::numeric)),
    CONSTRAINT mm_multimedia_assets_quality_metrics_shape_check CHECK ((jsonb_typeof(quality_metrics) = 'object'::text)),
    CONSTRAINT mm_multimedia_assets_slide_number_check CHECK ((slide_number >= 0)),
    CONSTRAINT mm_multimedia_assets_status_check CHECK ((status = ANY (ARRAY['generated'::text, 'processed'::text, 'optimized'::text, 'failed'::text]))),
    CONSTRAINT mm_multimedia_assets_tokens_used_check CHECK ((tokens_used >= 0)),
    CONSTRAINT mm_multimedia_assets_version_number_check CHECK ((version_number >= 1))
);

CREATE TABLE public.mm_multimedia_sessions (
    session_id uuid DEFAULT gen_random_uuid() NOT NULL,
    content_id uuid NOT NULL,
    company_id uuid NOT NULL,
    session_type text DEFAULT 'full_generation'::text NOT NULL,
    module_name text NOT NULL,
    employee_name text NOT NULL,
    generation_config jsonb DEFAULT '{}'::jsonb NOT NULL,
    content_sections text[] DEFAULT '{}'::text[] NOT NULL,
    status text DEFAULT 'started'::text NOT NULL,
    current_stage text DEFAULT 'initialization'::text NOT NULL,
    progress_percentage numeric(5,2) DEFAULT 0 NOT NULL,
    total_assets_generated integer DEFAULT 0 NOT NULL,
    slides_generated integer DEFAULT 0 NOT NULL,
    audio_files_generated integer DEFAULT 0 NOT NULL,
    video_files_generated integer DEFAULT 0 NOT NULL,
    processing_duration_seconds integer,
    tokens_used integer DEFAULT 0 NOT NULL,
    error_details text,
    retry_count integer DEFAULT 0 NOT NULL,
    initiated_by uuid,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    completed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version_reason text,
    render_priority integer DEFAULT 0 NOT NULL,
    CONSTRAINT mm_multimedia_sessions_audio_files_generated_check CHECK ((audio_files_generated >= 0)),
    CONSTRAINT mm_multimedia_sessions_current_stage_check CHECK ((current_stage = ANY (ARRAY['initialization'::text, 'script_generation'::text, 'slide_generation'::text, 'audio_generation'::text, 'video_assembly'::text, 'uploading'::text, 'completed'::text]))),
    CONSTRAINT mm_multimedia_sessions_employee_name_length_check CHECK ((char_length(employee_name) <= 1000)),
    CONSTRAINT mm_multimedia_sessions_generation_config_shape_check CHECK ((jsonb_typeof(generation_config) = 'object'::text)),
    CONSTRAINT mm_multimedia_sessions_module_name_length_check CHECK ((char_length(module_name) <= 1000)),
    CONSTRAINT mm_multimedia_sessions_processing_duration_check CHECK ((processing_duration_seconds >= 0)),
    CONSTRAINT mm_multimedia_sessions_progress_percentage_check CHECK (((progress_percentage >= (0)::numeric) AND (progress_percentage <= (100)::numeric))),
    CONSTRAINT mm_multimedia_sessions_render_priority_check CHECK (((render_priority >= 0) AND (render_priority <= 100))),
    CONSTRAINT mm_multimedia_sessions_retry_count_check CHECK ((retry_count >= 0)),
    CONSTRAINT mm_multimedia_sessions_session_type_check CHECK ((session_type = ANY (ARRAY['full_generation'::text, 'slide_only'::text, 'audio_only'::text, 'video_only'::text, 'section_video'::text]))),
    CONSTRAINT mm_multimedia_sessions_slides_generated_check CHECK ((slides_generated >= 0)),
    CONSTRAINT mm_multimedia_sessions_status_check CHECK ((status = ANY (ARRAY['started'::text, 'processing'::text, 'completed'::text, 'failed'::text]))),
    CONSTRAINT mm_multimedia_sessions_tokens_used_check CHECK ((tokens_used >= 0)),
    CONSTRAINT mm_multimedia_sessions_total_assets_generated_check CHECK ((total_assets_generated >= 0)),
    CONSTRAINT mm_multimedia_sessions_version_reason_check CHECK ((length(version_reason) <= 500)),
    CONSTRAINT mm_multimedia_sessions_video_files_generated_check CHECK ((video_files_generated >= 0))
);

CREATE TABLE public.mm_rendering_queue (
    render_id uuid DEFAULT gen_random_uuid() NOT NULL,
    session_id uuid NOT NULL,
    content_id uuid NOT NULL,
    company_id uuid NOT NULL,
    kind text NOT NULL,
    priority integer DEFAULT 0 NOT NULL,
    status text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    worker text,
    delivery_id bigint NOT NULL,
    queued_at timestamp with time zone NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mm_rendering_queue_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT mm_rendering_queue_kind_check CHECK ((kind = ANY (ARRAY['slides'::text, 'narration'::text, 'video'::text]))),
    CONSTRAINT mm_rendering_queue_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'rendering'::text, 'done'::text, 'failed'::text])))
);

CREATE TABLE public.mm_slide_presentations (
    presentation_id uuid DEFAULT gen_random_uuid() NOT NULL,
    session_id uuid NOT NULL,
    content_id uuid NOT NULL,
    company_id uuid NOT NULL,
    presentation_name text NOT NULL,
    presentation_type text DEFAULT 'module_slides'::text NOT NULL,
    total_slides integer DEFAULT 0 NOT NULL,
    slide_order jsonb DEFAULT '[]'::jsonb NOT NULL,
    template_used text,
    theme_config jsonb DEFAULT '{}'::jsonb NOT NULL,
    pdf_generated boolean DEFAULT false NOT NULL,
    pptx_generated boolean DEFAULT false NOT NULL,
    html_generated boolean DEFAULT false NOT NULL,
    pdf_asset_id uuid,
    pptx_asset_id uuid,
    html_asset_id uuid,
    status text DEFAULT 'draft'::text NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mm_slide_presentations_presentation_name_length_check CHECK ((char_length(presentation_name) <= 1000)),
    CONSTRAINT mm_slide_presentations_presentation_type_check CHECK ((presentation_type = ANY (ARRAY['module_slides'::text, 'section_slides'::text, 'summary_slides'::text]))),
    CONSTRAINT mm_slide_presentations_slide_order_shape_check CHECK ((jsonb_typeof(slide_order) = 'array'::text)),
    CONSTRAINT mm_slide_presentations_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'generated'::text, 'exported'::text, 'published'::text]))),
    CONSTRAINT mm_slide_presentations_theme_config_shape_check CHECK ((jsonb_typeof(theme_config) = 'object'::text)),
    CONSTRAINT mm_slide_presentations_total_slides_check CHECK ((total_slides >= 0))
);

CREATE TABLE public.mm_video_analytics (
    view_id uuid DEFAULT gen_random_uuid() NOT NULL,
    asset_id uuid NOT NULL,
    session_id uuid NOT NULL,
    content_id uuid NOT NULL,
    company_id uuid NOT NULL,
    viewer_id uuid,
    seconds_watched numeric(10,2) NOT NULL,
    completed boolean NOT NULL,
    video_seconds numeric(8,2),
    watched_at timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mm_video_analytics_seconds_watched_check CHECK ((seconds_watched >= (0)::numeric))
);

CREATE TABLE public.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email text NOT NULL,
    full_name text NOT NULL,
    role text DEFAULT 'learner'::text NOT NULL,
    company_id uuid,
    "position" text,
    department text,
    phone text,
    avatar_url text,
    learning_preferences jsonb DEFAULT '{}'::jsonb NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    email_verified boolean DEFAULT false NOT NULL,
    last_login timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_learning_preferences_shape_check CHECK ((jsonb_typeof(learning_preferences) = 'object'::text)),
    CONSTRAINT users_metadata_shape_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT users_role_check CHECK ((role = ANY (ARRAY['super_admin'::text, 'company_admin'::text, 'learner'::text]))),
    CONSTRAINT users_role_company_check CHECK ((((role <> 'super_admin'::text) OR (company_id IS NULL)) AND ((role <> 'company_admin'::text) OR (company_id IS NOT NULL))))
);

CREATE TABLE supabase_migrations.schema_migrations (
    version text NOT NULL,
    statements text[],
    name text
);

ALTER TABLE ONLY pipeline.audit_log ATTACH PARTITION pipeline.audit_log_default DEFAULT;

ALTER TABLE ONLY pipeline.events ATTACH PARTITION pipeline.events_default DEFAULT;

ALTER TABLE ONLY pipeline.audit_log ALTER COLUMN audit_id SET DEFAULT nextval('pipeline.audit_log_audit_id_seq'::regclass);

ALTER TABLE ONLY pipeline.events ALTER COLUMN event_id SET DEFAULT nextval('pipeline.events_event_id_seq'::regclass);

ALTER TABLE ONLY public.cm_module_content
    ADD CONSTRAINT cm_module_content_pkey PRIMARY KEY (content_id);

CREATE MATERIALIZED VIEW pipeline.analytics_enhancement_loops AS
 SELECT c.content_id,
    c.company_id,
    c.module_name,
    c.status,
    c.revision_count,
    count(e.session_id) AS enhancement_rounds,
    count(e.session_id) FILTER (WHERE (e.status = 'completed'::text)) AS completed_rounds
   FROM (public.cm_module_content c
     LEFT JOIN public.cm_enhancement_sessions e ON ((e.content_id = c.content_id)))
  GROUP BY c.content_id
  WITH NO DATA;

CREATE MATERIALIZED VIEW pipeline.analytics_module_views AS
 SELECT c.content_id,
    c.company_id,
    c.module_name,
    count(DISTINCT v.asset_id) AS videos_viewed,
    count(v.view_id) AS views,
    count(DISTINCT v.viewer_id) AS viewers,
    COALESCE(round(avg(v.seconds_watched), 2), (0)::numeric) AS avg_seconds_watched,
    COALESCE(round(avg((v.completed)::integer), 4), (0)::numeric) AS completion_rate,
    max(v.watched_at) AS last_viewed_at
   FROM (public.cm_module_content c
     LEFT JOIN public.mm_video_analytics v ON ((v.content_id = c.content_id)))
  GROUP BY c.content_id
  WITH NO DATA;

ALTER TABLE ONLY public.mm_multimedia_assets
    ADD CONSTRAINT mm_multimedia_assets_pkey PRIMARY KEY (asset_id);

CREATE MATERIALIZED VIEW pipeline.analytics_video_views AS
 SELECT a.asset_id,
    a.company_id,
    a.content_id,
    a.session_id,
    a.duration_seconds,
    count(v.view_id) AS views,
    count(DISTINCT v.viewer_id) AS viewers,
    COALESCE(round(avg(v.seconds_watched), 2), (0)::numeric) AS avg_seconds_watched,
    COALESCE(round(avg((v.completed)::integer), 4), (0)::numeric) AS completion_rate,
    max(v.watched_at) AS last_viewed_at
   FROM (public.mm_multimedia_assets a
     LEFT JOIN public.mm_video_analytics v ON ((v.asset_id = a.asset_id)))
  WHERE (a.asset_type = 'video'::text)
  GROUP BY a.asset_id
  WITH NO DATA;

ALTER TABLE ONLY pipeline.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (audit_id, finished_at);

ALTER TABLE ONLY pipeline.audit_log_default
    ADD CONSTRAINT audit_log_default_pkey PRIMARY KEY (audit_id, finished_at);

ALTER TABLE ONLY pipeline.content_archive_log
    ADD CONSTRAINT content_archive_log_pkey PRIMARY KEY (log_id);

ALTER TABLE ONLY pipeline.content_archive
    ADD CONSTRAINT content_archive_pkey PRIMARY KEY (content_id);

ALTER TABLE ONLY pipeline.deliveries
    ADD CONSTRAINT deliveries_pkey PRIMARY KEY (delivery_id);

ALTER TABLE ONLY pipeline.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (event_id, committed_at);

ALTER TABLE ONLY pipeline.events_default
    ADD CONSTRAINT events_default_pkey PRIMARY KEY (event_id, committed_at);

ALTER TABLE ONLY pipeline.operator_actions
    ADD CONSTRAINT operator_actions_pkey PRIMARY KEY (action_id);

ALTER TABLE ONLY pipeline.paused_groups
    ADD CONSTRAINT paused_groups_pkey PRIMARY KEY (handler_group);

ALTER TABLE ONLY pipeline.pruned_partitions
    ADD CONSTRAINT pruned_partitions_pkey PRIMARY KEY (pruned_id);

ALTER TABLE ONLY pipeline.router_state
    ADD CONSTRAINT router_state_pkey PRIMARY KEY (singleton);

ALTER TABLE ONLY pipeline.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

ALTER TABLE ONLY pipeline.status_columns
    ADD CONSTRAINT status_columns_pkey PRIMARY KEY (table_name, status_column);

ALTER TABLE ONLY pipeline.subscriptions
    ADD CONSTRAINT subscriptions_pkey PRIMARY KEY (handler);

ALTER TABLE ONLY pipeline.transitions
    ADD CONSTRAINT transitions_pkey PRIMARY KEY (table_name, status_column, from_status, to_status);

ALTER TABLE ONLY public.cm_course_plans
    ADD CONSTRAINT cm_course_plans_pkey PRIMARY KEY (plan_id);

ALTER TABLE ONLY public.cm_course_plans
    ADD CONSTRAINT cm_course_plans_plan_company_key UNIQUE (plan_id, company_id);

ALTER TABLE ONLY public.cm_enhancement_sessions
    ADD CONSTRAINT cm_enhancement_sessions_pkey PRIMARY KEY (session_id);

ALTER TABLE ONLY public.cm_enhancement_sessions
    ADD CONSTRAINT cm_enhancement_sessions_session_company_key UNIQUE (session_id, company_id);

ALTER TABLE ONLY public.cm_module_content
    ADD CONSTRAINT cm_module_content_content_company_key UNIQUE (content_id, company_id);

ALTER TABLE ONLY public.cm_module_content_revisions
    ADD CONSTRAINT cm_module_content_revisions_content_version_key UNIQUE (content_id, version);

ALTER TABLE ONLY public.cm_module_content_revisions
    ADD CONSTRAINT cm_module_content_revisions_pkey PRIMARY KEY (revision_id);

ALTER TABLE ONLY public.cm_quality_assessments
    ADD CONSTRAINT cm_quality_assessments_assessment_company_key UNIQUE (assessment_id, company_id);

ALTER TABLE ONLY public.cm_quality_assessments
    ADD CONSTRAINT cm_quality_assessments_pkey PRIMARY KEY (assessment_id);

ALTER TABLE ONLY public.cm_research_results
    ADD CONSTRAINT cm_research_results_pkey PRIMARY KEY (research_id);

ALTER TABLE ONLY public.companies
    ADD CONSTRAINT companies_domain_key UNIQUE (domain);

ALTER TABLE ONLY public.companies
    ADD CONSTRAINT companies_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.employees
    ADD CONSTRAINT employees_id_company_key UNIQUE (id, company_id);

ALTER TABLE ONLY public.employees
    ADD CONSTRAINT employees_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.employees
    ADD CONSTRAINT employees_user_key UNIQUE (user_id);

ALTER TABLE ONLY public.mm_audio_narrations
    ADD CONSTRAINT mm_audio_narrations_pkey PRIMARY KEY (narration_id);

ALTER TABLE ONLY public.mm_media_versions
    ADD CONSTRAINT mm_media_versions_content_section_version_key UNIQUE (content_id, section_name, version);

ALTER TABLE ONLY public.mm_media_versions
    ADD CONSTRAINT mm_media_versions_pkey PRIMARY KEY (version_id);

ALTER TABLE ONLY public.mm_media_versions
    ADD CONSTRAINT mm_media_versions_session_key UNIQUE (session_id);

ALTER TABLE ONLY public.mm_multimedia_assets
    ADD CONSTRAINT mm_multimedia_assets_asset_company_key UNIQUE (asset_id, company_id);

ALTER TABLE ONLY public.mm_multimedia_assets
    ADD CONSTRAINT mm_multimedia_assets_session_file_key UNIQUE (session_id, file_path);

ALTER TABLE ONLY public.mm_multimedia_sessions
    ADD CONSTRAINT mm_multimedia_sessions_pkey PRIMARY KEY (session_id);

ALTER TABLE ONLY public.mm_multimedia_sessions
    ADD CONSTRAINT mm_multimedia_sessions_session_company_key UNIQUE (session_id, company_id);

ALTER TABLE ONLY public.mm_rendering_queue
    ADD CONSTRAINT mm_rendering_queue_pkey PRIMARY KEY (render_id);

ALTER TABLE ONLY public.mm_rendering_queue
    ADD CONSTRAINT mm_rendering_queue_session_kind_key UNIQUE (session_id, kind);

ALTER TABLE ONLY public.mm_script_generations
    ADD CONSTRAINT mm_script_generations_pkey PRIMARY KEY (generation_id);

ALTER TABLE ONLY public.mm_slide_presentations
    ADD CONSTRAINT mm_slide_presentations_pkey PRIMARY KEY (presentation_id);

ALTER TABLE ONLY public.mm_video_analytics
    ADD CONSTRAINT mm_video_analytics_pkey PRIMARY KEY (view_id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_email_key UNIQUE (email);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

ALTER TABLE ONLY supabase_migrations.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

CREATE UNIQUE INDEX analytics_enhancement_loops_key ON pipeline.analytics_enhancement_loops USING btree (content_id);

CREATE UNIQUE INDEX analytics_module_views_key ON pipeline.analytics_module_views USING btree (content_id);

CREATE UNIQUE INDEX analytics_stage_stats_key ON pipeline.analytics_stage_stats USING btree (handler);

CREATE UNIQUE INDEX analytics_video_views_key ON pipeline.analytics_video_views USING btree (asset_id);

CREATE INDEX audit_log_delivery_idx ON ONLY pipeline.audit_log USING btree (delivery_id);

CREATE INDEX audit_log_default_delivery_id_idx ON pipeline.audit_log_default USING btree (delivery_id);

CREATE INDEX audit_log_entity_idx ON ONLY pipeline.audit_log USING btree (entity_id, audit_id);

CREATE INDEX audit_log_default_entity_id_audit_id_idx ON pipeline.audit_log_default USING btree (entity_id, audit_id);

CREATE INDEX audit_log_event_idx ON ONLY pipeline.audit_log USING btree (event_id);

CREATE INDEX audit_log_default_event_id_idx ON pipeline.audit_log_default USING btree (event_id);

CREATE INDEX content_archive_archived_at_idx ON pipeline.content_archive USING btree (archived_at);

CREATE INDEX content_archive_company_idx ON pipeline.content_archive USING btree (company_id);

CREATE INDEX content_archive_log_content_idx ON pipeline.content_archive_log USING btree (content_id, log_id);

CREATE INDEX deliveries_dead_idx ON pipeline.deliveries USING btree (delivery_id) WHERE (state = 'dead'::text);

CREATE INDEX deliveries_event_idx ON pipeline.deliveries USING btree (event_id);

CREATE INDEX deliveries_open_entity_idx ON pipeline.deliveries USING btree (entity_id, event_id) WHERE (state = ANY (ARRAY['pending'::text, 'running'::text]));

CREATE INDEX deliveries_pending_priority_idx ON pipeline.deliveries USING btree (priority DESC, delivery_id) WHERE (state = 'pending'::text);

CREATE INDEX deliveries_running_idx ON pipeline.deliveries USING btree (lease_until) WHERE (state = 'running'::text);

CREATE INDEX events_causation_idx ON ONLY pipeline.events USING btree (causation_id) WHERE (causation_id IS NOT NULL);

CREATE INDEX events_correlation_idx ON ONLY pipeline.events USING btree (correlation_id, event_id) WHERE (correlation_id <> entity_id);

CREATE INDEX events_default_causation_id_idx ON pipeline.events_default USING btree (causation_id) WHERE (causation_id IS NOT NULL);

CREATE INDEX events_default_correlation_id_event_id_idx ON pipeline.events_default USING btree (correlation_id, event_id) WHERE (correlation_id <> entity_id);

CREATE INDEX events_entity_idx ON ONLY pipeline.events USING btree (entity_id, event_id);

CREATE INDEX events_default_entity_id_event_id_idx ON pipeline.events_default USING btree (entity_id, event_id);

CREATE INDEX events_txid_idx ON ONLY pipeline.events USING btree (txid);

CREATE INDEX events_default_txid_idx ON pipeline.events_default USING btree (txid);

CREATE INDEX operator_actions_acted_idx ON pipeline.operator_actions USING btree (acted_at);

CREATE INDEX pruned_partitions_ids_idx ON pipeline.pruned_partitions USING btree (parent, min_id, max_id);

CREATE INDEX subscriptions_match_idx ON pipeline.subscriptions USING btree (table_name, status_column) WHERE active;

CREATE INDEX cm_course_plans_approved_by_idx ON public.cm_course_plans USING btree (approved_by);

CREATE INDEX cm_course_plans_company_idx ON public.cm_course_plans USING btree (company_id);

CREATE INDEX cm_course_plans_created_at_idx ON public.cm_course_plans USING btree (created_at);

CREATE INDEX cm_course_plans_employee_idx ON public.cm_course_plans USING btree (employee_id);

CREATE INDEX cm_course_plans_session_idx ON public.cm_course_plans USING btree (session_id);

CREATE INDEX cm_course_plans_status_idx ON public.cm_course_plans USING btree (status);

CREATE INDEX cm_enhancement_sessions_company_idx ON public.cm_enhancement_sessions USING btree (company_id);

CREATE INDEX cm_enhancement_sessions_content_idx ON public.cm_enhancement_sessions USING btree (content_id);

CREATE INDEX cm_enhancement_sessions_created_at_idx ON public.cm_enhancement_sessions USING btree (created_at);

CREATE INDEX cm_enhancement_sessions_initiated_by_idx ON public.cm_enhancement_sessions USING btree (initiated_by);

CREATE INDEX cm_enhancement_sessions_quality_assessment_idx ON public.cm_enhancement_sessions USING btree (quality_assessment_id);

CREATE INDEX cm_enhancement_sessions_status_idx ON public.cm_enhancement_sessions USING btree (status);

CREATE INDEX cm_module_content_approval_pending_idx ON public.cm_module_content USING btree (company_id) WHERE (approval_status = 'pending'::text);

CREATE INDEX cm_module_content_assigned_to_idx ON public.cm_module_content USING btree (assigned_to);

CREATE INDEX cm_module_content_company_idx ON public.cm_module_content USING btree (company_id);

CREATE INDEX cm_module_content_created_at_idx ON public.cm_module_content USING btree (created_at);

CREATE INDEX cm_module_content_created_by_idx ON public.cm_module_content USING btree (created_by);

CREATE INDEX cm_module_content_current_version_idx ON public.cm_module_content USING btree (content_id) WHERE is_current_version;

CREATE INDEX cm_module_content_employee_name_idx ON public.cm_module_content USING btree (employee_name);

CREATE INDEX cm_module_content_last_edited_by_idx ON public.cm_module_content USING btree (last_edited_by);

CREATE INDEX cm_module_content_last_enhancement_idx ON public.cm_module_content USING btree (last_enhancement_id);

CREATE INDEX cm_module_content_parent_content_idx ON public.cm_module_content USING btree (parent_content_id);

CREATE INDEX cm_module_content_plan_idx ON public.cm_module_content USING btree (plan_id);

CREATE INDEX cm_module_content_revisions_company_idx ON public.cm_module_content_revisions USING btree (company_id);

CREATE INDEX cm_module_content_search_idx ON public.cm_module_content USING gin (public.module_content_document(module_name, introduction, core_content, practical_applications, case_studies, assessments));

CREATE INDEX cm_module_content_section_status_idx ON public.cm_module_content USING gin (section_status);

CREATE INDEX cm_module_content_session_idx ON public.cm_module_content USING btree (session_id);

CREATE INDEX cm_module_content_status_idx ON public.cm_module_content USING btree (status);

CREATE INDEX cm_module_content_version_number_idx ON public.cm_module_content USING btree (version_number);

CREATE INDEX cm_quality_assessments_assessed_at_idx ON public.cm_quality_assessments USING btree (assessed_at);

CREATE INDEX cm_quality_assessments_assessed_by_idx ON public.cm_quality_assessments USING btree (assessed_by);

CREATE INDEX cm_quality_assessments_company_idx ON public.cm_quality_assessments USING btree (company_id);

CREATE INDEX cm_quality_assessments_content_idx ON public.cm_quality_assessments USING btree (content_id, assessed_at);

CREATE INDEX cm_quality_assessments_enhanced_idx ON public.cm_quality_assessments USING btree (assessment_id) WHERE enhanced_assessment;

CREATE INDEX cm_quality_assessments_overall_score_idx ON public.cm_quality_assessments USING btree (overall_score);

CREATE INDEX cm_quality_assessments_passed_idx ON public.cm_quality_assessments USING btree (passed);

CREATE INDEX cm_research_results_company_idx ON public.cm_research_results USING btree (company_id);

CREATE INDEX cm_research_results_created_at_idx ON public.cm_research_results USING btree (created_at);

CREATE INDEX cm_research_results_plan_idx ON public.cm_research_results USING btree (plan_id);

CREATE INDEX cm_research_results_session_idx ON public.cm_research_results USING btree (session_id);

CREATE INDEX cm_research_results_status_idx ON public.cm_research_results USING btree (status);

CREATE INDEX companies_active_idx ON public.companies USING btree (is_active);

CREATE INDEX employees_company_idx ON public.employees USING btree (company_id);

CREATE INDEX employees_manager_idx ON public.employees USING btree (manager_id);

CREATE INDEX mm_audio_narrations_company_idx ON public.mm_audio_narrations USING btree (company_id);

CREATE INDEX mm_audio_narrations_content_idx ON public.mm_audio_narrations USING btree (content_id);

CREATE INDEX mm_audio_narrations_created_at_idx ON public.mm_audio_narrations USING btree (created_at);

CREATE INDEX mm_audio_narrations_master_audio_idx ON public.mm_audio_narrations USING btree (master_audio_id);

CREATE INDEX mm_audio_narrations_section_name_idx ON public.mm_audio_narrations USING btree (section_name);

CREATE INDEX mm_audio_narrations_session_idx ON public.mm_audio_narrations USING btree (session_id);

CREATE INDEX mm_audio_narrations_status_idx ON public.mm_audio_narrations USING btree (status);

CREATE INDEX mm_media_versions_company_idx ON public.mm_media_versions USING btree (company_id);

CREATE UNIQUE INDEX mm_media_versions_one_current_idx ON public.mm_media_versions USING btree (content_id, section_name) WHERE is_current;

CREATE INDEX mm_media_versions_session_company_idx ON public.mm_media_versions USING btree (session_id, company_id);

CREATE INDEX mm_multimedia_assets_active_idx ON public.mm_multimedia_assets USING btree (session_id) WHERE is_active;

CREATE INDEX mm_multimedia_assets_asset_type_idx ON public.mm_multimedia_assets USING btree (asset_type);

CREATE INDEX mm_multimedia_assets_company_idx ON public.mm_multimedia_assets USING btree (company_id);

CREATE INDEX mm_multimedia_assets_content_idx ON public.mm_multimedia_assets USING btree (content_id);

CREATE INDEX mm_multimedia_assets_created_at_idx ON public.mm_multimedia_assets USING btree (created_at);

CREATE INDEX mm_multimedia_assets_parent_asset_idx ON public.mm_multimedia_assets USING btree (parent_asset_id);

CREATE INDEX mm_multimedia_assets_section_name_idx ON public.mm_multimedia_assets USING btree (section_name);

CREATE INDEX mm_multimedia_assets_status_idx ON public.mm_multimedia_assets USING btree (status);

CREATE INDEX mm_multimedia_sessions_company_idx ON public.mm_multimedia_sessions USING btree (company_id);

CREATE INDEX mm_multimedia_sessions_content_idx ON public.mm_multimedia_sessions USING btree (content_id);

CREATE INDEX mm_multimedia_sessions_created_at_idx ON public.mm_multimedia_sessions USING btree (created_at);

CREATE INDEX mm_multimedia_sessions_initiated_by_idx ON public.mm_multimedia_sessions USING btree (initiated_by);

CREATE INDEX mm_multimedia_sessions_started_at_idx ON public.mm_multimedia_sessions USING btree (started_at);

CREATE INDEX mm_multimedia_sessions_status_idx ON public.mm_multimedia_sessions USING btree (status);

CREATE INDEX mm_rendering_queue_company_idx ON public.mm_rendering_queue USING btree (company_id);

CREATE INDEX mm_rendering_queue_content_idx ON public.mm_rendering_queue USING btree (content_id);

CREATE INDEX mm_rendering_queue_open_idx ON public.mm_rendering_queue USING btree (priority DESC, queued_at) WHERE (status = ANY (ARRAY['queued'::text, 'rendering'::text]));

CREATE INDEX mm_script_generations_company_idx ON public.mm_script_generations USING btree (company_id);

CREATE INDEX mm_script_generations_content_idx ON public.mm_script_generations USING btree (content_id);

CREATE INDEX mm_script_generations_created_at_idx ON public.mm_script_generations USING btree (created_at);

CREATE INDEX mm_script_generations_script_asset_idx ON public.mm_script_generations USING btree (script_asset_id);

CREATE INDEX mm_script_generations_session_idx ON public.mm_script_generations USING btree (session_id);

CREATE INDEX mm_slide_presentations_company_idx ON public.mm_slide_presentations USING btree (company_id);

CREATE INDEX mm_slide_presentations_content_idx ON public.mm_slide_presentations USING btree (content_id);

CREATE INDEX mm_slide_presentations_created_at_idx ON public.mm_slide_presentations USING btree (created_at);

CREATE INDEX mm_slide_presentations_html_asset_idx ON public.mm_slide_presentations USING btree (html_asset_id);

CREATE INDEX mm_slide_presentations_pdf_asset_idx ON public.mm_slide_presentations USING btree (pdf_asset_id);

CREATE INDEX mm_slide_presentations_pptx_asset_idx ON public.mm_slide_presentations USING btree (pptx_asset_id);

CREATE INDEX mm_slide_presentations_session_idx ON public.mm_slide_presentations USING btree (session_id);

CREATE INDEX mm_slide_presentations_status_idx ON public.mm_slide_presentations USING btree (status);

CREATE INDEX mm_video_analytics_asset_idx ON public.mm_video_analytics USING btree (asset_id);

CREATE INDEX mm_video_analytics_company_idx ON public.mm_video_analytics USING btree (company_id);

CREATE INDEX mm_video_analytics_content_company_idx ON public.mm_video_analytics USING btree (content_id, company_id);

CREATE INDEX mm_video_analytics_session_company_idx ON public.mm_video_analytics USING btree (session_id, company_id);

CREATE INDEX mm_video_analytics_viewer_idx ON public.mm_video_analytics USING btree (viewer_id);

CREATE INDEX users_company_idx ON public.users USING btree (company_id);

ALTER INDEX pipeline.audit_log_delivery_idx ATTACH PARTITION pipeline.audit_log_default_delivery_id_idx;

ALTER INDEX pipeline.audit_log_entity_idx ATTACH PARTITION pipeline.audit_log_default_entity_id_audit_id_idx;

ALTER INDEX pipeline.audit_log_event_idx ATTACH PARTITION pipeline.audit_log_default_event_id_idx;

ALTER INDEX pipeline.audit_log_pkey ATTACH PARTITION pipeline.audit_log_default_pkey;

ALTER INDEX pipeline.events_causation_idx ATTACH PARTITION pipeline.events_default_causation_id_idx;

ALTER INDEX pipeline.events_correlation_idx ATTACH PARTITION pipeline.events_default_correlation_id_event_id_idx;

ALTER INDEX pipeline.events_entity_idx ATTACH PARTITION pipeline.events_default_entity_id_event_id_idx;

ALTER INDEX pipeline.events_pkey ATTACH PARTITION pipeline.events_default_pkey;

ALTER INDEX pipeline.events_txid_idx ATTACH PARTITION pipeline.events_default_txid_idx;

CREATE TRIGGER deliveries_rendering_queue AFTER INSERT OR UPDATE OF state, attempts, leased_by ON pipeline.deliveries FOR EACH ROW WHEN ((new.handler = ANY (ARRAY['media.slides'::text, 'media.narration'::text, 'media.video'::text]))) EXECUTE FUNCTION pipeline.track_render();

CREATE TRIGGER events_append_only BEFORE UPDATE ON pipeline.events FOR EACH ROW EXECUTE FUNCTION pipeline.refuse_event_update();

CREATE TRIGGER cm_course_plans_approved_by_company BEFORE INSERT OR UPDATE OF approved_by, company_id ON public.cm_course_plans FOR EACH ROW WHEN ((new.approved_by IS NOT NULL)) EXECUTE FUNCTION pipeline.check_user_company('approved_by');

CREATE TRIGGER cm_course_plans_status_event AFTER INSERT OR UPDATE OF status ON public.cm_course_plans FOR EACH ROW EXECUTE FUNCTION pipeline.emit_cm_course_plans_status();

CREATE TRIGGER cm_course_plans_touch_updated_at BEFORE UPDATE ON public.cm_course_plans FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER cm_enhancement_sessions_initiated_by_company BEFORE INSERT OR UPDATE OF initiated_by, company_id ON public.cm_enhancement_sessions FOR EACH ROW WHEN ((new.initiated_by IS NOT NULL)) EXECUTE FUNCTION pipeline.check_user_company('initiated_by');

CREATE TRIGGER cm_enhancement_sessions_status_event AFTER INSERT OR UPDATE OF status ON public.cm_enhancement_sessions FOR EACH ROW EXECUTE FUNCTION pipeline.emit_cm_enhancement_sessions_status();

CREATE TRIGGER cm_enhancement_sessions_touch_updated_at BEFORE UPDATE ON public.cm_enhancement_sessions FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER cm_module_content_approval_status_event AFTER UPDATE OF approval_status ON public.cm_module_content FOR EACH ROW EXECUTE FUNCTION pipeline.emit_cm_module_content_approval_status();

CREATE TRIGGER cm_module_content_approval_status_initial BEFORE INSERT ON public.cm_module_content FOR EACH ROW EXECUTE FUNCTION pipeline.check_initial_approval_status();

CREATE TRIGGER cm_module_content_created_by_company BEFORE INSERT OR UPDATE OF created_by, company_id ON public.cm_module_content FOR EACH ROW WHEN ((new.created_by IS NOT NULL)) EXECUTE FUNCTION pipeline.check_user_company('created_by');

CREATE TRIGGER cm_module_content_last_edited_by_company BEFORE INSERT OR UPDATE OF last_edited_by, company_id ON public.cm_module_content FOR EACH ROW WHEN ((new.last_edited_by IS NOT NULL)) EXECUTE FUNCTION pipeline.check_user_company('last_edited_by');

CREATE TRIGGER cm_module_content_revision AFTER UPDATE ON public.cm_module_content FOR EACH ROW EXECUTE FUNCTION pipeline.keep_content_revision();

CREATE TRIGGER cm_module_content_revisions_touch_updated_at BEFORE UPDATE ON public.cm_module_content_revisions FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER cm_module_content_status_event AFTER INSERT OR UPDATE OF status ON public.cm_module_content FOR EACH ROW EXECUTE FUNCTION pipeline.emit_cm_module_content_status();

CREATE TRIGGER cm_module_content_touch_updated_at BEFORE UPDATE ON public.cm_module_content FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER cm_module_content_version BEFORE UPDATE ON public.cm_module_content FOR EACH ROW EXECUTE FUNCTION pipeline.check_content_version();

CREATE TRIGGER cm_module_content_word_counts BEFORE INSERT OR UPDATE OF introduction, core_content, practical_applications, case_studies, assessments, total_word_count, section_word_counts ON public.cm_module_content FOR EACH ROW EXECUTE FUNCTION pipeline.count_module_words();

CREATE TRIGGER cm_quality_assessments_assessed_by_company BEFORE INSERT OR UPDATE OF assessed_by, company_id ON public.cm_quality_assessments FOR EACH ROW WHEN ((new.assessed_by IS NOT NULL)) EXECUTE FUNCTION pipeline.check_user_company('assessed_by');

CREATE TRIGGER cm_quality_assessments_touch_updated_at BEFORE UPDATE ON public.cm_quality_assessments FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER cm_research_results_status_event AFTER INSERT OR UPDATE OF status ON public.cm_research_results FOR EACH ROW EXECUTE FUNCTION pipeline.emit_cm_research_results_status();

CREATE TRIGGER cm_research_results_touch_updated_at BEFORE UPDATE ON public.cm_research_results FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER companies_touch_updated_at BEFORE UPDATE ON public.companies FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER employees_touch_updated_at BEFORE UPDATE ON public.employees FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER employees_user_id_company BEFORE INSERT OR UPDATE OF user_id, company_id ON public.employees FOR EACH ROW WHEN ((new.user_id IS NOT NULL)) EXECUTE FUNCTION pipeline.check_user_company('user_id');

CREATE TRIGGER mm_audio_narrations_segments_audio_ids_company BEFORE INSERT OR UPDATE OF segments_audio_ids, company_id ON public.mm_audio_narrations FOR EACH ROW WHEN ((cardinality(new.segments_audio_ids) > 0)) EXECUTE FUNCTION pipeline.check_segment_assets();

CREATE TRIGGER mm_audio_narrations_status_event AFTER INSERT OR UPDATE OF status ON public.mm_audio_narrations FOR EACH ROW EXECUTE FUNCTION pipeline.emit_mm_audio_narrations_status();

CREATE TRIGGER mm_audio_narrations_touch_updated_at BEFORE UPDATE ON public.mm_audio_narrations FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER mm_media_versions_touch_updated_at BEFORE UPDATE ON public.mm_media_versions FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER mm_multimedia_assets_status_event AFTER INSERT OR UPDATE OF status ON public.mm_multimedia_assets FOR EACH ROW EXECUTE FUNCTION pipeline.emit_mm_multimedia_assets_status();

CREATE TRIGGER mm_multimedia_assets_touch_updated_at BEFORE UPDATE ON public.mm_multimedia_assets FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER mm_multimedia_assets_version BEFORE INSERT ON public.mm_multimedia_assets FOR EACH ROW EXECUTE FUNCTION pipeline.stamp_asset_version();

CREATE TRIGGER mm_multimedia_sessions_complete_media_version AFTER UPDATE OF status ON public.mm_multimedia_sessions FOR EACH ROW EXECUTE FUNCTION pipeline.complete_media_version();

CREATE TRIGGER mm_multimedia_sessions_current_stage_event AFTER INSERT OR UPDATE OF current_stage ON public.mm_multimedia_sessions FOR EACH ROW EXECUTE FUNCTION pipeline.emit_mm_multimedia_sessions_current_stage();

CREATE TRIGGER mm_multimedia_sessions_initiated_by_company BEFORE INSERT OR UPDATE OF initiated_by, company_id ON public.mm_multimedia_sessions FOR EACH ROW WHEN ((new.initiated_by IS NOT NULL)) EXECUTE FUNCTION pipeline.check_user_company('initiated_by');

CREATE TRIGGER mm_multimedia_sessions_media_version AFTER INSERT ON public.mm_multimedia_sessions FOR EACH ROW EXECUTE FUNCTION pipeline.open_media_version();

CREATE TRIGGER mm_multimedia_sessions_render_priority AFTER UPDATE OF render_priority ON public.mm_multimedia_sessions FOR EACH ROW EXECUTE FUNCTION pipeline.follow_render_priority();

CREATE TRIGGER mm_multimedia_sessions_status_event AFTER INSERT OR UPDATE OF status ON public.mm_multimedia_sessions FOR EACH ROW EXECUTE FUNCTION pipeline.emit_mm_multimedia_sessions_status();

CREATE TRIGGER mm_multimedia_sessions_touch_updated_at BEFORE UPDATE ON public.mm_multimedia_sessions FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER mm_rendering_queue_touch_updated_at BEFORE UPDATE ON public.mm_rendering_queue FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER mm_script_generations_touch_updated_at BEFORE UPDATE ON public.mm_script_generations FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER mm_slide_presentations_status_event AFTER INSERT OR UPDATE OF status ON public.mm_slide_presentations FOR EACH ROW EXECUTE FUNCTION pipeline.emit_mm_slide_presentations_status();

CREATE TRIGGER mm_slide_presentations_touch_updated_at BEFORE UPDATE ON public.mm_slide_presentations FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER mm_video_analytics_check BEFORE INSERT ON public.mm_video_analytics FOR EACH ROW EXECUTE FUNCTION pipeline.check_video_view();

CREATE TRIGGER mm_video_analytics_touch_updated_at BEFORE UPDATE ON public.mm_video_analytics FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

CREATE TRIGGER users_touch_updated_at BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION pipeline.touch_updated_at();

ALTER TABLE ONLY public.cm_course_plans
    ADD CONSTRAINT cm_course_plans_approved_by_fkey FOREIGN KEY (approved_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.cm_course_plans
    ADD CONSTRAINT cm_course_plans_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.cm_course_plans
    ADD CONSTRAINT cm_course_plans_employee_fkey FOREIGN KEY (employee_id, company_id) REFERENCES public.employees(id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.cm_enhancement_sessions
    ADD CONSTRAINT cm_enhancement_sessions_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.cm_enhancement_sessions
    ADD CONSTRAINT cm_enhancement_sessions_content_fkey FOREIGN KEY (content_id, company_id) REFERENCES public.cm_module_content(content_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.cm_enhancement_sessions
    ADD CONSTRAINT cm_enhancement_sessions_initiated_by_fkey FOREIGN KEY (initiated_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.cm_enhancement_sessions
    ADD CONSTRAINT cm_enhancement_sessions_quality_assessment_fkey FOREIGN KEY (quality_assessment_id, company_id) REFERENCES public.cm_quality_assessments(assessment_id, company_id) ON DELETE SET NULL (quality_assessment_id);

ALTER TABLE ONLY public.cm_module_content
    ADD CONSTRAINT cm_module_content_assigned_to_fkey FOREIGN KEY (assigned_to, company_id) REFERENCES public.employees(id, company_id) ON DELETE SET NULL (assigned_to);

ALTER TABLE ONLY public.cm_module_content
    ADD CONSTRAINT cm_module_content_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.cm_module_content
    ADD CONSTRAINT cm_module_content_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.cm_module_content
    ADD CONSTRAINT cm_module_content_last_edited_by_fkey FOREIGN KEY (last_edited_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.cm_module_content
    ADD CONSTRAINT cm_module_content_last_enhancement_fkey FOREIGN KEY (last_enhancement_id, company_id) REFERENCES public.cm_enhancement_sessions(session_id, company_id) ON DELETE SET NULL (last_enhancement_id);

ALTER TABLE ONLY public.cm_module_content
    ADD CONSTRAINT cm_module_content_parent_content_fkey FOREIGN KEY (parent_content_id, company_id) REFERENCES public.cm_module_content(content_id, company_id) ON DELETE SET NULL (parent_content_id);

ALTER TABLE ONLY public.cm_module_content
    ADD CONSTRAINT cm_module_content_plan_fkey FOREIGN KEY (plan_id, company_id) REFERENCES public.cm_course_plans(plan_id, company_id) ON DELETE SET NULL (plan_id);

ALTER TABLE ONLY public.cm_module_content_revisions
    ADD CONSTRAINT cm_module_content_revisions_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.cm_module_content_revisions
    ADD CONSTRAINT cm_module_content_revisions_content_fkey FOREIGN KEY (content_id, company_id) REFERENCES public.cm_module_content(content_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.cm_quality_assessments
    ADD CONSTRAINT cm_quality_assessments_assessed_by_fkey FOREIGN KEY (assessed_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.cm_quality_assessments
    ADD CONSTRAINT cm_quality_assessments_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.cm_quality_assessments
    ADD CONSTRAINT cm_quality_assessments_content_fkey FOREIGN KEY (content_id, company_id) REFERENCES public.cm_module_content(content_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.cm_research_results
    ADD CONSTRAINT cm_research_results_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.cm_research_results
    ADD CONSTRAINT cm_research_results_plan_fkey FOREIGN KEY (plan_id, company_id) REFERENCES public.cm_course_plans(plan_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.employees
    ADD CONSTRAINT employees_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.employees
    ADD CONSTRAINT employees_manager_fkey FOREIGN KEY (manager_id, company_id) REFERENCES public.employees(id, company_id) ON DELETE SET NULL (manager_id);

ALTER TABLE ONLY public.employees
    ADD CONSTRAINT employees_user_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_audio_narrations
    ADD CONSTRAINT mm_audio_narrations_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_audio_narrations
    ADD CONSTRAINT mm_audio_narrations_content_fkey FOREIGN KEY (content_id, company_id) REFERENCES public.cm_module_content(content_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_audio_narrations
    ADD CONSTRAINT mm_audio_narrations_master_audio_fkey FOREIGN KEY (master_audio_id, company_id) REFERENCES public.mm_multimedia_assets(asset_id, company_id) ON DELETE SET NULL (master_audio_id);

ALTER TABLE ONLY public.mm_audio_narrations
    ADD CONSTRAINT mm_audio_narrations_session_fkey FOREIGN KEY (session_id, company_id) REFERENCES public.mm_multimedia_sessions(session_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_media_versions
    ADD CONSTRAINT mm_media_versions_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_media_versions
    ADD CONSTRAINT mm_media_versions_content_fkey FOREIGN KEY (content_id, company_id) REFERENCES public.cm_module_content(content_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_media_versions
    ADD CONSTRAINT mm_media_versions_session_fkey FOREIGN KEY (session_id, company_id) REFERENCES public.mm_multimedia_sessions(session_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_multimedia_assets
    ADD CONSTRAINT mm_multimedia_assets_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_multimedia_assets
    ADD CONSTRAINT mm_multimedia_assets_content_fkey FOREIGN KEY (content_id, company_id) REFERENCES public.cm_module_content(content_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_multimedia_assets
    ADD CONSTRAINT mm_multimedia_assets_parent_asset_fkey FOREIGN KEY (parent_asset_id, company_id) REFERENCES public.mm_multimedia_assets(asset_id, company_id) ON DELETE SET NULL (parent_asset_id);

ALTER TABLE ONLY public.mm_multimedia_assets
    ADD CONSTRAINT mm_multimedia_assets_session_fkey FOREIGN KEY (session_id, company_id) REFERENCES public.mm_multimedia_sessions(session_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_multimedia_sessions
    ADD CONSTRAINT mm_multimedia_sessions_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_multimedia_sessions
    ADD CONSTRAINT mm_multimedia_sessions_content_fkey FOREIGN KEY (content_id, company_id) REFERENCES public.cm_module_content(content_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_multimedia_sessions
    ADD CONSTRAINT mm_multimedia_sessions_initiated_by_fkey FOREIGN KEY (initiated_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.mm_rendering_queue
    ADD CONSTRAINT mm_rendering_queue_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_rendering_queue
    ADD CONSTRAINT mm_rendering_queue_content_fkey FOREIGN KEY (content_id, company_id) REFERENCES public.cm_module_content(content_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_rendering_queue
    ADD CONSTRAINT mm_rendering_queue_session_fkey FOREIGN KEY (session_id, company_id) REFERENCES public.mm_multimedia_sessions(session_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_script_generations
    ADD CONSTRAINT mm_script_generations_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_script_generations
    ADD CONSTRAINT mm_script_generations_content_fkey FOREIGN KEY (content_id, company_id) REFERENCES public.cm_module_content(content_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_script_generations
    ADD CONSTRAINT mm_script_generations_script_asset_fkey FOREIGN KEY (script_asset_id, company_id) REFERENCES public.mm_multimedia_assets(asset_id, company_id) ON DELETE SET NULL (script_asset_id);

ALTER TABLE ONLY public.mm_script_generations
    ADD CONSTRAINT mm_script_generations_session_fkey FOREIGN KEY (session_id, company_id) REFERENCES public.mm_multimedia_sessions(session_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_slide_presentations
    ADD CONSTRAINT mm_slide_presentations_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_slide_presentations
    ADD CONSTRAINT mm_slide_presentations_content_fkey FOREIGN KEY (content_id, company_id) REFERENCES public.cm_module_content(content_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_slide_presentations
    ADD CONSTRAINT mm_slide_presentations_html_asset_fkey FOREIGN KEY (html_asset_id, company_id) REFERENCES public.mm_multimedia_assets(asset_id, company_id) ON DELETE SET NULL (html_asset_id);

ALTER TABLE ONLY public.mm_slide_presentations
    ADD CONSTRAINT mm_slide_presentations_pdf_asset_fkey FOREIGN KEY (pdf_asset_id, company_id) REFERENCES public.mm_multimedia_assets(asset_id, company_id) ON DELETE SET NULL (pdf_asset_id);

ALTER TABLE ONLY public.mm_slide_presentations
    ADD CONSTRAINT mm_slide_presentations_pptx_asset_fkey FOREIGN KEY (pptx_asset_id, company_id) REFERENCES public.mm_multimedia_assets(asset_id, company_id) ON DELETE SET NULL (pptx_asset_id);

ALTER TABLE ONLY public.mm_slide_presentations
    ADD CONSTRAINT mm_slide_presentations_session_fkey FOREIGN KEY (session_id, company_id) REFERENCES public.mm_multimedia_sessions(session_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_video_analytics
    ADD CONSTRAINT mm_video_analytics_asset_fkey FOREIGN KEY (asset_id, company_id) REFERENCES public.mm_multimedia_assets(asset_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_video_analytics
    ADD CONSTRAINT mm_video_analytics_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_video_analytics
    ADD CONSTRAINT mm_video_analytics_content_fkey FOREIGN KEY (content_id, company_id) REFERENCES public.cm_module_content(content_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mm_video_analytics
    ADD CONSTRAINT mm_video_analytics_session_fkey FOREIGN KEY (session_id, company_id) REFERENCES public.mm_multimedia_sessions(session_id, company_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_company_fkey FOREIGN KEY (company_id) REFERENCES public.companies(id) ON DELETE CASCADE;

ALTER TABLE public.cm_course_plans ENABLE ROW LEVEL SECURITY;

CREATE POLICY cm_course_plans_company_admins_write ON public.cm_course_plans TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif"))))) WITH CHECK (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY cm_course_plans_company_members_read ON public.cm_course_plans FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = ANY (ARRAY['company_admin'::text, 'learner'::text])) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY cm_course_plans_daemon ON public.cm_course_plans TO lxera_daemon USING (true) WITH CHECK (true);

ALTER TABLE public.cm_enhancement_sessions ENABLE ROW LEVEL SECURITY;

CREATE POLICY cm_enhancement_sessions_company_admins_write ON public.cm_enhancement_sessions TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif"))))) WITH CHECK (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY cm_enhancement_sessions_company_members_read ON public.cm_enhancement_sessions FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = ANY (ARRAY['company_admin'::text, 'learner'::text])) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY cm_enhancement_sessions_daemon ON public.cm_enhancement_sessions TO lxera_daemon USING (true) WITH CHECK (true);

ALTER TABLE public.cm_module_content ENABLE ROW LEVEL SECURITY;

CREATE POLICY cm_module_content_company_admins_write ON public.cm_module_content TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif"))))) WITH CHECK (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY cm_module_content_company_members_read ON public.cm_module_content FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = ANY (ARRAY['company_admin'::text, 'learner'::text])) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY cm_module_content_daemon ON public.cm_module_content TO lxera_daemon USING (true) WITH CHECK (true);

ALTER TABLE public.cm_module_content_revisions ENABLE ROW LEVEL SECURITY;

CREATE POLICY cm_module_content_revisions_company_members_read ON public.cm_module_content_revisions FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = ANY (ARRAY['company_admin'::text, 'learner'::text])) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

ALTER TABLE public.cm_quality_assessments ENABLE ROW LEVEL SECURITY;

CREATE POLICY cm_quality_assessments_company_admins_write ON public.cm_quality_assessments TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif"))))) WITH CHECK (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY cm_quality_assessments_company_members_read ON public.cm_quality_assessments FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = ANY (ARRAY['company_admin'::text, 'learner'::text])) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY cm_quality_assessments_daemon ON public.cm_quality_assessments TO lxera_daemon USING (true) WITH CHECK (true);

ALTER TABLE public.cm_research_results ENABLE ROW LEVEL SECURITY;

CREATE POLICY cm_research_results_company_admins_write ON public.cm_research_results TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif"))))) WITH CHECK (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY cm_research_results_company_members_read ON public.cm_research_results FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = ANY (ARRAY['company_admin'::text, 'learner'::text])) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY cm_research_results_daemon ON public.cm_research_results TO lxera_daemon USING (true) WITH CHECK (true);

ALTER TABLE public.companies ENABLE ROW LEVEL SECURITY;

CREATE POLICY companies_members_read ON public.companies FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR (id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif"))));

CREATE POLICY companies_super_admins_write ON public.companies TO authenticated USING ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text)) WITH CHECK ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text));

ALTER TABLE public.employees ENABLE ROW LEVEL SECURITY;

CREATE POLICY employees_company_admins_write ON public.employees TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif"))))) WITH CHECK (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY employees_daemon_read ON public.employees FOR SELECT TO lxera_daemon USING (true);

CREATE POLICY employees_self_read ON public.employees FOR SELECT TO authenticated USING ((user_id = ( SELECT auth.uid() AS uid)));

ALTER TABLE public.mm_audio_narrations ENABLE ROW LEVEL SECURITY;

CREATE POLICY mm_audio_narrations_company_admins_write ON public.mm_audio_narrations TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif"))))) WITH CHECK (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY mm_audio_narrations_company_members_read ON public.mm_audio_narrations FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = ANY (ARRAY['company_admin'::text, 'learner'::text])) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY mm_audio_narrations_daemon ON public.mm_audio_narrations TO lxera_daemon USING (true) WITH CHECK (true);

ALTER TABLE public.mm_media_versions ENABLE ROW LEVEL SECURITY;

CREATE POLICY mm_media_versions_company_members_read ON public.mm_media_versions FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = ANY (ARRAY['company_admin'::text, 'learner'::text])) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

ALTER TABLE public.mm_multimedia_assets ENABLE ROW LEVEL SECURITY;

CREATE POLICY mm_multimedia_assets_company_admins_write ON public.mm_multimedia_assets TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif"))))) WITH CHECK (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY mm_multimedia_assets_company_members_read ON public.mm_multimedia_assets FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = ANY (ARRAY['company_admin'::text, 'learner'::text])) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY mm_multimedia_assets_daemon ON public.mm_multimedia_assets TO lxera_daemon USING (true) WITH CHECK (true);

ALTER TABLE public.mm_multimedia_sessions ENABLE ROW LEVEL SECURITY;

CREATE POLICY mm_multimedia_sessions_company_admins_write ON public.mm_multimedia_sessions TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif"))))) WITH CHECK (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY mm_multimedia_sessions_company_members_read ON public.mm_multimedia_sessions FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = ANY (ARRAY['company_admin'::text, 'learner'::text])) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY mm_multimedia_sessions_daemon ON public.mm_multimedia_sessions TO lxera_daemon USING (true) WITH CHECK (true);

ALTER TABLE public.mm_rendering_queue ENABLE ROW LEVEL SECURITY;

CREATE POLICY mm_rendering_queue_company_members_read ON public.mm_rendering_queue FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = ANY (ARRAY['company_admin'::text, 'learner'::text])) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

ALTER TABLE public.mm_script_generations ENABLE ROW LEVEL SECURITY;

CREATE POLICY mm_script_generations_company_members_read ON public.mm_script_generations FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = ANY (ARRAY['company_admin'::text, 'learner'::text])) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY mm_script_generations_daemon ON public.mm_script_generations TO lxera_daemon USING (true) WITH CHECK (true);

ALTER TABLE public.mm_slide_presentations ENABLE ROW LEVEL SECURITY;

CREATE POLICY mm_slide_presentations_company_admins_write ON public.mm_slide_presentations TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif"))))) WITH CHECK (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY mm_slide_presentations_company_members_read ON public.mm_slide_presentations FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = ANY (ARRAY['company_admin'::text, 'learner'::text])) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY mm_slide_presentations_daemon ON public.mm_slide_presentations TO lxera_daemon USING (true) WITH CHECK (true);

ALTER TABLE public.mm_video_analytics ENABLE ROW LEVEL SECURITY;

CREATE POLICY mm_video_analytics_read ON public.mm_video_analytics FOR SELECT TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif"))) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'learner'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")) AND (viewer_id = ( SELECT auth.uid() AS uid)))));

CREATE POLICY mm_video_analytics_record ON public.mm_video_analytics FOR INSERT TO authenticated WITH CHECK (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = ANY (ARRAY['company_admin'::text, 'learner'::text])) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")) AND (viewer_id = ( SELECT auth.uid() AS uid)))));

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;

CREATE POLICY users_company_admins_write ON public.users TO authenticated USING (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif"))))) WITH CHECK (((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'super_admin'::text) OR ((( SELECT COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text), (auth.jwt() ->> 'role'::text)) AS "coalesce") = 'company_admin'::text) AND (company_id = ( SELECT (NULLIF(COALESCE(((auth.jwt() -> 'app_metadata'::text) ->> 'company_id'::text), (auth.jwt() ->> 'company_id'::text)), ''::text))::uuid AS "nullif")))));

CREATE POLICY users_daemon_read ON public.users FOR SELECT TO lxera_daemon USING (true);

CREATE POLICY users_self_read ON public.users FOR SELECT TO authenticated USING ((id = ( SELECT auth.uid() AS uid)));

GRANT USAGE ON SCHEMA auth TO anon;
GRANT USAGE ON SCHEMA auth TO authenticated;
GRANT USAGE ON SCHEMA auth TO service_role;

GRANT USAGE ON SCHEMA pipeline TO lxera_daemon;

GRANT USAGE ON SCHEMA public TO anon;
GRANT USAGE ON SCHEMA public TO authenticated;
GRANT USAGE ON SCHEMA public TO service_role;
GRANT USAGE ON SCHEMA public TO lxera_daemon;

REVOKE ALL ON FUNCTION pipeline.archive_content(p_content uuid, p_cutoff timestamp with time zone, p_actor text) FROM PUBLIC;

GRANT ALL ON FUNCTION pipeline.arm_wakeup() TO lxera_daemon;

REVOKE ALL ON FUNCTION pipeline.content_archive_blocker(p_content uuid, p_cutoff timestamp with time zone) FROM PUBLIC;

GRANT SELECT,DELETE ON TABLE public.cm_module_content TO anon;
GRANT SELECT,DELETE ON TABLE public.cm_module_content TO authenticated;
GRANT ALL ON TABLE public.cm_module_content TO service_role;
GRANT SELECT,INSERT,UPDATE ON TABLE public.cm_module_content TO lxera_daemon;

GRANT INSERT(content_id),UPDATE(content_id) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(content_id),UPDATE(content_id) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(plan_id),UPDATE(plan_id) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(plan_id),UPDATE(plan_id) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(module_id),UPDATE(module_id) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(module_id),UPDATE(module_id) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(module_name),UPDATE(module_name) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(module_name),UPDATE(module_name) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(employee_name),UPDATE(employee_name) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(employee_name),UPDATE(employee_name) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(session_id),UPDATE(session_id) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(session_id),UPDATE(session_id) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(introduction),UPDATE(introduction) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(introduction),UPDATE(introduction) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(core_content),UPDATE(core_content) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(core_content),UPDATE(core_content) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(practical_applications),UPDATE(practical_applications) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(practical_applications),UPDATE(practical_applications) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(case_studies),UPDATE(case_studies) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(case_studies),UPDATE(case_studies) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(assessments),UPDATE(assessments) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(assessments),UPDATE(assessments) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(module_spec),UPDATE(module_spec) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(module_spec),UPDATE(module_spec) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(research_context),UPDATE(research_context) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(research_context),UPDATE(research_context) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(status),UPDATE(status) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(status),UPDATE(status) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(priority_level),UPDATE(priority_level) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(priority_level),UPDATE(priority_level) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(assigned_to),UPDATE(assigned_to) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(assigned_to),UPDATE(assigned_to) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(created_by),UPDATE(created_by) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(created_by),UPDATE(created_by) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(version_number),UPDATE(version_number) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(version_number),UPDATE(version_number) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(parent_content_id),UPDATE(parent_content_id) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(parent_content_id),UPDATE(parent_content_id) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(is_current_version),UPDATE(is_current_version) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(is_current_version),UPDATE(is_current_version) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(version_notes),UPDATE(version_notes) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(version_notes),UPDATE(version_notes) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(section_updated_at),UPDATE(section_updated_at) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(section_updated_at),UPDATE(section_updated_at) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(section_status),UPDATE(section_status) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(section_status),UPDATE(section_status) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(draft_content),UPDATE(draft_content) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(draft_content),UPDATE(draft_content) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(is_draft),UPDATE(is_draft) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(is_draft),UPDATE(is_draft) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(last_edited_at),UPDATE(last_edited_at) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(last_edited_at),UPDATE(last_edited_at) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(last_edited_by),UPDATE(last_edited_by) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(last_edited_by),UPDATE(last_edited_by) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(version),UPDATE(version) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(version),UPDATE(version) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(requires_approval),UPDATE(requires_approval) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(requires_approval),UPDATE(requires_approval) ON TABLE public.cm_module_content TO authenticated;

GRANT INSERT(approval_status),UPDATE(approval_status) ON TABLE public.cm_module_content TO anon;
GRANT INSERT(approval_status),UPDATE(approval_status) ON TABLE public.cm_module_content TO authenticated;

REVOKE ALL ON FUNCTION pipeline.create_log_partition(p_parent text, p_at timestamp with time zone) FROM PUBLIC;

GRANT ALL ON FUNCTION pipeline.disarm_wakeup() TO lxera_daemon;

REVOKE ALL ON FUNCTION pipeline.ensure_log_partitions(p_ahead integer) FROM PUBLIC;
GRANT ALL ON FUNCTION pipeline.ensure_log_partitions(p_ahead integer) TO lxera_daemon;

GRANT SELECT ON TABLE public.mm_media_versions TO anon;
GRANT SELECT ON TABLE public.mm_media_versions TO authenticated;
GRANT ALL ON TABLE public.mm_media_versions TO service_role;

REVOKE ALL ON FUNCTION pipeline.pending_work(handler_group text) FROM PUBLIC;

REVOKE ALL ON FUNCTION pipeline.publish_progress_tables() FROM PUBLIC;

REVOKE ALL ON FUNCTION pipeline.refresh_analytics() FROM PUBLIC;
GRANT ALL ON FUNCTION pipeline.refresh_analytics() TO lxera_daemon;

REVOKE ALL ON FUNCTION pipeline.remove_log_partition(p_parent text, p_partition text, p_keep boolean) FROM PUBLIC;

REVOKE ALL ON FUNCTION pipeline.restore_content(p_content uuid, p_actor text) FROM PUBLIC;

GRANT ALL ON FUNCTION pipeline.route_events(p_served text[]) TO lxera_daemon;

GRANT SELECT ON TABLE pipeline.events TO lxera_daemon;

GRANT ALL ON FUNCTION pipeline.wakeup_armed() TO lxera_daemon;

REVOKE ALL ON FUNCTION public.record_video_view(p_video uuid, p_seconds_watched numeric, p_completed boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION public.record_video_view(p_video uuid, p_seconds_watched numeric, p_completed boolean) TO authenticated;
GRANT ALL ON FUNCTION public.record_video_view(p_video uuid, p_seconds_watched numeric, p_completed boolean) TO service_role;

REVOKE ALL ON FUNCTION public.search_module_content(query text, max_results integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.search_module_content(query text, max_results integer) TO authenticated;
GRANT ALL ON FUNCTION public.search_module_content(query text, max_results integer) TO service_role;

GRANT SELECT,INSERT ON TABLE pipeline.audit_log TO lxera_daemon;

GRANT SELECT ON TABLE public.mm_script_generations TO anon;
GRANT SELECT ON TABLE public.mm_script_generations TO authenticated;
GRANT ALL ON TABLE public.mm_script_generations TO service_role;
GRANT SELECT,INSERT,UPDATE ON TABLE public.mm_script_generations TO lxera_daemon;

GRANT USAGE ON SEQUENCE pipeline.audit_log_audit_id_seq TO lxera_daemon;

GRANT SELECT,UPDATE ON TABLE pipeline.deliveries TO lxera_daemon;

GRANT SELECT,INSERT,UPDATE ON TABLE pipeline.subscriptions TO lxera_daemon;

GRANT SELECT ON TABLE pipeline.paused_handlers TO lxera_daemon;

GRANT SELECT ON TABLE pipeline.status_columns TO lxera_daemon;

GRANT SELECT ON TABLE pipeline.transitions TO lxera_daemon;

GRANT SELECT,DELETE ON TABLE public.cm_course_plans TO anon;
GRANT SELECT,DELETE ON TABLE public.cm_course_plans TO authenticated;
GRANT ALL ON TABLE public.cm_course_plans TO service_role;
GRANT SELECT,INSERT,UPDATE ON TABLE public.cm_course_plans TO lxera_daemon;

GRANT INSERT(plan_id),UPDATE(plan_id) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(plan_id),UPDATE(plan_id) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(employee_id),UPDATE(employee_id) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(employee_id),UPDATE(employee_id) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(employee_name),UPDATE(employee_name) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(employee_name),UPDATE(employee_name) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(session_id),UPDATE(session_id) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(session_id),UPDATE(session_id) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(course_title),UPDATE(course_title) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(course_title),UPDATE(course_title) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(course_structure),UPDATE(course_structure) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(course_structure),UPDATE(course_structure) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(prioritized_gaps),UPDATE(prioritized_gaps) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(prioritized_gaps),UPDATE(prioritized_gaps) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(research_strategy),UPDATE(research_strategy) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(research_strategy),UPDATE(research_strategy) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(learning_path),UPDATE(learning_path) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(learning_path),UPDATE(learning_path) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(employee_profile),UPDATE(employee_profile) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(employee_profile),UPDATE(employee_profile) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(total_modules),UPDATE(total_modules) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(total_modules),UPDATE(total_modules) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(course_duration_weeks),UPDATE(course_duration_weeks) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(course_duration_weeks),UPDATE(course_duration_weeks) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(planning_agent_version),UPDATE(planning_agent_version) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(planning_agent_version),UPDATE(planning_agent_version) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(tool_calls),UPDATE(tool_calls) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(tool_calls),UPDATE(tool_calls) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(execution_time_seconds),UPDATE(execution_time_seconds) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(execution_time_seconds),UPDATE(execution_time_seconds) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(agent_turns),UPDATE(agent_turns) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(agent_turns),UPDATE(agent_turns) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(status),UPDATE(status) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(status),UPDATE(status) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(is_preview_mode),UPDATE(is_preview_mode) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(is_preview_mode),UPDATE(is_preview_mode) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(approval_status),UPDATE(approval_status) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(approval_status),UPDATE(approval_status) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(approved_by),UPDATE(approved_by) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(approved_by),UPDATE(approved_by) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(approved_at),UPDATE(approved_at) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(approved_at),UPDATE(approved_at) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(approval_feedback),UPDATE(approval_feedback) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(approval_feedback),UPDATE(approval_feedback) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(rejection_reason),UPDATE(rejection_reason) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(rejection_reason),UPDATE(rejection_reason) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(revision_count),UPDATE(revision_count) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(revision_count),UPDATE(revision_count) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(metadata),UPDATE(metadata) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(metadata),UPDATE(metadata) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.cm_course_plans TO authenticated;

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.cm_course_plans TO anon;
GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.cm_course_plans TO authenticated;

GRANT SELECT,DELETE ON TABLE public.cm_enhancement_sessions TO anon;
GRANT SELECT,DELETE ON TABLE public.cm_enhancement_sessions TO authenticated;
GRANT ALL ON TABLE public.cm_enhancement_sessions TO service_role;
GRANT SELECT,INSERT,UPDATE ON TABLE public.cm_enhancement_sessions TO lxera_daemon;

GRANT INSERT(session_id),UPDATE(session_id) ON TABLE public.cm_enhancement_sessions TO anon;
GRANT INSERT(session_id),UPDATE(session_id) ON TABLE public.cm_enhancement_sessions TO authenticated;

GRANT INSERT(content_id),UPDATE(content_id) ON TABLE public.cm_enhancement_sessions TO anon;
GRANT INSERT(content_id),UPDATE(content_id) ON TABLE public.cm_enhancement_sessions TO authenticated;

GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.cm_enhancement_sessions TO anon;
GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.cm_enhancement_sessions TO authenticated;

GRANT INSERT(quality_assessment_id),UPDATE(quality_assessment_id) ON TABLE public.cm_enhancement_sessions TO anon;
GRANT INSERT(quality_assessment_id),UPDATE(quality_assessment_id) ON TABLE public.cm_enhancement_sessions TO authenticated;

GRANT INSERT(enhancement_type),UPDATE(enhancement_type) ON TABLE public.cm_enhancement_sessions TO anon;
GRANT INSERT(enhancement_type),UPDATE(enhancement_type) ON TABLE public.cm_enhancement_sessions TO authenticated;

GRANT INSERT(sections_to_enhance),UPDATE(sections_to_enhance) ON TABLE public.cm_enhancement_sessions TO anon;
GRANT INSERT(sections_to_enhance),UPDATE(sections_to_enhance) ON TABLE public.cm_enhancement_sessions TO authenticated;

GRANT INSERT(sections_preserved),UPDATE(sections_preserved) ON TABLE public.cm_enhancement_sessions TO anon;
GRANT INSERT(sections_preserved),UPDATE(sections_preserved) ON TABLE public.cm_enhancement_sessions TO authenticated;

GRANT INSERT(status),UPDATE(status) ON TABLE public.cm_enhancement_sessions TO anon;
GRANT INSERT(status),UPDATE(status) ON TABLE public.cm_enhancement_sessions TO authenticated;

GRANT INSERT(initiated_by),UPDATE(initiated_by) ON TABLE public.cm_enhancement_sessions TO anon;
GRANT INSERT(initiated_by),UPDATE(initiated_by) ON TABLE public.cm_enhancement_sessions TO authenticated;

GRANT INSERT(started_at),UPDATE(started_at) ON TABLE public.cm_enhancement_sessions TO anon;
GRANT INSERT(started_at),UPDATE(started_at) ON TABLE public.cm_enhancement_sessions TO authenticated;

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.cm_enhancement_sessions TO anon;
GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.cm_enhancement_sessions TO authenticated;

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.cm_enhancement_sessions TO anon;
GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.cm_enhancement_sessions TO authenticated;

GRANT SELECT ON TABLE public.cm_module_content_revisions TO anon;
GRANT SELECT ON TABLE public.cm_module_content_revisions TO authenticated;
GRANT ALL ON TABLE public.cm_module_content_revisions TO service_role;

GRANT SELECT,DELETE ON TABLE public.cm_quality_assessments TO anon;
GRANT SELECT,DELETE ON TABLE public.cm_quality_assessments TO authenticated;
GRANT ALL ON TABLE public.cm_quality_assessments TO service_role;
GRANT SELECT,INSERT,UPDATE ON TABLE public.cm_quality_assessments TO lxera_daemon;

GRANT INSERT(assessment_id),UPDATE(assessment_id) ON TABLE public.cm_quality_assessments TO anon;
GRANT INSERT(assessment_id),UPDATE(assessment_id) ON TABLE public.cm_quality_assessments TO authenticated;

GRANT INSERT(content_id),UPDATE(content_id) ON TABLE public.cm_quality_assessments TO anon;
GRANT INSERT(content_id),UPDATE(content_id) ON TABLE public.cm_quality_assessments TO authenticated;

GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.cm_quality_assessments TO anon;
GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.cm_quality_assessments TO authenticated;

GRANT INSERT(assessed_by),UPDATE(assessed_by) ON TABLE public.cm_quality_assessments TO anon;
GRANT INSERT(assessed_by),UPDATE(assessed_by) ON TABLE public.cm_quality_assessments TO authenticated;

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.cm_quality_assessments TO anon;
GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.cm_quality_assessments TO authenticated;

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.cm_quality_assessments TO anon;
GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.cm_quality_assessments TO authenticated;

GRANT SELECT,DELETE ON TABLE public.cm_research_results TO anon;
GRANT SELECT,DELETE ON TABLE public.cm_research_results TO authenticated;
GRANT ALL ON TABLE public.cm_research_results TO service_role;
GRANT SELECT,INSERT,UPDATE ON TABLE public.cm_research_results TO lxera_daemon;

GRANT INSERT(research_id),UPDATE(research_id) ON TABLE public.cm_research_results TO anon;
GRANT INSERT(research_id),UPDATE(research_id) ON TABLE public.cm_research_results TO authenticated;

GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.cm_research_results TO anon;
GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.cm_research_results TO authenticated;

GRANT INSERT(plan_id),UPDATE(plan_id) ON TABLE public.cm_research_results TO anon;
GRANT INSERT(plan_id),UPDATE(plan_id) ON TABLE public.cm_research_results TO authenticated;

GRANT INSERT(session_id),UPDATE(session_id) ON TABLE public.cm_research_results TO anon;
GRANT INSERT(session_id),UPDATE(session_id) ON TABLE public.cm_research_results TO authenticated;

GRANT INSERT(research_agent_version),UPDATE(research_agent_version) ON TABLE public.cm_research_results TO anon;
GRANT INSERT(research_agent_version),UPDATE(research_agent_version) ON TABLE public.cm_research_results TO authenticated;

GRANT INSERT(synthesis_sessions),UPDATE(synthesis_sessions) ON TABLE public.cm_research_results TO anon;
GRANT INSERT(synthesis_sessions),UPDATE(synthesis_sessions) ON TABLE public.cm_research_results TO authenticated;

GRANT INSERT(tool_calls),UPDATE(tool_calls) ON TABLE public.cm_research_results TO anon;
GRANT INSERT(tool_calls),UPDATE(tool_calls) ON TABLE public.cm_research_results TO authenticated;

GRANT INSERT(source_types),UPDATE(source_types) ON TABLE public.cm_research_results TO anon;
GRANT INSERT(source_types),UPDATE(source_types) ON TABLE public.cm_research_results TO authenticated;

GRANT INSERT(credibility_analysis),UPDATE(credibility_analysis) ON TABLE public.cm_research_results TO anon;
GRANT INSERT(credibility_analysis),UPDATE(credibility_analysis) ON TABLE public.cm_research_results TO authenticated;

GRANT INSERT(research_methodology),UPDATE(research_methodology) ON TABLE public.cm_research_results TO anon;
GRANT INSERT(research_methodology),UPDATE(research_methodology) ON TABLE public.cm_research_results TO authenticated;

GRANT INSERT(enhanced_features_used),UPDATE(enhanced_features_used) ON TABLE public.cm_research_results TO anon;
GRANT INSERT(enhanced_features_used),UPDATE(enhanced_features_used) ON TABLE public.cm_research_results TO authenticated;

GRANT INSERT(status),UPDATE(status) ON TABLE public.cm_research_results TO anon;
GRANT INSERT(status),UPDATE(status) ON TABLE public.cm_research_results TO authenticated;

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.cm_research_results TO anon;
GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.cm_research_results TO authenticated;

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.cm_research_results TO anon;
GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.cm_research_results TO authenticated;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.companies TO anon;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.companies TO authenticated;
GRANT ALL ON TABLE public.companies TO service_role;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.employees TO anon;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.employees TO authenticated;
GRANT ALL ON TABLE public.employees TO service_role;

GRANT SELECT(id) ON TABLE public.employees TO lxera_daemon;

GRANT SELECT(user_id) ON TABLE public.employees TO lxera_daemon;

GRANT SELECT(company_id) ON TABLE public.employees TO lxera_daemon;

GRANT SELECT(department) ON TABLE public.employees TO lxera_daemon;

GRANT SELECT("position") ON TABLE public.employees TO lxera_daemon;

GRANT SELECT(employee_role) ON TABLE public.employees TO lxera_daemon;

GRANT SELECT(career_goal) ON TABLE public.employees TO lxera_daemon;

GRANT SELECT(skill_level) ON TABLE public.employees TO lxera_daemon;

GRANT SELECT(key_tools) ON TABLE public.employees TO lxera_daemon;

GRANT SELECT,DELETE ON TABLE public.mm_audio_narrations TO anon;
GRANT SELECT,DELETE ON TABLE public.mm_audio_narrations TO authenticated;
GRANT ALL ON TABLE public.mm_audio_narrations TO service_role;
GRANT SELECT,INSERT,UPDATE ON TABLE public.mm_audio_narrations TO lxera_daemon;

GRANT INSERT(narration_id),UPDATE(narration_id) ON TABLE public.mm_audio_narrations TO anon;
GRANT INSERT(narration_id),UPDATE(narration_id) ON TABLE public.mm_audio_narrations TO authenticated;

GRANT INSERT(session_id),UPDATE(session_id) ON TABLE public.mm_audio_narrations TO anon;
GRANT INSERT(session_id),UPDATE(session_id) ON TABLE public.mm_audio_narrations TO authenticated;

GRANT INSERT(content_id),UPDATE(content_id) ON TABLE public.mm_audio_narrations TO anon;
GRANT INSERT(content_id),UPDATE(content_id) ON TABLE public.mm_audio_narrations TO authenticated;

GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.mm_audio_narrations TO anon;
GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.mm_audio_narrations TO authenticated;

GRANT INSERT(narration_name),UPDATE(narration_name) ON TABLE public.mm_audio_narrations TO anon;
GRANT INSERT(narration_name),UPDATE(narration_name) ON TABLE public.mm_audio_narrations TO authenticated;

GRANT INSERT(narration_type),UPDATE(narration_type) ON TABLE public.mm_audio_narrations TO anon;
GRANT INSERT(narration_type),UPDATE(narration_type) ON TABLE public.mm_audio_narrations TO authenticated;

GRANT INSERT(section_name),UPDATE(section_name) ON TABLE public.mm_audio_narrations TO anon;
GRANT INSERT(section_name),UPDATE(section_name) ON TABLE public.mm_audio_narrations TO authenticated;

GRANT INSERT(status),UPDATE(status) ON TABLE public.mm_audio_narrations TO anon;
GRANT INSERT(status),UPDATE(status) ON TABLE public.mm_audio_narrations TO authenticated;

GRANT INSERT(is_active),UPDATE(is_active) ON TABLE public.mm_audio_narrations TO anon;
GRANT INSERT(is_active),UPDATE(is_active) ON TABLE public.mm_audio_narrations TO authenticated;

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.mm_audio_narrations TO anon;
GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.mm_audio_narrations TO authenticated;

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.mm_audio_narrations TO anon;
GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.mm_audio_narrations TO authenticated;

GRANT SELECT,DELETE ON TABLE public.mm_multimedia_assets TO anon;
GRANT SELECT,DELETE ON TABLE public.mm_multimedia_assets TO authenticated;
GRANT ALL ON TABLE public.mm_multimedia_assets TO service_role;
GRANT SELECT,INSERT,UPDATE ON TABLE public.mm_multimedia_assets TO lxera_daemon;

GRANT INSERT(asset_id),UPDATE(asset_id) ON TABLE public.mm_multimedia_assets TO anon;
GRANT INSERT(asset_id),UPDATE(asset_id) ON TABLE public.mm_multimedia_assets TO authenticated;

GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.mm_multimedia_assets TO anon;
GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.mm_multimedia_assets TO authenticated;

GRANT INSERT(generation_prompt),UPDATE(generation_prompt) ON TABLE public.mm_multimedia_assets TO anon;
GRANT INSERT(generation_prompt),UPDATE(generation_prompt) ON TABLE public.mm_multimedia_assets TO authenticated;

GRANT INSERT(status),UPDATE(status) ON TABLE public.mm_multimedia_assets TO anon;
GRANT INSERT(status),UPDATE(status) ON TABLE public.mm_multimedia_assets TO authenticated;

GRANT INSERT(is_active),UPDATE(is_active) ON TABLE public.mm_multimedia_assets TO anon;
GRANT INSERT(is_active),UPDATE(is_active) ON TABLE public.mm_multimedia_assets TO authenticated;

GRANT INSERT(version_number),UPDATE(version_number) ON TABLE public.mm_multimedia_assets TO anon;
GRANT INSERT(version_number),UPDATE(version_number) ON TABLE public.mm_multimedia_assets TO authenticated;

GRANT INSERT(parent_asset_id),UPDATE(parent_asset_id) ON TABLE public.mm_multimedia_assets TO anon;
GRANT INSERT(parent_asset_id),UPDATE(parent_asset_id) ON TABLE public.mm_multimedia_assets TO authenticated;

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.mm_multimedia_assets TO anon;
GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.mm_multimedia_assets TO authenticated;

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.mm_multimedia_assets TO anon;
GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.mm_multimedia_assets TO authenticated;

GRANT SELECT,DELETE ON TABLE public.mm_multimedia_sessions TO anon;
GRANT SELECT,DELETE ON TABLE public.mm_multimedia_sessions TO authenticated;
GRANT ALL ON TABLE public.mm_multimedia_sessions TO service_role;
GRANT SELECT,INSERT,UPDATE ON TABLE public.mm_multimedia_sessions TO lxera_daemon;

GRANT INSERT(session_id),UPDATE(session_id) ON TABLE public.mm_multimedia_sessions TO anon;
GRANT INSERT(session_id),UPDATE(session_id) ON TABLE public.mm_multimedia_sessions TO authenticated;

GRANT INSERT(content_id),UPDATE(content_id) ON TABLE public.mm_multimedia_sessions TO anon;
GRANT INSERT(content_id),UPDATE(content_id) ON TABLE public.mm_multimedia_sessions TO authenticated;

GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.mm_multimedia_sessions TO anon;
GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.mm_multimedia_sessions TO authenticated;

GRANT INSERT(session_type),UPDATE(session_type) ON TABLE public.mm_multimedia_sessions TO anon;
GRANT INSERT(session_type),UPDATE(session_type) ON TABLE public.mm_multimedia_sessions TO authenticated;

GRANT INSERT(module_name),UPDATE(module_name) ON TABLE public.mm_multimedia_sessions TO anon;
GRANT INSERT(module_name),UPDATE(module_name) ON TABLE public.mm_multimedia_sessions TO authenticated;

GRANT INSERT(employee_name),UPDATE(employee_name) ON TABLE public.mm_multimedia_sessions TO anon;
GRANT INSERT(employee_name),UPDATE(employee_name) ON TABLE public.mm_multimedia_sessions TO authenticated;

GRANT INSERT(content_sections),UPDATE(content_sections) ON TABLE public.mm_multimedia_sessions TO anon;
GRANT INSERT(content_sections),UPDATE(content_sections) ON TABLE public.mm_multimedia_sessions TO authenticated;

GRANT INSERT(status),UPDATE(status) ON TABLE public.mm_multimedia_sessions TO anon;
GRANT INSERT(status),UPDATE(status) ON TABLE public.mm_multimedia_sessions TO authenticated;

GRANT INSERT(initiated_by),UPDATE(initiated_by) ON TABLE public.mm_multimedia_sessions TO anon;
GRANT INSERT(initiated_by),UPDATE(initiated_by) ON TABLE public.mm_multimedia_sessions TO authenticated;

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.mm_multimedia_sessions TO anon;
GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.mm_multimedia_sessions TO authenticated;

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.mm_multimedia_sessions TO anon;
GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.mm_multimedia_sessions TO authenticated;

GRANT INSERT(version_reason),UPDATE(version_reason) ON TABLE public.mm_multimedia_sessions TO anon;
GRANT INSERT(version_reason),UPDATE(version_reason) ON TABLE public.mm_multimedia_sessions TO authenticated;

GRANT INSERT(render_priority),UPDATE(render_priority) ON TABLE public.mm_multimedia_sessions TO anon;
GRANT INSERT(render_priority),UPDATE(render_priority) ON TABLE public.mm_multimedia_sessions TO authenticated;

GRANT SELECT ON TABLE public.mm_rendering_queue TO anon;
GRANT SELECT ON TABLE public.mm_rendering_queue TO authenticated;
GRANT ALL ON TABLE public.mm_rendering_queue TO service_role;

GRANT SELECT,DELETE ON TABLE public.mm_slide_presentations TO anon;
GRANT SELECT,DELETE ON TABLE public.mm_slide_presentations TO authenticated;
GRANT ALL ON TABLE public.mm_slide_presentations TO service_role;
GRANT SELECT,INSERT,UPDATE ON TABLE public.mm_slide_presentations TO lxera_daemon;

GRANT INSERT(presentation_id),UPDATE(presentation_id) ON TABLE public.mm_slide_presentations TO anon;
GRANT INSERT(presentation_id),UPDATE(presentation_id) ON TABLE public.mm_slide_presentations TO authenticated;

GRANT INSERT(session_id),UPDATE(session_id) ON TABLE public.mm_slide_presentations TO anon;
GRANT INSERT(session_id),UPDATE(session_id) ON TABLE public.mm_slide_presentations TO authenticated;

GRANT INSERT(content_id),UPDATE(content_id) ON TABLE public.mm_slide_presentations TO anon;
GRANT INSERT(content_id),UPDATE(content_id) ON TABLE public.mm_slide_presentations TO authenticated;

GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.mm_slide_presentations TO anon;
GRANT INSERT(company_id),UPDATE(company_id) ON TABLE public.mm_slide_presentations TO authenticated;

GRANT INSERT(presentation_name),UPDATE(presentation_name) ON TABLE public.mm_slide_presentations TO anon;
GRANT INSERT(presentation_name),UPDATE(presentation_name) ON TABLE public.mm_slide_presentations TO authenticated;

GRANT INSERT(presentation_type),UPDATE(presentation_type) ON TABLE public.mm_slide_presentations TO anon;
GRANT INSERT(presentation_type),UPDATE(presentation_type) ON TABLE public.mm_slide_presentations TO authenticated;

GRANT INSERT(status),UPDATE(status) ON TABLE public.mm_slide_presentations TO anon;
GRANT INSERT(status),UPDATE(status) ON TABLE public.mm_slide_presentations TO authenticated;

GRANT INSERT(is_active),UPDATE(is_active) ON TABLE public.mm_slide_presentations TO anon;
GRANT INSERT(is_active),UPDATE(is_active) ON TABLE public.mm_slide_presentations TO authenticated;

GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.mm_slide_presentations TO anon;
GRANT INSERT(created_at),UPDATE(created_at) ON TABLE public.mm_slide_presentations TO authenticated;

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.mm_slide_presentations TO anon;
GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.mm_slide_presentations TO authenticated;

GRANT SELECT ON TABLE public.mm_video_analytics TO anon;
GRANT SELECT ON TABLE public.mm_video_analytics TO authenticated;
GRANT ALL ON TABLE public.mm_video_analytics TO service_role;

GRANT INSERT(asset_id) ON TABLE public.mm_video_analytics TO authenticated;

GRANT INSERT(seconds_watched) ON TABLE public.mm_video_analytics TO authenticated;

GRANT INSERT(completed) ON TABLE public.mm_video_analytics TO authenticated;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.users TO anon;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.users TO authenticated;
GRANT ALL ON TABLE public.users TO service_role;

GRANT SELECT(id) ON TABLE public.users TO lxera_daemon;

GRANT SELECT(full_name) ON TABLE public.users TO lxera_daemon;

GRANT SELECT(company_id) ON TABLE public.users TO lxera_daemon;

GRANT SELECT("position") ON TABLE public.users TO lxera_daemon;

GRANT SELECT(department) ON TABLE public.users TO lxera_daemon;

CREATE EVENT TRIGGER pipeline_pin_definer_search_path ON ddl_command_end
         WHEN TAG IN ('CREATE FUNCTION')
   EXECUTE FUNCTION pipeline.pin_new_definer_functions();
