-- Renders are claimed by priority, then age: every delivery carries a priority (larger first),
-- and claim_deliveries (db/queries/deliveries.sql) takes pending work by (priority desc,
-- delivery_id). Priorities only reorder work across entities: a delivery still never starts
-- before an earlier pending or running delivery of its own entity (the claim's per-entity probe).
--   * pipeline.route_events() (20261125000100) sets it when it fans an event out: for an event
--     of mm_multimedia_sessions, the session's render_priority as the routing reads it, else 0.
--   * pipeline.follow_render_priority() (20261125001060) moves the session's pending deliveries
--     with its render_priority, in the transaction that changes it.
-- Limit: a change that commits while a routing of that session's event is in flight (the
-- routing read the old value, its deliveries are not committed yet) leaves those deliveries at
-- the old priority; the queue row follows the session, the next change moves both.

alter table pipeline.deliveries add column priority integer not null default 0;

-- The claim walks pending deliveries in (priority desc, delivery_id) order and stops at its
-- limit. This index serves that walk; with every priority 0 (the common case) its order is the
-- delivery_id order of deliveries_pending_idx, which it replaces (same size, one index to keep).
create index deliveries_pending_priority_idx on pipeline.deliveries (priority desc, delivery_id)
    where state = 'pending';
drop index pipeline.deliveries_pending_idx;

-- The archive keeps the live table's columns in the same order followed by archived_at (prune
-- copies a row as `row.*, now()`): the new column goes before archived_at, values kept.
alter table pipeline.deliveries_archive rename column archived_at to archived_at_before;
alter table pipeline.deliveries_archive
    add column priority integer not null default 0,
    add column archived_at timestamptz not null default now();
update pipeline.deliveries_archive set archived_at = archived_at_before;
alter table pipeline.deliveries_archive drop column archived_at_before;
