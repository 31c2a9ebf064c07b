-- The demo's seed rows and its read-outs (lxera_pipeline.cli.demo.seed and .view).

-- name: demo_insert_company
insert into public.companies (name, domain, plan_type)
values (%(name)s, %(domain)s, 'trial')
returning id;

-- name: demo_insert_learner
insert into public.users (email, full_name, role, company_id, position, department)
values (%(email)s, %(full_name)s, 'learner', %(company_id)s, %(position)s, %(department)s)
returning id;

-- name: demo_insert_employee
insert into public.employees
    (user_id, company_id, position, department, career_goal, skill_level, key_tools)
values (%(user_id)s, %(company_id)s, %(position)s, %(department)s, %(career_goal)s,
        %(skill_level)s, %(key_tools)s::text[])
returning id;

-- name: demo_plan_progress
-- Every module of a plan with its content status and its newest multimedia session, if any.
select c.content_id, c.module_name, c.status as content_status, c.revision_count,
       c.failure_reason, s.session_id, s.status as session_status, s.current_stage,
       s.progress_percentage, s.error_details
  from public.cm_module_content c
  left join lateral (
        select * from public.mm_multimedia_sessions m
         where m.content_id = c.content_id
         order by m.started_at desc, m.session_id
         limit 1) s on true
 where c.plan_id = %(plan_id)s
 order by c.module_id, c.module_name;

-- name: demo_plan_status
select status, error_message from public.cm_course_plans where plan_id = %(plan_id)s;

-- name: demo_session_assets
select a.asset_type, a.asset_name, a.file_path, a.file_size_bytes, a.mime_type, a.section_name,
       a.slide_number, a.duration_seconds, a.status, a.storage_path, a.public_url
  from public.mm_multimedia_assets a
 where a.session_id = %(session_id)s
 order by a.asset_type, a.slide_number nulls first, a.asset_name;

-- name: demo_module_events
-- The module's own story: the events of its content row, its enhancement sessions and its
-- multimedia sessions (asset events are summarised elsewhere), each with its handler attempts.
select e.event_id, e.table_name, e.status_column, e.old_status, e.new_status, e.committed_at,
       coalesce(jsonb_agg(jsonb_build_object(
                   'handler', a.handler, 'outcome', a.outcome, 'attempt', a.attempt,
                   'duration_ms', a.duration_ms, 'error', a.error)
                   order by a.audit_id) filter (where a.audit_id is not null),
                '[]'::jsonb) as attempts
  from pipeline.events e
  left join pipeline.audit_log a on a.event_id = e.event_id
 where e.entity_id = %(content_id)s
    or e.entity_id in (select session_id from public.cm_enhancement_sessions
                        where content_id = %(content_id)s)
    or e.entity_id in (select session_id from public.mm_multimedia_sessions
                        where content_id = %(content_id)s)
 group by e.event_id, e.committed_at  -- the events' primary key
 order by e.event_id;

