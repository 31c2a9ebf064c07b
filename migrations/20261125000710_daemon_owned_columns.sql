-- Columns only the pipeline writes: the API roles (anon, authenticated) may read them but never
-- set them, on INSERT or UPDATE, whatever their JWT claims (a super_admin's too).
--
-- Row-level security decides which rows an API user reaches; column privileges decide which
-- columns it may write there. Each table below loses its table-wide INSERT and UPDATE for the API
-- roles and gets them back column by column, for every column except the daemon's own. A column
-- added later is therefore not writable through the API until a migration grants it. A write to a
-- daemon-owned column fails with "permission denied for table ..." (SQLSTATE 42501).
--
-- Why: the media stages read files named by mm_multimedia_assets.file_path and upload them, the
-- storage columns say where a tenant's objects are, and the counters, scores and error columns are
-- what the pipeline reports; a tenant that could write them could point the daemon at host files
-- or forge the pipeline's results. (The daemon also confines every path it reads to the
-- session's work directory.) Tables that lose INSERT entirely in practice (a NOT NULL daemon column with
-- no default): mm_multimedia_assets (file_path) and cm_quality_assessments (overall_score).
do $daemon_owned$
declare
    v_owned constant jsonb := $json${
        "mm_multimedia_sessions": [
            "current_stage", "progress_percentage", "total_assets_generated", "slides_generated",
            "audio_files_generated", "video_files_generated", "processing_duration_seconds",
            "tokens_used", "error_details", "retry_count", "generation_config", "started_at",
            "completed_at"],
        "mm_multimedia_assets": [
            "session_id", "content_id", "asset_type", "asset_name", "file_path",
            "file_size_bytes", "mime_type", "section_name", "slide_number", "duration_seconds",
            "generation_config", "quality_metrics", "processing_time_seconds", "tokens_used",
            "storage_bucket", "storage_path", "public_url"],
        "mm_slide_presentations": [
            "total_slides", "slide_order", "template_used", "theme_config", "pdf_generated",
            "pptx_generated", "html_generated", "pdf_asset_id", "pptx_asset_id",
            "html_asset_id"],
        "mm_audio_narrations": [
            "total_duration_seconds", "audio_segments", "voice_config", "script_content",
            "master_audio_id", "segments_audio_ids", "synthesis_completed", "segments_merged"],
        "cm_course_plans": ["error_message"],
        "cm_research_results": [
            "research_findings", "content_library", "module_mappings", "total_topics",
            "total_sources", "search_queries", "sources_analyzed", "execution_metrics",
            "error_message"],
        "cm_module_content": [
            "failure_reason", "revision_count", "total_word_count", "section_word_counts",
            "section_quality_scores", "section_quality_issues", "section_last_assessed",
            "last_quality_check", "last_enhancement_id", "enhancement_history",
            "section_enhancement_count"],
        "cm_quality_assessments": [
            "overall_score", "section_scores", "accuracy_score", "clarity_score",
            "completeness_score", "engagement_score", "personalization_score",
            "source_credibility_score", "currency_timeliness_score", "source_diversity_score",
            "evidence_quality_score", "quality_feedback", "word_count_assessment",
            "critical_issues", "improvement_suggestions", "assessment_criteria",
            "module_context", "passed", "requires_revision", "sections_needing_work",
            "assessed_at", "assessment_duration_seconds", "enhanced_assessment",
            "assessment_methodology"],
        "cm_enhancement_sessions": [
            "research_conducted", "content_regenerated", "integration_completed",
            "word_count_before", "word_count_after", "quality_score_before",
            "quality_score_after", "enhancement_tokens_used", "content_tokens_used",
            "total_tokens_saved", "success", "error_details", "completed_at",
            "duration_seconds"]
    }$json$;
    v_table text;
    v_columns jsonb;
    v_missing text;
    v_allowed text;
begin
    for v_table, v_columns in select key, value from jsonb_each(v_owned) loop
        select string_agg(owned, ', ') into v_missing
        from jsonb_array_elements_text(v_columns) as owned
        where not exists (
            select 1 from pg_catalog.pg_attribute
            where attrelid = format('public.%I', v_table)::regclass
              and attname = owned and attnum > 0 and not attisdropped);
        if v_missing is not null then
            raise exception 'daemon-owned columns of % do not exist: %', v_table, v_missing;
        end if;
        select string_agg(format('%I', attname), ', ' order by attnum) into v_allowed
        from pg_catalog.pg_attribute
        where attrelid = format('public.%I', v_table)::regclass
          and attnum > 0 and not attisdropped
          and not v_columns ? attname::text;
        execute format('revoke insert, update on public.%I from anon, authenticated', v_table);
        execute format('grant insert (%s), update (%s) on public.%I to anon, authenticated',
                       v_allowed, v_allowed, v_table);
    end loop;
end
$daemon_owned$;
