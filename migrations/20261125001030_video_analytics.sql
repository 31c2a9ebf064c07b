-- mm_video_analytics (the seed's planned table) and the analytics materialized views.
--
-- A view of a video is recorded by the learner app with public.record_video_view(video,
-- seconds_watched, completed) as the signed-in user (learner, company admin or super admin):
--   * the video must be a 'video' asset of the caller's company (another company's video is
--     "no video <id>", SQLSTATE P0002, as is a missing one; row-level security checks the
--     company again on the insert);
--   * seconds_watched must lie in 0 .. duration + slack, slack = greatest(5 s, 5% of the
--     duration) (SQLSTATE 22003 otherwise); every argument is required (22004);
--   * the row records who watched (auth.uid()), the video's session, content and company.
-- Learners read their own views, company admins their company's; nobody updates or deletes.
--
-- The aggregates live in the `pipeline` schema (materialized views cannot carry row-level
-- security, so they are not exposed to the API roles) and are refreshed CONCURRENTLY (each has a
-- unique index) by pipeline.refresh_analytics(), which `lxera-pipeline analytics refresh` and
-- the daemon (every LXERA_ANALYTICS_REFRESH_SECONDS) call:
--   pipeline.analytics_video_views     per video: views, viewers, average watch time, completion
--   pipeline.analytics_module_views    per module: the same over its videos
--   pipeline.analytics_stage_stats     per handler (stage): runs, failures, failure rate, time
--                                      (average, p95, total seconds) and tokens spent
--   pipeline.analytics_enhancement_loops  per module: enhancement rounds, revisions, status

create table public.mm_video_analytics (
    view_id          uuid primary key default gen_random_uuid(),
    asset_id         uuid not null,
    session_id       uuid not null,
    content_id       uuid not null,
    company_id       uuid not null constraint mm_video_analytics_company_fkey
                     references public.companies (id) on delete cascade,
    viewer_id        uuid,
    seconds_watched  numeric(10, 2) not null
                     constraint mm_video_analytics_seconds_watched_check
                     check (seconds_watched >= 0),
    completed        boolean not null,
    video_seconds    numeric(8, 2),
    watched_at       timestamptz not null default now(),
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    constraint mm_video_analytics_asset_fkey foreign key (asset_id, company_id)
        references public.mm_multimedia_assets (asset_id, company_id) on delete cascade,
    constraint mm_video_analytics_session_fkey foreign key (session_id, company_id)
        references public.mm_multimedia_sessions (session_id, company_id) on delete cascade,
    constraint mm_video_analytics_content_fkey foreign key (content_id, company_id)
        references public.cm_module_content (content_id, company_id) on delete cascade
);
create index mm_video_analytics_asset_idx on public.mm_video_analytics (asset_id);
create index mm_video_analytics_session_company_idx
    on public.mm_video_analytics (session_id, company_id);
create index mm_video_analytics_content_company_idx
    on public.mm_video_analytics (content_id, company_id);
create index mm_video_analytics_company_idx on public.mm_video_analytics (company_id);
create index mm_video_analytics_viewer_idx on public.mm_video_analytics (viewer_id);
create trigger mm_video_analytics_touch_updated_at
    before update on public.mm_video_analytics
    for each row execute function pipeline.touch_updated_at();
alter table public.mm_video_analytics enable row level security;

grant select on public.mm_video_analytics to anon, authenticated;
grant insert (asset_id, seconds_watched, completed) on public.mm_video_analytics to authenticated;
grant all on public.mm_video_analytics to service_role;

do $policies$
declare
    v_role constant text := $sql$(select coalesce(auth.jwt() -> 'app_metadata' ->> 'role',
                                                   auth.jwt() ->> 'role'))$sql$;
    v_company constant text := $sql$(select nullif(coalesce(
                                        auth.jwt() -> 'app_metadata' ->> 'company_id',
                                        auth.jwt() ->> 'company_id'), '')::uuid)$sql$;
begin
    execute format(
        'create policy mm_video_analytics_read on public.mm_video_analytics for select '
        'to authenticated using (%1$s = %3$L or (%1$s = %4$L and company_id = %2$s) '
        'or (%1$s = %5$L and company_id = %2$s and viewer_id = (select auth.uid())))',
        v_role, v_company, 'super_admin', 'company_admin', 'learner');
    execute format(
        'create policy mm_video_analytics_record on public.mm_video_analytics for insert '
        'to authenticated with check (%1$s = %3$L or (%1$s in (%4$L, %5$L) '
        'and company_id = %2$s and viewer_id = (select auth.uid())))',
        v_role, v_company, 'super_admin', 'company_admin', 'learner');
end
$policies$;

-- Fill a new view from its video and check it (see the header); runs before row-level
-- security checks the finished row.
create function pipeline.check_video_view() returns trigger
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_claims constant jsonb := auth.jwt();
    v_role constant text := coalesce(v_claims -> 'app_metadata' ->> 'role', v_claims ->> 'role');
    v_company constant uuid := nullif(coalesce(v_claims -> 'app_metadata' ->> 'company_id',
                                               v_claims ->> 'company_id'), '')::uuid;
    v_video public.mm_multimedia_assets;
    v_limit numeric;
begin
    if new.asset_id is null or new.seconds_watched is null or new.completed is null then
        raise exception 'a video view needs the video, seconds_watched and completed'
            using errcode = 'null_value_not_allowed';
    end if;
    select a.* into v_video from public.mm_multimedia_assets a
     where a.asset_id = new.asset_id and a.asset_type = 'video';
    if not found or (pipeline.api_role_writes() and v_role is distinct from 'super_admin'
                     and v_video.company_id is distinct from v_company) then
        raise exception 'no video %', new.asset_id using errcode = 'no_data_found';
    end if;
    v_limit := coalesce(v_video.duration_seconds, 0)
               + greatest(5, 0.05 * coalesce(v_video.duration_seconds, 0));
    if new.seconds_watched < 0 or new.seconds_watched > v_limit then
        raise exception 'seconds_watched % is out of range for video % (0 to %)',
            new.seconds_watched, new.asset_id, round(v_limit, 2)
            using errcode = 'numeric_value_out_of_range';
    end if;
    new.session_id := v_video.session_id;
    new.content_id := v_video.content_id;
    new.company_id := v_video.company_id;
    new.video_seconds := v_video.duration_seconds;
    if pipeline.api_role_writes() then
        new.viewer_id := auth.uid();
    end if;
    return new;
end
$$;

create trigger mm_video_analytics_check
    before insert on public.mm_video_analytics
    for each row execute function pipeline.check_video_view();

-- The learner app's entry point: record one view, returning its id.
create function public.record_video_view(
    p_video uuid, p_seconds_watched numeric, p_completed boolean
) returns uuid
language sql security invoker set search_path = pg_catalog, public as $$
    insert into public.mm_video_analytics (asset_id, seconds_watched, completed)
    values (p_video, p_seconds_watched, p_completed)
    returning view_id
$$;
comment on function public.record_video_view(uuid, numeric, boolean) is
    'Record one view of a video of the caller''s company: seconds watched (0 .. duration + '
    'slack) and whether it was watched to the end. Returns the view id.';
-- (Supabase's default privileges would grant anon EXECUTE: revoked explicitly.)
revoke all on function public.record_video_view(uuid, numeric, boolean) from public, anon;
grant execute on function public.record_video_view(uuid, numeric, boolean)
    to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Materialized views
-- ---------------------------------------------------------------------------------------------

create materialized view pipeline.analytics_video_views as
select a.asset_id, a.company_id, a.content_id, a.session_id, a.duration_seconds,
       count(v.view_id) as views,
       count(distinct v.viewer_id) as viewers,
       coalesce(round(avg(v.seconds_watched), 2), 0) as avg_seconds_watched,
       coalesce(round(avg(v.completed::integer), 4), 0) as completion_rate,
       max(v.watched_at) as last_viewed_at
  from public.mm_multimedia_assets a
  left join public.mm_video_analytics v on v.asset_id = a.asset_id
 where a.asset_type = 'video'
 group by a.asset_id;
create unique index analytics_video_views_key on pipeline.analytics_video_views (asset_id);

create materialized view pipeline.analytics_module_views as
select c.content_id, c.company_id, c.module_name,
       count(distinct v.asset_id) as videos_viewed,
       count(v.view_id) as views,
       count(distinct v.viewer_id) as viewers,
       coalesce(round(avg(v.seconds_watched), 2), 0) as avg_seconds_watched,
       coalesce(round(avg(v.completed::integer), 4), 0) as completion_rate,
       max(v.watched_at) as last_viewed_at
  from public.cm_module_content c
  left join public.mm_video_analytics v on v.content_id = c.content_id
 group by c.content_id;
create unique index analytics_module_views_key on pipeline.analytics_module_views (content_id);

create materialized view pipeline.analytics_stage_stats as
with runs as (
    select l.handler,
           count(*) as runs,
           count(*) filter (where l.outcome = 'succeeded') as succeeded,
           count(*) filter (where l.outcome in ('failed', 'dead')) as failed,
           count(*) filter (where l.outcome = 'dead') as dead,
           round((avg(l.duration_ms) / 1000)::numeric, 3) as avg_seconds,
           round((percentile_cont(0.95) within group (order by l.duration_ms) / 1000)::numeric, 3)
               as p95_seconds,
           round((sum(l.duration_ms) / 1000)::numeric, 3) as total_seconds
      from pipeline.audit_log l
     group by l.handler
), tokens as (
    select 'media.script'::text as handler, sum(g.total_tokens) as tokens
      from public.mm_script_generations g
)
select r.handler, r.runs, r.succeeded, r.failed, r.dead,
       round(r.failed::numeric / nullif(r.runs, 0), 4) as failure_rate,
       r.avg_seconds, r.p95_seconds, r.total_seconds,
       coalesce(t.tokens, 0) as tokens
  from runs r
  left join tokens t using (handler);
create unique index analytics_stage_stats_key on pipeline.analytics_stage_stats (handler);

create materialized view pipeline.analytics_enhancement_loops as
select c.content_id, c.company_id, c.module_name, c.status, c.revision_count,
       count(e.session_id) as enhancement_rounds,
       count(e.session_id) filter (where e.status = 'completed') as completed_rounds
  from public.cm_module_content c
  left join public.cm_enhancement_sessions e on e.content_id = c.content_id
 group by c.content_id;
create unique index analytics_enhancement_loops_key
    on pipeline.analytics_enhancement_loops (content_id);

-- Refresh every analytics view concurrently (readers are never blocked). One refresh at a time
-- across all daemons: a call that finds another one running returns false at once.
create function pipeline.refresh_analytics() returns boolean
language plpgsql set search_path = pg_catalog, pipeline as $$
begin
    if not pg_try_advisory_xact_lock(1819826802, 30) then
        return false;
    end if;
    refresh materialized view concurrently pipeline.analytics_video_views;
    refresh materialized view concurrently pipeline.analytics_module_views;
    refresh materialized view concurrently pipeline.analytics_stage_stats;
    refresh materialized view concurrently pipeline.analytics_enhancement_loops;
    return true;
end
$$;
