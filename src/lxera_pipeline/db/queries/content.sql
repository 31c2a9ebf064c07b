-- Module content (lxera_pipeline.data.content). Word counts are computed by the database trigger.

-- name: insert_module_content
insert into public.cm_module_content
    (content_id, company_id, plan_id, module_id, module_name, employee_name, session_id,
     module_spec, research_context, priority_level, assigned_to, created_by, introduction,
     core_content, practical_applications, case_studies, assessments, status)
values
    (coalesce(%(content_id)s::uuid, gen_random_uuid()), %(company_id)s, %(plan_id)s,
     %(module_id)s, %(module_name)s, %(employee_name)s, %(session_id)s, %(module_spec)s,
     %(research_context)s, %(priority_level)s, %(assigned_to)s, %(created_by)s,
     %(sections)s::jsonb ->> 'introduction', %(sections)s::jsonb ->> 'core_content',
     %(sections)s::jsonb ->> 'practical_applications', %(sections)s::jsonb ->> 'case_studies',
     %(sections)s::jsonb ->> 'assessments', 'draft')
on conflict (content_id) do nothing
returning *;

-- name: select_module_content
select * from public.cm_module_content where content_id = %(content_id)s;

-- name: select_content_sections
select introduction, core_content, practical_applications, case_studies, assessments
  from public.cm_module_content
 where content_id = %(content_id)s;

-- name: list_plan_module_content
select * from public.cm_module_content
 where plan_id = %(plan_id)s and is_current_version
 order by created_at, module_name;

-- name: update_module_sections
-- One statement for one section or all of them: a key present in %(sections)s replaces that
-- section (JSON null clears it); absent keys keep their text. section_updated_at records when.
-- The edit advances the version the caller read (%(base_version)s); the database refuses it
-- (SQLSTATE 40001) when another edit came first.
update public.cm_module_content c
   set version = %(base_version)s + 1,
       introduction = case when %(sections)s::jsonb ? 'introduction'
                           then %(sections)s::jsonb ->> 'introduction' else c.introduction end,
       core_content = case when %(sections)s::jsonb ? 'core_content'
                           then %(sections)s::jsonb ->> 'core_content' else c.core_content end,
       practical_applications = case when %(sections)s::jsonb ? 'practical_applications'
                                     then %(sections)s::jsonb ->> 'practical_applications'
                                     else c.practical_applications end,
       case_studies = case when %(sections)s::jsonb ? 'case_studies'
                           then %(sections)s::jsonb ->> 'case_studies' else c.case_studies end,
       assessments = case when %(sections)s::jsonb ? 'assessments'
                          then %(sections)s::jsonb ->> 'assessments' else c.assessments end,
       section_updated_at = c.section_updated_at
           || (select coalesce(jsonb_object_agg(key, to_jsonb(now())), '{}'::jsonb)
                 from jsonb_object_keys(%(sections)s::jsonb) as key)
 where c.content_id = %(content_id)s
returning *;

-- name: update_module_content_status
-- failure_reason is kept while the content is failed and cleared when it moves on.
update public.cm_module_content
   set status = %(status)s,
       revision_count = revision_count + case when %(count_revision)s then 1 else 0 end,
       failure_reason = case when %(status)s = 'failed'
                             then coalesce(%(failure_reason)s, failure_reason) end
 where content_id = %(content_id)s
returning *;

-- name: update_module_approval_status
update public.cm_module_content
   set approval_status = %(approval_status)s
 where content_id = %(content_id)s
returning *;
