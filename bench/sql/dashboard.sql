-- Queries of the dashboard stream benchmark (bench/dashboard_stream.py).

-- name: dashboard_connections
-- The dashboard process's connections to the benchmark database (every one is named after it).
select count(*) as n
  from pg_stat_activity
 where datname = current_database()
   and split_part(application_name, ':', 1) = 'lxera-pipeline'
   and split_part(application_name, ':', 2) like 'dashboard-%%'

-- name: event_seqs
-- Which writer commit (its seq, carried in the row) each event came from.
select event_id, (snapshot ->> 'seq')::bigint as seq
  from pipeline.events
 where table_name = 'bench_items' and event_id > %(after)s

-- name: last_event
select coalesce(max(event_id), 0) as event_id from pipeline.events
