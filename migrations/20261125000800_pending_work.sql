-- pipeline.pending_work(handler_group): the backlog of one handler group, as one number.
--
-- The autoscaler (KEDA's `postgresql` trigger, deploy/k8s) sizes each group's Deployment by
-- `select pipeline.pending_work('<group>')`; `lxera-pipeline` operators can call it too. It counts
--   (a) the group's deliveries that still need a daemon: state 'pending' (due now or waiting for
--       a retry) and 'running' (a daemon holds them; counting them keeps the replicas that run
--       them from being scaled away mid-handler, and an expired lease needs a daemon to reclaim);
--   (b) the deliveries that routing WILL create for the group: committed events not routed yet
--       (pipeline.unrouted_events(): their transaction ended after the router's last snapshot),
--       times the group's active subscriptions that match them (the same match as
--       pipeline.route_events). Only daemons route
--       (pipeline.route_events runs in their claim round trip), so a group scaled to zero would
--       never see its first event without (b).
-- Done, skipped and dead deliveries are not work (dead letters need an operator, not a replica).
--
-- (b) asks routing itself what "not routed yet" is (pipeline.unrouted_events()). Events of
-- transactions still open are invisible here and counted once they commit, as routing will.
--
-- SECURITY DEFINER, because the autoscaler should connect as a role that can run this function
-- and nothing else (the events carry row snapshots of tenant data): such a role needs only
-- USAGE on schema pipeline and EXECUTE on this function (docs/scaling.md). search_path is pinned
-- and every relation is schema-qualified; pg_temp comes last so no temporary object can shadow
-- anything.
create function pipeline.pending_work(handler_group text) returns bigint
language sql stable security definer set search_path = pg_catalog, pg_temp as $$
    with subscribed as (
        select s.handler, s.table_name, s.status_column, s.from_status, s.to_status
          from pipeline.subscriptions s
         where s.active and s.handler_group = pending_work.handler_group
    ),
    open_deliveries as (
        select count(*) as n
          from pipeline.deliveries d
          join subscribed s on s.handler = d.handler
         where d.state in ('pending', 'running')
    ),
    unrouted as (
        select count(*) as n
          from pipeline.unrouted_events() e
          join subscribed s
            on s.table_name = e.table_name and s.status_column = e.status_column
           and (s.from_status = '*' or s.from_status = coalesce(e.old_status, 'new'))
           and (s.to_status = '*' or s.to_status = e.new_status)
    )
    select (select n from open_deliveries) + (select n from unrouted)
$$;
comment on function pipeline.pending_work(text) is
    'Deliveries of a handler group still needing a daemon (pending, running) plus those routing '
    'will create for it (committed events not routed yet). The autoscaler''s query.';
revoke all on function pipeline.pending_work(text) from public;
