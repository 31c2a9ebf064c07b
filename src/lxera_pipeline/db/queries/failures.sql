-- Recording a dead letter on its entity (lxera_pipeline.data.failures). The on-dead hooks use
-- these instead of the row models: they read and write only ids, statuses and the reason, so a
-- row whose other columns do not parse is still marked failed.

-- name: fail_open_plan
update public.cm_course_plans
   set status = 'failed', error_message = %(reason)s
 where plan_id = %(plan_id)s and status = any(%(statuses)s::text[])
returning plan_id;

-- name: fail_open_research
update public.cm_research_results
   set status = 'failed', error_message = %(reason)s
 where research_id = %(research_id)s and status = 'started'
returning research_id;

-- name: select_research_plan_id
select plan_id from public.cm_research_results where research_id = %(research_id)s;

-- name: fail_open_content
update public.cm_module_content
   set status = 'failed', failure_reason = %(reason)s
 where content_id = %(content_id)s and status = any(%(statuses)s::text[])
returning content_id;

-- name: fail_open_enhancement
update public.cm_enhancement_sessions
   set status = 'failed', error_details = %(reason)s, success = false,
       completed_at = coalesce(completed_at, now()),
       duration_seconds = greatest(0, extract(epoch from now() - started_at))::integer
 where session_id = %(session_id)s
   and status in ('started', 'research_complete', 'content_enhanced')
returning session_id;

-- name: select_enhancement_content_id
select content_id from public.cm_enhancement_sessions where session_id = %(session_id)s;

-- name: lock_plan_status
select status from public.cm_course_plans where plan_id = %(plan_id)s for update;

-- name: select_content_plan_id
select plan_id from public.cm_module_content where content_id = %(content_id)s;

-- name: fail_open_session
update public.mm_multimedia_sessions
   set status = 'failed', error_details = left(current_stage || ': ' || %(reason)s, 2000)
 where session_id = %(session_id)s and status in ('started', 'processing')
returning session_id;
