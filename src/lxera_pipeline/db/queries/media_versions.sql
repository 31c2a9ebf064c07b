-- Media versions (lxera_pipeline.operate.media): regenerate a module's (or one section's) media
-- as a new version, make an older version current again, list the versions.

-- name: media_regenerate_target
-- The content (locked), and whether a session for the same section is still running.
select c.content_id, c.status, c.module_name,
       exists (select 1 from public.mm_multimedia_sessions s
                where s.content_id = c.content_id
                  and s.status in ('started', 'processing')
                  and pipeline.session_section(s.session_type, s.content_sections)
                      = %(section)s) as running
  from public.cm_module_content c
 where c.content_id = %(content_id)s
   for update of c;

-- name: media_regenerate
-- A new session copies the latest generation settings of the same section; the session's
-- insert trigger opens its version, which this statement then marks as the operator's.
with latest as (
    select s.generation_config
      from public.mm_multimedia_sessions s
     where s.content_id = %(content_id)s
       and pipeline.session_section(s.session_type, s.content_sections) = %(section)s
     order by s.created_at desc
     limit 1
), opened as (
    insert into public.mm_multimedia_sessions
        (content_id, company_id, session_type, module_name, employee_name, generation_config,
         content_sections, status, current_stage, progress_percentage, version_reason)
    select c.content_id, c.company_id,
           case when %(section)s = 'full_module' then 'full_generation'
                else 'section_video' end,
           c.module_name, c.employee_name,
           coalesce((select generation_config from latest), '{}'::jsonb)
               || jsonb_build_object('section_name', %(section)s::text),
           case when %(section)s = 'full_module'
                then array_remove(array[
                    case when c.introduction <> '' then 'introduction' end,
                    case when c.core_content <> '' then 'core_content' end,
                    case when c.practical_applications <> '' then 'practical_applications' end,
                    case when c.case_studies <> '' then 'case_studies' end,
                    case when c.assessments <> '' then 'assessments' end], null)
                else array[%(section)s::text] end,
           'started', 'initialization', 0, %(reason)s
      from public.cm_module_content c
     where c.content_id = %(content_id)s
    returning session_id
)
select session_id from opened;

-- name: media_mark_operator_version
update public.mm_media_versions
   set requested_via = 'operator'
 where session_id = %(session_id)s
returning *;

-- name: media_make_current
select * from pipeline.make_media_version_current(%(content_id)s, %(section)s, %(version)s);

-- name: media_versions
select v.version, v.section_name, v.is_current, v.current_since, v.requested_via,
       v.requested_by, v.reason, v.content_version, v.session_id, s.status as session_status,
       v.created_at,
       (select count(*) from public.mm_multimedia_assets a
         where a.session_id = v.session_id) as assets
  from public.mm_media_versions v
  join public.mm_multimedia_sessions s using (session_id)
 where v.content_id = %(content_id)s
 order by v.section_name, v.version;
