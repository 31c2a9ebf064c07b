-- Slide presentations and audio narrations of a multimedia session (lxera_pipeline.data.deliverables).
-- Both are upserts keyed on what identifies them within a session: a presentation by its type, a
-- narration by its type and section. The status only moves where the state machine allows (a
-- replay never moves a row back); export flags follow the export asset ids.

-- name: upsert_slide_presentation
with session as (
    select session_id, content_id, company_id
      from public.mm_multimedia_sessions
     where session_id = %(session_id)s
), existing as (
    select p.presentation_id, p.status
      from public.mm_slide_presentations p
     where p.session_id = %(session_id)s and p.presentation_type = %(presentation_type)s
       and p.is_active
     order by p.created_at, p.presentation_id
     limit 1
       for update
), updated as (
    update public.mm_slide_presentations p
       set presentation_name = %(presentation_name)s,
           total_slides = jsonb_array_length(%(slide_order)s::jsonb),
           slide_order = %(slide_order)s::jsonb,
           template_used = coalesce(%(template_used)s, p.template_used),
           theme_config = coalesce(%(theme_config)s, p.theme_config),
           pdf_asset_id = coalesce(%(pdf_asset_id)s, p.pdf_asset_id),
           pptx_asset_id = coalesce(%(pptx_asset_id)s, p.pptx_asset_id),
           html_asset_id = coalesce(%(html_asset_id)s, p.html_asset_id),
           pdf_generated = coalesce(%(pdf_asset_id)s, p.pdf_asset_id) is not null,
           pptx_generated = coalesce(%(pptx_asset_id)s, p.pptx_asset_id) is not null,
           html_generated = coalesce(%(html_asset_id)s, p.html_asset_id) is not null,
           status = case when exists (
                            select 1 from pipeline.transitions t
                             where t.table_name = 'mm_slide_presentations'
                               and t.status_column = 'status'
                               and t.from_status = existing.status
                               and t.to_status = %(status)s)
                         then %(status)s else p.status end
      from existing
     where p.presentation_id = existing.presentation_id
    returning p.*
), inserted as (
    insert into public.mm_slide_presentations
        (session_id, content_id, company_id, presentation_name, presentation_type, total_slides,
         slide_order, template_used, theme_config, pdf_asset_id, pptx_asset_id, html_asset_id,
         pdf_generated, pptx_generated, html_generated, status)
    select s.session_id, s.content_id, s.company_id, %(presentation_name)s,
           %(presentation_type)s, jsonb_array_length(%(slide_order)s::jsonb),
           %(slide_order)s::jsonb, %(template_used)s, coalesce(%(theme_config)s, '{}'::jsonb),
           %(pdf_asset_id)s, %(pptx_asset_id)s, %(html_asset_id)s,
           %(pdf_asset_id)s::uuid is not null, %(pptx_asset_id)s::uuid is not null,
           %(html_asset_id)s::uuid is not null, %(status)s
      from session s
     where not exists (select 1 from existing)
    returning *
)
select * from updated
union all
select * from inserted;

-- name: list_session_presentations
select * from public.mm_slide_presentations
 where session_id = %(session_id)s and is_active
 order by created_at, presentation_id;

-- name: upsert_audio_narration
with session as (
    select session_id, content_id, company_id
      from public.mm_multimedia_sessions
     where session_id = %(session_id)s
), existing as (
    select n.narration_id, n.status
      from public.mm_audio_narrations n
     where n.session_id = %(session_id)s and n.narration_type = %(narration_type)s
       and n.section_name is not distinct from %(section_name)s::text and n.is_active
     order by n.created_at, n.narration_id
     limit 1
       for update
), updated as (
    update public.mm_audio_narrations n
       set narration_name = %(narration_name)s,
           total_duration_seconds = %(total_duration_seconds)s,
           audio_segments = %(audio_segments)s,
           voice_config = coalesce(%(voice_config)s, n.voice_config),
           script_content = coalesce(%(script_content)s, n.script_content),
           master_audio_id = coalesce(%(master_audio_id)s, n.master_audio_id),
           segments_audio_ids = %(segments_audio_ids)s::uuid[],
           synthesis_completed = %(synthesis_completed)s,
           segments_merged = %(segments_merged)s,
           status = case when exists (
                            select 1 from pipeline.transitions t
                             where t.table_name = 'mm_audio_narrations'
                               and t.status_column = 'status'
                               and t.from_status = existing.status
                               and t.to_status = %(status)s)
                         then %(status)s else n.status end
      from existing
     where n.narration_id = existing.narration_id
    returning n.*
), inserted as (
    insert into public.mm_audio_narrations
        (session_id, content_id, company_id, narration_name, narration_type, section_name,
         total_duration_seconds, audio_segments, voice_config, script_content, master_audio_id,
         segments_audio_ids, synthesis_completed, segments_merged, status)
    select s.session_id, s.content_id, s.company_id, %(narration_name)s, %(narration_type)s,
           %(section_name)s, %(total_duration_seconds)s, %(audio_segments)s,
           coalesce(%(voice_config)s, '{}'::jsonb), %(script_content)s, %(master_audio_id)s,
           %(segments_audio_ids)s::uuid[], %(synthesis_completed)s, %(segments_merged)s,
           %(status)s
      from session s
     where not exists (select 1 from existing)
    returning *
)
select * from updated
union all
select * from inserted;

-- name: list_session_narrations
select * from public.mm_audio_narrations
 where session_id = %(session_id)s and is_active
 order by created_at, section_name nulls first, narration_id;
