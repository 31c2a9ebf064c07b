-- Where `lxera-pipeline prune --archive` keeps finished events, their deliveries and audit rows
-- before deleting them from the live tables. Same columns as the live tables (in the same order,
-- so a pruned row is copied as `row.*, now()`), plus the time it was archived. No identity, no
-- triggers: archived rows are never fanned out again.

create table pipeline.events_archive (like pipeline.events including comments);
alter table pipeline.events_archive
    add column archived_at timestamptz not null default now(),
    add primary key (event_id);
create index events_archive_entity_idx on pipeline.events_archive (entity_id, event_id);
create index events_archive_correlation_idx on pipeline.events_archive (correlation_id, event_id);

create table pipeline.deliveries_archive (like pipeline.deliveries including comments);
alter table pipeline.deliveries_archive
    add column archived_at timestamptz not null default now(),
    add primary key (delivery_id);
create index deliveries_archive_event_idx on pipeline.deliveries_archive (event_id);

create table pipeline.audit_log_archive (like pipeline.audit_log including comments);
alter table pipeline.audit_log_archive
    add column archived_at timestamptz not null default now(),
    add primary key (audit_id);
create index audit_log_archive_event_idx on pipeline.audit_log_archive (event_id);
