-- Archive for old content: the modules past a cut-off, and moving one module's family out of
-- the workflow tables and back (the functions live in migrations/*_content_archive.sql).

-- name: archive_candidates
select c.content_id, c.company_id, c.module_name, c.updated_at as published_at,
       pipeline.content_archive_blocker(c.content_id, %(cutoff)s) as blocker
  from public.cm_module_content c
 where c.status = 'published' and c.updated_at < %(cutoff)s
 order by c.updated_at, c.content_id
 limit %(limit)s

-- name: archive_content
select pipeline.archive_content(%(content_id)s, %(cutoff)s, %(actor)s) as row_counts

-- name: restore_content
select pipeline.restore_content(%(content_id)s, %(actor)s) as row_counts

-- name: archived_content
select a.content_id, a.company_id, a.published_at, a.archived_at, a.archived_by, a.row_counts
  from pipeline.content_archive a
 order by a.archived_at desc, a.content_id
 limit %(limit)s
