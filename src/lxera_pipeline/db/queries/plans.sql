-- Course plans and research results (lxera_pipeline.data.plans).

-- name: insert_course_plan
insert into public.cm_course_plans
    (plan_id, company_id, employee_id, employee_name, session_id, course_title, course_structure,
     prioritized_gaps, research_strategy, learning_path, employee_profile, total_modules,
     course_duration_weeks, status, metadata)
values
    (coalesce(%(plan_id)s::uuid, gen_random_uuid()), %(company_id)s, %(employee_id)s,
     %(employee_name)s, %(session_id)s, %(course_title)s, %(course_structure)s,
     %(prioritized_gaps)s, %(research_strategy)s, %(learning_path)s, %(employee_profile)s,
     %(total_modules)s, %(course_duration_weeks)s, %(status)s, %(metadata)s)
on conflict (plan_id) do nothing
returning *;

-- name: select_course_plan
select * from public.cm_course_plans where plan_id = %(plan_id)s;

-- name: update_course_plan_status
-- error_message is kept while the plan is failed and cleared when it moves on.
update public.cm_course_plans
   set status = %(status)s,
       course_title = coalesce(%(course_title)s, course_title),
       course_structure = coalesce(%(course_structure)s, course_structure),
       total_modules = coalesce(%(total_modules)s, total_modules),
       error_message = case when %(status)s = 'failed'
                            then coalesce(%(error_message)s, error_message) end
 where plan_id = %(plan_id)s
returning *;

-- name: insert_research_result
-- The company and (by default) the session come from the plan.
insert into public.cm_research_results
    (research_id, company_id, plan_id, session_id, search_queries, research_agent_version, status)
select coalesce(%(research_id)s::uuid, gen_random_uuid()), p.company_id, p.plan_id,
       coalesce(%(session_id)s, p.session_id), %(search_queries)s,
       coalesce(%(research_agent_version)s, 'v2'), 'started'
  from public.cm_course_plans p
 where p.plan_id = %(plan_id)s
on conflict (research_id) do nothing
returning *;

-- name: complete_research_result
update public.cm_research_results
   set status = 'completed',
       research_findings = %(research_findings)s,
       content_library = coalesce(%(content_library)s, content_library),
       module_mappings = coalesce(%(module_mappings)s, module_mappings),
       total_topics = coalesce(%(total_topics)s, total_topics),
       total_sources = coalesce(%(total_sources)s, total_sources),
       search_queries = coalesce(%(search_queries)s, search_queries),
       sources_analyzed = coalesce(%(sources_analyzed)s, sources_analyzed),
       execution_metrics = coalesce(%(execution_metrics)s, execution_metrics),
       error_message = null
 where research_id = %(research_id)s
returning *;

-- name: fail_research_result
update public.cm_research_results
   set status = 'failed', error_message = %(error_message)s
 where research_id = %(research_id)s
returning *;

-- name: select_research_result
select * from public.cm_research_results where research_id = %(research_id)s;

-- name: select_latest_plan_research
select * from public.cm_research_results
 where plan_id = %(plan_id)s
 order by created_at desc, research_id
 limit 1;
