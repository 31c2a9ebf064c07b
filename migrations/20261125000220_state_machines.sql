-- The workflow's state machines and status events. The (from, to) pairs mirror
-- lxera_pipeline/events/statuses.py TRANSITIONS exactly ('new' is the insert); a test compares
-- pipeline.transitions with the Python tuples.

select pipeline.allow_transitions('cm_course_plans', 'status', array[
    ['new', 'planning'], ['new', 'completed'], ['planning', 'completed'],
    ['planning', 'failed'], ['completed', 'researching'], ['completed', 'failed'],
    ['researching', 'producing'], ['researching', 'failed'], ['producing', 'delivered'],
    ['producing', 'failed'], ['failed', 'planning'], ['failed', 'completed']]);

select pipeline.allow_transitions('cm_research_results', 'status', array[
    ['new', 'started'], ['started', 'completed'], ['started', 'failed'], ['failed', 'started']]);

select pipeline.allow_transitions('cm_module_content', 'status', array[
    ['new', 'draft'], ['draft', 'quality_check'], ['draft', 'failed'],
    ['quality_check', 'approved'], ['quality_check', 'revision'], ['quality_check', 'failed'],
    ['revision', 'quality_check'], ['revision', 'failed'], ['approved', 'published'],
    ['approved', 'failed'], ['failed', 'draft']]);

select pipeline.allow_transitions('cm_enhancement_sessions', 'status', array[
    ['new', 'started'], ['started', 'research_complete'], ['started', 'failed'],
    ['research_complete', 'content_enhanced'], ['research_complete', 'failed'],
    ['content_enhanced', 'completed'], ['content_enhanced', 'failed']]);

select pipeline.allow_transitions('mm_multimedia_sessions', 'status', array[
    ['new', 'started'], ['started', 'processing'], ['started', 'failed'],
    ['processing', 'completed'], ['processing', 'failed'], ['failed', 'processing']]);

select pipeline.allow_transitions('mm_multimedia_sessions', 'current_stage', array[
    ['new', 'initialization'], ['initialization', 'script_generation'],
    ['script_generation', 'slide_generation'], ['slide_generation', 'audio_generation'],
    ['audio_generation', 'video_assembly'], ['video_assembly', 'uploading'],
    ['uploading', 'completed']]);

select pipeline.allow_transitions('mm_multimedia_assets', 'status', array[
    ['new', 'generated'], ['new', 'processed'], ['generated', 'processed'],
    ['generated', 'failed'], ['processed', 'optimized'], ['processed', 'failed'],
    ['optimized', 'failed'], ['failed', 'generated']]);

select pipeline.allow_transitions('mm_slide_presentations', 'status', array[
    ['new', 'draft'], ['new', 'generated'], ['draft', 'generated'],
    ['generated', 'exported'], ['exported', 'published']]);

select pipeline.allow_transitions('mm_audio_narrations', 'status', array[
    ['new', 'draft'], ['new', 'generated'], ['draft', 'generated'],
    ['generated', 'processed'], ['processed', 'published']]);

select pipeline.track_status('public.cm_course_plans', 'status', 'plan_id');
select pipeline.track_status('public.cm_research_results', 'status', 'research_id');
select pipeline.track_status('public.cm_module_content', 'status', 'content_id');
select pipeline.track_status('public.cm_enhancement_sessions', 'status', 'session_id');
select pipeline.track_status('public.mm_multimedia_sessions', 'status', 'session_id');
select pipeline.track_status('public.mm_multimedia_sessions', 'current_stage', 'session_id');
select pipeline.track_status('public.mm_multimedia_assets', 'status', 'asset_id');
select pipeline.track_status('public.mm_slide_presentations', 'status', 'presentation_id');
select pipeline.track_status('public.mm_audio_narrations', 'status', 'narration_id');
