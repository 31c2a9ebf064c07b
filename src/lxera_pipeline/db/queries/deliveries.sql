-- The daemon's delivery bookkeeping. Every statement that finishes an attempt is fenced by the
-- claim token: (delivery_id, attempts, leased_by) must still be what this worker claimed.

-- name: claim_deliveries
-- Due pending deliveries plus expired leases (a takeover), by priority (larger first; a media
-- session's render_priority, else 0), then oldest first, skipping rows another daemon holds. The
-- pending walk follows deliveries_pending_priority_idx and stops at the limit. Priority orders
-- work across entities only: the per-entity probe below is unchanged, so a delivery never
-- starts before an earlier one of its entity, whatever their priorities.
-- A delivery waits while an earlier delivery of its entity is running under a live lease, or
-- pending (or lease-expired) for a handler this daemon or another running one serves:
-- every daemon holds a shared advisory lock (served_lock_class, hashtext(handler)) per served
-- handler (db/locks.py; see advertise_handlers), so a delivery of a handler nobody serves (a subscription left by an older
-- build) waits without freezing its entity's later events. (While the only daemon serving a
-- handler reconnects its LISTEN connection, that handler's pending deliveries hold nothing back.)
with live as (
    select objid from pg_locks
     where locktype = 'advisory' and classid = %(served_lock_class)s::oid and objsubid = 2
       and granted
), pending_due as (
    select d.delivery_id, d.priority
      from pipeline.deliveries d
     where d.state = 'pending' and d.run_after <= now()
       and d.handler = any(%(handlers)s::text[])
       and d.handler <> all (array(select handler from pipeline.paused_handlers))  -- paused
       and not exists (select 1 from pipeline.deliveries o
                        where o.entity_id = d.entity_id and o.event_id < d.event_id
                          and o.state in ('pending', 'running')
                          and ((o.state = 'running' and o.lease_until >= now())
                               or o.handler = any(%(handlers)s::text[])
                               or (hashtext(o.handler)::bigint & 4294967295)::oid
                                  in (select objid from live))
                        offset 0)  -- a per-row probe, whatever the statistics say
     order by d.priority desc, d.delivery_id
     limit %(limit)s
       for update of d skip locked
), lease_expired as (
    select d.delivery_id, d.priority
      from pipeline.deliveries d
     where d.state = 'running' and d.lease_until < now()
       and d.handler = any(%(handlers)s::text[])
       and d.handler <> all (array(select handler from pipeline.paused_handlers))  -- paused
       and not exists (select 1 from pipeline.deliveries o
                        where o.entity_id = d.entity_id and o.event_id < d.event_id
                          and o.state in ('pending', 'running')
                          and ((o.state = 'running' and o.lease_until >= now())
                               or o.handler = any(%(handlers)s::text[])
                               or (hashtext(o.handler)::bigint & 4294967295)::oid
                                  in (select objid from live))
                        offset 0)  -- a per-row probe, whatever the statistics say
     order by d.priority desc, d.delivery_id
     limit %(limit)s
       for update of d skip locked
), picked as (
    select delivery_id, priority from pending_due
    union all
    select delivery_id, priority from lease_expired
    order by priority desc, delivery_id
    limit %(limit)s
), claimed as (
    update pipeline.deliveries d
       set state = 'running',
           attempts = d.attempts + 1,
           leased_by = %(worker)s,
           lease_until = now() + make_interval(secs => coalesce(
               (select l.seconds
                  from unnest(%(handlers)s::text[], %(leases)s::float8[]) as l(handler, seconds)
                 where l.handler = d.handler), %(lease)s))
     where d.delivery_id = any (array(select delivery_id from picked))  -- primary key probes
 returning d.delivery_id, d.event_id, d.entity_id, d.handler, d.attempts, d.max_attempts,
           d.is_replay, d.priority
)
-- The event row comes with the claim; LATERAL ... LIMIT 1 keeps it an index probe per claimed row
-- (a plain join may be planned as a hash over the whole events table).
-- The claim (one autocommit statement) commits without waiting for the WAL flush
-- (synchronous_commit off for this transaction only): a claim lost in a crash just leaves the
-- delivery claimable, and every later durable commit (the handler's) flushes the claim's WAL
-- first.
select (select set_config('synchronous_commit', 'off', true)) as synchronous_commit,
       c.delivery_id, c.handler, c.attempts as attempt, c.max_attempts, c.is_replay,
       c.event_id, c.entity_id as delivery_entity_id,
       e.event_type, e.table_name, e.status_column, e.entity_id, e.company_id, e.old_status,
       e.new_status, e.snapshot, e.correlation_id, e.causation_id, e.actor_role, e.committed_at
  from claimed c
  left join lateral (select * from pipeline.events ev where ev.event_id = c.event_id limit 1) e
    on true
 order by c.priority desc, c.delivery_id;

-- name: fence_delivery
-- First statement of a handler's transaction: lock the delivery, check the token, tag the events
-- this transaction causes. No row means the lease was lost.
select set_config('pipeline.causation_id', %(event_id)s::text, true) as causation_id,
       set_config('pipeline.correlation_id', %(correlation_id)s::text, true) as correlation_id
  from pipeline.deliveries
 where delivery_id = %(delivery_id)s and state = 'running'
   and attempts = %(attempt)s and leased_by = %(worker)s
   for update;

-- name: complete_delivery
-- Last statement of a handler's fenced transaction: done + audit row, in the same commit.
-- ``successor``: a later event of the entity waits (claim again now, it may have become eligible).
with done as (
    update pipeline.deliveries
       set state = 'done', finished_at = now(), last_error = null
     where delivery_id = %(delivery_id)s and state = 'running'
       and attempts = %(attempt)s and leased_by = %(worker)s
 returning delivery_id, event_id, handler, attempts, is_replay, entity_id
), audit as (
    insert into pipeline.audit_log
        (delivery_id, event_id, handler, attempt, outcome, is_replay, worker, entity_id,
         correlation_id, started_at, duration_ms, detail)
    select delivery_id, event_id, handler, attempts, 'succeeded', is_replay, %(worker)s,
           entity_id, %(correlation_id)s, %(started_at)s, %(duration_ms)s, %(detail)s
      from done
    returning audit_id
)
select audit.audit_id,
       exists (select 1 from pipeline.deliveries o
                where o.entity_id = done.entity_id and o.event_id > done.event_id
                  and o.state = 'pending') as successor
  from audit, done;

-- name: complete_deliveries
-- Batched completion of handlers that returned without opening a transaction. Returns the
-- delivery ids that were still this worker's (the others lost their lease), each with whether a
-- later event of its entity waits. (The arrays are sent
-- in binary: much cheaper to encode than text arrays; an empty detail is sent as null.)
with input as (
    select *
      from unnest(%(ids)b::bigint[], %(attempts)b::int[], %(correlations)b::uuid[],
                  %(started)b::timestamptz[], %(durations)b::float8[], %(details)b::jsonb[])
           as i(delivery_id, attempt, correlation_id, started_at, duration_ms, detail)
), done as (
    update pipeline.deliveries d
       set state = 'done', finished_at = now(), last_error = null
      from input i
     where d.delivery_id = any (%(ids)b::bigint[])  -- primary key probes, whatever the plan
       and d.delivery_id = i.delivery_id and d.attempts = i.attempt
       and d.state = 'running' and d.leased_by = %(worker)s
 returning d.delivery_id, d.event_id, d.handler, d.attempts, d.is_replay, d.entity_id
), audit as (
    insert into pipeline.audit_log
        (delivery_id, event_id, handler, attempt, outcome, is_replay, worker, entity_id,
         correlation_id, started_at, duration_ms, detail)
    select dn.delivery_id, dn.event_id, dn.handler, dn.attempts, 'succeeded', dn.is_replay,
           %(worker)s, dn.entity_id, i.correlation_id, i.started_at, i.duration_ms,
           coalesce(i.detail, '{}'::jsonb)
      from done dn
      join input i on i.delivery_id = dn.delivery_id
)
select dn.delivery_id,
       exists (select 1 from pipeline.deliveries o
                where o.entity_id = dn.entity_id and o.event_id > dn.event_id
                  and o.state = 'pending') as successor
  from done dn;

-- name: end_delivery
-- End an attempt that did not commit through its fenced transaction, fenced by its token, with
-- its audit row, in one statement. %(outcome)s:
-- 'failed': back to pending after %(delay_seconds)s, or 'dead' once attempts reach max_attempts;
-- 'dead' / 'skipped': closed without running the handler (an unparseable event, a handler not
--   registered here), %(error)s says why;
-- 'released' (shutdown): pending at once; the attempt number stays (a fencing token is never
--   reused) and one more attempt is granted, so a release does not count as a failure.
-- No row: the token no longer holds.
with target as (
    select delivery_id,
           case when %(outcome)s::text = 'failed' and attempts >= max_attempts then 'dead'
                else %(outcome)s::text end as outcome
      from pipeline.deliveries
     where delivery_id = %(delivery_id)s and state = 'running'
       and attempts = %(attempt)s and leased_by = %(worker)s
       for update
), changed as (
    update pipeline.deliveries d
       set state = case when t.outcome in ('failed', 'released') then 'pending' else t.outcome end,
           run_after = case t.outcome
                           when 'failed' then now() + make_interval(secs => %(delay_seconds)s)
                           when 'released' then now()
                           else d.run_after end,
           finished_at = case t.outcome
                             when 'released' then d.finished_at
                             when 'failed' then null
                             else now() end,
           leased_by = case when t.outcome in ('dead', 'skipped') then d.leased_by end,
           lease_until = null,
           max_attempts = case when t.outcome = 'released' then least(d.max_attempts + 1, 100)
                               else d.max_attempts end,
           last_error = case when t.outcome = 'released' then d.last_error else %(error)s end
      from target t
     where d.delivery_id = t.delivery_id
 returning d.delivery_id, d.event_id, d.handler, d.attempts, d.is_replay, d.entity_id, t.outcome
), audit as (
    insert into pipeline.audit_log
        (delivery_id, event_id, handler, attempt, outcome, is_replay, worker, entity_id,
         correlation_id, started_at, duration_ms, error, traceback, detail)
    select delivery_id, event_id, handler, attempts, outcome, is_replay, %(worker)s, entity_id,
           %(correlation_id)s, %(started_at)s, %(duration_ms)s, %(error)s, %(traceback)s,
           %(detail)s
      from changed
)
select outcome from changed;

-- name: release_deliveries
-- Shutdown: hand back at once the deliveries claimed ahead that never started (same rules as
-- end_delivery's 'released', one statement for all of them). Returns the ids that were still ours.
with input as (
    select *
      from unnest(%(ids)s::bigint[], %(attempts)s::int[], %(correlations)s::uuid[])
           as i(delivery_id, attempt, correlation_id)
), released as (
    update pipeline.deliveries d
       set state = 'pending', max_attempts = least(d.max_attempts + 1, 100), lease_until = null,
           leased_by = null, run_after = now()
      from input i
     where d.delivery_id = any (%(ids)s::bigint[])
       and d.delivery_id = i.delivery_id and d.attempts = i.attempt
       and d.state = 'running' and d.leased_by = %(worker)s
 returning d.delivery_id, d.event_id, d.handler, d.attempts, d.is_replay, d.entity_id,
           i.correlation_id
), audit as (
    insert into pipeline.audit_log
        (delivery_id, event_id, handler, attempt, outcome, is_replay, worker, entity_id,
         correlation_id, started_at, duration_ms, detail)
    select delivery_id, event_id, handler, attempts, 'released', is_replay, %(worker)s, entity_id,
           correlation_id, now(), 0,
           jsonb_build_object('reason', 'claimed ahead, not started before shutdown')
      from released
)
select delivery_id from released;

-- name: audit_lost_lease
-- The attempt's token no longer holds. Nothing is written when the delivery is in fact done by
-- this very attempt (its commit went through before the connection dropped).
insert into pipeline.audit_log
    (delivery_id, event_id, handler, attempt, outcome, is_replay, worker, entity_id,
     correlation_id, started_at, duration_ms, error, detail)
select d.delivery_id, d.event_id, d.handler, %(attempt)s, 'lost_lease', d.is_replay, %(worker)s,
       d.entity_id, %(correlation_id)s, %(started_at)s, %(duration_ms)s, %(error)s, %(detail)s
  from pipeline.deliveries d
 where d.delivery_id = %(delivery_id)s
   and not (d.state = 'done' and d.attempts = %(attempt)s and d.leased_by = %(worker)s)
returning audit_id;

-- name: extend_leases
-- Heartbeat: renew the leases this worker still holds; rows locked by a committing handler are
-- skipped (they finish now anyway), which also rules out lock-order deadlocks.
with mine as (
    select d.delivery_id, l.seconds
      from pipeline.deliveries d
      join unnest(%(ids)s::bigint[], %(attempts)s::int[], %(leases)s::float8[])
           as l(delivery_id, attempt, seconds)
        on l.delivery_id = d.delivery_id and l.attempt = d.attempts
     where d.delivery_id = any (%(ids)s::bigint[])
       and d.state = 'running' and d.leased_by = %(worker)s
     order by d.delivery_id
       for update of d skip locked
)
update pipeline.deliveries d
   set lease_until = now() + make_interval(secs => mine.seconds)
  from mine
 where d.delivery_id = mine.delivery_id
   and set_config('synchronous_commit', 'off', true) is not null  -- a renewal need not be durable
returning d.delivery_id;

-- name: queue_stats
-- Queue depth and the age of the oldest due-or-waiting delivery of the handlers served here.
select count(*) as depth,
       coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as oldest_age_seconds
  from pipeline.deliveries
 where state = 'pending' and handler = any(%(handlers)s::text[]);

-- name: advertise_handlers
-- On the LISTEN connection, for its whole session: "a running daemon serves these handlers".
select count(pg_advisory_lock_shared(%(served_lock_class)s::int, hashtext(h))) as advertised
  from unnest(%(handlers)s::text[]) as h;

-- name: unserved_pending
-- Handlers with pending deliveries that no running daemon serves (they wait, and say so).
with live as (
    select objid from pg_locks
     where locktype = 'advisory' and classid = %(served_lock_class)s::oid and objsubid = 2
       and granted
)
select handler, count(*) as pending, min(created_at) as oldest
  from pipeline.deliveries
 where state = 'pending'
   and (hashtext(handler)::bigint & 4294967295)::oid not in (select objid from live)
 group by handler
 order by handler;

-- name: listen_channel
listen {channel};

-- name: arm_wakeup
-- ``armed_anywhere`` (evaluated after the attempt) tells a refused arm "another listener waits"
-- from "writers are mid-commit", in the same round trip.
select pipeline.arm_wakeup() as armed, pipeline.wakeup_armed() as armed_anywhere;

-- name: disarm_wakeup
select pipeline.disarm_wakeup() as disarmed;

-- name: notify_probe
select pg_notify(%(channel)s, %(payload)s);

-- name: ping
select 1 as ok;

-- name: set_idle_in_transaction_timeout
select set_config('idle_in_transaction_session_timeout', %(milliseconds)s, false);

-- name: set_causation
-- A transaction without a delivery to fence (a dry run): tag the events it would cause.
select set_config('pipeline.causation_id', %(event_id)s::text, true) as causation_id,
       set_config('pipeline.correlation_id', %(correlation_id)s::text, true) as correlation_id;

-- name: configure_control_session
-- The control pool's statements are prepared and run thousands of times with similar arguments;
-- re-planning each run (PostgreSQL keeps choosing custom plans for them) costs more than running.
-- JIT off: the claim's estimated cost grows with the backlog (a LIMIT over a filtered index walk),
-- and past jit_above_cost every execution of its generic plan spent ~50 ms compiling code for a
-- statement that runs in ~2 ms (a 20,000-event drain ran five times slower).
select set_config('plan_cache_mode', 'force_generic_plan', false),
       set_config('jit', 'off', false);

-- name: route_events
-- An operator's tool routes before it reads: fan every event whose transaction ended out into
-- deliveries (pipeline.route_events in migrations/20261125000100_pipeline_core.sql; one router at
-- a time, the others skip). Must run at READ COMMITTED. The commit need not wait for the WAL
-- flush: a routing lost in a crash is lost with its router_state row and is redone, and any
-- later durable commit flushes it first.
select pipeline.route_events() as routed,
       set_config('synchronous_commit', 'off', true) as synchronous_commit;

-- name: route_served_events
-- route_events as a daemon's claim sends it, in one pipeline with claim_deliveries (one implicit
-- transaction, so the claim sees what it routed; see DeliveryStore.claim). Naming the handlers
-- this daemon serves keeps the router from NOTIFYing for deliveries it is about to claim itself;
-- when it routed more than the claim takes, the daemon sends wake_routed.
select pipeline.route_events(%(handlers)s::text[]) as routed,
       set_config('synchronous_commit', 'off', true) as synchronous_commit;

-- name: wake_routed
-- After a claim's routing created more deliveries than the claim took: a router's NOTIFY (the
-- payload names pipeline.deliveries, as pipeline.route_events' own does), so every other daemon
-- serving these handlers claims the rest now instead of at its poll.
select pg_notify('pipeline_events',
                 json_build_object('table', 'pipeline.deliveries',
                                   'routed', %(routed)s::integer)::text) as notified;

-- name: analyze_deliveries
-- After a large batch was routed: fresh statistics for the claim's plan (skipped with a warning,
-- not an error, when the daemon's role does not own the table).
analyze pipeline.deliveries;
