-- The rendering queue (lxera_pipeline.operate.renders).

-- name: list_renders
-- Open renders first (rendering, then queued), by priority (larger first) then age; then the
-- finished ones, newest first.
select q.render_id, q.session_id, q.content_id, q.company_id, q.kind, q.priority, q.status,
       q.attempts, q.worker, q.delivery_id, q.queued_at, q.started_at, q.finished_at,
       s.module_name
  from public.mm_rendering_queue q
  join public.mm_multimedia_sessions s using (session_id)
 where (%(status)s::text is null or q.status = %(status)s)
   and (%(company)s::uuid is null or q.company_id = %(company)s)
 order by case q.status when 'rendering' then 0 when 'queued' then 1 else 2 end,
          case when q.status in ('rendering', 'queued') then q.priority end desc nulls last,
          case when q.status in ('rendering', 'queued') then q.queued_at end,
          q.finished_at desc nulls last, q.render_id
 limit %(limit)s;
