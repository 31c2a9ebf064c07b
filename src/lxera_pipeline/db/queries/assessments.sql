-- Quality assessments and enhancement sessions (lxera_pipeline.data.assessments, .enhancements).

-- name: insert_quality_assessment
-- The company comes from the content row, which also records when it was last checked.
with content as (
    update public.cm_module_content
       set last_quality_check = now(),
           section_quality_scores = section_quality_scores || %(section_scores)s::jsonb
     where content_id = %(content_id)s
 returning content_id, company_id
)
insert into public.cm_quality_assessments
    (content_id, company_id, overall_score, section_scores, accuracy_score, clarity_score,
     completeness_score, engagement_score, personalization_score, quality_feedback,
     word_count_assessment, critical_issues, improvement_suggestions, module_context, passed,
     requires_revision, sections_needing_work, assessment_duration_seconds, assessed_at)
select content_id, company_id, %(overall_score)s, %(section_scores)s, %(accuracy_score)s,
       %(clarity_score)s, %(completeness_score)s, %(engagement_score)s,
       %(personalization_score)s, %(quality_feedback)s, %(word_count_assessment)s,
       %(critical_issues)s::text[], %(improvement_suggestions)s::text[], %(module_context)s,
       %(passed)s, %(requires_revision)s, %(sections_needing_work)s::text[],
       %(assessment_duration_seconds)s, clock_timestamp()
  from content
returning *;

-- name: select_latest_quality_assessment
select * from public.cm_quality_assessments
 where content_id = %(content_id)s
 order by assessed_at desc, assessment_id
 limit 1;

-- name: list_quality_assessments
select * from public.cm_quality_assessments
 where content_id = %(content_id)s
 order by assessed_at, assessment_id;

-- name: insert_enhancement_session
-- Company and word count before come from the content row, the score before from the assessment;
-- the content row points at its latest enhancement session.
with content as (
    select content_id, company_id, total_word_count
      from public.cm_module_content
     where content_id = %(content_id)s
), inserted as (
    insert into public.cm_enhancement_sessions
        (session_id, content_id, company_id, quality_assessment_id, enhancement_type,
         sections_to_enhance, sections_preserved, word_count_before, quality_score_before,
         initiated_by, status)
    select coalesce(%(session_id)s::uuid, gen_random_uuid()), content_id, company_id,
           %(quality_assessment_id)s, %(enhancement_type)s, %(sections_to_enhance)s::text[],
           %(sections_preserved)s::text[], total_word_count,
           coalesce(%(quality_score_before)s,
                    (select overall_score from public.cm_quality_assessments
                      where assessment_id = %(quality_assessment_id)s)),
           %(initiated_by)s, 'started'
      from content
    on conflict (session_id) do nothing
    returning *
), linked as (
    update public.cm_module_content c
       set last_enhancement_id = inserted.session_id
      from inserted
     where c.content_id = inserted.content_id
)
select * from inserted;

-- name: advance_enhancement_session
-- Finishing (completed or failed) stamps completed_at, duration_seconds and success.
update public.cm_enhancement_sessions
   set status = coalesce(%(status)s, status),
       research_conducted = coalesce(%(research_conducted)s, research_conducted),
       content_regenerated = coalesce(%(content_regenerated)s, content_regenerated),
       integration_completed = coalesce(%(integration_completed)s, integration_completed),
       word_count_after = coalesce(%(word_count_after)s, word_count_after),
       quality_score_after = coalesce(%(quality_score_after)s, quality_score_after),
       enhancement_tokens_used = coalesce(%(enhancement_tokens_used)s, enhancement_tokens_used),
       content_tokens_used = coalesce(%(content_tokens_used)s, content_tokens_used),
       error_details = coalesce(%(error_details)s, error_details),
       success = case when %(status)s = 'completed' then true
                      when %(status)s = 'failed' then false else success end,
       completed_at = case when %(status)s in ('completed', 'failed')
                           then coalesce(completed_at, now()) else completed_at end,
       duration_seconds = case when %(status)s in ('completed', 'failed')
                               then greatest(0, extract(epoch from now() - started_at))::integer
                               else duration_seconds end
 where session_id = %(session_id)s
returning *;

-- name: select_enhancement_session
select * from public.cm_enhancement_sessions where session_id = %(session_id)s;

-- name: list_content_enhancement_sessions
select * from public.cm_enhancement_sessions
 where content_id = %(content_id)s
 order by started_at, created_at, session_id;
