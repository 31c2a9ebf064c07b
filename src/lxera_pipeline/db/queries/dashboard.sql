-- The dashboard's queries: the overview, a company's plans and modules, a module, its media, the
-- dead letters, and the operator actions (pause, resume, cancel) it audits.

-- name: dash_stream_replay
-- Events after a client's Last-Event-ID (optionally one company's), one page at a time.
select e.event_id, e.event_type, e.table_name, e.status_column, e.entity_id, e.company_id,
       e.old_status, e.new_status, e.correlation_id, e.causation_id, e.committed_at
  from pipeline.events e
 where e.event_id > %(after)s
   and (%(company)s::uuid is null or e.company_id = %(company)s)
 order by e.event_id
 limit %(limit)s

-- name: dash_delivery_states
select coalesce(s.handler_group, '(unsubscribed)') as handler_group, d.state, count(*) as n
  from pipeline.deliveries d
  left join pipeline.subscriptions s on s.handler = d.handler
 group by 1, 2
 order by 1, 2

-- name: dash_handler_groups
select s.handler_group, array_agg(s.handler order by s.handler) as handlers,
       p.paused_by, p.reason as paused_reason, p.paused_at
  from pipeline.subscriptions s
  left join pipeline.paused_groups p on p.handler_group = s.handler_group
 where s.active
 group by s.handler_group, p.paused_by, p.reason, p.paused_at
 order by s.handler_group

-- name: dash_queue_summary
select (select extract(epoch from now() - min(d.created_at))
          from pipeline.deliveries d where d.state = 'pending') as oldest_pending_seconds,
       (select count(*) from pipeline.deliveries d where d.state = 'dead') as dead,
       (select count(*) from pipeline.deliveries d where d.state = 'pending') as pending,
       (select count(*) from pipeline.deliveries d where d.state = 'running') as running

-- name: dash_minutes
-- Per minute over the last hour: events committed, and the start lag of first attempts (from an
-- event's commit to its handler's start), mean and max in seconds.
with minutes as (
    select generate_series(date_trunc('minute', now()) - interval '59 minutes',
                           date_trunc('minute', now()), interval '1 minute') as minute
), events as (
    select date_trunc('minute', e.committed_at) as minute, count(*) as n
      from pipeline.events e
     where e.committed_at >= date_trunc('minute', now()) - interval '59 minutes'
     group by 1
), lag as (
    select date_trunc('minute', a.started_at) as minute,
           avg(extract(epoch from a.started_at - e.committed_at)) as mean_lag,
           max(extract(epoch from a.started_at - e.committed_at)) as max_lag
      from pipeline.audit_log a
      join pipeline.events e on e.event_id = a.event_id
     where a.started_at >= date_trunc('minute', now()) - interval '59 minutes'
       and a.attempt = 1 and not a.is_replay and a.outcome <> 'released'
     group by 1
)
select m.minute, coalesce(ev.n, 0) as events, lag.mean_lag, lag.max_lag
  from minutes m
  left join events ev on ev.minute = m.minute
  left join lag on lag.minute = m.minute
 order by m.minute

-- name: dash_daemons
-- Daemons alive: a daemon's LISTEN connection holds one shared advisory lock per handler it serves
-- (advertise_handlers) for as long as it runs, and its NOTIFY probe (every LXERA_PROBE_SECONDS)
-- and its wake-ups are the connection's heartbeat: the last one is its latest activity.
select split_part(a.application_name, ':', 2) as worker,
       a.backend_start as started_at,
       l.handlers,
       extract(epoch from now() - greatest(a.state_change, a.query_start)) as beat_age_seconds
  from pg_stat_activity a
  join (select pid, count(*) as handlers
          from pg_locks
         where locktype = 'advisory' and classid = %(served_lock_class)s::oid and objsubid = 2
           and granted
         group by pid) l on l.pid = a.pid
 where a.datname = current_database()
 order by 1

-- name: dash_companies
select c.id, c.name,
       (select count(*) from public.cm_course_plans p where p.company_id = c.id) as plans,
       (select count(*) from public.cm_module_content m where m.company_id = c.id) as modules
  from public.companies c
 order by c.name
 limit 500

-- name: dash_company
select c.id, c.name from public.companies c where c.id = %(company)s

-- name: dash_company_plans
select p.plan_id, p.course_title, p.employee_name, p.status, p.total_modules, p.created_at
  from public.cm_course_plans p
 where p.company_id = %(company)s
 order by p.created_at, p.plan_id
 limit 200

-- name: dash_company_modules
select m.content_id, m.plan_id, m.module_name, m.status, m.total_word_count, m.updated_at
  from public.cm_module_content m
 where m.company_id = %(company)s
 order by m.created_at, m.content_id
 limit 1000

-- name: dash_company_sessions
select s.session_id, s.content_id, s.status, s.current_stage, s.progress_percentage,
       s.error_details, s.updated_at
  from public.mm_multimedia_sessions s
 where s.company_id = %(company)s
 order by s.created_at, s.session_id
 limit 2000

-- name: dash_module
select m.content_id, m.company_id, m.plan_id, m.module_name, m.employee_name, m.status,
       m.failure_reason, m.total_word_count, m.created_at, m.updated_at, c.name as company_name
  from public.cm_module_content m
  join public.companies c on c.id = m.company_id
 where m.content_id = %(content)s

-- name: dash_module_sessions
select s.session_id, s.status, s.current_stage, s.progress_percentage, s.error_details,
       s.started_at, s.completed_at
  from public.mm_multimedia_sessions s
 where s.content_id = %(content)s
 order by s.created_at, s.session_id

-- name: dash_module_assets
-- The module's assets; ``is_active`` is false for the assets of an earlier media version.
select a.asset_id, a.session_id, a.asset_type, a.asset_name, a.section_name, a.slide_number,
       a.duration_seconds, a.file_size_bytes, a.status, a.is_active, a.version_number
  from public.mm_multimedia_assets a
 where a.content_id = %(content)s
 order by a.is_active desc, a.version_number desc, a.asset_type, a.slide_number nulls first,
          a.asset_name
 limit 500

-- name: dash_asset
select a.asset_id, a.asset_type, a.asset_name, a.storage_bucket, a.storage_path
  from public.mm_multimedia_assets a
 where a.asset_id = %(asset)s

-- name: dash_dead_groups
-- Dead letters grouped by handler and error (its first line), newest traceback of each group.
with dead as (
    select d.delivery_id, d.handler, d.event_id, d.finished_at,
           left(split_part(coalesce(d.last_error, '(no error recorded)'), E'\n', 1), 300) as error
      from pipeline.deliveries d
     where d.state = 'dead'
)
select g.handler, g.error, g.n, g.delivery_ids, g.last_at,
       (select a.traceback from pipeline.audit_log a
         where a.delivery_id = g.delivery_ids[array_length(g.delivery_ids, 1)]
           and a.traceback is not null
         order by a.audit_id desc limit 1) as traceback
  from (select handler, error, count(*) as n,
               (array_agg(delivery_id order by delivery_id))[1:200] as delivery_ids,
               max(finished_at) as last_at
          from dead group by handler, error) g
 order by g.last_at desc nulls last, g.handler
 limit 100

-- name: dash_pending_deliveries
-- In claim order (deliveries_pending_priority_idx).
select d.delivery_id, d.handler, d.event_id, d.entity_id, d.attempts, d.run_after, d.created_at,
       d.is_replay
  from pipeline.deliveries d
 where d.state = 'pending'
 order by d.priority desc, d.delivery_id
 limit %(limit)s

-- name: dash_recent_actions
select a.acted_at, a.actor, a.action, a.target, a.reason
  from pipeline.operator_actions a
 order by a.action_id desc
 limit 20

-- name: dash_record_action
insert into pipeline.operator_actions (actor, action, target, reason, detail)
values (%(actor)s, %(action)s, %(target)s, %(reason)s, %(detail)s)

-- name: dash_known_group
select exists (select 1 from pipeline.subscriptions s where s.handler_group = %(group)s) as known

-- name: dash_pause_group
-- Pause (and audit, in the same statement); no row when it was paused already.
with paused as (
    insert into pipeline.paused_groups (handler_group, paused_by, reason)
    values (%(group)s, %(actor)s, %(reason)s)
    on conflict (handler_group) do nothing
    returning handler_group
)
insert into pipeline.operator_actions (actor, action, target, reason)
select %(actor)s, 'pause', p.handler_group, %(reason)s from paused p
returning target

-- name: dash_resume_group
with resumed as (
    delete from pipeline.paused_groups where handler_group = %(group)s returning handler_group
)
insert into pipeline.operator_actions (actor, action, target, reason, detail)
select %(actor)s, 'resume', r.handler_group, %(reason)s, '{}'::jsonb from resumed r
returning target

-- name: dash_cancel_delivery
-- A pending delivery becomes skipped (never run), with an audit row and an operator action
-- saying who and why, in one statement.
with cancelled as (
    update pipeline.deliveries d
       set state = 'skipped', finished_at = now(), last_error = 'cancelled from the dashboard'
     where d.delivery_id = %(delivery)s and d.state = 'pending'
 returning d.delivery_id, d.event_id, d.handler, d.attempts, d.is_replay, d.entity_id
), audited as (
    insert into pipeline.audit_log
        (delivery_id, event_id, handler, attempt, outcome, is_replay, worker, entity_id,
         started_at, duration_ms, detail)
    select c.delivery_id, c.event_id, c.handler, c.attempts, 'skipped', c.is_replay, 'dashboard',
           c.entity_id, now(), 0,
           jsonb_build_object('action', 'cancel', 'by', %(actor)s::text, 'reason', %(reason)s::text)
      from cancelled c
)
insert into pipeline.operator_actions (actor, action, target, reason, detail)
select %(actor)s, 'cancel', c.delivery_id::text, %(reason)s,
       jsonb_build_object('handler', c.handler, 'event_id', c.event_id)
  from cancelled c
returning target

-- name: dash_schema_ready
-- Is the dashboard's migration applied?
select to_regclass('pipeline.operator_actions') is not null as ready

-- name: dash_delivery_state
select d.delivery_id, d.state from pipeline.deliveries d where d.delivery_id = any(%(ids)s)

-- name: dash_delivery_event
select d.delivery_id, d.event_id, d.handler, d.state from pipeline.deliveries d
 where d.delivery_id = %(delivery)s
