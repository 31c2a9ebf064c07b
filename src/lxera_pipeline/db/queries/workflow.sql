-- Queries of the workflow handlers that the other repositories do not cover
-- (lxera_pipeline.data.workflow): row locks, the learner of a plan, plan outcome counts.

-- name: lock_course_plan
select * from public.cm_course_plans where plan_id = %(plan_id)s for update;

-- name: lock_research_result
select * from public.cm_research_results where research_id = %(research_id)s for update;

-- name: lock_module_content
select * from public.cm_module_content where content_id = %(content_id)s for update;

-- name: lock_enhancement_session
select * from public.cm_enhancement_sessions where session_id = %(session_id)s for update;

-- name: lock_multimedia_session
select * from public.mm_multimedia_sessions where session_id = %(session_id)s for update;

-- name: select_employee_learner
-- What personalises a course: the person's name and the employee's role, department, goals.
select u.full_name,
       coalesce(e.position, e.employee_role, u.position) as role,
       coalesce(e.department, u.department) as department,
       e.skill_level, e.career_goal, e.key_tools
  from public.employees e
  join public.users u on u.id = e.user_id
 where e.id = %(employee_id)s;

-- name: plan_content_outcome
-- How the current modules of a plan stand: all of them, and those published or failed.
select count(*)::integer as total,
       (count(*) filter (where status = 'published'))::integer as published,
       (count(*) filter (where status = 'failed'))::integer as failed
  from public.cm_module_content
 where plan_id = %(plan_id)s and is_current_version;

-- name: update_content_research_context
update public.cm_module_content
   set research_context = %(research_context)s
 where content_id = %(content_id)s
returning *;

-- name: record_content_enhancement
-- Counts one enhancement of each listed section and appends the session to the history.
update public.cm_module_content c
   set section_enhancement_count = c.section_enhancement_count
           || (select coalesce(jsonb_object_agg(
                          s, coalesce((c.section_enhancement_count ->> s)::integer, 0) + 1),
                          '{}'::jsonb)
                 from unnest(%(sections)s::text[]) as s),
       enhancement_history = c.enhancement_history
           || jsonb_build_array(jsonb_build_object(
                  'session_id', %(session_id)s::text, 'sections', to_jsonb(%(sections)s::text[]),
                  'enhanced_at', now())),
       last_enhancement_id = %(session_id)s
 where c.content_id = %(content_id)s
returning *;
