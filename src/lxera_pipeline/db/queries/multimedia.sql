-- Multimedia sessions and their assets (lxera_pipeline.data.multimedia, .assets).

-- name: insert_multimedia_session
-- Company, names and (by default) the sections that have text come from the content row.
insert into public.mm_multimedia_sessions
    (session_id, content_id, company_id, session_type, module_name, employee_name,
     generation_config, content_sections, initiated_by, status, current_stage, progress_percentage)
select coalesce(%(session_id)s::uuid, gen_random_uuid()), c.content_id, c.company_id,
       %(session_type)s, coalesce(%(module_name)s, c.module_name),
       coalesce(%(employee_name)s, c.employee_name), %(generation_config)s,
       coalesce(%(content_sections)s::text[],
                array_remove(array[
                    case when c.introduction <> '' then 'introduction' end,
                    case when c.core_content <> '' then 'core_content' end,
                    case when c.practical_applications <> '' then 'practical_applications' end,
                    case when c.case_studies <> '' then 'case_studies' end,
                    case when c.assessments <> '' then 'assessments' end], null)),
       %(initiated_by)s, 'started', 'initialization', 0
  from public.cm_module_content c
 where c.content_id = %(content_id)s
on conflict (session_id) do nothing
returning *;

-- name: update_multimedia_session
-- NULL parameters keep the column. Leaving 'failed' for 'processing' counts a retry; finishing
-- stamps completed_at (completed only) and the processing duration (unless given).
update public.mm_multimedia_sessions s
   set status = coalesce(%(status)s, s.status),
       current_stage = coalesce(%(stage)s, s.current_stage),
       progress_percentage = coalesce(%(progress)s, s.progress_percentage),
       total_assets_generated = coalesce(%(total_assets_generated)s, s.total_assets_generated),
       slides_generated = coalesce(%(slides_generated)s, s.slides_generated),
       audio_files_generated = coalesce(%(audio_files_generated)s, s.audio_files_generated),
       video_files_generated = coalesce(%(video_files_generated)s, s.video_files_generated),
       tokens_used = coalesce(%(tokens_used)s, s.tokens_used),
       error_details = coalesce(%(error_details)s, s.error_details),
       retry_count = s.retry_count
           + case when s.status = 'failed' and %(status)s = 'processing' then 1 else 0 end,
       completed_at = case when %(status)s = 'completed'
                           then coalesce(s.completed_at, now()) else s.completed_at end,
       processing_duration_seconds = coalesce(
           %(processing_duration_seconds)s,
           case when %(status)s in ('completed', 'failed')
                then greatest(0, extract(epoch from now() - s.started_at))::integer end,
           s.processing_duration_seconds)
 where s.session_id = %(session_id)s
returning *;

-- name: select_multimedia_session
select * from public.mm_multimedia_sessions where session_id = %(session_id)s;

-- name: list_content_multimedia_sessions
select * from public.mm_multimedia_sessions
 where content_id = %(content_id)s
 order by started_at, session_id;

-- name: upsert_multimedia_assets
-- Any number of assets of one session in one statement (one array per column). Company and
-- content come from the session. (session_id, file_path) is the natural key: registering a file
-- again refreshes its row, and its status only moves where the state machine allows (a replay
-- never moves an asset back).
insert into public.mm_multimedia_assets as a
    (session_id, content_id, company_id, asset_type, asset_name, file_path, file_size_bytes,
     mime_type, section_name, slide_number, duration_seconds, generation_config, quality_metrics,
     processing_time_seconds, tokens_used, generation_prompt, status, storage_bucket,
     storage_path, public_url)
select s.session_id, s.content_id, s.company_id, t.asset_type, t.asset_name, t.file_path,
       t.file_size_bytes, t.mime_type, t.section_name, t.slide_number, t.duration_seconds,
       t.generation_config, t.quality_metrics, t.processing_time_seconds, t.tokens_used,
       t.generation_prompt, t.status, t.storage_bucket, t.storage_path, t.public_url
  from public.mm_multimedia_sessions s
 cross join unnest(
       %(asset_type)s::text[], %(asset_name)s::text[], %(file_path)s::text[],
       %(file_size_bytes)s::bigint[], %(mime_type)s::text[], %(section_name)s::text[],
       %(slide_number)s::integer[], %(duration_seconds)s::numeric[],
       %(generation_config)s::jsonb[], %(quality_metrics)s::jsonb[],
       %(processing_time_seconds)s::numeric[], %(tokens_used)s::integer[],
       %(generation_prompt)s::text[], %(status)s::text[], %(storage_bucket)s::text[],
       %(storage_path)s::text[], %(public_url)s::text[])
       as t(asset_type, asset_name, file_path, file_size_bytes, mime_type, section_name,
            slide_number, duration_seconds, generation_config, quality_metrics,
            processing_time_seconds, tokens_used, generation_prompt, status, storage_bucket,
            storage_path, public_url)
 where s.session_id = %(session_id)s
on conflict (session_id, file_path) do update
   set asset_type = excluded.asset_type,
       asset_name = excluded.asset_name,
       file_size_bytes = excluded.file_size_bytes,
       mime_type = excluded.mime_type,
       section_name = excluded.section_name,
       slide_number = excluded.slide_number,
       duration_seconds = excluded.duration_seconds,
       generation_config = excluded.generation_config,
       quality_metrics = excluded.quality_metrics,
       processing_time_seconds = excluded.processing_time_seconds,
       tokens_used = excluded.tokens_used,
       generation_prompt = excluded.generation_prompt,
       storage_bucket = excluded.storage_bucket,
       storage_path = coalesce(excluded.storage_path, a.storage_path),
       public_url = coalesce(excluded.public_url, a.public_url),
       is_active = true,
       status = case when exists (
                        select 1 from pipeline.transitions t
                         where t.table_name = 'mm_multimedia_assets' and t.status_column = 'status'
                           and t.from_status = a.status and t.to_status = excluded.status)
                     then excluded.status else a.status end
returning *;

-- name: list_session_assets
select * from public.mm_multimedia_assets
 where session_id = %(session_id)s
   and (%(asset_type)s::text is null or asset_type = %(asset_type)s::text)
   and (not %(active_only)s or is_active)
 order by asset_type, section_name nulls first, slide_number nulls first, file_path;

-- name: select_multimedia_asset
select * from public.mm_multimedia_assets where asset_id = %(asset_id)s;

-- name: update_multimedia_asset_status
update public.mm_multimedia_assets
   set status = %(status)s,
       storage_bucket = coalesce(%(storage_bucket)s, storage_bucket),
       storage_path = coalesce(%(storage_path)s, storage_path),
       public_url = coalesce(%(public_url)s, public_url),
       file_size_bytes = coalesce(%(file_size_bytes)s, file_size_bytes)
 where asset_id = %(asset_id)s
returning *;
