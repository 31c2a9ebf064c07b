-- mm_rendering_queue (the seed's planned table): one row per render job of a media session
-- (kind slides, narration or video), derived from the pipeline's own work queue: a trigger on
-- pipeline.deliveries keeps the row of the session's media.slides / media.narration /
-- media.video delivery in step, in the same transaction as every state change of the delivery,
-- so the queue and the deliveries never disagree.
--   delivery pending -> queued, running -> rendering, done or skipped -> done, dead -> failed;
--   attempts, worker (the daemon holding the lease) and the delivery id are the delivery's.
-- Priority is the session's render_priority (0..100, larger first; default 0). A company admin
-- raises (or lowers) it for its own company's sessions through the API (row-level security on
-- mm_multimedia_sessions plus the column grant below); the queue rows follow at once.
-- The work itself is claimed by priority, then age: pipeline.deliveries.priority, set by the
-- router and moved here with the session's (20261125001100).

alter table public.mm_multimedia_sessions
    add column render_priority integer not null default 0
        constraint mm_multimedia_sessions_render_priority_check
        check (render_priority between 0 and 100);
grant insert (render_priority), update (render_priority) on public.mm_multimedia_sessions
    to anon, authenticated;

create table public.mm_rendering_queue (
    render_id     uuid primary key default gen_random_uuid(),
    session_id    uuid not null,
    content_id    uuid not null,
    company_id    uuid not null constraint mm_rendering_queue_company_fkey
                  references public.companies (id) on delete cascade,
    kind          text not null
                  constraint mm_rendering_queue_kind_check
                  check (kind in ('slides', 'narration', 'video')),
    priority      integer not null default 0,
    status        text not null
                  constraint mm_rendering_queue_status_check
                  check (status in ('queued', 'rendering', 'done', 'failed')),
    attempts      integer not null default 0
                  constraint mm_rendering_queue_attempts_check check (attempts >= 0),
    worker        text,
    delivery_id   bigint not null,
    queued_at     timestamptz not null,
    started_at    timestamptz,
    finished_at   timestamptz,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint mm_rendering_queue_session_kind_key unique (session_id, kind),
    constraint mm_rendering_queue_session_fkey foreign key (session_id, company_id)
        references public.mm_multimedia_sessions (session_id, company_id) on delete cascade,
    constraint mm_rendering_queue_content_fkey foreign key (content_id, company_id)
        references public.cm_module_content (content_id, company_id) on delete cascade
);
create index mm_rendering_queue_company_idx on public.mm_rendering_queue (company_id);
create index mm_rendering_queue_content_idx on public.mm_rendering_queue (content_id);
create index mm_rendering_queue_open_idx on public.mm_rendering_queue (priority desc, queued_at)
    where status in ('queued', 'rendering');
create trigger mm_rendering_queue_touch_updated_at
    before update on public.mm_rendering_queue
    for each row execute function pipeline.touch_updated_at();
alter table public.mm_rendering_queue enable row level security;

grant select on public.mm_rendering_queue to anon, authenticated;
grant all on public.mm_rendering_queue to service_role;
create policy mm_rendering_queue_company_members_read
    on public.mm_rendering_queue for select to authenticated
    using ((select coalesce(auth.jwt() -> 'app_metadata' ->> 'role', auth.jwt() ->> 'role'))
               = 'super_admin'
           or ((select coalesce(auth.jwt() -> 'app_metadata' ->> 'role', auth.jwt() ->> 'role'))
                   in ('company_admin', 'learner')
               and company_id = (select nullif(coalesce(
                       auth.jwt() -> 'app_metadata' ->> 'company_id',
                       auth.jwt() ->> 'company_id'), '')::uuid)));

create function pipeline.track_render() returns trigger
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_status constant text := case new.state
                                  when 'pending' then 'queued'
                                  when 'running' then 'rendering'
                                  when 'dead' then 'failed'
                                  else 'done' end;
begin
    insert into public.mm_rendering_queue as q
        (session_id, content_id, company_id, kind, priority, status, attempts, worker,
         delivery_id, queued_at, started_at, finished_at)
    select s.session_id, s.content_id, s.company_id,
           case new.handler when 'media.slides' then 'slides'
                            when 'media.narration' then 'narration' else 'video' end,
           s.render_priority, v_status, new.attempts,
           case when new.state = 'running' then new.leased_by end,
           new.delivery_id, new.created_at,
           case when new.state <> 'pending' then now() end,
           case when v_status in ('done', 'failed') then now() end
      from public.mm_multimedia_sessions s
     where s.session_id = new.entity_id
    on conflict (session_id, kind) do update
       set status = excluded.status,
           attempts = excluded.attempts,
           worker = coalesce(excluded.worker, q.worker),
           delivery_id = excluded.delivery_id,
           queued_at = case when excluded.delivery_id <> q.delivery_id
                            then excluded.queued_at else q.queued_at end,
           started_at = case when excluded.status = 'rendering' then now()
                             else q.started_at end,
           finished_at = case when excluded.status in ('done', 'failed') then now() end;
    return null;
end
$$;

create trigger deliveries_rendering_queue
    after insert or update of state, attempts, leased_by on pipeline.deliveries
    for each row
    when (new.handler in ('media.slides', 'media.narration', 'media.video'))
    execute function pipeline.track_render();

create function pipeline.follow_render_priority() returns trigger
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
begin
    update public.mm_rendering_queue q
       set priority = new.render_priority
     where q.session_id = new.session_id and q.priority <> new.render_priority;
    -- The session's waiting deliveries take the new priority (the claim orders by it; column
    -- added in 20261125001100).
    update pipeline.deliveries d
       set priority = new.render_priority
     where d.entity_id = new.session_id and d.state = 'pending'
       and d.priority <> new.render_priority;
    return null;
end
$$;

create trigger mm_multimedia_sessions_render_priority
    after update of render_priority on public.mm_multimedia_sessions
    for each row execute function pipeline.follow_render_priority();
