-- The roadmap's tables move with their module when `archive content` archives it (and come back
-- with `archive restore`): each carries content_id and hangs under the module (or its sessions
-- and assets), so it follows them in the family's insert order.
create or replace function pipeline.content_family_tables() returns text[]
language sql immutable as $$
    select array['cm_module_content', 'cm_quality_assessments', 'cm_enhancement_sessions',
                 'mm_multimedia_sessions', 'mm_multimedia_assets', 'mm_slide_presentations',
                 'mm_audio_narrations', 'cm_module_content_revisions', 'mm_media_versions',
                 'mm_script_generations', 'mm_rendering_queue', 'mm_video_analytics']
$$;
