-- The least-privilege daemon role (20261125000730) and the roadmap's objects:
--   mm_script_generations       the script stage records each run: read, add, update
--   pipeline.refresh_analytics  the daemon's periodic refresh: execute. REFRESH MATERIALIZED VIEW
--                               needs the views' owner, so the function runs with its owner's
--                               rights (SECURITY DEFINER, pinned search_path) and does nothing else
-- Everything else the roadmap added is written by SECURITY DEFINER triggers or by the operator
-- commands (as the owner), so the role gets nothing on it: cm_module_content_revisions,
-- mm_media_versions, mm_rendering_queue, mm_video_analytics (tests/integration/test_daemon_role.py
-- lists them as owner-only).

grant select, insert, update on public.mm_script_generations to lxera_daemon;
create policy mm_script_generations_daemon on public.mm_script_generations for all
    to lxera_daemon using (true) with check (true);

alter function pipeline.refresh_analytics() security definer
    set search_path = pg_catalog, pipeline, pg_temp;
revoke all on function pipeline.refresh_analytics() from public;
grant execute on function pipeline.refresh_analytics() to lxera_daemon;
