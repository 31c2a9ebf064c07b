-- name: bootstrap_migrations
create schema if not exists pipeline;
create table if not exists pipeline.schema_migrations (
    version     text primary key,
    name        text not null,
    checksum    text not null,
    applied_at  timestamptz not null default now(),
    duration_ms integer not null default 0
);
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
    version    text primary key,
    statements text[],
    name       text
);

-- name: record_migration
with ours as (
    insert into pipeline.schema_migrations (version, name, checksum, duration_ms)
    values (%(version)s, %(name)s, %(checksum)s, %(duration_ms)s)
)
insert into supabase_migrations.schema_migrations (version, statements, name)
values (%(version)s, %(statements)s, %(name)s)
on conflict (version) do nothing;
